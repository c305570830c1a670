// Members the shim adds under a captured document's `_meta` (docs/decisions.md,
// D16, D17): a fallback key's `row_id`, a CDC operation `op`, and the source's
// own account of values it changed (`airbyteChanges`). The document is
// otherwise passed through as written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "atf/protocol/airbyte.h"
#include "rapidjson/document.h"

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

// Adds `_meta/<name>` with `property` (a JSON schema) to a document schema's
// `properties`, creating `_meta` as an object schema where it is missing; with
// `required`, both `_meta` and `<name>` are listed as required (a key location
// must always exist). A schema whose `_meta` is not an object schema is left
// as it is and false is returned.
bool AddMetaProperty(rapidjson::Document& schema, absl::string_view name, const rapidjson::Value& property,
                     bool required);

// The schema of the fallback key `_meta/row_id`.
rapidjson::Document RowIdSchema();

// A CDC stream's schema: it has Airbyte's `_ab_cdc_deleted_at` column.
bool IsCdcSchema(const rapidjson::Value& schema);
// The schema of `_meta/op` that Discover adds to a CDC stream.
rapidjson::Document OpSchema();

// What a capture worker added to a document, for the session thread to count
// (RecordWorker::Encoded::marks).
inline constexpr uint8_t kMarkDeleted = 1;        // `_meta/op` is "d"
inline constexpr uint8_t kMarkSourceChanges = 2;  // `_meta/airbyteChanges` was set

// The `_meta` members a record's envelope asks for (D17): `op` for a CDC
// record ("d" when `_ab_cdc_deleted_at` is set, else "u"; `cdc_stream` or the
// column's presence makes a record CDC), `airbyteChanges` from a non-empty
// `record.meta.changes` (its JSON is kept in `storage`). Sets `marks`.
DocumentMeta EnvelopeMeta(const AirbyteMessage& message, bool cdc_stream, std::string* storage, uint8_t* marks);

}  // namespace atf
