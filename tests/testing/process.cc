#include "tests/testing/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "atf/base/fd.h"
#include "atf/base/json.h"
#include "atf/base/spawn.h"
#include "gtest/gtest.h"

namespace atf::testing {
namespace {

using Clock = std::chrono::steady_clock;

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
  absl::StatusOr<Pipe> in = MakePipe(), out = MakePipe(), err = MakePipe();
  for (const absl::StatusOr<Pipe>* pipe : {&in, &out, &err}) {
    if (!pipe->ok()) {
      std::fprintf(stderr, "cannot start %s: %s\n", binary.c_str(), std::string(pipe->status().message()).c_str());
      return nullptr;
    }
  }
  SpawnOptions spawn;
  spawn.argv = {binary};
  spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
  spawn.env = env;
  spawn.cwd = cwd;
  spawn.stdin_fd = in->read.get();
  spawn.stdout_fd = out->write.get();
  spawn.stderr_fd = err->write.get();
  absl::StatusOr<pid_t> pid = Spawn(spawn);
  if (!pid.ok()) {
    std::fprintf(stderr, "%s\n", std::string(pid.status().message()).c_str());
    return nullptr;
  }
  auto process = std::unique_ptr<Process>(new Process());
  process->pid_ = *pid;
  process->argv0_ = binary;
  process->in_ = std::move(in->write);
  process->out_ = std::move(out->read);
  process->err_ = std::move(err->read);
  return process;
}

Process::~Process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  in_.reset();
  out_.reset();
  err_.reset();
}

void Process::Write(absl::string_view data) {
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(in_.get(), data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;  // the process may have exited: its result tells
    written += static_cast<size_t>(n);
  }
}

void Process::CloseStdin() { in_.reset(); }

void Process::Signal(int signal) { ::kill(pid_, signal); }

bool Process::Pump(int timeout_ms) {
  pollfd fds[2] = {{out_.get(), POLLIN, 0}, {err_.get(), POLLIN, 0}};
  if (!out_.valid() && !err_.valid()) return false;
  if (::poll(fds, 2, timeout_ms) <= 0) return true;
  char buffer[65536];
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd < 0 || fds[i].revents == 0) continue;
    ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
    if (n > 0) {
      (i == 0 ? out_buffer_ : err_buffer_).append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      (i == 0 ? out_ : err_).reset();
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
    if (!out_.valid() || Clock::now() >= deadline) return std::nullopt;
    Pump(10);
  }
}

RunResult Process::Wait(double timeout_seconds) {
  RunResult result;
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_seconds);
  int status = 0;
  bool reaped = false;
  while (!reaped || out_.valid() || err_.valid()) {
    if (Clock::now() >= deadline) {
      result.timed_out = true;
      ::kill(pid_, SIGKILL);
      out_.reset();
      err_.reset();
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
  for (const char* marker :
       {"ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer",
        "ERROR: ThreadSanitizer", "SUMMARY: UndefinedBehaviorSanitizer"}) {
    if (absl::StrContains(result.err, marker)) {
      ADD_FAILURE() << "a sanitizer reported on the stderr of " << argv0_ << ":\n" << result.err;
      break;
    }
  }
  return result;
}

}  // namespace atf::testing
