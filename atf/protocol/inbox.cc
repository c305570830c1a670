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
  StopSource* stop = nullptr;
  {
    absl::MutexLock lock(&mu_);
    auto room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return shutdown_ || items_.size() < capacity_; };
    mu_.Await(absl::Condition(&room));
    if (shutdown_) return false;
    const bool is_end = item.kind != InboxItem::Kind::kRequest;
    items_.push_back(std::move(item));
    if (is_end) {
      ended_ = true;
      stop = stop_on_end_;
    }
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof(one));
  if (stop != nullptr) stop->Request(StopReason::kFlowClosed);
  return true;
}

std::optional<InboxItem> Inbox::TryPop() {
  uint64_t count;
  [[maybe_unused]] ssize_t n = ::read(fd_, &count, sizeof(count));  // resets readiness
  absl::MutexLock lock(&mu_);
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
  bool already_ended;
  {
    absl::MutexLock lock(&mu_);
    stop_on_end_ = stop;
    already_ended = ended_;
  }
  if (stop != nullptr && already_ended) stop->Request(StopReason::kFlowClosed);
}

bool Inbox::ended() const {
  absl::MutexLock lock(&mu_);
  return ended_;
}

void Inbox::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_ = true;
}

}  // namespace atf
