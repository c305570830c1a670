#include "atf/protocol/response_writer.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "atf/base/status.h"
#include "atf/base/stop.h"

namespace atf {
namespace {

constexpr absl::string_view kAbandonedUrl = "airbyte-to-flow/output-abandoned";
constexpr std::chrono::seconds kFinishFrame{1};

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
  frame_ends_.push_back(buffer_.size());
  return MaybeFlush();
}

absl::Status FdResponseWriter::WriteCaptured(uint32_t binding, absl::string_view doc_json) {
  if (doc_json.size() < flush_threshold_) {
    AppendCaptured(codec_, binding, doc_json, &buffer_);
    frame_ends_.push_back(buffer_.size());
    return MaybeFlush();
  }
  // A large document is written from where it is, not copied.
  ATF_RETURN_IF_ERROR(Flush());
  std::string header;
  AppendCapturedHeader(codec_, binding, doc_json.size(), &header);
  const absl::string_view trailer = CapturedTrailer(codec_);
  return WriteAll({header, doc_json, trailer}, {header.size() + doc_json.size() + trailer.size()});
}

absl::Status FdResponseWriter::MaybeFlush() { return buffer_.size() >= flush_threshold_ ? Flush() : absl::OkStatus(); }

absl::Status FdResponseWriter::Flush() {
  absl::Status status = WriteAll({buffer_}, frame_ends_);
  buffer_.clear();
  frame_ends_.clear();
  return status;
}

absl::Status FdResponseWriter::WriteAll(std::vector<absl::string_view> pieces, const std::vector<size_t>& frame_ends) {
  size_t next = 0;     // first piece not fully written
  size_t written = 0;  // bytes of the pieces written
  // Once a stop is raised mid-frame, only the rest of that frame is written
  // (a cut frame would break Flow's reader), for at most kFinishFrame.
  std::optional<size_t> finish_at;
  std::chrono::steady_clock::time_point finish_by;
  auto abandoned = [&] {
    absl::Status status = absl::CancelledError(absl::StrCat("output abandoned: ", stop_->Describe()));
    status.SetPayload(kAbandonedUrl, absl::Cord("1"));
    return status;
  };
  while (next < pieces.size()) {
    if (finish_at && written >= *finish_at) return abandoned();
    iovec io[8];
    int count = 0;
    size_t room = finish_at ? *finish_at - written : SIZE_MAX;
    for (size_t i = next; i < pieces.size() && count < 8 && room > 0; ++i) {
      if (pieces[i].empty()) continue;
      const size_t take = std::min(pieces[i].size(), room);
      io[count++] = {const_cast<char*>(pieces[i].data()), take};
      room -= take;
    }
    if (count == 0) return absl::OkStatus();
    ssize_t n = ::writev(fd_, io, count);
    if (n > 0) {
      written += static_cast<size_t>(n);
      size_t left = static_cast<size_t>(n);
      while (next < pieces.size() && left >= pieces[next].size()) left -= pieces[next++].size();
      if (next < pieces.size()) pieces[next].remove_prefix(left);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      int timeout = -1;
      if (finish_at) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(finish_by - std::chrono::steady_clock::now());
        if (left.count() <= 0) return abandoned();
        timeout = static_cast<int>(left.count()) + 1;
      }
      pollfd fds[2] = {{fd_, POLLOUT, 0}, {stop_ && !finish_at ? stop_->fd() : -1, POLLIN, 0}};
      if (::poll(fds, 2, timeout) < 0 && errno != EINTR) {
        return absl::InternalError(absl::StrCat("poll on output: ", ::strerror(errno)));
      }
      if (fds[1].revents != 0) {
        const auto end = std::upper_bound(frame_ends.begin(), frame_ends.end(), written);
        const bool at_boundary = written == 0 || std::binary_search(frame_ends.begin(), frame_ends.end(), written);
        if (at_boundary || end == frame_ends.end()) return abandoned();
        finish_at = *end;
        finish_by = std::chrono::steady_clock::now() + kFinishFrame;
      }
      continue;
    }
    return errno == EPIPE ? absl::UnavailableError("Flow closed the output (broken pipe)")
                          : absl::InternalError(absl::StrCat("write to output: ", ::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace atf
