#include "patches/connector_dir.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "atf/base/fd.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "atf/protocol/flow_json.h"

namespace atf {

ConnectorDir::ConnectorDir(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  if (root_.empty()) root_ = std::string(".");
}

std::string ConnectorDir::PathOf(absl::string_view relative) const {
  if (root_ == ".") return std::string(relative);
  return absl::StrCat(root_, "/", relative);
}

absl::StatusOr<std::optional<std::string>> ConnectorDir::ReadText(absl::string_view relative) const {
  const std::string path = PathOf(relative);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", path, ": ", ::strerror(errno)));
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", path, ": not a regular file"));
  }
  absl::StatusOr<std::string> text = ReadAll(fd);
  ::close(fd);
  if (!text.ok())
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", path, ": ", text.status().message()));
  return std::optional<std::string>(std::move(*text));
}

absl::StatusOr<std::optional<rapidjson::Document>> ConnectorDir::ReadJson(absl::string_view relative) const {
  ATF_ASSIGN_OR_RETURN(std::optional<std::string> text, ReadText(relative));
  if (!text.has_value()) return std::nullopt;
  absl::StatusOr<rapidjson::Document> doc = ParseJson(*text, PathOf(relative));
  if (!doc.ok()) return absl::FailedPreconditionError(doc.status().message());
  return std::optional<rapidjson::Document>(std::move(*doc));
}

absl::StatusOr<std::optional<rapidjson::Document>> ConnectorDir::ReadObject(absl::string_view relative,
                                                                            absl::string_view what) const {
  ATF_ASSIGN_OR_RETURN(std::optional<rapidjson::Document> doc, ReadJson(relative));
  if (doc.has_value() && !doc->IsObject()) {
    return absl::FailedPreconditionError(
        absl::StrCat(PathOf(relative), ": must be a JSON object (", what, "), got ", JsonTypeName(*doc)));
  }
  return doc;
}

absl::StatusOr<std::optional<rapidjson::Document>> ConnectorDir::SpecPatch() const {
  return ReadObject("spec.patch.json", "a merge patch of the config schema");
}

absl::StatusOr<std::optional<flow::OAuth2>> ConnectorDir::OAuth2Patch() const {
  constexpr absl::string_view kFile = "oauth2.patch.json";
  ATF_ASSIGN_OR_RETURN(std::optional<std::string> text, ReadText(kFile));
  if (!text.has_value()) return std::nullopt;
  // Syntax errors first, with line and column like every other patch file.
  if (absl::StatusOr<rapidjson::Document> syntax = ParseJson(*text, PathOf(kFile)); !syntax.ok()) {
    return absl::FailedPreconditionError(syntax.status().message());
  }
  flow::OAuth2 oauth2;
  absl::Status decoded = DecodeFlowJson(*text, &oauth2, FlowJsonOptions::Strict());
  if (!decoded.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(PathOf(kFile), ": not a valid Flow OAuth2 spec: ", decoded.message()));
  }
  return std::optional<flow::OAuth2>(std::move(oauth2));
}

