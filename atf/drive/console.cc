#include "atf/drive/console.h"

#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "atf/base/fd.h"

namespace atf::drive {
namespace {

constexpr size_t kOutBlock = 64 * 1024;
// Return to the start of the line and erase it.
constexpr absl::string_view kEraseLine = "\r\x1b[K";

// Writes everything, retrying on EINTR and short writes.
absl::Status WriteFully(int fd, absl::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      // Aborted: the reader went away (`| head`), which ends a capture quietly.
      if (errno == EPIPE) return absl::AbortedError("the reader of stdout went away");
      return ErrnoError(fd == STDOUT_FILENO ? "writing stdout" : "writing", errno);
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

Console::Console(int out_fd, int err_fd) : out_fd_(out_fd), err_fd_(err_fd), err_is_terminal_(::isatty(err_fd) == 1) {}

Console::~Console() {
  ClearLive();
  Flush().IgnoreError();  // a failure was already reported by the caller's own Flush
}

void Console::WriteErr(absl::string_view text) { WriteFully(err_fd_, text).IgnoreError(); }

void Console::Err(absl::string_view line) {
  absl::MutexLock lock(&mu_);
  if (!live_.empty()) WriteErr(kEraseLine);
  WriteErr(absl::StrCat(line, "\n"));
  if (!live_.empty()) WriteErr(live_);
}

void Console::Live(absl::string_view line) {
  if (!err_is_terminal_) return;
  absl::MutexLock lock(&mu_);
  live_ = std::string(line);
  WriteErr(absl::StrCat(kEraseLine, live_));
}

void Console::ClearLive() {
  absl::MutexLock lock(&mu_);
  if (live_.empty()) return;
  live_.clear();
  WriteErr(kEraseLine);
}

absl::Status Console::Out(absl::string_view text) {
  out_buffer_.append(text.data(), text.size());
  if (out_buffer_.size() >= kOutBlock) return Flush();
  return absl::OkStatus();
}

absl::Status Console::Flush() {
  if (out_buffer_.empty()) return absl::OkStatus();
  absl::Status status = WriteFully(out_fd_, out_buffer_);
  out_buffer_.clear();
  return status;
}

}  // namespace atf::drive
