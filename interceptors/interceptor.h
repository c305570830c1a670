// An interceptor turns one Flow request into one connector run and the
// connector's output back into Flow responses: Prepare writes the input files
// and names the Airbyte command, OnMessage consumes the connector's protocol
// messages as they come, Finish answers once the connector exited cleanly.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "atf/base/log.h"
#include "atf/base/redact.h"
#include "atf/base/stop.h"
#include "atf/base/temp_dir.h"
#include "atf/protocol/response_writer.h"
#include "atf/runner/connector_run.h"
#include "interceptors/options.h"
#include "patches/connector_dir.h"

namespace atf {

// What a session remembers from one request to the next.
struct SessionMemory {
  // Where the connector's config schema (from the last Spec) marks secrets.
  SecretPaths secret_paths;
  // Whether a Spec taught `secret_paths` (or was tried).
  bool spec_learned = false;
  Redactor redactor;
};

// What every operation gets from its session.
struct OperationContext {
  const ShimOptions& options;
  const ConnectorDir& connector_dir;
  Logger log;
  ResponseWriter& out;
  SessionMemory& memory;
  // The session's private directory, created on first use.
  std::function<absl::StatusOr<const TempDir*>()> temp_dir;
  // Raised when Flow ends the session or a signal arrives.
  StopSource& stop;
};

// Spec, Discover and Validate answer from one connector message: the first
// protocol message must be of the `expected` type; its payload is copied into
// `slot`. Messages after it are ignored (the connector is still drained).
absl::Status TakeExpectedMessage(const AirbyteMessage& message, AirbyteType expected,
                                 std::optional<rapidjson::Document>* slot, Logger log);

// The error for a connector that exited 0 without the expected message (D4:
// an error, never a missing response).
absl::Status MissingExpectedMessage(AirbyteType expected);

// Flow's endpoint config (JSON text) as the connector must see it: parsed
// and remapped by spec.map.json.
absl::StatusOr<rapidjson::Document> ConnectorConfig(const OperationContext& ctx, absl::string_view config_json);

// Writes one of the connector's input files into the session's temp dir and
// returns its path.
absl::StatusOr<std::string> WriteInputFile(const OperationContext& ctx, absl::string_view name,
                                           absl::string_view contents);

// The arguments of an Airbyte command that takes only a config (`discover`,
// `check`): the config, as ConnectorConfig makes it, written to config.json.
absl::StatusOr<std::vector<std::string>> ConfigOnlyCommand(const OperationContext& ctx, absl::string_view command,
                                                           absl::string_view config_json);

class Interceptor : public ConnectorOutputHandler {
 public:
  explicit Interceptor(OperationContext context) : ConnectorOutputHandler(context.log), ctx_(context) {}

  // "spec", "discover", ...: names the operation in errors.
  virtual absl::string_view name() const = 0;
  // Writes the connector's input files and returns its Airbyte arguments.
  virtual absl::StatusOr<std::vector<std::string>> Prepare() = 0;
  // The connector exited with code 0: write the response (or explain what is missing).
  virtual absl::Status Finish(const RunOutcome& outcome) = 0;

 protected:
  OperationContext ctx_;
};

}  // namespace atf
