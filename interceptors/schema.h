// Fixing Airbyte JSON schemas for Flow (docs/reference.md, Spec and Discover;
// docs/decisions.md, D5).
#pragma once

#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "atf/base/log.h"
#include "rapidjson/document.h"

namespace atf {

// Calls `visit` on `schema` and on every subschema reachable through
// `properties`, `patternProperties`, `additionalProperties`, `items` (object
// or tuple form), `anyOf`/`oneOf`/`allOf` and `$defs`/`definitions`. Only
// schema objects are visited, never a property map itself, so a property
// *named* `group` is never mistaken for the keyword.
template <typename Visit>
void VisitSchemas(rapidjson::Value& schema, Visit&& visit) {
  if (!schema.IsObject()) return;
  visit(schema);
  for (const char* map : {"properties", "patternProperties", "$defs", "definitions"}) {
    auto it = schema.FindMember(map);
    if (it != schema.MemberEnd() && it->value.IsObject()) {
      for (auto& member : it->value.GetObject()) VisitSchemas(member.value, visit);
    }
  }
  for (const char* single : {"additionalProperties", "items"}) {
    auto it = schema.FindMember(single);
    if (it == schema.MemberEnd()) continue;
    if (it->value.IsObject()) VisitSchemas(it->value, visit);
    if (it->value.IsArray()) {
      for (auto& element : it->value.GetArray()) VisitSchemas(element, visit);
    }
  }
  for (const char* list : {"anyOf", "oneOf", "allOf"}) {
    auto it = schema.FindMember(list);
    if (it != schema.MemberEnd() && it->value.IsArray()) {
      for (auto& element : it->value.GetArray()) VisitSchemas(element, visit);
    }
  }
}

// Resolves a local `$ref` against the root schema: "#" is the root,
// "#/<pointer>" a location such as "#/$defs/x" or "#/definitions/x", and a
// bare name "x" (the reference's convention) the root's `$defs.x`. Returns
// nullptr when the reference does not resolve locally.
const rapidjson::Value* ResolveRef(const rapidjson::Value& root, absl::string_view ref);
rapidjson::Value* ResolveRef(rapidjson::Value& root, absl::string_view ref);

// Follows the `$ref` of `node`, and of its target, and so on (at most 32
// hops, so cycles end). Returns `node` itself when it has no `$ref`, nullptr
// when a reference does not resolve.
const rapidjson::Value* FollowRefs(const rapidjson::Value& root, const rapidjson::Value* node);
rapidjson::Value* FollowRefs(rapidjson::Value& root, rapidjson::Value* node);

// Whether Flow's JSON schema validator knows the `format` name.
bool IsKnownFormat(absl::string_view format);

// Deletes Airbyte-only keywords (airbyte_hidden, always_show, group, groups,
// pattern_descriptor, airbyte_type, name, xml), turns `int32`/`int64` formats
// into `integer` and deletes formats Flow does not know.
void FixNonstandardAttributes(rapidjson::Value& schema);

// Removes every `enum`; a node without `type` gets the types of the enum's
// values instead (an empty enum adds nothing).
void RemoveEnums(rapidjson::Value& schema, rapidjson::Document::AllocatorType& allocator);

// Turns every `format: date` into `format: date-time`.
void DateToDateTime(rapidjson::Value& schema, rapidjson::Document::AllocatorType& allocator);

}  // namespace atf
