#include "atf/protocol/request_reader.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "atf/base/fd.h"
#include "atf/base/status.h"
#include "atf/base/stop.h"

namespace atf {

absl::StatusOr<SniffedInput> SniffCodec(int fd, const StopSource& stop) {
  SniffedInput sniffed{Codec::kJson, {}};
  char buffer[256];
  for (;;) {
    if (std::optional<Codec> codec = CodecOfPrefix(sniffed.prefix, false)) {
      sniffed.codec = *codec;
      return sniffed;
    }
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop.fd(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("poll on Flow's input", errno);
    }
    if (fds[1].revents != 0) break;
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("reading Flow's requests", errno);
    if (n == 0) break;
    sniffed.prefix.append(buffer, static_cast<size_t>(n));
  }
  sniffed.codec = CodecOfPrefix(sniffed.prefix, true).value_or(Codec::kJson);
  return sniffed;
}

RequestReader::RequestReader(int fd, Codec codec, size_t max_frame, Inbox* inbox, Logger log, std::string prefix)
    : fd_(fd),
      codec_(codec),
      max_frame_(max_frame),
      inbox_(inbox),
      log_(log),
      prefix_(std::move(prefix)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC)) {
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
  bool pending_prefix = !prefix_.empty();
  if (pending_prefix) splitter.Append(prefix_);
  for (;;) {
    if (pending_prefix) {  // frames of the sniffed bytes first
      pending_prefix = false;
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
