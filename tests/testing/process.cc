#include "tests/testing/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "atf/json.h"

extern char** environ;

namespace atf::testing {
namespace {

using Clock = std::chrono::steady_clock;

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::vector<std::string> RunResult::OutLines() const {
  std::vector<std::string> lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  return lines;
}

std::vector<std::string> RunResult::ErrMessages() const {
  std::vector<std::string> messages;
  for (absl::string_view line : absl::StrSplit(err, '\n', absl::SkipEmpty())) {
    absl::StatusOr<rapidjson::Document> doc = ParseJson(line, "log line");
    const rapidjson::Value* message = doc.ok() ? FindMember(*doc, "message") : nullptr;
    messages.push_back(message && message->IsString() ? std::string(ViewOf(*message)) : std::string(line));
  }
  return messages;
}

std::string RunResult::LastErrMessage() const {
  std::vector<std::string> messages = ErrMessages();
  return messages.empty() ? "" : messages.back();
}

std::string RunResult::LastErrLevel() const {
  std::vector<std::string> lines = absl::StrSplit(err, '\n', absl::SkipEmpty());
  if (lines.empty()) return "";
  absl::StatusOr<rapidjson::Document> doc = ParseJson(lines.back(), "log line");
  const rapidjson::Value* level = doc.ok() ? FindMember(*doc, "level") : nullptr;
  return level && level->IsString() ? std::string(ViewOf(*level)) : "";
}

bool RunResult::ErrContains(absl::string_view text) const { return absl::StrContains(err, text); }

std::unique_ptr<Process> Process::Start(const std::string& binary, const std::vector<std::string>& args,
                                        const std::vector<std::pair<std::string, std::string>>& env,
                                        const std::string& cwd) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) {
    std::fprintf(stderr, "cannot start %s: pipe: %s\n", binary.c_str(), ::strerror(errno));
    return nullptr;
  }
  std::vector<std::string> argv_strings = {binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    bool overridden = false;
    for (const auto& [k, v] : env) overridden = overridden || absl::StartsWith(*e, k + "=");
    if (!overridden) env_strings.push_back(*e);
  }
  // Later entries override earlier ones.
  for (size_t i = 0; i < env.size(); ++i) {
    bool overridden_later = false;
    for (size_t j = i + 1; j < env.size(); ++j) overridden_later = overridden_later || env[j].first == env[i].first;
    if (!overridden_later) env_strings.push_back(env[i].first + "=" + env[i].second);
  }
  std::vector<char*> argv, envp;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);

  auto process = std::unique_ptr<Process>(new Process());
  int rc = ::posix_spawn(&process->pid_, binary.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    std::fprintf(stderr, "cannot start %s: %s\n", binary.c_str(), ::strerror(rc));
    return nullptr;
  }
  process->in_ = in[1];
  process->out_ = out[0];
  process->err_ = err[0];
  return process;
}

Process::~Process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  CloseFd(in_);
  CloseFd(out_);
  CloseFd(err_);
}

void Process::Write(absl::string_view data) {
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(in_, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;  // the process may have exited: its result tells
    written += static_cast<size_t>(n);
  }
}

void Process::CloseStdin() { CloseFd(in_); }

void Process::Signal(int signal) { ::kill(pid_, signal); }

bool Process::Pump(int timeout_ms) {
  pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
  if (out_ < 0 && err_ < 0) return false;
  if (::poll(fds, 2, timeout_ms) <= 0) return true;
  char buffer[65536];
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd < 0 || fds[i].revents == 0) continue;
    ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
    if (n > 0) {
      (i == 0 ? out_buffer_ : err_buffer_).append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      CloseFd(i == 0 ? out_ : err_);
    }
  }
  return true;
}

std::optional<std::string> Process::ReadLine(double timeout_seconds) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_seconds);
  for (;;) {
    size_t nl = out_buffer_.find('\n', out_consumed_);
    if (nl != std::string::npos) {
      std::string line = out_buffer_.substr(out_consumed_, nl - out_consumed_);
      out_consumed_ = nl + 1;
      if (out_consumed_ > (1 << 20)) {  // long streams: do not keep what was read
        out_buffer_.erase(0, out_consumed_);
        out_consumed_ = 0;
      }
      return line;
    }
    if (out_ < 0 || Clock::now() >= deadline) return std::nullopt;
    Pump(10);
  }
}

RunResult Process::Wait(double timeout_seconds) {
  RunResult result;
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_seconds);
  int status = 0;
  bool reaped = false;
  while (!reaped || out_ >= 0 || err_ >= 0) {
    if (Clock::now() >= deadline) {
      result.timed_out = true;
      ::kill(pid_, SIGKILL);
      CloseFd(out_);
      CloseFd(err_);
    }
    Pump(10);
    if (!reaped && ::waitpid(pid_, &status, WNOHANG) == pid_) reaped = true;
  }
  if (!reaped) ::waitpid(pid_, &status, 0);
  pid_ = -1;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  result.out = out_buffer_.substr(out_consumed_);
  result.err = err_buffer_;
  return result;
}

}  // namespace atf::testing
