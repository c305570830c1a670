// Splits a byte stream into frames: newline-terminated lines (JSON codec,
// connector stdout) or 4-byte little-endian length-prefixed frames (proto
// codec). Chunk boundaries do not matter; a frame may arrive in many reads.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace atf {

class FrameSplitter {
 public:
  enum class Mode { kLines, kLengthPrefixed };

  // Bytes asked of each read(2).
  static constexpr size_t kReadChunk = 256 * 1024;

  // `max_frame` bounds one frame (a line without its newline, or a payload).
  FrameSplitter(Mode mode, size_t max_frame);

  // Reads once from `fd` (retrying on EINTR). Returns the number of bytes read;
  // 0 means end of input.
  absl::StatusOr<size_t> ReadFrom(int fd);

  // Appends bytes (for callers that already hold them).
  void Append(absl::string_view bytes);

  // The next complete frame, or nullopt when more input is needed. A line
  // excludes its "\n" and one "\r" before it. The returned view stays valid
  // until the next ReadFrom/Append. In line mode the byte after the view is
  // NUL, so a line can be parsed as a C string.
  absl::StatusOr<std::optional<absl::string_view>> Next();

  // Call at end of input: the final unterminated line (line mode), nullopt when
  // nothing is left, or an error for a partial length-prefixed frame.
  absl::StatusOr<std::optional<absl::string_view>> Finish();

  // 1-based number of the frame most recently returned.
  size_t frame_number() const { return frames_; }

  // The error for a line of `size` bytes over the maximum `max` (message
  // shared with the line-by-line checks).
  static absl::Status LineTooLarge(size_t line_number, size_t max, size_t size);
  // Bytes held for frames not yet returned.
  size_t buffered() const { return end_ - begin_; }

 private:
  // Makes room for at least `n` more bytes after end_.
  char* Reserve(size_t n);
  absl::Status TooLarge(size_t size) const;

  Mode mode_;
  size_t max_frame_;
  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last byte read
  size_t scan_ = 0;   // bytes in [begin_, scan_) hold no newline
  size_t frames_ = 0;
};

}  // namespace atf
