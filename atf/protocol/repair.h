// Repairing connector lines that are almost JSON, so that no record is lost
// to a token JSON cannot hold (docs/decisions.md, D10). Python's json.dumps
// writes NaN and ±Infinity; connectors print numbers beyond double range, lone
// UTF-16 surrogate escapes and raw bytes that are not UTF-8. A line that fails
// to parse (or that holds a lone surrogate) is scanned once more here:
//   NaN, Infinity, -Infinity       -> null
//   a lone surrogate escape        -> \ufffd
//   bytes that are not UTF-8       -> U+FFFD (in strings)
//   a number beyond double range   -> kept as written (only the parser's
//                                     copy is neutralized, same length)
// Every change is reported, with where it was and what was written.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace atf {

struct LineFix {
  enum class Kind { kNonFinite, kHugeNumber, kLoneSurrogate, kInvalidUtf8 };
  Kind kind;
  size_t offset;      // byte offset of the token in the line as written
  std::string token;  // the token as written (bytes that are not UTF-8 shown as \xNN)
};

// "NaN became null", "a lone surrogate \ud800 became U+FFFD", ...
std::string DescribeFix(const LineFix& fix);
// "non_finite_number", "huge_number", "lone_surrogate", "invalid_utf8": stable names for logs and summaries.
absl::string_view FixKindName(LineFix::Kind kind);

struct RepairedLine {
  std::string text;        // what is captured: the line with the replacements
  std::string parse_copy;  // `text` with huge numbers neutralized (same length), to parse in place
  std::vector<LineFix> fixes;
};

// The repaired line, or nullopt when the scan found nothing to repair.
std::optional<RepairedLine> RepairLine(absl::string_view line);

// Whether a string value as the parser decoded it holds a lone surrogate
// (an escape like \udc00 the parser turned into the bytes ED B0 80).
bool HoldsLoneSurrogate(absl::string_view decoded);

}  // namespace atf
