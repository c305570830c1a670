// spec.map.json (docs/reference.md, Patch files): moves values of Flow's endpoint
// config to where the Airbyte connector expects them, e.g.
//   {"/client_id": "/credentials/client_id"}
// moves /credentials/client_id to /client_id.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace atf {

// The entries of a spec.map.json: (destination pointer, source pointer).
using ConfigMap = std::vector<std::pair<std::string, std::string>>;

// Applies `map` to `config`: entries run in ascending byte order of the
// destination; each destination gets a copy of the source's value from the
// config as it was before any move (an empty destination just deletes), then
// the source is removed (its raw last segment, from its parent object).
// Every source must exist. Errors name `file`.
absl::Status RemapConfig(rapidjson::Document& config, const ConfigMap& map, absl::string_view file);

}  // namespace atf
