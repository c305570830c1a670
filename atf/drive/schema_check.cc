#include "atf/drive/schema_check.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "atf/drive/json_util.h"
#include "patches/pointer.h"
#include "rapidjson/internal/regex.h"
#include "rapidjson/stringbuffer.h"

namespace atf::drive {
namespace {

// Assertions and applicators of later drafts (06, 07, 2019-09, 2020-12)
// that RapidJSON 1.1's validator does not implement: read in schema.h, whose
// Schema constructor knows only the draft-04 keywords.
constexpr const char* kUnsupported[] = {
    "const",
    "contains",
    "minContains",
    "maxContains",
    "propertyNames",
    "if",
    "then",
    "else",
    "format",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "dependentRequired",
    "dependentSchemas",
    "prefixItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
};

// Keywords with subschemas as values, which the scan follows.
constexpr const char* kSchemaValued[] = {"additionalProperties", "additionalItems", "not"};
constexpr const char* kSchemaLists[] = {"allOf", "anyOf", "oneOf"};
constexpr const char* kSchemaMaps[] = {"properties", "patternProperties", "definitions", "$defs"};
// Assertions that a $ref beside them would make RapidJSON ignore.
constexpr const char* kAssertions[] = {
    "type",  "properties", "required", "items",     "enum",      "minimum",  "maximum",  "pattern",
    "allOf", "anyOf",      "oneOf",    "minLength", "maxLength", "minItems", "maxItems", "additionalProperties"};

// RapidJSON reads a $ref's fragment as a URI fragment and rejects any
// character outside [A-Za-z0-9-._~] unless percent-encoded, so "#/$defs/x"
// would silently resolve to nothing. Encoding them makes it resolve.
std::string EncodeFragment(absl::string_view ref) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : ref) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '.' || c == '_' || c == '~' || c == '/' || c == '%' || c == '#';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string DecodePercent(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    int hi, lo;
    auto hex = [](char c) {
      return c >= '0' && c <= '9'   ? c - '0'
             : c >= 'A' && c <= 'F' ? c - 'A' + 10
             : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                    : -1;
    };
    if (text[i] == '%' && i + 2 < text.size() + 0 && (hi = hex(text[i + 1])) >= 0 && (lo = hex(text[i + 2])) >= 0) {
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Rewrites every local $ref of `value` with EncodeFragment.
void EncodeRefs(rapidjson::Value& value, rapidjson::Document::AllocatorType& allocator, int depth) {
  if (depth > 128) return;
  if (value.IsArray()) {
    for (rapidjson::Value& item : value.GetArray()) EncodeRefs(item, allocator, depth + 1);
    return;
  }
  if (!value.IsObject()) return;
  for (auto& member : value.GetObject()) {
    if (ViewOf(member.name) == "$ref" && member.value.IsString() && absl::StartsWith(ViewOf(member.value), "#")) {
      const std::string encoded = EncodeFragment(ViewOf(member.value));
      member.value.SetString(encoded.data(), static_cast<rapidjson::SizeType>(encoded.size()), allocator);
    } else {
      EncodeRefs(member.value, allocator, depth + 1);
    }
  }
}

bool RegexCompiles(const rapidjson::Value& pattern) {
  if (!pattern.IsString()) return false;
  rapidjson::internal::GenericRegex<rapidjson::UTF8<>> regex(pattern.GetString());
  return regex.IsValid();
}

class Scanner {
 public:
  explicit Scanner(const rapidjson::Value& root) : root_(root) {}

  absl::Status Walk(const rapidjson::Value& schema, const std::string& at, int depth) {
    if (depth > 64) return absl::OkStatus();
    if (schema.IsBool()) {
      // A boolean subschema is typeless to RapidJSON: `false` would pass anything.
      if (!schema.GetBool()) Note("the false schema", at);
      return absl::OkStatus();
    }
    if (!schema.IsObject()) return absl::OkStatus();
    for (const char* keyword : kUnsupported) {
      if (FindMember(schema, keyword)) Note(keyword, at);
    }
    for (const char* bound : {"exclusiveMinimum", "exclusiveMaximum"}) {
      const rapidjson::Value* value = FindMember(schema, bound);
      if (value && value->IsNumber()) Note(absl::StrCat(bound, " as a number (draft 6+)"), at);
    }
    if (const rapidjson::Value* ref = FindMember(schema, "$ref")) CheckRef(schema, *ref, at);
    if (const rapidjson::Value* pattern = FindMember(schema, "pattern"); pattern && !RegexCompiles(*pattern)) {
      Note(absl::StrCat("pattern ", ShortJson(*pattern, 60), " (beyond RapidJSON's regular expressions)"), at);
    }
    for (const char* keyword : kSchemaValued) {
      if (const rapidjson::Value* sub = FindMember(schema, keyword); sub && sub->IsObject()) {
        ATF_RETURN_IF_ERROR(Walk(*sub, absl::StrCat(at, "/", keyword), depth + 1));
      }
    }
    if (const rapidjson::Value* items = FindMember(schema, "items")) {
      if (items->IsArray()) {
        for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
          ATF_RETURN_IF_ERROR(Walk((*items)[i], absl::StrCat(at, "/items/", i), depth + 1));
        }
      } else {
        ATF_RETURN_IF_ERROR(Walk(*items, absl::StrCat(at, "/items"), depth + 1));
      }
    }
    for (const char* keyword : kSchemaLists) {
      const rapidjson::Value* list = FindMember(schema, keyword);
      if (list == nullptr || !list->IsArray()) continue;
      for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        ATF_RETURN_IF_ERROR(Walk((*list)[i], absl::StrCat(at, "/", keyword, "/", i), depth + 1));
      }
    }
    if (const rapidjson::Value* deps = FindMember(schema, "dependencies"); deps && deps->IsObject()) {
      for (const auto& dep : deps->GetObject()) {
        if (dep.value.IsObject()) {
          ATF_RETURN_IF_ERROR(Walk(dep.value, absl::StrCat(at, "/dependencies/", Token(dep.name)), depth + 1));
        }
      }
    }
    for (const char* keyword : kSchemaMaps) {
      const rapidjson::Value* map = FindMember(schema, keyword);
      if (map == nullptr) continue;
      if (!map->IsObject()) {
        // RapidJSON would read patternProperties as an object regardless.
        return absl::InvalidArgumentError(absl::StrCat("`", keyword, "` at ", Shown(at), " is not an object"));
      }
      for (const auto& entry : map->GetObject()) {
        const std::string sub = absl::StrCat(at, "/", keyword, "/", Token(entry.name));
        if (absl::string_view(keyword) == "patternProperties" && !RegexCompiles(entry.name)) {
          Note(absl::StrCat("patternProperties ", ShortJson(entry.name, 60),
                            " (beyond RapidJSON's regular expressions)"),
               sub);
        }
        ATF_RETURN_IF_ERROR(Walk(entry.value, sub, depth + 1));
      }
    }
    return absl::OkStatus();
  }

  std::vector<std::string> Result() const {
    std::vector<std::string> out;
    for (const auto& [keyword, places] : notes_) {
      std::vector<std::string> shown;
      for (size_t i = 0; i < places.size() && i < 3; ++i) shown.push_back(Shown(places[i]));
      std::string line = absl::StrCat(keyword, " at ", absl::StrJoin(shown, ", "));
      if (places.size() > 3) absl::StrAppend(&line, " and ", places.size() - 3, " more");
      out.push_back(std::move(line));
    }
    return out;
  }

 private:
  // RapidJSON resolves only "#" followed by a JSON pointer into the same
  // document; anything else ("other.json#/x", "#anchor", a missing target)
  // leaves the subschema accepting everything.
  void CheckRef(const rapidjson::Value& schema, const rapidjson::Value& ref, const std::string& at) {
    const std::string text = DecodePercent(ref.IsString() ? ViewOf(ref) : "");
    const bool local = absl::StartsWith(text, "#") && (text.size() == 1 || text[1] == '/');
    if (!local || QueryPointer(root_, absl::string_view(text).substr(1)) == nullptr) {
      Note(absl::StrCat("$ref ", ShortJson(ref, 80), " (not resolvable)"), at);
      return;
    }
    for (const char* keyword : kAssertions) {
      if (FindMember(schema, keyword)) {
        Note("keywords beside $ref (RapidJSON follows the $ref only)", at);
        return;
      }
    }
  }

  void Note(const std::string& keyword, const std::string& at) { notes_[keyword].push_back(at); }
  static std::string Token(const rapidjson::Value& name) { return EscapePointerToken(ViewOf(name)); }
  static std::string Shown(const std::string& at) { return at.empty() ? "the root" : at; }

  const rapidjson::Value& root_;
  std::map<std::string, std::vector<std::string>> notes_;
};

std::string Stringify(const rapidjson::SchemaDocument::PointerType& pointer) {
  rapidjson::StringBuffer buffer;
  pointer.Stringify(buffer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string TypeOfValue(const rapidjson::Value& value) {
  if (value.IsNumber()) return value.IsInt64() || value.IsUint64() ? "integer" : "number";
  return std::string(JsonTypeName(value));
}

}  // namespace

absl::StatusOr<std::vector<std::string>> UncheckedKeywords(const rapidjson::Value& schema) {
  Scanner scanner(schema);
  ATF_RETURN_IF_ERROR(scanner.Walk(schema, "", 0));
  return scanner.Result();
}

absl::StatusOr<std::unique_ptr<SchemaChecker>> SchemaChecker::Create(absl::string_view schema_json) {
  std::unique_ptr<SchemaChecker> checker(new SchemaChecker());
  ATF_ASSIGN_OR_RETURN(checker->schema_, ParseJson(schema_json, "the schema"));
  if (!checker->schema_.IsObject()) return absl::InvalidArgumentError("the schema is not a JSON object");
  ATF_ASSIGN_OR_RETURN(checker->unchecked_, UncheckedKeywords(checker->schema_));
  EncodeRefs(checker->schema_, checker->schema_.GetAllocator(), 0);
  checker->compiled_ = std::make_unique<rapidjson::SchemaDocument>(checker->schema_);
  checker->validator_ = std::make_unique<rapidjson::SchemaValidator>(*checker->compiled_);
  return checker;
}

std::optional<Violation> SchemaChecker::Check(const rapidjson::Value& document) {
  validator_->Reset();
  if (document.Accept(*validator_) && validator_->IsValid()) return std::nullopt;
  Violation violation;
  violation.document_pointer = Stringify(validator_->GetInvalidDocumentPointer());
  violation.schema_pointer = Stringify(validator_->GetInvalidSchemaPointer());
  const char* keyword = validator_->GetInvalidSchemaKeyword();
  violation.keyword = keyword ? keyword : "?";
  const rapidjson::Value* value = QueryPointer(document, violation.document_pointer);
  violation.value = value ? ShortJson(*value) : "(missing)";
  violation.detail = Detail(violation, document);
  validator_->Reset();
  return violation;
}

// What exactly failed, from the failing subschema and the value.
std::string SchemaChecker::Detail(const Violation& violation, const rapidjson::Value& document) const {
  const rapidjson::Value* schema = QueryPointer(schema_, violation.schema_pointer);
  const rapidjson::Value* value = QueryPointer(document, violation.document_pointer);
  if (schema == nullptr || value == nullptr) return "";
  const rapidjson::Value* constraint = FindMember(*schema, violation.keyword);
  if (violation.keyword == "type" && constraint) {
    return absl::StrCat("expected ", ShortJson(*constraint), ", got ", TypeOfValue(*value));
  }
  if (violation.keyword == "required" && constraint && constraint->IsArray() && value->IsObject()) {
    std::vector<std::string> missing;
    for (const rapidjson::Value& name : constraint->GetArray()) {
      if (name.IsString() && FindMember(*value, ViewOf(name)) == nullptr) missing.push_back(ShortJson(name));
    }
    return absl::StrCat("missing ", absl::StrJoin(missing, ", "));
  }
  if (violation.keyword == "additionalProperties") {
    const size_t slash = violation.document_pointer.rfind('/');
    return absl::StrCat("property `", violation.document_pointer.substr(slash + 1), "` is not allowed");
  }
  if (constraint) return absl::StrCat(violation.keyword, " is ", ShortJson(*constraint, 120));
  return "";
}

}  // namespace atf::drive
