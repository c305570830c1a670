// How the driver speaks Flow's protocol to the shim. A Session is one
// connector session as Flow runs it: one process over stdio (JSON lines or
// protobuf frames), or one Capture RPC of a shim serving gRPC. Flow ends a
// session by closing its input; the shim's output ends when it is done.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "atf/base/stop.h"
#include "atf/drive/child.h"
#include "atf/drive/cli.h"
#include "atf/drive/console.h"
#include "capture.pb.h"

namespace atf::drive {

class Session {
 public:
  virtual ~Session() = default;

  virtual absl::Status Send(const capture::Request& request) = 0;
  // The next response; nullopt once the shim's output ended. Past `deadline`
  // a DeadlineExceeded error; when the driver was told to stop (Ctrl-C) a
  // Cancelled error.
  virtual absl::StatusOr<std::optional<capture::Response>> Next(absl::Time deadline) = 0;
  // Ends the input (Flow ending the session). Idempotent.
  virtual void CloseInput() = 0;
  // Stops the session now (a unary response that never came, Ctrl-C): the
  // shim is told to stop (SIGTERM, or the RPC is cancelled).
  virtual void Abort() = 0;
  // Closes the input, drops what is still unread, waits for the end (stopping
  // a shim that lingers) and says how the session ended: OK, or the shim's
  // one-line error.
  virtual absl::Status Finish() = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual absl::StatusOr<std::unique_ptr<Session>> Open() = 0;
};

// What every transport needs to start the shim.
struct TransportContext {
  const DriveOptions* options;
  Console* console;
  StopSource* stop;
};

// The shim's command line for a stdio session or the gRPC server.
ShimCommand MakeShimCommand(const DriveOptions& options, std::vector<std::string> extra_args);

// Responses handed from a reader thread to the session thread. Bounded, so
// that a fast connector cannot fill memory; once discarding (the session is
// being finished) pushes never block and are dropped.
class ResponseQueue {
 public:
  explicit ResponseQueue(size_t capacity = 512) : capacity_(capacity) {}

  void Push(capture::Response response);
  // The end of the output, OK or with the reason it broke.
  void End(absl::Status status);
  void Discard();

  // A response, nullopt at the end, DeadlineExceeded, or Cancelled when `stop` is raised.
  absl::StatusOr<std::optional<capture::Response>> Pop(absl::Time deadline, const StopSource& stop);

 private:
  const size_t capacity_;
  absl::Mutex mu_;
  std::deque<capture::Response> items_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool discarding_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status end_status_ ABSL_GUARDED_BY(mu_);
};

// One shim process per session, Flow's protocol on its stdin and stdout.
std::unique_ptr<Transport> MakeStdioTransport(const TransportContext& context);

}  // namespace atf::drive
