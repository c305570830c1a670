// Snapshots of a connector's behaviour, to compare before and after an
// upgrade (`drive snapshot`):
//
//   DIR/spec.json       the Flow `spec` response object
//   DIR/discover.json   the `discovered` response object, bindings sorted by recommendedName
//   DIR/capture.json    {"collections": {RECOMMENDED_NAME: [documents sorted by key]}, "state": FINAL_STATE}
//   DIR/snapshot.json   how it was taken: {"config": ABSOLUTE_PATH, "mask": [...], "maskState": [...], ...}
//
// Every file is pretty-printed with object keys sorted, so that it is stable
// and diffs well; masked values (--mask, --mask-state) are "<masked>".
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rapidjson/document.h"

namespace atf::drive {

inline constexpr char kMasked[] = "<masked>";

// Replaces the value at `pointer` by "<masked>" where it exists; a `*` token
// matches every array element or object member.
void ApplyMask(rapidjson::Value& value, const std::string& pointer, rapidjson::Document::AllocatorType& allocator);

// Readable differences of two snapshots (as loaded from the files), one line
// each: spec changes by pointer, added/removed bindings, key and schema
// changes by pointer, added/removed/changed documents by key, state changes.
std::vector<std::string> DiffSpec(const rapidjson::Value& before, const rapidjson::Value& after);
std::vector<std::string> DiffDiscover(const rapidjson::Value& before, const rapidjson::Value& after);
// Documents are matched by the key pointers of their binding in `discovered`.
std::vector<std::string> DiffCapture(const rapidjson::Value& before, const rapidjson::Value& after,
                                     const rapidjson::Value& discovered);

}  // namespace atf::drive
