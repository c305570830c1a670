// Members the shim adds under a captured document's `_meta` (docs/decisions.md,
// D15, D16): a fallback key's `row_id`, a CDC operation `op`, and the source's
// own account of values it changed (`airbyteChanges`). The document is
// otherwise passed through as written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace atf {

// The fallback key of a stream without one (isFallbackKey in Discover).
inline constexpr absl::string_view kRowIdPointer = "/_meta/row_id";

struct DocumentMeta {
  std::optional<uint64_t> row_id;
  std::optional<absl::string_view> op;            // "c", "u" or "d"
  std::optional<absl::string_view> changes_json;  // a JSON array
  bool empty() const { return !row_id && !op && !changes_json; }
};

// Appends `doc` (a JSON object, as written) with `meta` added under `_meta`.
// An existing `_meta` object keeps its other members; a document that is not
// an object, or whose `_meta` is not one, is an error.
absl::Status AppendWithMeta(absl::string_view doc, const DocumentMeta& meta, std::string* out);

}  // namespace atf
