#include "atf/protocol/frame_splitter.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace atf {
namespace {

// After a very large frame, the buffer shrinks back to keep memory bounded.
constexpr size_t kShrinkAbove = 4 * FrameSplitter::kReadChunk;

}  // namespace

FrameSplitter::FrameSplitter(Mode mode, size_t max_frame) : mode_(mode), max_frame_(max_frame) {}

char* FrameSplitter::Reserve(size_t n) {
  const size_t held = end_ - begin_;
  if (capacity_ - end_ >= n && !(capacity_ > kShrinkAbove && held + n <= kShrinkAbove / 2)) {
    return buf_.get() + end_;
  }
  size_t wanted = std::max(held + n, kReadChunk + 1);
  size_t new_capacity = capacity_;
  if (new_capacity < wanted) {
    new_capacity = std::max(wanted, std::min(capacity_ * 2, max_frame_ + kReadChunk + 8));
  } else if (capacity_ > kShrinkAbove && wanted <= kShrinkAbove / 2) {
    new_capacity = kShrinkAbove / 2;
  }
  if (new_capacity != capacity_) {
    std::unique_ptr<char[]> grown(new char[new_capacity]);
    if (held > 0) std::memcpy(grown.get(), buf_.get() + begin_, held);
    buf_ = std::move(grown);
    capacity_ = new_capacity;
  } else if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, held);
  }
  scan_ -= begin_;
  end_ = held;
  begin_ = 0;
  return buf_.get() + end_;
}

absl::StatusOr<size_t> FrameSplitter::ReadFrom(int fd) {
  char* space = Reserve(kReadChunk + 1);  // +1 keeps room for a terminating NUL
  for (;;) {
    ssize_t n = ::read(fd, space, kReadChunk);
    if (n >= 0) {
      end_ += static_cast<size_t>(n);
      return static_cast<size_t>(n);
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return absl::UnavailableError("no data ready");
    return absl::InternalError(absl::StrCat("read failed: ", std::strerror(errno)));
  }
}

void FrameSplitter::Append(absl::string_view bytes) {
  char* space = Reserve(bytes.size() + 1);
  std::memcpy(space, bytes.data(), bytes.size());
  end_ += bytes.size();
}

absl::Status FrameSplitter::LineTooLarge(size_t line_number, size_t max, size_t size) {
  return absl::ResourceExhaustedError(absl::StrCat("line ", line_number, " is larger than the maximum message size of ",
                                                   max, " bytes (", size, " bytes so far); raise --max-message-size"));
}

absl::Status FrameSplitter::TooLarge(size_t size) const {
  if (mode_ == Mode::kLines) return LineTooLarge(frames_ + 1, max_frame_, size);
  return absl::ResourceExhaustedError(absl::StrCat("frame ", frames_ + 1,
                                                   " is larger than the maximum message size of ", max_frame_,
                                                   " bytes (", size, " bytes so far); raise --max-message-size"));
}

absl::StatusOr<std::optional<absl::string_view>> FrameSplitter::Next() {
  char* base = buf_.get();
  if (mode_ == Mode::kLines) {
    const void* nl = scan_ < end_ ? std::memchr(base + scan_, '\n', end_ - scan_) : nullptr;
    if (nl == nullptr) {
      scan_ = end_;
      if (end_ - begin_ > max_frame_) return TooLarge(end_ - begin_);
      return std::nullopt;
    }
    size_t stop = static_cast<const char*>(nl) - base;
    size_t start = begin_;
    begin_ = scan_ = stop + 1;
    if (stop - start > max_frame_) return TooLarge(stop - start);
    if (stop > start && base[stop - 1] == '\r') --stop;
    base[stop] = '\0';
    ++frames_;
    return absl::string_view(base + start, stop - start);
  }
  if (end_ - begin_ < 4) return std::nullopt;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(base + begin_);
  size_t length = static_cast<size_t>(p[0]) | static_cast<size_t>(p[1]) << 8 | static_cast<size_t>(p[2]) << 16 |
                  static_cast<size_t>(p[3]) << 24;
  if (length > max_frame_) return TooLarge(length);
  if (end_ - begin_ < 4 + length) return std::nullopt;
  absl::string_view frame(base + begin_ + 4, length);
  begin_ += 4 + length;
  scan_ = begin_;
  ++frames_;
  return frame;
}

absl::StatusOr<std::optional<absl::string_view>> FrameSplitter::Finish() {
  if (begin_ == end_) return std::nullopt;
  if (mode_ == Mode::kLengthPrefixed) {
    return absl::InvalidArgumentError(
        absl::StrCat("input ended inside frame ", frames_ + 1, " (", end_ - begin_, " bytes of a partial frame)"));
  }
  Reserve(1);
  char* base = buf_.get();
  size_t start = begin_, stop = end_;
  begin_ = scan_ = end_;
  if (stop - start > max_frame_) return TooLarge(stop - start);
  if (base[stop - 1] == '\r') --stop;
  base[stop] = '\0';
  ++frames_;
  return absl::string_view(base + start, stop - start);
}

}  // namespace atf
