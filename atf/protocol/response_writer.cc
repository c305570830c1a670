#include "atf/protocol/response_writer.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "atf/base/status.h"
#include "atf/base/stop.h"

namespace atf {
namespace {

constexpr absl::string_view kAbandonedUrl = "airbyte-to-flow/output-abandoned";

}  // namespace

bool IsOutputAbandoned(const absl::Status& status) { return status.GetPayload(kAbandonedUrl).has_value(); }

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
  if (doc_json.size() < flush_threshold_) {
    AppendCaptured(codec_, binding, doc_json, &buffer_);
    return MaybeFlush();
  }
  // A large document is written from where it is, not copied.
  ATF_RETURN_IF_ERROR(Flush());
  std::string header;
  AppendCapturedHeader(codec_, binding, doc_json.size(), &header);
  return WriteAll({header, doc_json, CapturedTrailer(codec_)});
}

absl::Status FdResponseWriter::MaybeFlush() { return buffer_.size() >= flush_threshold_ ? Flush() : absl::OkStatus(); }

absl::Status FdResponseWriter::Flush() {
  absl::Status status = WriteAll({buffer_});
  buffer_.clear();
  return status;
}

absl::Status FdResponseWriter::WriteAll(std::vector<absl::string_view> pieces) {
  size_t next = 0;  // first piece not fully written
  while (next < pieces.size()) {
    iovec io[8];
    int count = 0;
    for (size_t i = next; i < pieces.size() && count < 8; ++i) {
      if (!pieces[i].empty()) io[count++] = {const_cast<char*>(pieces[i].data()), pieces[i].size()};
    }
    if (count == 0) return absl::OkStatus();
    ssize_t n = ::writev(fd_, io, count);
    if (n > 0) {
      size_t left = static_cast<size_t>(n);
      while (next < pieces.size() && left >= pieces[next].size()) left -= pieces[next++].size();
      if (next < pieces.size()) pieces[next].remove_prefix(left);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd fds[2] = {{fd_, POLLOUT, 0}, {stop_ ? stop_->fd() : -1, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) {
        return absl::InternalError(absl::StrCat("poll on output: ", ::strerror(errno)));
      }
      if (fds[1].revents != 0) {
        absl::Status abandoned = absl::CancelledError(absl::StrCat("output abandoned: ", stop_->Describe()));
        abandoned.SetPayload(kAbandonedUrl, absl::Cord("1"));
        return abandoned;
      }
      continue;
    }
    return errno == EPIPE ? absl::UnavailableError("Flow closed the output (broken pipe)")
                          : absl::InternalError(absl::StrCat("write to output: ", ::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace atf
