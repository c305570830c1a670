// Everything a connector says besides protocol data: LOG and TRACE messages,
// junk lines on stdout and its stderr, re-emitted through the shim's logger
// (docs/decisions.md, D2, D3). It also remembers what went wrong, for the one-line
// error the shim ends with when the connector fails.
#pragma once

#include <cstdint>
#include <string>
#include <thread>
#include "absl/strings/string_view.h"

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "atf/base/fd.h"
#include "atf/base/log.h"
#include "atf/base/mutex.h"
#include "atf/protocol/airbyte.h"

namespace atf {

class ConnectorLogRelay {
 public:
  explicit ConnectorLogRelay(Logger log) : log_(log) {}

  void OnLog(const AirbyteMessage& message);
  void OnTrace(const AirbyteMessage& message);
  // A stdout line that is not a protocol message: warned about, rate-limited.
  void OnJunk(size_t line_number, absl::string_view line, absl::string_view why);
  // Reports how many junk warnings were suppressed, if any.
  void FinishJunk();
  // One line of the connector's stderr.
  void OnStderrLine(absl::string_view line);

  // The connector's own account of its failure: its TRACE error message if it
  // sent one, else its last error-level log, else empty.
  std::string FailureMessage() const;

  const Redactor* redactor() const { return log_.redactor(); }

 private:
  Logger log_;
  mutable Mutex mu_;  // the stderr pump runs on its own thread
  std::string trace_error_ ABSL_GUARDED_BY(mu_);
  std::string error_log_ ABSL_GUARDED_BY(mu_);
  uint64_t junk_lines_ = 0;
};

// Keeps the connector's stderr behind its stdout (docs/decisions.md, D12). A
// connector that rotates a credential writes the CONTROL message on stdout,
// then may print the new secret on stderr: that stderr line must not be logged
// before the CONTROL line taught the redactor the new secret. So the stderr
// pump waits, before relaying what it read, until the session thread has
// handled every stdout byte written by then (read, or still in the pipe).
class OutputWatermark {
 public:
  explicit OutputWatermark(int stdout_fd) : stdout_fd_(stdout_fd) {}

  // Session thread, around each read of stdout: bytes in flight from the pipe
  // are counted nowhere until SetRead, so the pump waits for it.
  void BeginRead();
  // Session thread: bytes read from stdout so far (ends a BeginRead), and
  // those whose lines are handled.
  void SetRead(uint64_t bytes);
  void SetHandled(uint64_t bytes);
  // Session thread, before stdout's descriptor closes.
  void StdoutClosed();
  // Session thread: nothing more will be handled (stopping, or the run is over).
  void Release();

  // Stderr pump: waits (at most `timeout`) until stdout as it stands now is handled.
  void WaitForStdout(absl::Duration timeout);

 private:
  Mutex mu_;
  int stdout_fd_ ABSL_GUARDED_BY(mu_);
  uint64_t read_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t handled_ ABSL_GUARDED_BY(mu_) = 0;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
};

// Reads the connector's stderr line by line on its own thread and hands each
// line to the relay (after `watermark` says stdout caught up, when given).
// Ends at end of input.
class StderrPump {
 public:
  StderrPump(UniqueFd fd, ConnectorLogRelay* relay, OutputWatermark* watermark = nullptr);
  ~StderrPump();
  StderrPump(const StderrPump&) = delete;
  StderrPump& operator=(const StderrPump&) = delete;

  // Waits for the end of stderr.
  void Join();

 private:
  void Run();
  UniqueFd fd_;
  ConnectorLogRelay* relay_;
  OutputWatermark* watermark_;
  std::thread thread_;
};

}  // namespace atf
