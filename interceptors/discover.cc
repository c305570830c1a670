#include "interceptors/discover.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "interceptors/meta.h"
#include "interceptors/pk.h"
#include "interceptors/resource.h"
#include "interceptors/schema.h"
#include "interceptors/schema_keys.h"
#include "patches/merge_patch.h"

namespace atf {
namespace {

// Whether a non-ASCII code point is a letter or digit. Without Unicode
// tables this is an approximation: every code point counts except marks,
// punctuation, symbols, spaces and private use, by block.
bool IsNonAsciiAlphanumeric(uint32_t cp) {
  struct Range {
    uint32_t first, last;
  };
  static constexpr Range kNotAlphanumeric[] = {
      {0x80, 0xA9},     {0xAB, 0xB1},       {0xB4, 0xB4},       {0xB6, 0xB8},     {0xBB, 0xBB},     {0xBF, 0xBF},
      {0xD7, 0xD7},     {0xF7, 0xF7},       {0x2B9, 0x2FF},     {0x300, 0x36F},   {0x2000, 0x206F}, {0x20A0, 0x20FF},
      {0x2190, 0x245F}, {0x2500, 0x2775},   {0x2794, 0x2BFF},   {0x2E00, 0x2E7F}, {0x3000, 0x3005}, {0x3008, 0x3020},
      {0xD800, 0xF8FF}, {0xFE00, 0xFE6F},   {0xFF00, 0xFF0F},   {0xFF1A, 0xFF20}, {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65},
      {0xFFF0, 0xFFFF}, {0x1F000, 0x1FAFF}, {0xE0000, 0x10FFFF}};
  for (const Range& r : kNotAlphanumeric) {
    if (cp >= r.first && cp <= r.last) return false;
  }
  return true;
}

// Decodes the UTF-8 sequence at `s[i]`; returns its length (0 if invalid).
size_t DecodeUtf8(absl::string_view s, size_t i, uint32_t* cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  *cp = n == 1 ? c : c & (0xFF >> (n + 1));
  for (size_t k = 1; k < n; ++k) {
    unsigned char b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (b & 0x3F);
  }
  return n;
}

bool Contains(const std::optional<std::vector<std::string>>& list, absl::string_view name) {
  return list && std::find(list->begin(), list->end(), name) != list->end();
}

absl::StatusOr<std::string> SyncMode(const rapidjson::Value& stream) {
  const rapidjson::Value* modes = FindMember(stream, "supported_sync_modes");
  if (modes == nullptr || modes->IsNull()) return std::string("full_refresh");
  if (!modes->IsArray() || modes->Empty()) {
    return absl::FailedPreconditionError("`supported_sync_modes` must be a non-empty array");
  }
  bool incremental = false;
  for (const rapidjson::Value& mode : modes->GetArray()) {
    if (!mode.IsString() || (ViewOf(mode) != "incremental" && ViewOf(mode) != "full_refresh")) {
      return absl::FailedPreconditionError(
          absl::StrCat("unknown sync mode ", WriteJson(mode), " (expected incremental or full_refresh)"));
    }
    incremental = incremental || ViewOf(mode) == "incremental";
  }
  return std::string(incremental ? "incremental" : "full_refresh");
}

struct StreamFiles {
  std::optional<std::vector<std::string>> selected, omitted;
  bool date_to_datetime = false;
};

absl::StatusOr<capture::Response::Discovered::Binding> BuildBinding(const rapidjson::Value& stream,
                                                                    absl::string_view name, bool disable,
                                                                    const StreamFiles& files,
                                                                    const ConnectorDir& connector_dir, Logger log) {
  capture::Response::Discovered::Binding binding;
  const std::string recommended = RecommendedName(name);

  ATF_ASSIGN_OR_RETURN(std::string sync_mode, SyncMode(stream));
  ATF_ASSIGN_OR_RETURN(std::vector<std::string> key, ResolveKey(stream, recommended, connector_dir));

  ResourceSpec resource{
      .stream = std::string(name), .sync_mode = sync_mode, .cursor_field = DefaultCursor(stream, key)};
  if (const rapidjson::Value* ns = FindMember(stream, "namespace"); ns != nullptr && !ns->IsNull()) {
    if (!ns->IsString()) return absl::FailedPreconditionError("`namespace` must be a string");
    resource.ns = std::string(ViewOf(*ns));
  }

  const rapidjson::Value* json_schema = FindMember(stream, "json_schema");
  if (json_schema == nullptr) return absl::FailedPreconditionError("the stream has no `json_schema`");
  rapidjson::Document schema;
  schema.CopyFrom(*json_schema, schema.GetAllocator());
  ATF_ASSIGN_OR_RETURN(std::optional<ConnectorDir::StreamFile> patch, connector_dir.StreamPatch(recommended));
  if (patch.has_value()) ApplyMergePatch(schema, patch->json, schema.GetAllocator());
  FixNonstandardAttributes(schema);
  RemoveEnums(schema, schema.GetAllocator());
  if (files.date_to_datetime) DateToDateTime(schema, schema.GetAllocator());
  for (const std::string& warning : FixDocumentSchemaKeys(schema, key)) {
    log.Warn(warning, LogFields().Add("stream", name));
  }
  // A stream without a key gets the fallback key the capture fills in (D16):
  // Flow refuses an empty key at publish.
  const bool fallback_key = key.empty();
  if (fallback_key) {
    if (!AddMetaProperty(schema, "row_id", RowIdSchema(), /*required=*/true)) {
      return absl::FailedPreconditionError(
          "the stream has no primary key and its schema's `_meta` is not an object schema, so the fallback key "
          "/_meta/row_id cannot be added (add a pk.json naming its key)");
    }
    key.push_back(std::string(kRowIdPointer));
  }
  // A CDC stream's documents carry `_meta/op` (D17).
  if (IsCdcSchema(schema)) AddMetaProperty(schema, "op", OpSchema(), /*required=*/false);

  binding.set_recommended_name(recommended);
  binding.set_resource_config_json(resource.ToJson());
  binding.set_document_schema_json(WriteJson(schema));
  for (const std::string& pointer : key) binding.add_key(pointer);
  binding.set_disable(disable);
  if (fallback_key) binding.set_is_fallback_key(true);
  return binding;
}

}  // namespace

std::string RecommendedName(absl::string_view stream_name) {
  std::vector<std::string> pieces;
  for (absl::string_view piece : absl::StrSplit(stream_name, '/')) {
    std::string kept;
    for (size_t i = 0; i < piece.size();) {
      uint32_t cp = 0;
      size_t n = DecodeUtf8(piece, i, &cp);
      if (n == 0) {
        ++i;  // invalid UTF-8 is dropped
        continue;
      }
      bool keep = cp < 0x80 ? (std::isalnum(static_cast<int>(cp)) || cp == '-' || cp == '.' || cp == '_')
                            : IsNonAsciiAlphanumeric(cp);
      if (keep) kept.append(piece.data() + i, n);
      i += n;
    }
    if (!kept.empty()) pieces.push_back(std::move(kept));
  }
  return absl::StrJoin(pieces, "/");
}

absl::StatusOr<capture::Response> BuildDiscoverResponse(const rapidjson::Value& catalog,
                                                        const ConnectorDir& connector_dir, Logger log) {
  const rapidjson::Value* streams = FindMember(catalog, "streams");
  if (streams == nullptr || !streams->IsArray()) {
    return absl::FailedPreconditionError("the connector's CATALOG has no `streams` array");
  }
  StreamFiles files;
  ATF_ASSIGN_OR_RETURN(files.selected, connector_dir.SelectedStreams());
  ATF_ASSIGN_OR_RETURN(files.omitted, connector_dir.OmittedStreams());
  ATF_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> normalizations, connector_dir.SchemaNormalizations());
  for (const std::string& normalization : normalizations.value_or(std::vector<std::string>{})) {
    if (normalization == "date-to-datetime") {
      files.date_to_datetime = true;
    } else {
      log.Warn(absl::StrCat(connector_dir.PathOf("schema_normalizations.json"), ": ignoring unknown normalization `",
                            normalization, "` (only \"date-to-datetime\" exists)"));
    }
  }

