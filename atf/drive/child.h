// The second copy of the shim the driver plays Flow against, started the way
// a connector image runs it (its ENTRYPOINT: the shim with
// --connector-entrypoint and --connector-dir). Its stderr is relayed line by
// line to the driver's stderr, and the last error it logged is kept: the
// shim's last stderr line is always its one-line error (docs/decisions.md, D2).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "atf/base/fd.h"
#include "atf/drive/console.h"
#include "atf/runner/connector_process.h"

namespace atf::drive {

struct ShimCommand {
  std::string binary;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  // Pipes for the shim's stdin and stdout (stdio sessions); otherwise they
  // are /dev/null (gRPC server).
  bool stdio = true;
};

class ShimProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ShimProcess>> Start(const ShimCommand& command, Console* console);

  // Kills the shim if it still runs, reaps it and ends the relay.
  ~ShimProcess();
  ShimProcess(const ShimProcess&) = delete;
  ShimProcess& operator=(const ShimProcess&) = delete;

  pid_t pid() const { return pid_; }
  UniqueFd TakeStdin() { return std::move(stdin_); }
  UniqueFd TakeStdout() { return std::move(stdout_); }

  void Signal(int signal);
  // The exit status once the shim has exited, or nullopt at `deadline`.
  std::optional<ExitStatus> WaitUntil(absl::Time deadline);
  // Waits up to `patience`, then SIGTERM and `patience` more, then SIGKILL.
  ExitStatus WaitOrStop(absl::Duration patience);

  // The message of the last error the shim logged, else its last stderr
  // line, else "". Complete once the shim has exited and the relay drained.
  std::string LastError();

 private:
  ShimProcess(pid_t pid, UniqueFd stderr_fd, Console* console);
  void Relay(UniqueFd stderr_fd);
  void RelayLine(absl::string_view line);

  pid_t pid_;
  std::optional<ExitStatus> exit_;
  UniqueFd stdin_;
  UniqueFd stdout_;
  Console* console_;
  std::thread relay_;
  absl::Mutex mu_;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  std::string last_line_ ABSL_GUARDED_BY(mu_);
};

// The path of the running binary (/proc/self/exe resolved).
std::string SelfBinary();

}  // namespace atf::drive
