#include "atf/base/stop.h"

#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"

namespace atf {

absl::StatusOr<std::unique_ptr<StopSource>> StopSource::Create() {
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return absl::InternalError(absl::StrCat("eventfd: ", ::strerror(errno)));
  return std::unique_ptr<StopSource>(new StopSource(fd));
}

StopSource::~StopSource() { ::close(fd_); }

void StopSource::Request(StopReason reason, int signal_number) {
  StopReason expected = StopReason::kNone;
  if (!reason_.compare_exchange_strong(expected, reason)) return;
  signal_.store(signal_number);
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof(one));
}

std::string StopSource::Describe() const {
  switch (reason()) {
    case StopReason::kNone:
      return "not stopped";
    case StopReason::kFlowClosed:
      return "Flow closed the session";
    case StopReason::kSignal: {
      const char* name = ::sigabbrev_np(signal_number());
      return name ? absl::StrCat("SIG", name) : absl::StrCat("signal ", signal_number());
    }
    case StopReason::kShutdown:
      return "server shutdown";
  }
  return "stopped";
}

}  // namespace atf
