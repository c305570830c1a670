#include "atf/protocol/inbox.h"

#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "atf/base/stop.h"

namespace atf {

absl::StatusOr<std::unique_ptr<Inbox>> Inbox::Create(size_t capacity) {
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return absl::InternalError(absl::StrCat("eventfd: ", ::strerror(errno)));
  return std::unique_ptr<Inbox>(new Inbox(fd, capacity));
}

Inbox::~Inbox() { ::close(fd_); }

bool Inbox::Push(InboxItem item) {
  MutexLock lock(&mu_);
  auto room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return shutdown_ || items_.size() < capacity_; };
  mu_.Await(Condition(&room));
  if (shutdown_) return false;
  const bool is_end = item.kind != InboxItem::Kind::kRequest;
  items_.push_back(std::move(item));
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof(one));
  if (is_end) {
    ended_ = true;
    // Raised under the lock: the stop source outlives neither StopOnEnd(nullptr)
    // nor Shutdown(), which take the lock too (no use after free).
    if (stop_on_end_ != nullptr) stop_on_end_->Request(StopReason::kFlowClosed);
  }
  return true;
}

std::optional<InboxItem> Inbox::TryPop() {
  uint64_t count;
  [[maybe_unused]] ssize_t n = ::read(fd_, &count, sizeof(count));  // resets readiness
  MutexLock lock(&mu_);
  if (items_.empty()) return std::nullopt;
  InboxItem item = std::move(items_.front());
  items_.pop_front();
  if (!items_.empty()) {
    uint64_t one = 1;
    n = ::write(fd_, &one, sizeof(one));  // more to come: stay readable
  }
  return item;
}

void Inbox::StopOnEnd(StopSource* stop) {
  MutexLock lock(&mu_);
  stop_on_end_ = stop;
  if (stop != nullptr && ended_) stop->Request(StopReason::kFlowClosed);
}

bool Inbox::ended() const {
  MutexLock lock(&mu_);
  return ended_;
}

void Inbox::Shutdown() {
  MutexLock lock(&mu_);
  shutdown_ = true;
  stop_on_end_ = nullptr;
}

}  // namespace atf
