#include "atf/drive/catalog.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "atf/drive/files.h"
#include "atf/drive/json_util.h"

namespace atf::drive {
namespace {

using Allocator = rapidjson::Document::AllocatorType;

rapidjson::Value Parsed(absl::string_view json, Allocator& allocator) {
  absl::StatusOr<rapidjson::Document> doc = ParseJson(json, "value");
  if (!doc.ok()) return rapidjson::Value(rapidjson::kObjectType);  // the shim only writes valid JSON
  return rapidjson::Value(*doc, allocator);
}

absl::Status Malformed(const std::string& file, absl::string_view where, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(file, ": ", where, where.empty() ? "" : ": ", problem));
}

// A JSON value given inline, or as the name of a file relative to `dir`
// (as Flow resolves `config: config.json`).
absl::StatusOr<std::string> InlineOrFile(const rapidjson::Value& value, const std::string& dir, const std::string& file,
                                         absl::string_view where) {
  if (value.IsString()) {
    const std::string path = JoinPath(dir, ViewOf(value));
    ATF_ASSIGN_OR_RETURN(rapidjson::Document doc, ReadJsonFile(path));
    if (!doc.IsObject()) return Malformed(path, "", "expected a JSON object");
    return WriteJson(doc);
  }
  if (!value.IsObject()) return Malformed(file, where, "expected an object or the name of a JSON file");
  return WriteJson(value);
}

absl::Status ReadBinding(const rapidjson::Value& binding, size_t index, const std::string& file, CatalogBinding* out) {
  const std::string where = absl::StrCat("bindings[", index, "]");
  if (!binding.IsObject()) return Malformed(file, where, "expected an object");
  const rapidjson::Value* resource = FindMember(binding, "resource");
  if (resource == nullptr || !resource->IsObject()) return Malformed(file, where, "needs a `resource` object");
  out->resource_json = WriteJson(*resource);
  const rapidjson::Value* target = FindMember(binding, "target");
  if (target == nullptr || !target->IsString() || target->GetStringLength() == 0) {
    return Malformed(file, where, "needs a `target` collection name");
  }
  out->target = std::string(ViewOf(*target));
  if (const rapidjson::Value* disable = FindMember(binding, "disable")) {
    if (!disable->IsBool()) return Malformed(file, where, "`disable` must be true or false");
    out->disable = disable->GetBool();
  }
  if (const rapidjson::Value* backfill = FindMember(binding, "backfill")) {
    if (!backfill->IsUint()) return Malformed(file, where, "`backfill` must be a non-negative integer");
    out->backfill = backfill->GetUint();
  }
  return absl::OkStatus();
}

absl::Status ReadCollection(const rapidjson::Value& collections, const std::string& dir, const std::string& file,
                            size_t index, CatalogBinding* binding) {
  const rapidjson::Value* collection = FindMember(collections, binding->target);
  const std::string where = absl::StrCat("collection `", binding->target, "`");
  if (collection == nullptr) {
    return Malformed(file, "",
                     absl::StrCat("no collection `", binding->target, "` (the target of bindings[", index, "] in ",
                                  kCaptureFile, ")"));
  }
  const rapidjson::Value* schema = FindMember(*collection, "schema");
  if (schema == nullptr) schema = FindMember(*collection, "writeSchema");
  if (schema == nullptr) return Malformed(file, where, "needs a `schema` (or `writeSchema`)");
  ATF_ASSIGN_OR_RETURN(binding->schema_json, InlineOrFile(*schema, dir, file, where));
  const rapidjson::Value* key = FindMember(*collection, "key");
  if (key == nullptr || !key->IsArray() || key->Empty()) {
    return Malformed(file, where, "needs a `key`: a non-empty list of JSON pointers");
  }
  for (const rapidjson::Value& pointer : key->GetArray()) {
    if (!pointer.IsString() || !absl::StartsWith(ViewOf(pointer), "/")) {
      return Malformed(file, where, "each `key` entry must be a JSON pointer such as \"/id\"");
    }
    binding->key.emplace_back(ViewOf(pointer));
  }
  return absl::OkStatus();
}

}  // namespace

CatalogNames NamesFor(const std::string& connector_dir, const std::string& prefix, const std::string& image) {
  const std::string folder = BaseName(connector_dir);
  CatalogNames names;
  names.prefix = prefix.empty() ? absl::StrCat("acmeCo/", folder) : prefix;
  while (absl::EndsWith(names.prefix, "/")) names.prefix.pop_back();
  names.capture_name = absl::StrCat(names.prefix, "/", folder);
  names.image = image.empty() ? absl::StrCat("ghcr.io/estuary/", folder, ":local") : image;
  return names;
}

Catalog CatalogFromDiscovered(const capture::Response::Discovered& discovered, const CatalogNames& names,
                              std::string config_json) {
  Catalog catalog;
  catalog.capture_name = names.capture_name;
  catalog.image = names.image;
  catalog.config_json = std::move(config_json);
  for (const auto& found : discovered.bindings()) {
    CatalogBinding binding;
    binding.recommended_name = found.recommended_name();
    binding.resource_json = found.resource_config_json();
    binding.target = absl::StrCat(names.prefix, "/", found.recommended_name());
    binding.disable = found.disable();
    binding.schema_json = found.document_schema_json();
    binding.key.assign(found.key().begin(), found.key().end());
    catalog.bindings.push_back(std::move(binding));
  }
  return catalog;
}

