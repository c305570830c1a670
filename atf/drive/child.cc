#include "atf/drive/child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/spawn.h"
#include "atf/base/status.h"

namespace atf::drive {
namespace {

ExitStatus FromWaitStatus(int status) {
  if (WIFSIGNALED(status)) return ExitStatus{true, WTERMSIG(status)};
  return ExitStatus{false, WEXITSTATUS(status)};
}

absl::StatusOr<UniqueFd> OpenDevNull(int flags) {
  const int fd = ::open("/dev/null", flags | O_CLOEXEC);
  if (fd < 0) return ErrnoError("opening /dev/null", errno);
  return UniqueFd(fd);
}

}  // namespace

std::string SelfBinary() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return "/proc/self/exe";
  return std::string(path, static_cast<size_t>(n));
}

absl::StatusOr<std::unique_ptr<ShimProcess>> ShimProcess::Start(const ShimCommand& command, Console* console) {
  SpawnOptions spawn;
  spawn.argv.push_back(command.binary);
  spawn.argv.insert(spawn.argv.end(), command.args.begin(), command.args.end());
  spawn.env = command.env;
  // Its own process group: a Ctrl-C on the terminal reaches the driver only,
  // which then ends the session the way Flow does (closing the input).
  spawn.new_process_group = true;
  UniqueFd child_in, child_out, parent_in, parent_out;
  if (command.stdio) {
    ATF_ASSIGN_OR_RETURN(Pipe in, MakePipe());
    ATF_ASSIGN_OR_RETURN(Pipe out, MakePipe());
    child_in = std::move(in.read);
    parent_in = std::move(in.write);
    child_out = std::move(out.write);
    parent_out = std::move(out.read);
  } else {
    ATF_ASSIGN_OR_RETURN(child_in, OpenDevNull(O_RDONLY));
    ATF_ASSIGN_OR_RETURN(child_out, OpenDevNull(O_WRONLY));
  }
  ATF_ASSIGN_OR_RETURN(Pipe err, MakePipe());
  spawn.stdin_fd = child_in.get();
  spawn.stdout_fd = child_out.get();
  spawn.stderr_fd = err.write.get();
  absl::StatusOr<pid_t> pid = Spawn(spawn);
  if (!pid.ok()) return Annotate(pid.status(), "--shim-binary");
  std::unique_ptr<ShimProcess> process(new ShimProcess(*pid, std::move(err.read), console));
  process->stdin_ = std::move(parent_in);
  process->stdout_ = std::move(parent_out);
  return process;
}

ShimProcess::ShimProcess(pid_t pid, UniqueFd stderr_fd, Console* console) : pid_(pid), console_(console) {
  relay_ = std::thread([this, fd = std::move(stderr_fd)]() mutable { Relay(std::move(fd)); });
}

ShimProcess::~ShimProcess() {
  stdin_.reset();
  stdout_.reset();
  if (!exit_) {
    ::kill(-pid_, SIGKILL);
    WaitUntil(absl::InfiniteFuture());
  }
  if (relay_.joinable()) relay_.join();
}

void ShimProcess::Signal(int signal) {
  if (!exit_) ::kill(pid_, signal);
}

std::optional<ExitStatus> ShimProcess::WaitUntil(absl::Time deadline) {
  while (!exit_) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_ = FromWaitStatus(status);
      break;
    }
    if (r < 0 && errno != EINTR) {
      exit_ = ExitStatus{false, 1};  // not our child any more: nothing to wait for
      break;
    }
    if (absl::Now() >= deadline) return std::nullopt;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return exit_;
}

ExitStatus ShimProcess::WaitOrStop(absl::Duration patience) {
  if (std::optional<ExitStatus> status = WaitUntil(absl::Now() + patience)) return *status;
  Signal(SIGTERM);
  if (std::optional<ExitStatus> status = WaitUntil(absl::Now() + patience)) return *status;
  ::kill(-pid_, SIGKILL);
  return *WaitUntil(absl::InfiniteFuture());
}

std::string ShimProcess::LastError() {
  // The relay ends at the stderr EOF, after the shim exited: join it so that
  // the final line has been read.
  if (exit_ && relay_.joinable()) relay_.join();
  absl::MutexLock lock(&mu_);
  return last_error_.empty() ? last_line_ : last_error_;
}

void ShimProcess::Relay(UniqueFd fd) {
  std::string pending;
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      RelayLine(absl::string_view(pending).substr(start, nl - start));
    }
    pending.erase(0, start);
  }
  if (!pending.empty()) RelayLine(pending);
}

// A log line of the shim ({"ts","level","message","fields"}) as
// `[shim LEVEL] message {fields}`; any other line as it is.
void ShimProcess::RelayLine(absl::string_view line) {
  if (line.empty()) return;
  std::string shown = absl::StrCat("[shim] ", line);
  std::string message(line);
  bool is_error = false;
  absl::StatusOr<rapidjson::Document> parsed = ParseJson(line, "log line");
  if (parsed.ok() && parsed->IsObject()) {
    const rapidjson::Value* level = FindMember(*parsed, "level");
    const rapidjson::Value* text = FindMember(*parsed, "message");
    if (level && level->IsString() && text && text->IsString()) {
      message = std::string(ViewOf(*text));
      is_error = ViewOf(*level) == "error";
      shown = absl::StrCat("[shim ", ViewOf(*level), "] ", message);
      const rapidjson::Value* fields = FindMember(*parsed, "fields");
      if (fields && fields->IsObject() && fields->MemberCount() > 0) absl::StrAppend(&shown, " ", WriteJson(*fields));
    }
  }
  {
    absl::MutexLock lock(&mu_);
    last_line_ = message;
    if (is_error) last_error_ = message;
  }
  console_->Err(shown);
}

}  // namespace atf::drive
