#include "atf/drive/config_stub.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/drive/json_util.h"
#include "patches/pointer.h"

namespace atf::drive {
namespace {

using Allocator = rapidjson::Document::AllocatorType;

class StubBuilder {
 public:
  StubBuilder(const rapidjson::Value& root, Allocator& allocator, std::vector<std::string>* notes)
      : root_(root), allocator_(allocator), notes_(notes) {}

  rapidjson::Value Build(const rapidjson::Value& schema, const std::string& path, bool required, int depth) {
    const rapidjson::Value& s = Resolve(schema);
    if (depth > 16 || !s.IsObject()) return rapidjson::Value();
    if (const rapidjson::Value* value = FindMember(s, "default")) {
      notes_->push_back(absl::StrCat(Shown(path), ": the default ", ShortJson(*value), " (", Title(s, path), ")"));
      return rapidjson::Value(*value, allocator_);
    }
    if (const rapidjson::Value* value = FindMember(s, "const")) return rapidjson::Value(*value, allocator_);
    for (const char* choice : {"oneOf", "anyOf"}) {
      const rapidjson::Value* options = FindMember(s, choice);
      if (options && options->IsArray() && !options->Empty()) {
        const rapidjson::Value& first = Resolve((*options)[0]);
        const rapidjson::Value* title = FindMember(first, "title");
        notes_->push_back(absl::StrCat(Shown(path), ": one of ", options->Size(), " options, the first taken",
                                       title && title->IsString() ? absl::StrCat(" (", ViewOf(*title), ")") : ""));
        return Build(first, path, required, depth + 1);
      }
    }
    if (const rapidjson::Value* values = FindMember(s, "enum"); values && values->IsArray() && !values->Empty()) {
      notes_->push_back(absl::StrCat(Shown(path), ": one of ", ShortJson(*values)));
      return rapidjson::Value((*values)[0], allocator_);
    }
    const std::string type = TypeOf(s);
    if (type == "object" || FindMember(s, "properties") != nullptr) return Object(s, path, depth);
    const bool secret = IsSecret(s);
    notes_->push_back(absl::StrCat(Shown(path), ": ", required ? "required " : "", secret ? "secret " : "",
                                   type.empty() ? "value" : type, " (", Title(s, path), ")"));
    if (type == "integer" || type == "number") return rapidjson::Value(0);
    if (type == "boolean") return rapidjson::Value(false);
    if (type == "array") return rapidjson::Value(rapidjson::kArrayType);
    return StringValue(absl::StrCat(secret ? "<fill in secret: " : "<fill in: ", Title(s, path), ">"), allocator_);
  }

 private:
  rapidjson::Value Object(const rapidjson::Value& s, const std::string& path, int depth) {
    rapidjson::Value out(rapidjson::kObjectType);
    const rapidjson::Value* properties = FindMember(s, "properties");
    if (properties == nullptr || !properties->IsObject()) return out;
    const rapidjson::Value* required = FindMember(s, "required");
    for (const auto& property : properties->GetObject()) {
      const bool is_required = required && required->IsArray() && Contains(*required, ViewOf(property.name));
      const rapidjson::Value& child = Resolve(property.value);
      if (!is_required && FindMember(child, "default") == nullptr) continue;
      const std::string child_path = absl::StrCat(path, "/", EscapePointerToken(ViewOf(property.name)));
      out.AddMember(rapidjson::Value(property.name, allocator_), Build(child, child_path, is_required, depth + 1),
                    allocator_);
    }
    return out;
  }

  // Follows local references ("#/definitions/x"), a few levels deep.
  const rapidjson::Value& Resolve(const rapidjson::Value& schema) const {
    const rapidjson::Value* s = &schema;
    for (int hops = 0; hops < 8; ++hops) {
      const rapidjson::Value* ref = FindMember(*s, "$ref");
      if (ref == nullptr || !ref->IsString() || !absl::StartsWith(ViewOf(*ref), "#")) break;
      const rapidjson::Value* target = QueryPointer(root_, ViewOf(*ref).substr(1));
      if (target == nullptr) break;
      s = target;
    }
    return *s;
  }

  static bool Contains(const rapidjson::Value& list, absl::string_view name) {
    for (const rapidjson::Value& item : list.GetArray()) {
      if (item.IsString() && ViewOf(item) == name) return true;
    }
    return false;
  }

  // The first type other than null.
  static std::string TypeOf(const rapidjson::Value& s) {
    const rapidjson::Value* type = FindMember(s, "type");
    if (type == nullptr) return "";
    if (type->IsString()) return std::string(ViewOf(*type));
    if (type->IsArray()) {
      for (const rapidjson::Value& t : type->GetArray()) {
        if (t.IsString() && ViewOf(t) != "null") return std::string(ViewOf(t));
      }
    }
    return "";
  }

  static bool IsSecret(const rapidjson::Value& s) {
    for (const char* flag : {"secret", "airbyte_secret"}) {
      const rapidjson::Value* value = FindMember(s, flag);
      if (value && value->IsBool() && value->GetBool()) return true;
    }
    return false;
  }

  static std::string Title(const rapidjson::Value& s, const std::string& path) {
    const rapidjson::Value* title = FindMember(s, "title");
    if (title && title->IsString()) return std::string(ViewOf(*title));
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
  }

  static std::string Shown(const std::string& path) { return path.empty() ? "(the config)" : path; }

  const rapidjson::Value& root_;
  Allocator& allocator_;
  std::vector<std::string>* notes_;
};

}  // namespace

ConfigStub MakeConfigStub(const rapidjson::Value& config_schema) {
  ConfigStub stub;
  rapidjson::Document doc;
  StubBuilder builder(config_schema, doc.GetAllocator(), &stub.notes);
  rapidjson::Value value = builder.Build(config_schema, "", true, 0);
  if (!value.IsObject()) value.SetObject();
  stub.json = PrettyJson(value);
  return stub;
}

}  // namespace atf::drive
