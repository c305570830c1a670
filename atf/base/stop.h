// A one-shot "please stop" shared by the threads of a session: raised by a
// signal, by Flow closing its input during a capture, or by server shutdown.
// Its file descriptor becomes readable once raised, so poll loops and blocked
// writes wake up.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace atf {

enum class StopReason { kNone = 0, kFlowClosed, kSignal, kShutdown };

class StopSource {
 public:
  static absl::StatusOr<std::unique_ptr<StopSource>> Create();
  ~StopSource();
  StopSource(const StopSource&) = delete;
  StopSource& operator=(const StopSource&) = delete;

  // The first request wins; later ones are ignored. Async-signal-safe.
  void Request(StopReason reason, int signal_number = 0);

  bool requested() const { return reason_.load() != StopReason::kNone; }
  StopReason reason() const { return reason_.load(); }
  int signal_number() const { return signal_.load(); }
  // "Flow closed the input", "SIGTERM", ...
  std::string Describe() const;

  int fd() const { return fd_; }

 private:
  explicit StopSource(int fd) : fd_(fd) {}

  int fd_;
  std::atomic<StopReason> reason_{StopReason::kNone};
  std::atomic<int> signal_{0};
};

}  // namespace atf
