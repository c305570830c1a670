#include "atf/response_writer.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "atf/stop.h"

namespace atf {

FdResponseWriter::FdResponseWriter(int fd, Codec codec, const StopSource* stop, size_t flush_threshold)
    : fd_(fd), codec_(codec), stop_(stop), flush_threshold_(flush_threshold) {
  struct stat st;
  if (::fstat(fd_, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
    int flags = ::fcntl(fd_, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK) && ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK) == 0) {
      original_flags_ = flags;
    }
  }
}

FdResponseWriter::~FdResponseWriter() {
  if (original_flags_ >= 0) ::fcntl(fd_, F_SETFL, original_flags_);
}

absl::Status FdResponseWriter::Write(const capture::Response& response) {
  AppendResponse(codec_, response, &buffer_);
  return MaybeFlush();
}

absl::Status FdResponseWriter::WriteCaptured(uint32_t binding, absl::string_view doc_json) {
  AppendCaptured(codec_, binding, doc_json, &buffer_);
  return MaybeFlush();
}

absl::Status FdResponseWriter::MaybeFlush() {
  return buffer_.size() >= flush_threshold_ ? Flush() : absl::OkStatus();
}

absl::Status FdResponseWriter::Flush() {
  size_t written = 0;
  absl::Status status;
  while (written < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
    if (n > 0) {
      written += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd fds[2] = {{fd_, POLLOUT, 0}, {stop_ ? stop_->fd() : -1, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) {
        status = absl::InternalError(absl::StrCat("poll on output: ", ::strerror(errno)));
        break;
      }
      if (fds[1].revents != 0) {
        status = absl::CancelledError(absl::StrCat("output abandoned: ", stop_->Describe()));
        break;
      }
      continue;
    }
    status = errno == EPIPE ? absl::UnavailableError("Flow closed the output (broken pipe)")
                            : absl::InternalError(absl::StrCat("write to output: ", ::strerror(errno)));
    break;
  }
  buffer_.erase(0, written);
  if (!status.ok()) buffer_.clear();
  return status;
}

}  // namespace atf
