// JSON pointers as Flow's json crate reads them (docs/reference.md, Patch files): the
// empty string is the root, a leading `/` is optional, `~1` is `/` and `~0`
// is `~`. A token that is a plain non-negative decimal integer (no sign, no
// leading zero) is an index, which still works as a property name on objects.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace atf {

struct PointerToken {
  std::string property;         // the unescaped token text
  std::optional<size_t> index;  // set when the token is a canonical integer
};

// The tokens of `pointer`: "/a~1b/0" -> {"a/b", "0"(index 0)}; "" -> {}; "/" -> {""}.
std::vector<PointerToken> ParsePointer(absl::string_view pointer);

// Just the unescaped token texts.
std::vector<std::string> PointerTokens(absl::string_view pointer);

// `token` escaped for use in a pointer (`~` -> `~0`, `/` -> `~1`).
std::string EscapePointerToken(absl::string_view token);

// A pointer from unescaped tokens: {"a/b","c"} -> "/a~1b/c".
std::string PointerFromTokens(const std::vector<std::string>& tokens);

// The value at `pointer`, or nullptr.
const rapidjson::Value* QueryPointer(const rapidjson::Value& root, absl::string_view pointer);
rapidjson::Value* QueryPointer(rapidjson::Value& root, absl::string_view pointer);

// The value at `pointer`, creating what is missing on the way: `null`
// becomes an object (or an array for an index or `-` token), arrays grow with
// nulls. Returns nullptr when a scalar, or an array given a property token,
// stands in the way.
rapidjson::Value* CreatePointer(rapidjson::Value& root, absl::string_view pointer,
                                rapidjson::Document::AllocatorType& allocator);

}  // namespace atf
