#include "tests/images/patch_files.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "interceptors/pk.h"

namespace atf::images {
namespace {

absl::Status MustBeObject(const ConnectorDir& dir, const std::string& relative, absl::string_view what) {
  ATF_ASSIGN_OR_RETURN(std::optional<rapidjson::Document> doc, dir.ReadJson(relative));
  if (doc.has_value() && !doc->IsObject()) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir.PathOf(relative), ": must be a JSON object (", what, "), got ", JsonTypeName(*doc)));
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status StatusOf(const absl::StatusOr<T>& result) {
  return result.status();
}

}  // namespace

const std::vector<std::string>& PatchFileNames() {
  static const auto* names = new std::vector<std::string>{
      "spec.patch.json",
      "spec.map.json",
      "oauth2.patch.json",
      "documentation_url.patch.json",
      "schema_normalizations.json",
      "selected_streams.json",
      "omitted_streams.json",
      "run_interval_minutes.json",
  };
  return *names;
}

absl::Status CheckPatchFile(const ConnectorDir& dir, const std::string& relative) {
  if (relative == "spec.patch.json") return MustBeObject(dir, relative, "a merge patch of the config schema");
  if (relative == "spec.map.json") return StatusOf(dir.SpecMap());
  if (relative == "oauth2.patch.json") return StatusOf(dir.OAuth2Patch());
  if (relative == "documentation_url.patch.json") {
    ATF_ASSIGN_OR_RETURN(ConnectorDir::DocumentationUrlPatch patch, dir.DocumentationUrl());
    if (!patch.url) {
      return absl::FailedPreconditionError(
          absl::StrCat(dir.PathOf(relative), ": must be {\"documentation_url\": \"https://...\"}"));
    }
    return absl::OkStatus();
  }
  if (relative == "selected_streams.json") return StatusOf(dir.SelectedStreams());
  if (relative == "omitted_streams.json") return StatusOf(dir.OmittedStreams());
  if (relative == "run_interval_minutes.json") return StatusOf(dir.RunIntervalMinutes());
  if (relative == "schema_normalizations.json") {
    ATF_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> list, dir.SchemaNormalizations());
    for (const std::string& name : list.value_or(std::vector<std::string>{})) {
      if (name != "date-to-datetime") {
        return absl::FailedPreconditionError(absl::StrCat(dir.PathOf(relative), ": unknown normalization `", name,
                                                          "` (only \"date-to-datetime\" exists)"));
      }
    }
    return absl::OkStatus();
  }
  absl::string_view stream = relative;
  if (absl::ConsumePrefix(&stream, "streams/") && !stream.empty()) {
    if (absl::ConsumeSuffix(&stream, ".patch.json")) {
      return MustBeObject(dir, relative, "a merge patch of the stream's schema");
    }
    if (absl::ConsumeSuffix(&stream, ".pk.json")) {
      rapidjson::Document no_stream(rapidjson::kObjectType);
      return StatusOf(ResolveKey(no_stream, stream, dir));
    }
    if (absl::ConsumeSuffix(&stream, ".normalize.json")) return StatusOf(dir.StreamNormalizations(stream));
  }
  return absl::NotFoundError(absl::StrCat(relative, " is not a patch file the shim reads (those are ",
                                          absl::StrJoin(PatchFileNames(), ", "),
                                          " and streams/<stream>.patch.json, .pk.json, .normalize.json)"));
}

}  // namespace atf::images
