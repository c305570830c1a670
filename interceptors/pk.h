// The collection key and cursor of a discovered stream (docs/reference.md,
// Discover; docs/decisions.md, D5).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "patches/connector_dir.h"
#include "rapidjson/document.h"

namespace atf {

// The key as JSON pointers: streams/<name>.pk.json (else streams/*.pk.json)
// when present, each element a pointer body ("data/id" -> "/data/id");
// otherwise the connector's source_defined_primary_key, each path escaped
// (["a/b"] -> "/a~1b").
absl::StatusOr<std::vector<std::string>> ResolveKey(const rapidjson::Value& stream, absl::string_view recommended_name,
                                                    const ConnectorDir& connector_dir);

// The cursor field: the connector's default_cursor_field when it names one;
// else the single key field as an Airbyte path ("/a/b" -> ["a","b"]); an
// empty key gives [] (as the reference); a composite key gives none.
std::optional<std::vector<std::string>> DefaultCursor(const rapidjson::Value& stream,
                                                      const std::vector<std::string>& key);

}  // namespace atf
