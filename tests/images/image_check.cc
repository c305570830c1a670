#include "tests/images/image_check.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "atf/base/json.h"
#include "patches/connector_dir.h"
#include "patches/pointer.h"
#include "tests/images/derived_image.h"
#include "tests/images/image_files.h"
#include "tests/images/patch_files.h"
#include "tests/images/upstream_snapshot.h"
#include "tests/testing/process.h"

namespace atf::images {
namespace {

namespace fs = std::filesystem;

constexpr absl::string_view kSpecRequest = R"({"spec":{"connectorType":"IMAGE","config":{}}})"
                                           "\n";
constexpr absl::string_view kDateExample = "2025-07-26";
constexpr int kProtocol = 3032023;

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A temporary folder removed when it goes out of scope.
class TempFolder {
 public:
  TempFolder() {
    const char* base = ::getenv("TMPDIR");
    std::string pattern = absl::StrCat(base && *base ? base : "/tmp", "/image-check-XXXXXX");
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

bool IsDate(absl::string_view text) {
  if (text.size() != kDateExample.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? text[i] != '-' : !absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

// metadata.json's `upstream_check`: what the pin was checked against, and the
// image facts it gave (agreeing with the Dockerfile).
void CheckUpstreamCheck(const std::string& path, const rapidjson::Value& doc, const DerivedImage& image,
                        std::vector<std::string>& problems) {
  const rapidjson::Value* check = FindMember(doc, "upstream_check");
  if (check == nullptr || !check->IsObject()) {
    problems.push_back(absl::StrCat(path,
                                    ": `upstream_check` must record what the pin was checked against: {version, "
                                    "released, sources, user, workdir, entrypoint}"));
    return;
  }
  auto text = [&](absl::string_view key) -> std::optional<std::string> {
    const rapidjson::Value* value = FindMember(*check, key);
    if (value == nullptr || !value->IsString() || value->GetStringLength() == 0) {
      problems.push_back(absl::StrCat(path, ": `upstream_check.", key, "` must be a non-empty string"));
      return std::nullopt;
    }
    return std::string(ViewOf(*value));
  };
  auto agree = [&](absl::string_view key, const std::optional<std::string>& value, const std::string& expected,
                   absl::string_view source) {
    if (value && !expected.empty() && *value != expected) {
      problems.push_back(
          absl::StrCat(path, ": `upstream_check.", key, "` is `", *value, "` but ", source, " says `", expected, "`"));
    }
  };
  agree("version", text("version"), image.upstream_tag, "the Dockerfile's FROM");
  if (std::optional<std::string> released = text("released"); released && !IsDate(*released)) {
    // A date that could not be found is said so, with what was left unverified.
    const rapidjson::Value* unverified = FindMember(*check, "unverified");
    if (*released != "unknown" || unverified == nullptr || !unverified->IsString() ||
        unverified->GetStringLength() == 0) {
      problems.push_back(absl::StrCat(path, ": `upstream_check.released` is `", *released,
                                      "`, must be the upstream release date as YYYY-MM-DD (or \"unknown\" with an "
                                      "`unverified` note saying what could not be checked)"));
    }
  }
  text("user");
  agree("workdir", text("workdir"), image.workdir, "the Dockerfile's WORKDIR");
  agree("entrypoint", text("entrypoint"), ConnectorEntrypointOf(image.entrypoint),
        "the ENTRYPOINT's --connector-entrypoint");
  const rapidjson::Value* sources = FindMember(*check, "sources");
  bool sources_ok = sources != nullptr && sources->IsArray() && !sources->Empty();
  for (rapidjson::SizeType i = 0; sources_ok && i < sources->Size(); ++i) {
    sources_ok = (*sources)[i].IsString() && (*sources)[i].GetStringLength() > 0;
  }
  if (!sources_ok) {
    problems.push_back(absl::StrCat(path, ": `upstream_check.sources` must list what was read (non-empty strings)"));
  }
}

// metadata.json: the registry's description of the connector.
void CheckMetadata(const std::string& folder, const std::string& name, const DerivedImage& image,
                   std::vector<std::string>& problems) {
  const std::string path = absl::StrCat(folder, "/metadata.json");
  std::optional<std::string> text = ReadFile(path);
  if (!text) {
    problems.push_back(absl::StrCat(path, ": missing (the registry lists connectors from it)"));
    return;
  }
  absl::StatusOr<rapidjson::Document> doc = ParseJson(*text, path);
  if (!doc.ok()) {
    problems.emplace_back(doc.status().message());
    return;
  }
  if (!doc->IsObject()) {
    problems.push_back(absl::StrCat(path, ": must be a JSON object"));
    return;
  }
  auto field = [&](absl::string_view key) -> std::optional<std::string> {
    const rapidjson::Value* value = FindMember(*doc, key);
    if (value == nullptr || !value->IsString() || value->GetStringLength() == 0) {
      problems.push_back(absl::StrCat(path, ": `", key, "` must be a non-empty string"));
      return std::nullopt;
    }
    return std::string(ViewOf(*value));
  };
  auto must_equal = [&](absl::string_view key, const std::optional<std::string>& value, const std::string& expected,
                        absl::string_view source) {
    if (value && !expected.empty() && *value != expected) {
      problems.push_back(absl::StrCat(path, ": `", key, "` is `", *value, "` but ", source, " says `", expected, "`"));
    }
  };
  must_equal("name", field("name"), name, "the folder name");
  field("display_name");
  field("license");
  field("description");
  if (std::optional<std::string> category = field("category");
      category && std::find(Categories().begin(), Categories().end(), *category) == Categories().end()) {
    problems.push_back(
        absl::StrCat(path, ": `category` is `", *category, "`, must be one of ", absl::StrJoin(Categories(), ", ")));
  }
  must_equal("upstream_image", field("upstream_image"), image.upstream_image, "the Dockerfile's FROM");
  must_equal("upstream_version", field("upstream_version"), image.upstream_tag, "the Dockerfile's FROM");
  std::optional<std::string> flow_version = field("flow_version");
  auto label = image.labels.find("io.airbyte.version");
  if (flow_version && !IsFlowVersion(*flow_version)) {
    problems.push_back(absl::StrCat(path, ": `flow_version` is `", *flow_version,
                                    "`, must be the Flow-facing major v1, v2, ... (bumped only on a breaking change)"));
  } else if (label != image.labels.end()) {
    must_equal("flow_version", flow_version, label->second, "the Dockerfile's LABEL io.airbyte.version");
  }
  CheckUpstreamCheck(path, *doc, image, problems);
  std::optional<std::string> url = field("documentation_url");
  absl::StatusOr<ConnectorDir::DocumentationUrlPatch> patch = ConnectorDir(folder).DocumentationUrl();
  if (patch.ok() && patch->url) must_equal("documentation_url", url, *patch->url, "documentation_url.patch.json");
}

// Every JSON file of the folder reaches the image, and every file that
// reaches it is a patch file the shim reads.
void CheckCoverage(const std::string& folder, const std::vector<ImageFile>& files, std::vector<std::string>& problems) {
  std::set<std::string> copied;
  for (const ImageFile& file : files) copied.insert(file.source);
  const std::string snapshot_prefix = absl::StrCat(kUpstreamDir, "/");
  for (const std::string& file : ListFiles(folder)) {
    if (absl::StartsWith(file, snapshot_prefix)) {
      // The recorded upstream snapshot is for the checks, never for the image.
      if (copied.count(file)) {
        problems.push_back(absl::StrCat(folder, "/", file, ": the upstream snapshot is copied into the image; add `",
                                        kUpstreamDir, "/` to .dockerignore"));
      }
      continue;
    }
    if (absl::EndsWith(file, ".json") && file != "metadata.json" && !copied.count(file)) {
      problems.push_back(absl::StrCat(folder, "/", file,
                                      ": not copied into the image (no COPY brings it), "
                                      "so the shim never sees it"));
    }
  }
  if (std::find_if(files.begin(), files.end(),
                   [](const ImageFile& f) { return f.target == "documentation_url.patch.json"; }) == files.end()) {
    problems.push_back(absl::StrCat(folder, ": the image has no documentation_url.patch.json"));
  }
}

// Each leaf of spec.patch.json as it must appear in the Spec response's
// config schema: a value at its pointer, or no member for a null.
void CheckSpecPatchLeaves(const rapidjson::Value& patch, const std::string& pointer, const rapidjson::Value& schema,
                          int& leaves, std::vector<std::string>& problems) {
  if (patch.IsObject() && !patch.ObjectEmpty()) {
    for (const auto& member : patch.GetObject()) {
      CheckSpecPatchLeaves(member.value, absl::StrCat(pointer, "/", EscapePointerToken(ViewOf(member.name))), schema,
                           leaves, problems);
    }
    return;
  }
  ++leaves;
  const rapidjson::Value* actual = QueryPointer(schema, pointer);
  if (patch.IsNull()) {
    if (actual != nullptr) {
      problems.push_back(
          absl::StrCat("spec.patch.json removes ", pointer, " but the Spec response's configSchema still has it"));
    }
  } else if (actual == nullptr || *actual != patch) {
    problems.push_back(absl::StrCat("spec.patch.json sets ", pointer, " to ", WriteJson(patch),
                                    " but the Spec response's configSchema has ",
                                    actual == nullptr ? std::string("nothing") : WriteJson(*actual)));
  }
}

// The Discover request's config: `{}`, plus a placeholder at every source of
// spec.map.json (remapping needs them).
std::string DiscoverRequest(const ConnectorDir& dir) {
  rapidjson::Document config(rapidjson::kObjectType);
  absl::StatusOr<std::optional<rapidjson::Document>> map = dir.ReadJson("spec.map.json");
  if (map.ok() && map->has_value() && (*map)->IsObject()) {
    for (const auto& entry : (*map)->GetObject()) {
      if (!entry.value.IsString()) continue;
      if (rapidjson::Value* at = CreatePointer(config, ViewOf(entry.value), config.GetAllocator()); at != nullptr) {
        at->SetString("replay", config.GetAllocator());
      }
    }
  }
  return absl::StrCat(R"({"discover":{"connectorType":"IMAGE","config":)", WriteJson(config), "}}\n");
}

bool WriteText(const std::string& path, absl::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

// Runs the image's ENTRYPOINT in the assembled WORKDIR, with the connector
// replaying the upstream snapshot in place of the upstream one, for a Spec and
// a Discover request, and checks both responses.
void RunFlow(const DerivedImage& image, const std::string& root, const std::string& folder, const Snapshot& snapshot,
             const CheckOptions& options, CheckResult& result) {
  std::vector<std::string>& problems = result.problems;
  const std::string workdir = root + image.workdir;
  fs::create_directories(root + "/tmp");
  std::string error;
  const std::string replay = WriteReplayConnector(snapshot, root + "/tmp", error);
  if (replay.empty()) {
    problems.push_back(error);
    return;
  }
  const std::string connector_entrypoint = ConnectorEntrypointOf(image.entrypoint);
  std::vector<std::string> args(image.entrypoint.begin() + 1, image.entrypoint.end());
  for (std::string& arg : args) {
    if (arg == connector_entrypoint) arg = replay;
    if (arg == absl::StrCat("--connector-entrypoint=", connector_entrypoint)) {
      arg = absl::StrCat("--connector-entrypoint=", replay);
    }
  }
  const ConnectorDir dir(folder);
  std::unique_ptr<testing::Process> process = testing::Process::Start(
      root + image.entrypoint.front(), args, {{"LOG_FORMAT", "json"}, {"TMPDIR", root + "/tmp"}}, workdir);
  if (!process) {
    problems.push_back(absl::StrCat("cannot run the ENTRYPOINT ", image.entrypoint.front()));
    return;
  }
  process->Write(kSpecRequest);
  process->Write(DiscoverRequest(dir));
  process->CloseStdin();
  testing::RunResult run = process->Wait(options.timeout_seconds);
  const std::string shown_command =
      absl::StrCat(image.entrypoint.front(), " ... (Spec and Discover, replaying ", snapshot.dir, ")");
  if (run.timed_out || run.exit_code != 0 || run.OutLines().size() != 2) {
    problems.push_back(
        absl::StrCat(shown_command, ": ",
                     run.timed_out ? "did not finish"
                                   : absl::StrCat("exit ", run.exit_code, ", ", run.OutLines().size(), " responses"),
                     "; last log line: ", run.LastErrMessage()));
    return;
  }
  absl::StatusOr<rapidjson::Document> response = ParseJson(run.OutLines()[0], "the Spec response");
  absl::StatusOr<rapidjson::Document> discover_response = ParseJson(run.OutLines()[1], "the Discover response");
  const rapidjson::Value* spec = response.ok() ? FindMember(*response, "spec") : nullptr;
  const rapidjson::Value* discovered = discover_response.ok() ? FindMember(*discover_response, "discovered") : nullptr;
  if (spec == nullptr || !spec->IsObject() || discovered == nullptr || !discovered->IsObject()) {
    problems.push_back(absl::StrCat(shown_command, ": not a Spec and a Discover response: ", run.OutLines()[0], " ",
                                    run.OutLines()[1]));
    return;
  }
  if (!options.emit_flow.empty()) {
    fs::create_directories(options.emit_flow);
    if (!WriteText(options.emit_flow + "/spec.json", WriteJson(*spec) + "\n") ||
        !WriteText(options.emit_flow + "/discover.json", WriteJson(*discovered) + "\n")) {
      problems.push_back(absl::StrCat("cannot write spec.json and discover.json into ", options.emit_flow));
    } else {
      result.shown.push_back(absl::StrCat("Flow spec.json and discover.json written to ", options.emit_flow));
    }
  }
  const rapidjson::Value* protocol = FindMember(*spec, "protocol");
  if (protocol == nullptr || !protocol->IsInt() || protocol->GetInt() != kProtocol) {
    problems.push_back(absl::StrCat("the Spec response's protocol is not ", kProtocol));
  }
  if (FindMember(*spec, "resourceConfigSchema") == nullptr) {
    problems.push_back("the Spec response has no resourceConfigSchema");
  }

  absl::StatusOr<ConnectorDir::DocumentationUrlPatch> url = dir.DocumentationUrl();
  const rapidjson::Value* documentation_url = FindMember(*spec, "documentationUrl");
  if (url.ok() && url->url) {
    if (documentation_url == nullptr || !documentation_url->IsString() || ViewOf(*documentation_url) != *url->url) {
      problems.push_back(absl::StrCat("the Spec response's documentationUrl is not ", *url->url));
    } else {
      result.shown.push_back(absl::StrCat("documentationUrl ", *url->url));
    }
  }

  absl::StatusOr<std::optional<rapidjson::Document>> oauth2 = dir.ReadJson("oauth2.patch.json");
  if (oauth2.ok() && oauth2->has_value()) {
    const rapidjson::Value* actual = FindMember(*spec, "oauth2");
    if (actual == nullptr || *actual != **oauth2) {
      problems.push_back(absl::StrCat("the Spec response's oauth2 is ",
                                      actual == nullptr ? std::string("missing") : WriteJson(*actual),
                                      ", not oauth2.patch.json"));
    } else {
      result.shown.push_back("oauth2 from oauth2.patch.json");
    }
  }

  absl::StatusOr<std::optional<rapidjson::Document>> patch = dir.SpecPatch();
  const rapidjson::Value* schema = FindMember(*spec, "configSchema");
  if (patch.ok() && patch->has_value() && schema != nullptr) {
    int leaves = 0;
    const size_t before = problems.size();
    CheckSpecPatchLeaves(**patch, "", *schema, leaves, problems);
    if (problems.size() == before) result.shown.push_back(absl::StrCat("spec.patch.json (", leaves, " values)"));
  }
  if (schema != nullptr) CheckOAuthMarks(dir, *schema, problems, result.shown);
  CheckPatchNames(snapshot, dir, *discovered, problems, result.shown);
}

}  // namespace

const std::vector<std::string>& Categories() {
  static const auto* categories = new std::vector<std::string>{"api", "database", "file", "other"};
  return *categories;
}

CheckResult CheckConnectorFolder(const std::string& folder_arg, const CheckOptions& options) {
  CheckResult result;
  std::vector<std::string>& problems = result.problems;
  std::string folder = fs::path(folder_arg).lexically_normal().string();
  while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
  const std::string name = fs::path(folder).filename().string();

  const std::string dockerfile_path = absl::StrCat(folder, "/Dockerfile");
  std::optional<std::string> dockerfile = ReadFile(dockerfile_path);
  if (!dockerfile) {
    problems.push_back(absl::StrCat(dockerfile_path, ": missing"));
    return result;
  }
  const DerivedImage image = ReadDerivedImage(*dockerfile, dockerfile_path, problems);
  const std::vector<ImageFile> files = ContextFiles(image, folder, dockerfile_path, problems);
  CheckMetadata(folder, name, image, problems);
  CheckCoverage(folder, files, problems);
  if (image.workdir.empty() || image.entrypoint.empty()) return result;

  // The image's working directory: the shim and the copied files.
  TempFolder root;
  if (root.path().empty()) {
    problems.push_back("cannot create a temporary folder");
    return result;
  }
  const std::string workdir = root.path() + image.workdir;
  std::error_code ec;
  fs::create_directories(workdir, ec);
  fs::copy_file(options.shim, root.path() + image.entrypoint.front(), ec);
  if (ec) {
    problems.push_back(
        absl::StrCat("cannot place the shim ", options.shim, " at ", image.entrypoint.front(), ": ", ec.message()));
    return result;
  }
  const ConnectorDir image_dir(workdir);
  for (const ImageFile& file : files) {
    const fs::path target = fs::path(workdir) / file.target;
    fs::create_directories(target.parent_path(), ec);
    fs::copy_file(fs::path(folder) / file.source, target, fs::copy_options::overwrite_existing, ec);
    absl::Status kind = CheckPatchFile(image_dir, file.target);
    if (!kind.ok()) {
      problems.push_back(absl::StrCat(folder, "/", file.source, " (at ", image.workdir, "/", file.target,
                                      " in the image): ", kind.message()));
    }
  }
  const std::string snapshot_dir =
      options.upstream.empty() ? absl::StrCat(folder, "/", kUpstreamDir) : options.upstream;
  std::optional<Snapshot> snapshot = LoadSnapshot(snapshot_dir, problems);
  if (!problems.empty() || !snapshot) return result;  // the run would only repeat them
  RunFlow(image, root.path(), folder, *snapshot, options, result);
  return result;
}

}  // namespace atf::images
