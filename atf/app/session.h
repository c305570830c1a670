// One session with Flow: the request loop (docs/decisions.md, D1). It answers any
// number of spec/discover/validate/apply requests, each with its own connector
// run, and ends after a capture, at the end of Flow's input, or on a stop.
#pragma once

#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "atf/base/log.h"
#include "atf/base/stop.h"
#include "atf/base/temp_dir.h"
#include "atf/protocol/inbox.h"
#include "atf/protocol/response_writer.h"
#include "interceptors/interceptor.h"
#include "interceptors/options.h"
#include "patches/connector_dir.h"

namespace atf {

class Session {
 public:
  Session(const ShimOptions& options, Inbox& inbox, ResponseWriter& out, StopSource& stop, Logger log);

  // Serves requests until the session is over. A returned error has its
  // secrets redacted and carries the exit code to use.
  absl::Status Run();

 private:
  absl::Status Serve();
  // The next item from Flow, or nullopt when a stop arrived first.
  std::optional<InboxItem> NextItem();
  // Answers one request; true when the session is over.
  absl::StatusOr<bool> Handle(const capture::Request& request);
  // Prepares the operation and runs the connector for it.
  absl::StatusOr<RunOutcome> RunConnectorFor(Interceptor& interceptor, bool capture);
  // Runs the connector with the arguments its interceptor prepared.
  absl::StatusOr<RunOutcome> RunPrepared(Interceptor& interceptor, std::vector<std::string> args, bool capture);
  // A shard with nothing to capture: waits for Flow to end the session.
  absl::Status IdleUntilStopped();
  // Spec, Discover, Validate: one response, or an error.
  absl::Status RunUnary(Interceptor& interceptor);
  // Open: the capture session, then the run interval.
  absl::Status RunCapture(const capture::Request::Open& open);
  absl::Status ConnectorFailed(Interceptor& interceptor, const RunOutcome& outcome);
  absl::StatusOr<const TempDir*> GetTempDir();
  OperationContext Context();
  // Runs `spec` without answering, to learn where the config holds secrets.
  void LearnSpec();
  // Registers the secrets of a request's endpoint config with the redactor.
  void LearnSecrets(const capture::Request& request);

  const ShimOptions& options_;
  Inbox& inbox_;
  ResponseWriter& out_;
  StopSource& stop_;
  SessionMemory memory_;
  Logger log_;
  ConnectorDir connector_dir_;
  std::unique_ptr<TempDir> temp_dir_;
};

}  // namespace atf
