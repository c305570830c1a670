#include "interceptors/pk.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "patches/pointer.h"

namespace atf {

absl::StatusOr<std::vector<std::string>> ResolveKey(const rapidjson::Value& stream, absl::string_view recommended_name,
                                                    const ConnectorDir& connector_dir) {
  ATF_ASSIGN_OR_RETURN(std::optional<ConnectorDir::StreamFile> file, connector_dir.StreamKey(recommended_name));
  std::vector<std::string> key;
  if (file.has_value()) {
    const std::string path = connector_dir.PathOf(file->relative_path);
    const rapidjson::Value& list = file->json;
    if (!list.IsArray()) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": must be an array of key fields such as [\"id\"], got ", JsonTypeName(list)));
    }
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
      if (!list[i].IsString()) {
        return absl::FailedPreconditionError(
            absl::StrCat(path, ": element ", i, " must be a string, got ", JsonTypeName(list[i])));
      }
      absl::string_view field = ViewOf(list[i]);
      if (field.empty() || field == "/") {
        return absl::FailedPreconditionError(absl::StrCat(
            path, ": element ", i, " is empty; a key field names a property, such as \"id\" or \"/doc/id\""));
      }
      key.push_back(absl::StartsWith(field, "/") ? std::string(field) : absl::StrCat("/", field));
    }
    return key;
  }
  const rapidjson::Value* defined = FindMember(stream, "source_defined_primary_key");
  if (defined == nullptr || defined->IsNull()) return key;
  auto malformed = [&] {
    return absl::FailedPreconditionError("source_defined_primary_key must be an array of arrays of strings");
  };
  if (!defined->IsArray()) return malformed();
  for (const rapidjson::Value& path : defined->GetArray()) {
    if (!path.IsArray()) return malformed();
    std::vector<std::string> tokens;
    for (const rapidjson::Value& token : path.GetArray()) {
      if (!token.IsString()) return malformed();
      tokens.emplace_back(ViewOf(token));
    }
    key.push_back(PointerFromTokens(tokens));
  }
  return key;
}

std::optional<std::vector<std::string>> DefaultCursor(const rapidjson::Value& stream,
                                                      const std::vector<std::string>& key) {
  if (const rapidjson::Value* cursor = FindMember(stream, "default_cursor_field");
      cursor != nullptr && cursor->IsArray() && !cursor->Empty()) {
    std::vector<std::string> fields;
    for (const rapidjson::Value& field : cursor->GetArray()) {
      if (field.IsString()) fields.emplace_back(ViewOf(field));
    }
    if (!fields.empty()) return fields;
  }
  if (key.empty()) return std::vector<std::string>{};
  if (key.size() == 1) return PointerTokens(key[0]);
  return std::nullopt;
}

}  // namespace atf
