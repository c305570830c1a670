#include "atf/runner/connector_process.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "atf/base/spawn.h"
#include "atf/base/status.h"

namespace atf {

std::string ExitStatus::Describe() const {
  if (!signaled) return absl::StrCat("exited with code ", code);
  const char* name = ::sigabbrev_np(code);
  return absl::StrCat("was killed by signal ", code, name ? absl::StrCat(" (SIG", name, ")") : "");
}

absl::StatusOr<std::unique_ptr<ConnectorProcess>> ConnectorProcess::Start(const ConnectorCommand& command) {
  // The connector's stdin is empty: the write end of its pipe closes at once.
  ATF_ASSIGN_OR_RETURN(Pipe stdin_pipe, MakePipe());
  stdin_pipe.write.reset();
  ATF_ASSIGN_OR_RETURN(Pipe stdout_pipe, MakePipe());
  ATF_ASSIGN_OR_RETURN(Pipe stderr_pipe, MakePipe());
  // A larger pipe lets a fast connector run ahead of us; failure is harmless.
  ::fcntl(stdout_pipe.write.get(), F_SETPIPE_SZ, 1 << 20);

  // `exec` replaces the shell, so that signals and exit status are the connector's own.
  SpawnOptions spawn;
  spawn.argv = {"/bin/sh", "-c", absl::StrCat("exec ", command.entrypoint, " \"$@\""), "airbyte-connector"};
  spawn.argv.insert(spawn.argv.end(), command.args.begin(), command.args.end());
  spawn.env = command.env;
  spawn.new_process_group = true;
  spawn.stdin_fd = stdin_pipe.read.get();
  spawn.stdout_fd = stdout_pipe.write.get();
  spawn.stderr_fd = stderr_pipe.write.get();
  absl::StatusOr<pid_t> pid = Spawn(spawn);
  if (!pid.ok()) return Annotate(pid.status(), "the connector");

  std::unique_ptr<ConnectorProcess> process(new ConnectorProcess());
  process->pid_ = *pid;
  process->stdout_ = std::move(stdout_pipe.read);
  process->stderr_ = std::move(stderr_pipe.read);
  process->pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, *pid, 0)));
  return process;
}

ConnectorProcess::~ConnectorProcess() {
  if (!reaped_) {
    SignalGroup(SIGKILL);
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
    reaped_ = true;
  }
  CleanUpGroup();
}

void ConnectorProcess::SignalGroup(int signal) {
  if (pid_ > 0) ::kill(-pid_, signal);
}

std::optional<ExitStatus> ConnectorProcess::TryWait() {
  if (reaped_) return status_;
  int status;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r != pid_) return std::nullopt;
  reaped_ = true;
  status_ = WIFSIGNALED(status) ? ExitStatus{true, WTERMSIG(status)} : ExitStatus{false, WEXITSTATUS(status)};
  return status_;
}

void ConnectorProcess::CleanUpGroup() {
  // Children the connector left behind are killed with it. When this process
  // is a child subreaper they are ours to reap too.
  SignalGroup(SIGKILL);
  int status;
  for (int attempt = 0; attempt < 100; ++attempt) {
    pid_t r = ::waitpid(-pid_, &status, WNOHANG);
    if (r > 0) continue;
    if (r < 0) break;  // ECHILD: nothing of that group is ours
    ::usleep(1000);
  }
}

}  // namespace atf
