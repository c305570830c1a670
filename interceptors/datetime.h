// Date-time values for Flow's `format: date-time` (docs/decisions.md,
// D7; docs/reference.md, Capture). Everything here is deterministic: a value
// that would need today's date or the current year is left unchanged.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace atf {

// Strict RFC 3339 date-time: YYYY-MM-DD, `T` or `t`, HH:MM:SS, an optional
// fraction, then `Z`, `z` or ±HH:MM.
bool IsRfc3339DateTime(absl::string_view s);

// A date-time string in one of the practical formats, as a UTC RFC 3339
// string ending in `Z`; nullopt when `s` is already RFC 3339 (left as is) or
// in no format understood. Understood: unix seconds, milliseconds or
// nanoseconds (10, 13 or 19 digits); RFC 2822; YYYY-MM-DD[ T]HH:MM[:SS][.f]
// with an optional am/pm and zone (Z, ±HH, ±HHMM, ±HH:MM, UTC/GMT and the
// US zone names); YYYY-MM-DD (midnight UTC); the same with `/` or `.`
// between date parts; M/D/YYYY and month-name forms ("May 25, 2021
// 10:09am", "14 May 2019 19:11:40.164"); YYMMDD HH:MM:SS; 年月日 forms.
std::optional<std::string> NormalizeDateTimeString(absl::string_view s);

// A JSON number (as written) taken as a unix epoch: seconds, or milliseconds
// above 32503680000 (3000-01-01 in seconds); fractions are kept. nullopt when
// not a number or out of the years 0000-9999.
std::optional<std::string> NormalizeEpochNumber(absl::string_view number);

// `datetime_to_date` of streams/<stream>.normalize.json: a string that is not
// already a valid date but starts with YYYY-MM-DD becomes those 10 characters.
std::optional<std::string> DatetimeToDate(absl::string_view s);

// YYYY-MM-DD of a real calendar date.
bool IsValidDate(absl::string_view s);

}  // namespace atf
