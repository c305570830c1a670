// One run of the wrapped Airbyte connector (docs/decisions.md, D2): the entrypoint is
// interpreted by /bin/sh, each Airbyte argument is its own argv entry, stdin
// is empty, stdout and stderr are pipes, and the connector leads its own
// process group so that it and its children are signalled together.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "atf/base/fd.h"

namespace atf {

struct ConnectorCommand {
  std::string entrypoint;                                // e.g. "python /airbyte/integration_code/main.py"
  std::vector<std::string> args;                         // e.g. {"discover", "--config", "/var/tmp/atf-x/config.json"}
  std::vector<std::pair<std::string, std::string>> env;  // set in addition to the inherited environment
};

struct ExitStatus {
  bool signaled = false;
  int code = 0;  // exit code, or the signal number when `signaled`

  bool success() const { return !signaled && code == 0; }
  // "exited with code 3", "was killed by signal 9 (SIGKILL)"
  std::string Describe() const;
};

class ConnectorProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ConnectorProcess>> Start(const ConnectorCommand& command);

  // Kills the process group if the connector is still running, and reaps it.
  ~ConnectorProcess();
  ConnectorProcess(const ConnectorProcess&) = delete;
  ConnectorProcess& operator=(const ConnectorProcess&) = delete;

  pid_t pid() const { return pid_; }
  int stdout_fd() const { return stdout_.get(); }
  // Hands the stderr pipe to the caller.
  UniqueFd TakeStderr() { return std::move(stderr_); }
  void CloseStdout() { stdout_.reset(); }

  // Readable when the connector has exited; -1 when the kernel has no pidfd
  // (callers then poll TryWait periodically).
  int exit_fd() const { return pidfd_.get(); }

  // Sends `signal` to the connector's whole process group.
  void SignalGroup(int signal);

  // Reaps the connector if it has exited.
  std::optional<ExitStatus> TryWait();
  bool exited() const { return reaped_; }

 private:
  ConnectorProcess() = default;
  // Kills what is left of the process group and reaps members we inherited.
  void CleanUpGroup();

  pid_t pid_ = -1;
  UniqueFd stdout_;
  UniqueFd stderr_;
  UniqueFd pidfd_;
  bool reaped_ = false;
  ExitStatus status_;
};

}  // namespace atf