absl::Status WriteCatalog(const Catalog& catalog, const std::string& dir) {
  ATF_RETURN_IF_ERROR(MakeDirectories(dir));
  rapidjson::Document flow(rapidjson::kObjectType);
  Allocator& fa = flow.GetAllocator();
  rapidjson::Value imports(rapidjson::kArrayType);
  imports.PushBack(rapidjson::StringRef(kCaptureFile), fa).PushBack(rapidjson::StringRef(kCollectionsFile), fa);
  flow.AddMember("import", imports, fa);

  rapidjson::Document captures(rapidjson::kObjectType);
  rapidjson::Document collections(rapidjson::kObjectType);
  Allocator& ca = captures.GetAllocator();
  Allocator& la = collections.GetAllocator();
  rapidjson::Value bindings(rapidjson::kArrayType);
  rapidjson::Value collection_map(rapidjson::kObjectType);
  for (const CatalogBinding& binding : catalog.bindings) {
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("resource", Parsed(binding.resource_json, ca), ca);
    entry.AddMember("target", StringValue(binding.target, ca), ca);
    if (binding.disable) entry.AddMember("disable", true, ca);
    if (binding.backfill != 0) entry.AddMember("backfill", binding.backfill, ca);
    bindings.PushBack(entry, ca);
    rapidjson::Value collection(rapidjson::kObjectType);
    collection.AddMember("schema", Parsed(binding.schema_json, la), la);
    rapidjson::Value key(rapidjson::kArrayType);
    for (const std::string& pointer : binding.key) key.PushBack(StringValue(pointer, la), la);
    collection.AddMember("key", key, la);
    collection_map.AddMember(StringValue(binding.target, la), collection, la);
  }
  rapidjson::Value connector(rapidjson::kObjectType);
  connector.AddMember("image", StringValue(catalog.image, ca), ca);
  connector.AddMember("config", rapidjson::StringRef(kConfigFile), ca);
  rapidjson::Value endpoint(rapidjson::kObjectType);
  endpoint.AddMember("connector", connector, ca);
  rapidjson::Value capture(rapidjson::kObjectType);
  capture.AddMember("endpoint", endpoint, ca);
  capture.AddMember("bindings", bindings, ca);
  rapidjson::Value capture_map(rapidjson::kObjectType);
  capture_map.AddMember(StringValue(catalog.capture_name, ca), capture, ca);
  captures.AddMember("captures", capture_map, ca);
  collections.AddMember("collections", collection_map, la);

  absl::StatusOr<rapidjson::Document> config = ParseJson(catalog.config_json, "the endpoint config");
  if (!config.ok()) return config.status();
  ATF_RETURN_IF_ERROR(WriteTextFile(JoinPath(dir, kConfigFile), PrettyJson(*config)));
  ATF_RETURN_IF_ERROR(WriteTextFile(JoinPath(dir, kCollectionsFile), PrettyJson(collections)));
  ATF_RETURN_IF_ERROR(WriteTextFile(JoinPath(dir, kCaptureFile), PrettyJson(captures)));
  return WriteTextFile(JoinPath(dir, kFlowFile), PrettyJson(flow));
}

absl::StatusOr<Catalog> ReadCatalog(const std::string& dir) {
  const std::string capture_file = JoinPath(dir, kCaptureFile);
  const std::string collections_file = JoinPath(dir, kCollectionsFile);
  ATF_ASSIGN_OR_RETURN(rapidjson::Document captures, ReadJsonFile(capture_file));
  ATF_ASSIGN_OR_RETURN(rapidjson::Document collections, ReadJsonFile(collections_file));
  const rapidjson::Value* capture_map = FindMember(captures, "captures");
  if (capture_map == nullptr || !capture_map->IsObject() || capture_map->MemberCount() != 1) {
    return Malformed(capture_file, "", "expected `captures` with exactly one capture");
  }
  Catalog catalog;
  const auto& named = *capture_map->MemberBegin();
  catalog.capture_name = std::string(ViewOf(named.name));
  const std::string where = absl::StrCat("capture `", catalog.capture_name, "`");
  const rapidjson::Value* connector = FindMember(named.value, "endpoint");
  if (connector != nullptr) connector = FindMember(*connector, "connector");
  if (connector == nullptr || !connector->IsObject()) return Malformed(capture_file, where, "needs endpoint.connector");
  if (const rapidjson::Value* image = FindMember(*connector, "image"); image && image->IsString()) {
    catalog.image = std::string(ViewOf(*image));
  }
  const rapidjson::Value* config = FindMember(*connector, "config");
  if (config == nullptr) return Malformed(capture_file, where, "needs endpoint.connector.config");
  ATF_ASSIGN_OR_RETURN(catalog.config_json, InlineOrFile(*config, dir, capture_file, where));

  const rapidjson::Value* collection_map = FindMember(collections, "collections");
  if (collection_map == nullptr || !collection_map->IsObject()) {
    return Malformed(collections_file, "", "expected a `collections` object");
  }
  const rapidjson::Value* bindings = FindMember(named.value, "bindings");
  if (bindings == nullptr || !bindings->IsArray()) return Malformed(capture_file, where, "needs a `bindings` list");
  const size_t slash = catalog.capture_name.rfind('/');
  const std::string prefix = slash == std::string::npos ? "" : catalog.capture_name.substr(0, slash + 1);
  for (rapidjson::SizeType i = 0; i < bindings->Size(); ++i) {
    CatalogBinding binding;
    ATF_RETURN_IF_ERROR(ReadBinding((*bindings)[i], i, capture_file, &binding));
    ATF_RETURN_IF_ERROR(ReadCollection(*collection_map, dir, collections_file, i, &binding));
    binding.recommended_name = !prefix.empty() && absl::StartsWith(binding.target, prefix)
                                   ? binding.target.substr(prefix.size())
                                   : binding.target;
    catalog.bindings.push_back(std::move(binding));
  }
  return catalog;
}

}  // namespace atf::drive
