#include "interceptors/record_counts.h"

#include <algorithm>

namespace atf {

RecordCounts::Check RecordCounts::OnState(std::optional<size_t> stream, std::optional<double> reported) {
  Check check;
  check.forwarded = stream ? since_[*stream] : since_any_;
  if (reported) {
    check.checked = true;
    check.reported = *reported;
    check.mismatch = static_cast<double>(check.forwarded) != *reported;
  }
  if (stream) {
    since_[*stream] = 0;
  } else {
    std::fill(since_.begin(), since_.end(), 0);
  }
  since_any_ = 0;
  return check;
}

}  // namespace atf
