#include "interceptors/schema_keys.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "interceptors/schema.h"
#include "patches/pointer.h"

namespace atf {
namespace {

using Value = rapidjson::Value;

// Removes "null" from a `type` array, keeping the order of the other types.
void RemoveNullType(Value& schema, bool collapse_single) {
  auto type = schema.FindMember("type");
  if (type == schema.MemberEnd() || !type->value.IsArray()) return;
  Value& types = type->value;
  for (Value* it = types.Begin(); it != types.End();) {
    if (it->IsString() && ViewOf(*it) == "null")
      it = types.Erase(it);
    else
      ++it;
  }
  if (collapse_single && types.Size() == 1) {
    Value single = std::move(types[0]);
    type->value = std::move(single);
  }
}

Value* PropertyOf(Value& node, absl::string_view name) {
  auto properties = node.FindMember("properties");
  if (properties == node.MemberEnd() || !properties->value.IsObject()) return nullptr;
  auto it =
      properties->value.FindMember(rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size())));
  return it == properties->value.MemberEnd() ? nullptr : &it->value;
}

// The schemas that define `property`: `node` itself and its `allOf` branches
// (references followed, nested allOf included).
void CollectHolders(Value& root, Value* node, absl::string_view property, std::vector<Value*>& out, int depth) {
  node = FollowRefs(root, node);
  if (node == nullptr || !node->IsObject() || depth > 16) return;
  if (PropertyOf(*node, property) != nullptr) out.push_back(node);
  auto all_of = node->FindMember("allOf");
  if (all_of != node->MemberEnd() && all_of->value.IsArray()) {
    for (Value& branch : all_of->value.GetArray()) CollectHolders(root, &branch, property, out, depth + 1);
  }
}

absl::Status AddRequired(Value& node, absl::string_view property, absl::string_view where,
                         rapidjson::Document::AllocatorType& allocator) {
  auto required = node.FindMember("required");
  if (required == node.MemberEnd()) {
    Value list(rapidjson::kArrayType);
    list.PushBack(StringValue(property, allocator), allocator);
    node.AddMember("required", list, allocator);
    return absl::OkStatus();
  }
  if (!required->value.IsArray()) {
    return absl::FailedPreconditionError(absl::StrCat("`required` at ", where, " is not an array"));
  }
  for (const Value& name : required->value.GetArray()) {
    if (name.IsString() && ViewOf(name) == property) return absl::OkStatus();
  }
  required->value.PushBack(StringValue(property, allocator), allocator);
  return absl::OkStatus();
}

absl::Status FixKey(rapidjson::Document& schema, absl::string_view pointer) {
  std::vector<Value*> sites = {&schema};
  std::string where;  // schema location, for messages
  for (const std::string& property : PointerTokens(pointer)) {
    const std::string here = where.empty() ? "the root" : absl::StrCat("`", where, "`");
    std::vector<Value*> next;
    for (Value* site : sites) {
      Value* node = FollowRefs(schema, site);
      if (node == nullptr) return absl::FailedPreconditionError(absl::StrCat("a $ref at ", here, " does not resolve"));
      if (!node->IsObject())
        return absl::FailedPreconditionError(absl::StrCat("the schema at ", here, " is not an object"));
      std::vector<Value*> holders;
      CollectHolders(schema, node, property, holders, 0);
      if (holders.empty()) {
        const bool combinator = node->HasMember("anyOf") || node->HasMember("oneOf") || node->HasMember("not");
        return absl::FailedPreconditionError(
            absl::StrCat("property `", property, "` is not in the `properties` of ", here,
                         combinator ? " (properties behind anyOf/oneOf cannot be made required)" : ""));
      }
      ATF_RETURN_IF_ERROR(AddRequired(*node, property, here, schema.GetAllocator()));
      RemoveNullType(*node, /*collapse_single=*/false);
      for (Value* holder : holders) {
        if (holder != node) RemoveNullType(*holder, /*collapse_single=*/false);
        Value& prop = *PropertyOf(*holder, property);
        if (!prop.IsObject()) {
          return absl::FailedPreconditionError(
              absl::StrCat("the schema of `", property, "` at ", here, " is not an object"));
        }
        RemoveNullType(prop, /*collapse_single=*/true);
        if (Value* target = FollowRefs(schema, &prop); target != nullptr && target != &prop) {
          RemoveNullType(*target, /*collapse_single=*/true);
        }
        next.push_back(&prop);
      }
    }
    sites = std::move(next);
    absl::StrAppend(&where, "/properties/", EscapePointerToken(property));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> FixDocumentSchemaKeys(rapidjson::Document& schema, const std::vector<std::string>& key) {
  std::vector<std::string> warnings;
  for (const std::string& pointer : key) {
    if (PointerTokens(pointer).empty()) continue;
    // Each key is fixed on a copy, so a key that cannot be fixed changes nothing.
    rapidjson::Document attempt;
    attempt.CopyFrom(schema, attempt.GetAllocator());
    absl::Status fixed = FixKey(attempt, pointer);
    if (fixed.ok()) {
      schema.Swap(attempt);
    } else {
      warnings.push_back(absl::StrCat("cannot make key `", pointer, "` required and non-null: ", fixed.message()));
    }
  }
  return warnings;
}

}  // namespace atf
