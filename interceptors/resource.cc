#include "interceptors/resource.h"

#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/status.h"

namespace atf {

std::string ResourceSpec::ToJson() const {
  std::string out = "{\"stream\":";
  AppendJsonString(&out, stream);
  if (ns) {
    out.append(",\"namespace\":");
    AppendJsonString(&out, *ns);
  }
  out.append(",\"syncMode\":");
  AppendJsonString(&out, sync_mode);
  if (cursor_field) {
    out.append(",\"cursorField\":[");
    for (size_t i = 0; i < cursor_field->size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendJsonString(&out, (*cursor_field)[i]);
    }
    out.push_back(']');
  }
  out.push_back('}');
  return out;
}

std::vector<std::string> ResourceSpec::ResourcePath() const {
  if (ns) return {*ns, stream};
  return {stream};
}

absl::StatusOr<ResourceSpec> ParseResourceSpec(absl::string_view json) {
  ATF_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseJson(json, "resource config"));
  if (!doc.IsObject())
    return absl::InvalidArgumentError(absl::StrCat("resource config must be an object, got ", JsonTypeName(doc)));
  ResourceSpec spec;
  const rapidjson::Value* stream = FindMember(doc, "stream");
  if (stream == nullptr || !stream->IsString()) {
    return absl::InvalidArgumentError("resource config needs a string `stream`");
  }
  spec.stream = std::string(ViewOf(*stream));
  if (const rapidjson::Value* ns = FindMember(doc, "namespace"); ns != nullptr && !ns->IsNull()) {
    if (!ns->IsString()) return absl::InvalidArgumentError("resource config `namespace` must be a string");
    spec.ns = std::string(ViewOf(*ns));
  }
  const rapidjson::Value* mode = FindMember(doc, "syncMode");
  if (mode == nullptr || !mode->IsString() || (ViewOf(*mode) != "incremental" && ViewOf(*mode) != "full_refresh")) {
    return absl::InvalidArgumentError("resource config needs `syncMode` set to \"incremental\" or \"full_refresh\"");
  }
  spec.sync_mode = std::string(ViewOf(*mode));
  if (const rapidjson::Value* cursor = FindMember(doc, "cursorField"); cursor != nullptr && !cursor->IsNull()) {
    if (!cursor->IsArray())
      return absl::InvalidArgumentError("resource config `cursorField` must be an array of strings");
    std::vector<std::string> fields;
    for (const auto& field : cursor->GetArray()) {
      if (!field.IsString())
        return absl::InvalidArgumentError("resource config `cursorField` must be an array of strings");
      fields.emplace_back(ViewOf(field));
    }
    spec.cursor_field = std::move(fields);
  }
  return spec;
}

absl::string_view ResourceSpecSchema() {
  return R"({"$schema":"http://json-schema.org/draft-07/schema#","title":"ResourceSpec","type":"object",)"
         R"("required":["stream","syncMode"],"properties":{"cursorField":{"type":["array","null"],)"
         R"("items":{"type":"string"}},"namespace":{"type":["string","null"]},"stream":{"type":"string"},)"
         R"("syncMode":{"type":"string","enum":["incremental","full_refresh"]}}})";
}

}  // namespace atf
