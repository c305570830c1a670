// Capture progress (docs/decisions.md, D9): per-stream record and byte counts, logged
// periodically with rates, and a final summary line.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "atf/base/log.h"
#include "atf/protocol/repair.h"

namespace atf {

class CaptureProgress {
 public:
  // One counter per stream, named as in logs ("users", "public/orders").
  explicit CaptureProgress(std::vector<std::string> streams);

  void Record(size_t stream, size_t bytes) {
    ++counts_[stream].records;
    counts_[stream].bytes += bytes;
  }
  void Checkpoint() { ++checkpoints_; }
  // A record of `stream` the decoder had to repair (docs/decisions.md, D10).
  void Repaired(size_t stream, LineFix::Kind kind) { ++counts_[stream].repairs[static_cast<size_t>(kind)]; }
  uint64_t repaired_records(size_t stream) const;
  // A record captured as a CDC delete, or with the source's changes (D17).
  void Deleted(size_t stream) { ++counts_[stream].deletes; }
  void SourceChanges(size_t stream) { ++counts_[stream].source_changes; }
  uint64_t source_changes(size_t stream) const { return counts_[stream].source_changes; }
  // A STATE's record count compared (stream: nullopt for GLOBAL or LEGACY).
  void CountChecked(std::optional<size_t> stream, bool mismatch);

  // "capture progress": counts and rates since the previous report.
  void LogInterval(Logger log);
  // "capture finished": totals and average rates since the start.
  void LogSummary(Logger log, absl::string_view ending, uint64_t acknowledgements);

 private:
  struct Counts {
    uint64_t records = 0, bytes = 0;
    std::array<uint64_t, 4> repairs{};  // by LineFix::Kind
    uint64_t deletes = 0, source_changes = 0, count_checks = 0, count_mismatches = 0;
  };
  std::string StreamsJson(const std::vector<Counts>& since, double seconds) const;

  using Clock = std::chrono::steady_clock;
  std::vector<std::string> names_;
  std::vector<Counts> counts_, at_last_report_;
  uint64_t checkpoints_ = 0;
  uint64_t count_checks_ = 0, count_mismatches_ = 0;  // of every STATE
  Clock::time_point start_, last_report_;
};

}  // namespace atf