  capture::Response response;
  capture::Response::Discovered* discovered = response.mutable_discovered();
  for (rapidjson::SizeType i = 0; i < streams->Size(); ++i) {
    const rapidjson::Value& stream = (*streams)[i];
    const rapidjson::Value* name = FindMember(stream, "name");
    if (name == nullptr || !name->IsString()) {
      return absl::FailedPreconditionError(absl::StrCat("catalog stream ", i, " has no string `name`"));
    }
    if (Contains(files.omitted, ViewOf(*name))) continue;
    const bool disable = files.selected.has_value() && !Contains(files.selected, ViewOf(*name));
    absl::StatusOr<capture::Response::Discovered::Binding> binding =
        BuildBinding(stream, ViewOf(*name), disable, files, connector_dir, log);
    if (!binding.ok()) return Annotate(binding.status(), absl::StrCat("catalog stream `", ViewOf(*name), "`"));
    *discovered->add_bindings() = std::move(*binding);
  }
  return response;
}

absl::StatusOr<std::vector<std::string>> DiscoverInterceptor::Prepare() {
  return ConfigOnlyCommand(ctx_, "discover", request_.config_json());
}

absl::Status DiscoverInterceptor::OnMessage(AirbyteMessage& message) {
  return TakeExpectedMessage(message, AirbyteType::kCatalog, &catalog_, log_);
}

absl::Status DiscoverInterceptor::Finish(const RunOutcome&) {
  if (!catalog_) return MissingExpectedMessage(AirbyteType::kCatalog);
  ATF_ASSIGN_OR_RETURN(capture::Response response, BuildDiscoverResponse(*catalog_, ctx_.connector_dir, log_));
  return ctx_.out.Write(response);
}

}  // namespace atf
