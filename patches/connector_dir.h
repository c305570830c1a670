// The connector folder (--connector-dir, by default the working directory)
// and the patch files in it. Every lookup stays inside the folder; a file that
// does not exist means "not configured", while a file that exists but cannot
// be read or is malformed is an error naming the file and what is wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "flow.pb.h"
#include "patches/remap.h"
#include "rapidjson/document.h"

namespace atf {

class ConnectorDir {
 public:
  explicit ConnectorDir(std::string root);

  const std::string& root() const { return root_; }
  // The path of `relative` inside the folder, as shown in errors.
  std::string PathOf(absl::string_view relative) const;

  // The text of `relative`, or nullopt when it does not exist.
  absl::StatusOr<std::optional<std::string>> ReadText(absl::string_view relative) const;
  // `relative` parsed as JSON, or nullopt when it does not exist.
  absl::StatusOr<std::optional<rapidjson::Document>> ReadJson(absl::string_view relative) const;

  // `relative` parsed as JSON, which must be an object (`what` it holds, for the error).
  absl::StatusOr<std::optional<rapidjson::Document>> ReadObject(absl::string_view relative,
                                                                absl::string_view what) const;

  // spec.patch.json: an RFC 7396 merge patch for the config schema (an object).
  absl::StatusOr<std::optional<rapidjson::Document>> SpecPatch() const;

  // oauth2.patch.json: a complete flow.OAuth2 in Flow's JSON form, replacing
  // the connector's own authSpecification.
  absl::StatusOr<std::optional<flow::OAuth2>> OAuth2Patch() const;

  // documentation_url.patch.json: {"documentation_url": "<url>"}.
  struct DocumentationUrlPatch {
    bool present = false;            // the file exists
    std::optional<std::string> url;  // its string `documentation_url`, if any
  };
  absl::StatusOr<DocumentationUrlPatch> DocumentationUrl() const;

  // spec.map.json: {"<destination pointer>": "<source pointer>", ...}.
  absl::StatusOr<std::optional<ConfigMap>> SpecMap() const;

  // selected_streams.json, omitted_streams.json, schema_normalizations.json:
  // arrays of strings.
  absl::StatusOr<std::optional<std::vector<std::string>>> SelectedStreams() const;
  absl::StatusOr<std::optional<std::vector<std::string>>> OmittedStreams() const;
  absl::StatusOr<std::optional<std::vector<std::string>>> SchemaNormalizations() const;

  // A per-stream file: its path relative to the folder, and its JSON.
  struct StreamFile {
    std::string relative_path;
    rapidjson::Document json;
  };

  // streams/<name>.patch.json, else the literal streams/*.patch.json (an object).
  absl::StatusOr<std::optional<StreamFile>> StreamPatch(absl::string_view recommended_name) const;
  // streams/<name>.pk.json, else the literal streams/*.pk.json.
  absl::StatusOr<std::optional<StreamFile>> StreamKey(absl::string_view recommended_name) const;

  // streams/<raw stream name>.normalize.json (no wildcard): the pointers
  // given `datetime_to_date`, from [{"pointer": "/a", "normalization":
  // "datetime_to_date"}, ...].
  absl::StatusOr<std::optional<std::vector<std::string>>> StreamNormalizations(absl::string_view stream) const;

  // run_interval_minutes.json: a whole number of minutes.
  absl::StatusOr<std::optional<uint64_t>> RunIntervalMinutes() const;

  // streams/<name><suffix>, or nullopt when `name` would leave streams/ (a
  // `..` segment): such a name is never used as a path.
  static std::optional<std::string> StreamPath(absl::string_view name, absl::string_view suffix);

 private:
  absl::StatusOr<std::optional<std::vector<std::string>>> ReadStringList(absl::string_view relative) const;
  // The specific file when it exists, else the `*` wildcard file.
  absl::StatusOr<std::optional<StreamFile>> StreamFileWithFallback(absl::string_view name,
                                                                   absl::string_view suffix) const;

  std::string root_;
};

}  // namespace atf
