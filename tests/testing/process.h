// A child process with piped stdin, stdout and stderr, for tests and test
// tools that run real binaries (the shim, connector scripts, shell scripts).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "atf/base/fd.h"

namespace atf::testing {

struct RunResult {
  int exit_code = -1;  // -1 when the process died of a signal
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;

  std::vector<std::string> OutLines() const;
  // The `message` of every JSON log line on stderr (raw text for other lines).
  std::vector<std::string> ErrMessages() const;
  // The message of the last stderr line.
  std::string LastErrMessage() const;
  // The level of the last stderr line.
  std::string LastErrLevel() const;
  bool ErrContains(absl::string_view text) const;
};

// A running process with piped stdin, stdout and stderr.
class Process {
 public:
  static std::unique_ptr<Process> Start(const std::string& binary, const std::vector<std::string>& args,
                                        const std::vector<std::pair<std::string, std::string>>& env = {},
                                        const std::string& cwd = "");
  ~Process();

  pid_t pid() const { return pid_; }
  void Write(absl::string_view data);
  void CloseStdin();
  // Closes our end of the process's stdout (its next write gets EPIPE).
  void CloseStdout() { out_.reset(); }
  // The next stdout line (without "\n"), or nullopt at EOF or after the timeout.
  std::optional<std::string> ReadLine(double timeout_seconds);
  void Signal(int signal);
  // Waits for the exit (killing the process after the timeout) and collects
  // the rest of stdout and stderr. A sanitizer report on the process's stderr
  // (AddressSanitizer, UBSan, LeakSanitizer, ThreadSanitizer) fails the
  // current test: a child's undefined behaviour must not vanish in a log.
  RunResult Wait(double timeout_seconds);

 private:
  // Reads whatever is available (waiting up to `timeout_ms`); false at EOF of both.
  bool Pump(int timeout_ms);

  pid_t pid_ = -1;
  std::string argv0_;
  UniqueFd in_, out_, err_;
  std::string out_buffer_, err_buffer_;
  size_t out_consumed_ = 0;
};

}  // namespace atf::testing
