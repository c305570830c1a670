#include "atf/protocol/request_reader.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "atf/base/status.h"

namespace atf {

RequestReader::RequestReader(int fd, Codec codec, size_t max_frame, Inbox* inbox, Logger log)
    : fd_(fd), codec_(codec), max_frame_(max_frame), inbox_(inbox), log_(log), wake_fd_(::eventfd(0, EFD_CLOEXEC)) {
  thread_ = std::thread([this] { Run(); });
}

RequestReader::~RequestReader() {
  inbox_->Shutdown();
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
  thread_.join();
  ::close(wake_fd_);
}

bool RequestReader::Deliver(absl::string_view frame, size_t number) {
  const std::string where = codec_ == Codec::kJson ? absl::StrCat("Flow request on line ", number)
                                                   : absl::StrCat("Flow request frame ", number);
  // Empty lines between JSON requests are allowed.
  if (codec_ == Codec::kJson && absl::StripAsciiWhitespace(frame).empty()) return true;
  capture::Request request;
  FlowJsonOptions options;
  options.on_unknown_field = [&](absl::string_view path) {
    log_.Debug("ignoring an unknown field of a Flow request", LogFields().Add("field", path));
  };
  absl::Status decoded = DecodeRequest(codec_, frame, &request, options);
  if (!decoded.ok()) {
    inbox_->Push(InboxItem::Error(Annotate(decoded, where)));
    return false;
  }
  if (!OperationOf(request)) {
    inbox_->Push(InboxItem::Error(absl::InvalidArgumentError(absl::StrCat(
        where, ": no known operation (expected one of spec, discover, validate, apply, open or acknowledge)"))));
    return false;
  }
  return inbox_->Push(InboxItem::Request(std::move(request)));
}

void RequestReader::Run() {
  FrameSplitter splitter(FramingOf(codec_), max_frame_);
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents != 0) return;
    absl::StatusOr<size_t> read = splitter.ReadFrom(fd_);
    if (!read.ok()) {
      inbox_->Push(InboxItem::Error(Annotate(read.status(), "reading Flow's requests")));
      return;
    }
    if (*read == 0) {
      absl::StatusOr<std::optional<absl::string_view>> last = splitter.Finish();
      if (!last.ok()) {
        inbox_->Push(InboxItem::Error(Annotate(last.status(), "reading Flow's requests")));
        return;
      }
      if (*last && !Deliver(**last, splitter.frame_number())) return;
      inbox_->Push(InboxItem::End());
      return;
    }
    for (;;) {
      absl::StatusOr<std::optional<absl::string_view>> frame = splitter.Next();
      if (!frame.ok()) {
        inbox_->Push(InboxItem::Error(Annotate(frame.status(), "reading Flow's requests")));
        return;
      }
      if (!*frame) break;
      if (!Deliver(**frame, splitter.frame_number())) return;
    }
  }
}

}  // namespace atf
