// The queue of requests from Flow to a session. A producer (the stdin reader
// thread, or the gRPC stream) pushes decoded requests, then an end marker or
// an error; the session pops them. Its file descriptor is readable whenever
// items may be waiting, so the capture's poll loop can watch it.
#pragma once

#include <deque>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "atf/base/mutex.h"
#include "capture.pb.h"

namespace atf {

class StopSource;

struct InboxItem {
  enum class Kind { kRequest, kEnd, kError };
  Kind kind = Kind::kEnd;
  capture::Request request;  // kRequest
  absl::Status error;        // kError: why the input could not be read

  static InboxItem Request(capture::Request request) { return InboxItem{Kind::kRequest, std::move(request), {}}; }
  static InboxItem End() { return InboxItem{Kind::kEnd, {}, {}}; }
  static InboxItem Error(absl::Status error) { return InboxItem{Kind::kError, {}, std::move(error)}; }
};

class Inbox {
 public:
  static absl::StatusOr<std::unique_ptr<Inbox>> Create(size_t capacity = 64);
  ~Inbox();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  // Producer: queues an item, blocking while the queue is full. Returns false
  // (and drops the item) once Shutdown() was called.
  bool Push(InboxItem item);

  // Consumer: the next item, if any.
  std::optional<InboxItem> TryPop();

  // Readable when items may be queued (spurious wake-ups are possible).
  int ready_fd() const { return fd_; }

  // While set, an end marker or error pushed by the producer also raises
  // `stop` at once: during a capture, Flow closing its input ends the session
  // even if the session is blocked writing.
  void StopOnEnd(StopSource* stop);

  // True once an end marker or error was queued.
  bool ended() const;

  // Unblocks the producer; later pushes are dropped.
  void Shutdown();

 private:
  Inbox(int fd, size_t capacity) : fd_(fd), capacity_(capacity) {}

  const int fd_;
  const size_t capacity_;
  mutable Mutex mu_;
  std::deque<InboxItem> items_ ABSL_GUARDED_BY(mu_);
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  StopSource* stop_on_end_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace atf
