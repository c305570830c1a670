// Starting a child process, the one way both the shim (its connector) and
// the test harness (the shim itself) do it: posix_spawn with an argv (no
// shell unless argv says so), the inherited environment plus overrides, the
// child's stdin/stdout/stderr taken from given descriptors, a clean signal
// mask and default dispositions (the parent blocks SIGTERM/SIGINT and ignores
// SIGPIPE; a child must not inherit that).
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace atf {

struct SpawnOptions {
  // argv[0] is the program's path.
  std::vector<std::string> argv;
  // Set on top of the inherited environment; a later entry wins.
  std::vector<std::pair<std::string, std::string>> env;
  // The child's working directory; empty keeps ours.
  std::string cwd;
  // The child leads a new process group (signalled as a whole with kill(-pid)).
  bool new_process_group = false;
  // Become the child's fds 0, 1 and 2; -1 inherits ours.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

// The child's pid. The caller keeps (and closes) the descriptors it passed.
absl::StatusOr<pid_t> Spawn(const SpawnOptions& options);

}  // namespace atf