absl::StatusOr<ConnectorDir::DocumentationUrlPatch> ConnectorDir::DocumentationUrl() const {
  ATF_ASSIGN_OR_RETURN(std::optional<rapidjson::Document> doc,
                       ReadObject("documentation_url.patch.json", R"({"documentation_url": "https://..."})"));
  DocumentationUrlPatch patch;
  if (!doc.has_value()) return patch;
  patch.present = true;
  if (const rapidjson::Value* url = FindMember(*doc, "documentation_url"); url != nullptr && url->IsString()) {
    patch.url = std::string(ViewOf(*url));
  }
  return patch;
}

absl::StatusOr<std::optional<ConfigMap>> ConnectorDir::SpecMap() const {
  constexpr absl::string_view kFile = "spec.map.json";
  ATF_ASSIGN_OR_RETURN(std::optional<rapidjson::Document> doc, ReadJson(kFile));
  if (!doc.has_value()) return std::nullopt;
  const rapidjson::Value& map = *doc;
  if (!map.IsObject()) {
    return absl::FailedPreconditionError(
        absl::StrCat(PathOf(kFile), ": must be an object of {\"<destination pointer>\": \"<source pointer>\"}, got ",
                     JsonTypeName(map)));
  }
  ConfigMap entries;
  for (const auto& member : map.GetObject()) {
    if (!member.value.IsString()) {
      return absl::FailedPreconditionError(absl::StrCat(PathOf(kFile), ": the source of `", ViewOf(member.name),
                                                        "` must be a string pointer, got ",
                                                        JsonTypeName(member.value)));
    }
    entries.emplace_back(std::string(ViewOf(member.name)), std::string(ViewOf(member.value)));
  }
  return std::optional<ConfigMap>(std::move(entries));
}

absl::StatusOr<std::optional<std::vector<std::string>>> ConnectorDir::ReadStringList(absl::string_view relative) const {
  ATF_ASSIGN_OR_RETURN(std::optional<rapidjson::Document> doc, ReadJson(relative));
  if (!doc.has_value()) return std::nullopt;
  const rapidjson::Value& list = *doc;
  auto wrong = [&](absl::string_view what) {
    return absl::FailedPreconditionError(absl::StrCat(PathOf(relative), ": must be an array of strings, ", what));
  };
  if (!list.IsArray()) return wrong(absl::StrCat("got ", JsonTypeName(list)));
  std::vector<std::string> out;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    if (!list[i].IsString()) return wrong(absl::StrCat("element ", i, " is ", JsonTypeName(list[i])));
    out.emplace_back(ViewOf(list[i]));
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

absl::StatusOr<std::optional<std::vector<std::string>>> ConnectorDir::SelectedStreams() const {
  return ReadStringList("selected_streams.json");
}

absl::StatusOr<std::optional<std::vector<std::string>>> ConnectorDir::OmittedStreams() const {
  return ReadStringList("omitted_streams.json");
}

absl::StatusOr<std::optional<std::vector<std::string>>> ConnectorDir::SchemaNormalizations() const {
  return ReadStringList("schema_normalizations.json");
}

std::optional<std::string> ConnectorDir::StreamPath(absl::string_view name, absl::string_view suffix) {
  for (absl::string_view segment : absl::StrSplit(name, '/')) {
    if (segment == "..") return std::nullopt;
  }
  if (name.find('\0') != absl::string_view::npos) return std::nullopt;
  return absl::StrCat("streams/", name, suffix);
}

absl::StatusOr<std::optional<ConnectorDir::StreamFile>> ConnectorDir::StreamFileWithFallback(
    absl::string_view name, absl::string_view suffix) const {
  std::vector<std::string> candidates;
  if (std::optional<std::string> specific = StreamPath(name, suffix)) candidates.push_back(*specific);
  candidates.push_back(absl::StrCat("streams/*", suffix));
  for (const std::string& relative : candidates) {
    ATF_ASSIGN_OR_RETURN(std::optional<rapidjson::Document> doc, ReadJson(relative));
    if (doc.has_value()) return std::optional<StreamFile>(StreamFile{relative, std::move(*doc)});
  }
  return std::nullopt;
}

absl::StatusOr<std::optional<ConnectorDir::StreamFile>> ConnectorDir::StreamPatch(
    absl::string_view recommended_name) const {
  ATF_ASSIGN_OR_RETURN(std::optional<StreamFile> file, StreamFileWithFallback(recommended_name, ".patch.json"));
  if (file.has_value() && !file->json.IsObject()) {
    return absl::FailedPreconditionError(
        absl::StrCat(PathOf(file->relative_path),
                     ": must be a JSON object (a merge patch of the stream's schema), got ", JsonTypeName(file->json)));
  }
  return file;
}

absl::StatusOr<std::optional<ConnectorDir::StreamFile>> ConnectorDir::StreamKey(
    absl::string_view recommended_name) const {
  return StreamFileWithFallback(recommended_name, ".pk.json");
}

absl::StatusOr<std::optional<std::vector<std::string>>> ConnectorDir::StreamNormalizations(
    absl::string_view stream) const {
  std::optional<std::string> relative = StreamPath(stream, ".normalize.json");
  if (!relative) return std::nullopt;
  ATF_ASSIGN_OR_RETURN(std::optional<rapidjson::Document> doc, ReadJson(*relative));
  if (!doc.has_value()) return std::nullopt;
  const rapidjson::Value& list = *doc;
  auto wrong = [&](absl::string_view what) {
    return absl::FailedPreconditionError(
        absl::StrCat(PathOf(*relative),
                     ": must be an array of {\"pointer\": \"/...\", \"normalization\": \"datetime_to_date\"}, ", what));
  };
  if (!list.IsArray()) return wrong(absl::StrCat("got ", JsonTypeName(list)));
  std::vector<std::string> pointers;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    const rapidjson::Value* pointer = FindMember(list[i], "pointer");
    const rapidjson::Value* normalization = FindMember(list[i], "normalization");
    if (pointer == nullptr || !pointer->IsString() || normalization == nullptr || !normalization->IsString()) {
      return wrong(absl::StrCat("element ", i, " is ", WriteJson(list[i])));
    }
    if (ViewOf(*normalization) != "datetime_to_date") {
      return wrong(absl::StrCat("element ", i, " names the unknown normalization `", ViewOf(*normalization), "`"));
    }
    pointers.emplace_back(ViewOf(*pointer));
  }
  return std::optional<std::vector<std::string>>(std::move(pointers));
}

absl::StatusOr<std::optional<uint64_t>> ConnectorDir::RunIntervalMinutes() const {
  constexpr absl::string_view kFile = "run_interval_minutes.json";
  ATF_ASSIGN_OR_RETURN(std::optional<std::string> text, ReadText(kFile));
  if (!text.has_value()) return std::nullopt;
  absl::string_view trimmed = absl::StripAsciiWhitespace(*text);
  uint64_t minutes;
  if (trimmed.empty() || trimmed.front() == '+' || trimmed.front() == '-' || !absl::SimpleAtoi(trimmed, &minutes)) {
    return absl::FailedPreconditionError(
        absl::StrCat(PathOf(kFile), ": must be a whole number of minutes such as 60, got `", trimmed, "`"));
  }
  return std::optional<uint64_t>(minutes);
}

}  // namespace atf
