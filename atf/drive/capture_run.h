// Capture sessions as Flow's runtime runs them (flowctl preview): per
// session the probe Spec, Apply, then Open with the state so far; documents
// are counted, checked against their collection's schema and printed;
// checkpoints are folded into the state (RFC 7396 merge patch, or replace)
// and acknowledged when `opened` asked for it. A session ends when the
// connector ends, or after --duration or --documents, or on Ctrl-C: then the
// driver closes the shim's input, which is how Flow ends a session.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "atf/base/stop.h"
#include "atf/drive/console.h"
#include "atf/drive/transport.h"
#include "capture.pb.h"

namespace atf::drive {

struct CaptureSettings {
  int sessions = 1;
  absl::Duration duration = absl::InfiniteDuration();  // per session
  uint64_t documents = 0;                              // per session; 0: no limit
  bool print_documents = true;
  bool print_state = false;
  absl::Duration progress_interval = absl::Seconds(10);
  absl::Duration timeout = absl::Minutes(10);  // for spec, applied and opened
  bool collect_documents = false;              // keep every document (snapshots)
};

struct CollectionTally {
  std::string name;
  uint64_t documents = 0;
  uint64_t violations = 0;
  uint64_t bytes = 0;
  std::vector<std::string> collected;  // documents, with CaptureSettings::collect_documents
};

struct CaptureResult {
  std::string state_json;                    // after the last committed checkpoint
  std::vector<CollectionTally> collections;  // one per binding of the capture spec
  uint64_t violations = 0;
  uint64_t checkpoints = 0;
  bool interrupted = false;  // Ctrl-C (or SIGTERM) ended it early
};

// Called with the state after each session (to save it).
using SessionEnded = std::function<absl::Status(int session, const std::string& state_json)>;

absl::StatusOr<CaptureResult> RunCaptureSessions(Transport& transport, const flow::CaptureSpec& spec,
                                                 std::string initial_state, const CaptureSettings& settings,
                                                 Console& console, const StopSource& stop,
                                                 const SessionEnded& on_session_end);

// The final table on stderr: documents, violations and bytes per collection.
void PrintCaptureTable(const CaptureResult& result, Console& console);

}  // namespace atf::drive
