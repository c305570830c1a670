#include "atf/runner/signals.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"

namespace atf {
namespace {

sigset_t WatchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void SignalWatcher::BlockWatchedSignals() {
  sigset_t set = WatchedSignals();
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

absl::StatusOr<std::unique_ptr<SignalWatcher>> SignalWatcher::Start(std::function<void(int)> on_signal) {
  sigset_t set = WatchedSignals();
  int signal_fd = ::signalfd(-1, &set, SFD_CLOEXEC);
  if (signal_fd < 0) return absl::InternalError(absl::StrCat("signalfd: ", ::strerror(errno)));
  int wake_fd = ::eventfd(0, EFD_CLOEXEC);
  if (wake_fd < 0) {
    int e = errno;
    ::close(signal_fd);
    return absl::InternalError(absl::StrCat("eventfd: ", ::strerror(e)));
  }
  return std::unique_ptr<SignalWatcher>(new SignalWatcher(signal_fd, wake_fd, std::move(on_signal)));
}

SignalWatcher::SignalWatcher(int signal_fd, int wake_fd, std::function<void(int)> on_signal)
    : signal_fd_(signal_fd), wake_fd_(wake_fd), on_signal_(std::move(on_signal)) {
  thread_ = std::thread([this] { Loop(); });
}

SignalWatcher::~SignalWatcher() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
  thread_.join();
  ::close(signal_fd_);
  ::close(wake_fd_);
}

void SignalWatcher::Loop() {
  for (;;) {
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    signalfd_siginfo info;
    if (::read(signal_fd_, &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
      on_signal_(static_cast<int>(info.ssi_signo));
    }
  }
}

}  // namespace atf
