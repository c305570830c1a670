#include "tests/images/image_check.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "atf/base/json.h"
#include "patches/connector_dir.h"
#include "patches/pointer.h"
#include "tests/images/derived_image.h"
#include "tests/images/image_files.h"
#include "tests/images/patch_files.h"
#include "tests/testing/process.h"

namespace atf::images {
namespace {

namespace fs = std::filesystem;

constexpr absl::string_view kSpecRequest = R"({"spec":{"connectorType":"IMAGE","config":{}}})"
                                           "\n";
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
  std::optional<std::string> url = field("documentation_url");
  absl::StatusOr<ConnectorDir::DocumentationUrlPatch> patch = ConnectorDir(folder).DocumentationUrl();
  if (patch.ok() && patch->url) must_equal("documentation_url", url, *patch->url, "documentation_url.patch.json");
}

// Every JSON file of the folder reaches the image, and every file that
// reaches it is a patch file the shim reads.
void CheckCoverage(const std::string& folder, const std::vector<ImageFile>& files, std::vector<std::string>& problems) {
  std::set<std::string> copied;
  for (const ImageFile& file : files) copied.insert(file.source);
  for (const std::string& file : ListFiles(folder)) {
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

// Runs the image's ENTRYPOINT in the assembled WORKDIR with the demo
// connector in place of the upstream one, and checks the Spec response.
void RunSpec(const DerivedImage& image, const std::string& root, const std::string& folder, const CheckOptions& options,
             CheckResult& result) {
  std::vector<std::string>& problems = result.problems;
  const std::string workdir = root + image.workdir;
  const std::string connector_entrypoint = ConnectorEntrypointOf(image.entrypoint);
  std::vector<std::string> args(image.entrypoint.begin() + 1, image.entrypoint.end());
  for (std::string& arg : args) {
    if (arg == connector_entrypoint) arg = options.demo_connector;
    if (arg == absl::StrCat("--connector-entrypoint=", connector_entrypoint)) {
      arg = absl::StrCat("--connector-entrypoint=", options.demo_connector);
    }
  }
  fs::create_directories(root + "/tmp");
  std::unique_ptr<testing::Process> process = testing::Process::Start(
      root + image.entrypoint.front(), args, {{"LOG_FORMAT", "json"}, {"TMPDIR", root + "/tmp"}}, workdir);
  if (!process) {
    problems.push_back(absl::StrCat("cannot run the ENTRYPOINT ", image.entrypoint.front()));
    return;
  }
  process->Write(kSpecRequest);
  process->CloseStdin();
  testing::RunResult run = process->Wait(options.timeout_seconds);
  const std::string shown_command = absl::StrCat(image.entrypoint.front(), " ... (Spec, demo connector)");
  if (run.timed_out || run.exit_code != 0 || run.OutLines().size() != 1) {
    problems.push_back(
        absl::StrCat(shown_command, ": ",
                     run.timed_out ? "did not finish"
                                   : absl::StrCat("exit ", run.exit_code, ", ", run.OutLines().size(), " responses"),
                     "; last log line: ", run.LastErrMessage()));
    return;
  }
  absl::StatusOr<rapidjson::Document> response = ParseJson(run.OutLines().front(), "the Spec response");
  const rapidjson::Value* spec = response.ok() ? FindMember(*response, "spec") : nullptr;
  if (spec == nullptr || !spec->IsObject()) {
    problems.push_back(absl::StrCat(shown_command, ": not a Spec response: ", run.OutLines().front()));
    return;
  }
  const rapidjson::Value* protocol = FindMember(*spec, "protocol");
  if (protocol == nullptr || !protocol->IsInt() || protocol->GetInt() != kProtocol) {
    problems.push_back(absl::StrCat("the Spec response's protocol is not ", kProtocol));
  }
  if (FindMember(*spec, "resourceConfigSchema") == nullptr) {
    problems.push_back("the Spec response has no resourceConfigSchema");
  }

  const ConnectorDir dir(folder);
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
  if (!problems.empty()) return result;  // the Spec run would only repeat them
  RunSpec(image, root.path(), folder, options, result);
  return result;
}

}  // namespace atf::images
