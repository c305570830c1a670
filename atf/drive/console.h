// What the driver writes: results on stdout (buffered, written in large
// blocks) and messages on stderr, where a terminal also gets one live
// progress line that other lines never tear (it is cleared, the line is
// written, and it is drawn again). The shim's relayed logs come from another
// thread, hence the lock.
#pragma once

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace atf::drive {

class Console {
 public:
  // `out_fd` and `err_fd` are usually 1 and 2; tests may pass pipes.
  Console(int out_fd, int err_fd);
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  // Whether stderr is a terminal (live progress line) or not (plain lines).
  bool err_is_terminal() const { return err_is_terminal_; }

  // One line on stderr (a "\n" is added).
  void Err(absl::string_view line);
  // Replaces the live line (terminals only; ignored otherwise).
  void Live(absl::string_view line);
  // Removes the live line for good.
  void ClearLive();

  // Appends to stdout's buffer; written when large, and on Flush. A closed
  // stdout (EPIPE: `| head`) is an Aborted error, which callers take as "stop".
  absl::Status Out(absl::string_view text);
  absl::Status Flush();

 private:
  void WriteErr(absl::string_view text) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int out_fd_;
  const int err_fd_;
  const bool err_is_terminal_;
  std::string out_buffer_;  // only the session thread writes stdout
  absl::Mutex mu_;
  std::string live_ ABSL_GUARDED_BY(mu_);
};

}  // namespace atf::drive
