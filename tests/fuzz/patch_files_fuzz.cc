// Patch files: the first byte picks a kind, the rest is the file. Each is read
// through the shim's own ConnectorDir and applied as the shim would; anything
// but a clean result or an error naming the file is a finding.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "interceptors/normalize.h"
#include "interceptors/pk.h"
#include "interceptors/schema.h"
#include "interceptors/schema_keys.h"
#include "patches/connector_dir.h"
#include "patches/merge_patch.h"
#include "patches/remap.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

constexpr const char* kFiles[] = {"spec.patch.json",
                                  "oauth2.patch.json",
                                  "documentation_url.patch.json",
                                  "spec.map.json",
                                  "selected_streams.json",
                                  "omitted_streams.json",
                                  "schema_normalizations.json",
                                  "streams/users.patch.json",
                                  "streams/users.pk.json",
                                  "streams/users.normalize.json",
                                  "run_interval_minutes.json"};

void Write(const std::string& path, absl::string_view contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  [[maybe_unused]] ssize_t n = ::write(fd, contents.data(), contents.size());
  ::close(fd);
}

// An error must name the file it is about.
void CheckError(const absl::Status& status, const std::string& file) {
  if (!status.ok()) FUZZ_CHECK(absl::StrContains(status.message(), file));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string& root = atf::fuzz::ScratchDir();
  ::mkdir(absl::StrCat(root, "/streams").c_str(), 0700);
  const std::string file = kFiles[data[0] % (sizeof(kFiles) / sizeof(kFiles[0]))];
  const std::string path = absl::StrCat(root, "/", file);
  Write(path, absl::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  atf::ConnectorDir dir(root);

  rapidjson::Document schema = atf::fuzz::ReferenceParse(
      R"({"type":"object","properties":{"id":{"type":["integer","null"]},"t":{"type":"string","format":"date"},"a":{"items":{"enum":[1,"x"]}}}})");
  if (file == "spec.patch.json") {
    absl::StatusOr<std::optional<rapidjson::Document>> patch = dir.SpecPatch();
    CheckError(patch.status(), file);
    if (patch.ok() && patch->has_value()) {
      atf::ApplyMergePatch(schema, **patch, schema.GetAllocator());
      atf::FixNonstandardAttributes(schema);
      atf::RemoveEnums(schema, schema.GetAllocator());
      FUZZ_CHECK(atf::IsValidJson(atf::WriteJson(schema)));
    }
  } else if (file == "oauth2.patch.json") {
    CheckError(dir.OAuth2Patch().status(), file);
  } else if (file == "documentation_url.patch.json") {
    CheckError(dir.DocumentationUrl().status(), file);
  } else if (file == "spec.map.json") {
    absl::StatusOr<std::optional<atf::ConfigMap>> map = dir.SpecMap();
    CheckError(map.status(), file);
    if (map.ok() && map->has_value()) {
      rapidjson::Document config = atf::fuzz::ReferenceParse(R"({"a":{"b":[1,2]},"c":"x"})");
      CheckError(atf::RemapConfig(config, **map, file), file);
      FUZZ_CHECK(atf::IsValidJson(atf::WriteJson(config)));
    }
  } else if (file == "selected_streams.json") {
    CheckError(dir.SelectedStreams().status(), file);
  } else if (file == "omitted_streams.json") {
    CheckError(dir.OmittedStreams().status(), file);
  } else if (file == "schema_normalizations.json") {
    CheckError(dir.SchemaNormalizations().status(), file);
  } else if (file == "streams/users.patch.json") {
    absl::StatusOr<std::optional<atf::ConnectorDir::StreamFile>> patch = dir.StreamPatch("users");
    CheckError(patch.status(), file);
    if (patch.ok() && patch->has_value()) {
      atf::ApplyMergePatch(schema, (*patch)->json, schema.GetAllocator());
      atf::FixNonstandardAttributes(schema);
      atf::RemoveEnums(schema, schema.GetAllocator());
      atf::DateToDateTime(schema, schema.GetAllocator());
      (void)atf::FixDocumentSchemaKeys(schema, {"/id", "/a/0"});
      (void)atf::NormalizationPlan::Compile(schema, {"/t"});
      FUZZ_CHECK(atf::IsValidJson(atf::WriteJson(schema)));
    }
  } else if (file == "streams/users.pk.json") {
    rapidjson::Document stream = atf::fuzz::ReferenceParse(R"({"name":"users"})");
    absl::StatusOr<std::vector<std::string>> key = atf::ResolveKey(stream, "users", dir);
    CheckError(key.status(), file);
    if (key.ok()) {
      for (const std::string& pointer : *key) FUZZ_CHECK(pointer.size() > 1 && pointer[0] == '/');
      (void)atf::FixDocumentSchemaKeys(schema, *key);
    }
  } else if (file == "streams/users.normalize.json") {
    absl::StatusOr<std::optional<std::vector<std::string>>> pointers = dir.StreamNormalizations("users");
    CheckError(pointers.status(), file);
    if (pointers.ok() && pointers->has_value()) (void)atf::NormalizationPlan::Compile(schema, **pointers);
  } else {
    CheckError(dir.RunIntervalMinutes().status(), file);
  }
  ::unlink(path.c_str());
  return 0;
}
