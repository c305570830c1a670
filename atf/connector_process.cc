#include "atf/connector_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"

extern char** environ;

namespace atf {
namespace {

// Owns the argv/envp strings for posix_spawn.
class CStringList {
 public:
  void Add(std::string s) { strings_.push_back(std::move(s)); }
  char** Get() {
    pointers_.clear();
    for (std::string& s : strings_) pointers_.push_back(s.data());
    pointers_.push_back(nullptr);
    return pointers_.data();
  }

 private:
  std::vector<std::string> strings_;
  std::vector<char*> pointers_;
};

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

absl::Status Errno(absl::string_view what, int error) {
  return absl::InternalError(absl::StrCat(what, ": ", ::strerror(error)));
}

}  // namespace

std::string ExitStatus::Describe() const {
  if (!signaled) return absl::StrCat("exited with code ", code);
  const char* name = ::sigabbrev_np(code);
  return absl::StrCat("was killed by signal ", code, name ? absl::StrCat(" (SIG", name, ")") : "");
}

absl::StatusOr<std::unique_ptr<ConnectorProcess>> ConnectorProcess::Start(const ConnectorCommand& command) {
  int stdin_pipe[2], stdout_pipe[2], stderr_pipe[2];
  if (::pipe2(stdin_pipe, O_CLOEXEC) != 0) return Errno("pipe", errno);
  if (::pipe2(stdout_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    ::close(stdin_pipe[0]); ::close(stdin_pipe[1]);
    return Errno("pipe", e);
  }
  if (::pipe2(stderr_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    for (int fd : {stdin_pipe[0], stdin_pipe[1], stdout_pipe[0], stdout_pipe[1]}) ::close(fd);
    return Errno("pipe", e);
  }
  // The connector's stdin is empty: its write end is closed right away.
  ::close(stdin_pipe[1]);
  // A larger pipe lets a fast connector run ahead of us; failure is harmless.
  ::fcntl(stdout_pipe[1], F_SETPIPE_SZ, 1 << 20);

  // `exec` replaces the shell, so that signals and exit status are the connector's own.
  CStringList argv;
  argv.Add("/bin/sh");
  argv.Add("-c");
  argv.Add(absl::StrCat("exec ", command.entrypoint, " \"$@\""));
  argv.Add("airbyte-connector");  // $0
  for (const std::string& arg : command.args) argv.Add(arg);

  CStringList envp;
  for (char** e = environ; *e != nullptr; ++e) {
    absl::string_view entry(*e);
    bool overridden = false;
    for (const auto& [key, value] : command.env) {
      if (absl::StartsWith(entry, absl::StrCat(key, "="))) overridden = true;
    }
    if (!overridden) envp.Add(std::string(entry));
  }
  for (const auto& [key, value] : command.env) envp.Add(absl::StrCat(key, "=", value));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, stdout_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, stderr_pipe[1], 2);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid;
  int rc = ::posix_spawn(&pid, "/bin/sh", &actions, &attr, argv.Get(), envp.Get());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(stdin_pipe[0]);
  ::close(stdout_pipe[1]);
  ::close(stderr_pipe[1]);
  if (rc != 0) {
    ::close(stdout_pipe[0]);
    ::close(stderr_pipe[0]);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot start the connector with /bin/sh: ", ::strerror(rc)));
  }

  std::unique_ptr<ConnectorProcess> process(new ConnectorProcess());
  process->pid_ = pid;
  process->stdout_fd_ = stdout_pipe[0];
  process->stderr_fd_ = stderr_pipe[0];
  process->pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  return process;
}

ConnectorProcess::~ConnectorProcess() {
  if (!reaped_) {
    SignalGroup(SIGKILL);
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  CleanUpGroup();
  CloseFd(stdout_fd_);
  CloseFd(stderr_fd_);
  CloseFd(pidfd_);
}

int ConnectorProcess::TakeStderr() {
  int fd = stderr_fd_;
  stderr_fd_ = -1;
  return fd;
}

void ConnectorProcess::CloseStdout() { CloseFd(stdout_fd_); }

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

absl::StatusOr<std::string> ReadAll(int fd) {
  std::string out;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      return out;
    } else if (errno != EINTR) {
      return Errno("read", errno);
    }
  }
}

}  // namespace atf
