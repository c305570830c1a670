// Small JSON helpers over RapidJSON shared by every module: parsing with
// errors that say where, compact writing, and string escaping.
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "rapidjson/document.h"

namespace atf {

// Parses `text` as one JSON value. Errors name `what` (a file, a field) and
// the line and column of the problem.
absl::StatusOr<rapidjson::Document> ParseJson(absl::string_view text, absl::string_view what);

// Compact JSON text of `value` (member order kept).
std::string WriteJson(const rapidjson::Value& value);

// Appends `s` as a quoted JSON string. With `sanitize_utf8`, invalid UTF-8
// sequences become U+FFFD so that the output is always valid JSON.
void AppendJsonString(std::string* out, absl::string_view s, bool sanitize_utf8 = false);

// "object", "array", "string", "number", "boolean" or "null".
absl::string_view JsonTypeName(const rapidjson::Value& value);

// A string view of a RapidJSON string value.
inline absl::string_view ViewOf(const rapidjson::Value& string_value) {
  return {string_value.GetString(), string_value.GetStringLength()};
}

// Returns the member `name` of `object` or nullptr (also when `object` is not an object).
const rapidjson::Value* FindMember(const rapidjson::Value& object, absl::string_view name);

// Copies `text` into a JSON string value owned by `allocator`.
inline rapidjson::Value StringValue(absl::string_view text, rapidjson::Document::AllocatorType& allocator) {
  return rapidjson::Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), allocator);
}

// True when `text` is valid JSON (one value, whitespace around it allowed).
bool IsValidJson(absl::string_view text);

// Length of the valid UTF-8 sequence at s[i] (i < s.size()), or 0 when the
// bytes there are not valid UTF-8 (overlong forms and surrogates included).
size_t Utf8SequenceLength(absl::string_view s, size_t i);

// True when `text` is valid UTF-8. Fast for ASCII: it looks at eight bytes at
// a time and decodes sequences only where a byte has its high bit set.
bool IsValidUtf8(absl::string_view text);

}  // namespace atf
