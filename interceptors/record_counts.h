// Airbyte's `sourceStats.recordCount` as a loss detector (docs/decisions.md,
// D17): a STATE says how many records the source emitted since its previous
// STATE (of that stream, or of any stream for GLOBAL and LEGACY states); the
// shim compares it with the records it forwarded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace atf {

class RecordCounts {
 public:
  explicit RecordCounts(size_t streams) : since_(streams, 0) {}

  void Record(size_t stream) {
    ++since_[stream];
    ++since_any_;
  }

  struct Check {
    bool checked = false;   // the STATE carried a count
    bool mismatch = false;  // and it differs from `forwarded`
    uint64_t forwarded = 0;
    double reported = 0;
  };
  // A STATE of `stream` (nullopt: GLOBAL or LEGACY, all streams) reporting
  // `reported` records, or nothing. Restarts the counts it covers.
  Check OnState(std::optional<size_t> stream, std::optional<double> reported);

 private:
  std::vector<uint64_t> since_;  // per stream, since its previous STATE
  uint64_t since_any_ = 0;       // since the previous STATE of any kind
};

}  // namespace atf
