// Turns SIGTERM and SIGINT into a callback on a dedicated thread, so that a
// stop can be handled like any other event (forwarded to the connector, the
// temp dir removed, a clean exit) instead of killing the process mid-write.
#pragma once

#include <functional>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"

namespace atf {

class SignalWatcher {
 public:
  // Blocks the watched signals in the calling thread; threads started later
  // inherit the mask. Call first thing in main. Also ignores SIGPIPE, so that
  // a closed pipe is an EPIPE error.
  static void BlockWatchedSignals();

  static absl::StatusOr<std::unique_ptr<SignalWatcher>> Start(std::function<void(int signal)> on_signal);
  ~SignalWatcher();  // stops the thread
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  SignalWatcher(int signal_fd, int wake_fd, std::function<void(int)> on_signal);
  void Loop();

  int signal_fd_;
  int wake_fd_;
  std::function<void(int)> on_signal_;
  std::thread thread_;
};

}  // namespace atf
