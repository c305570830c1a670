#include "interceptors/schema.h"

#include <algorithm>
#include <array>

#include "absl/strings/match.h"

#include "atf/base/json.h"
#include "patches/pointer.h"

namespace atf {
namespace {

// Type name of an enum value; integers are numbers written without a
// fraction or exponent that fit 64 bits.
absl::string_view EnumValueType(const rapidjson::Value& value) {
  if (value.IsInt64() || value.IsUint64()) return "integer";
  if (value.IsNumber()) return "number";
  return JsonTypeName(value);
}

template <typename V>
V* Resolve(V& root, absl::string_view ref) {
  if (ref == "#") return &root;
  if (absl::StartsWith(ref, "#/")) return QueryPointer(root, ref.substr(1));
  if (ref.empty() || ref.find('#') != absl::string_view::npos || ref.find('/') != absl::string_view::npos) {
    return nullptr;
  }
  if (!root.IsObject()) return nullptr;
  auto defs = root.FindMember("$defs");
  if (defs == root.MemberEnd() || !defs->value.IsObject()) return nullptr;
  auto target = defs->value.FindMember(rapidjson::StringRef(ref.data(), static_cast<rapidjson::SizeType>(ref.size())));
  return target == defs->value.MemberEnd() ? nullptr : &target->value;
}

template <typename V>
V* Follow(V& root, V* node) {
  for (int hops = 0; node != nullptr && node->IsObject(); ++hops) {
    auto ref = node->FindMember("$ref");
    if (ref == node->MemberEnd()) return node;
    if (!ref->value.IsString() || hops == 32) return nullptr;
    node = Resolve(root, ViewOf(ref->value));
  }
  return node;
}

}  // namespace

const rapidjson::Value* ResolveRef(const rapidjson::Value& root, absl::string_view ref) { return Resolve(root, ref); }
rapidjson::Value* ResolveRef(rapidjson::Value& root, absl::string_view ref) { return Resolve(root, ref); }
const rapidjson::Value* FollowRefs(const rapidjson::Value& root, const rapidjson::Value* node) {
  return Follow(root, node);
}
rapidjson::Value* FollowRefs(rapidjson::Value& root, rapidjson::Value* node) { return Follow(root, node); }

bool IsKnownFormat(absl::string_view format) {
  static constexpr std::array<absl::string_view, 27> kKnown = {"date",          "date-time",
                                                               "datetime",      "time",
                                                               "email",         "hostname",
                                                               "idn-hostname",  "idn-email",
                                                               "ipv4",          "ipv6",
                                                               "macaddr",       "macaddr8",
                                                               "uuid",          "duration",
                                                               "iri",           "uri",
                                                               "uri-reference", "iri-reference",
                                                               "uri-template",  "json-pointer",
                                                               "regex",         "relative-json-pointer",
                                                               "integer",       "uint32",
                                                               "uint64",        "number",
                                                               "sha256"};
  return std::find(kKnown.begin(), kKnown.end(), format) != kKnown.end();
}

void FixNonstandardAttributes(rapidjson::Value& schema) {
  VisitSchemas(schema, [](rapidjson::Value& node) {
    for (const char* keyword :
         {"airbyte_hidden", "always_show", "group", "groups", "pattern_descriptor", "airbyte_type", "name", "xml"}) {
      node.EraseMember(keyword);
    }
    auto format = node.FindMember("format");
    if (format == node.MemberEnd() || !format->value.IsString()) return;
    absl::string_view name = ViewOf(format->value);
    if (name == "int32" || name == "int64") {
      format->value.SetString(rapidjson::StringRef("integer"));
    } else if (!IsKnownFormat(name)) {
      node.EraseMember(format);
    }
  });
}

void RemoveEnums(rapidjson::Value& schema, rapidjson::Document::AllocatorType& allocator) {
  VisitSchemas(schema, [&](rapidjson::Value& node) {
    auto found = node.FindMember("enum");
    if (found == node.MemberEnd()) return;
    rapidjson::Value values = std::move(found->value);
    node.EraseMember(found);
    if (!values.IsArray() || values.Empty() || node.HasMember("type")) return;
    std::vector<absl::string_view> types;
    for (const auto& value : values.GetArray()) types.push_back(EnumValueType(value));
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());
    rapidjson::Value type;
    if (types.size() == 1) {
      type = StringValue(types[0], allocator);
    } else {
      type.SetArray();
      for (absl::string_view t : types) type.PushBack(StringValue(t, allocator), allocator);
    }
    node.AddMember("type", type, allocator);
  });
}

void DateToDateTime(rapidjson::Value& schema, rapidjson::Document::AllocatorType& allocator) {
  VisitSchemas(schema, [&](rapidjson::Value& node) {
    auto format = node.FindMember("format");
    if (format != node.MemberEnd() && format->value.IsString() && ViewOf(format->value) == "date") {
      format->value.SetString("date-time", allocator);
    }
  });
}

}  // namespace atf
