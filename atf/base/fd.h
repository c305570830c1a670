// File descriptors as owned values: a UniqueFd closes what it holds when it
// goes away, so that no path (an early error return included) leaks a pipe
// end or leaves a reader waiting for an EOF that never comes.
#pragma once

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace atf {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int release() { return std::exchange(fd_, -1); }
  // Closes what is held (if anything) and holds `fd` instead.
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// Both ends of a pipe, close-on-exec.
struct Pipe {
  UniqueFd read;
  UniqueFd write;
};
absl::StatusOr<Pipe> MakePipe();

// `what: <strerror(error)>` as an Internal error.
absl::Status ErrnoError(absl::string_view what, int error);

// Reads `fd` until end of input (small outputs: patch files, tests, tools).
absl::StatusOr<std::string> ReadAll(int fd);

}  // namespace atf
