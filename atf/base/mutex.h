// The shim's mutex: absl::Mutex, with the lock annotations clang checks
// (-Wthread-safety). Under ThreadSanitizer it is a small equivalent built on
// std::mutex and std::condition_variable instead: Debian's absl is not built
// with TSan, so absl::Mutex's lock and unlock would be invisible to it and
// every guarded access would look like a race.
#pragma once

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ATF_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define ATF_TSAN 1
#endif

#ifdef ATF_TSAN
#include <chrono>
#include <condition_variable>
#include <mutex>
#endif

namespace atf {

using Condition = absl::Condition;

#ifndef ATF_TSAN

using Mutex = absl::Mutex;
using MutexLock = absl::MutexLock;

#else

class ABSL_LOCKABLE Mutex {
 public:
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  // Waiters re-check their conditions on every unlock, as with absl::Mutex.
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    mu_.unlock();
    changed_.notify_all();
  }
  void Await(const Condition& condition) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    changed_.wait(lock, [&] { return condition.Eval(); });
    lock.release();
  }
  bool AwaitWithDeadline(const Condition& condition, absl::Time deadline) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    const bool met = changed_.wait_until(lock, absl::ToChronoTime(deadline), [&] { return condition.Eval(); });
    lock.release();
    return met;
  }
  bool AwaitWithTimeout(const Condition& condition, absl::Duration timeout) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    return AwaitWithDeadline(condition, absl::Now() + timeout);
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
};

class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* mu_;
};

#endif

}  // namespace atf
