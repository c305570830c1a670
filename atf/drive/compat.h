// The compatibility classifier of `drive compat` and `snapshot --check
// --compat`: every difference between an old and a new Spec or Discover
// response is compatible (existing configs, bindings and collections keep
// working: a new optional property, a new binding, a widened type, added
// nullability, an annotation) or breaking (something that worked may stop:
// a removed property, a new required field, a narrowed type, a key change, a
// removed binding, a new constraint). Schemas are compared by what they
// accept: a change that can only accept more is compatible.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rapidjson/document.h"

namespace atf::drive {

struct CompatFinding {
  bool breaking = false;
  std::string where;    // "spec configSchema", "discover binding users schema", ...
  std::string pointer;  // into what `where` names; may be empty
  std::string what;     // "new optional property `region`"
};

// "breaking: discover binding users schema /properties/id: narrowed type ..."
std::string FormatFinding(const CompatFinding& finding);

// Compares two JSON schemas (`where` labels the findings).
std::vector<CompatFinding> CompareSchemas(const rapidjson::Value& old_schema, const rapidjson::Value& new_schema,
                                          const std::string& where);

// Two Flow Spec response objects ({"protocol":...,"configSchema":...}).
std::vector<CompatFinding> ClassifySpec(const rapidjson::Value& old_spec, const rapidjson::Value& new_spec);

// Two Flow Discovered response objects ({"bindings":[...]}); bindings are
// matched by recommendedName.
std::vector<CompatFinding> ClassifyDiscover(const rapidjson::Value& old_discovered,
                                            const rapidjson::Value& new_discovered);

// Both of the above for two snapshot folders holding spec.json and discover.json.
absl::StatusOr<std::vector<CompatFinding>> ClassifySnapshots(const std::string& old_dir, const std::string& new_dir);

}  // namespace atf::drive
