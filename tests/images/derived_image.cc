#include "tests/images/derived_image.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/images/dockerfile.h"

namespace atf::images {
namespace {

constexpr absl::string_view kShimTagArg = "AIRBYTE_TO_FLOW_TAG";
constexpr absl::string_view kShimImageArg = "AIRBYTE_TO_FLOW_IMAGE";
constexpr absl::string_view kShimBinary = "airbyte-to-flow";

// Problems as "<file>:<line>: <what is wrong>".
struct ProblemLog {
  absl::string_view file;
  std::vector<std::string>& problems;
  void Add(int line, absl::string_view what) const { problems.push_back(absl::StrCat(file, ":", line, ": ", what)); }
};

struct Stage {
  std::string reference;  // as written
  std::string alias;
  std::string platform;  // --platform=..., empty when not given
  int line = 0;
  std::vector<DockerInstruction> instructions;
};

bool MentionsShimTag(absl::string_view reference) {
  return absl::StrContains(reference, absl::StrCat("${", kShimTagArg, "}")) ||
         absl::StrContains(reference, absl::StrCat("$", kShimTagArg));
}

// "a/b:1.2" -> {"a/b", "1.2"}; a registry port ("host:5000/a") is not a tag.
std::pair<std::string, std::string> SplitTag(const std::string& reference) {
  const size_t slash = reference.rfind('/');
  const size_t colon = reference.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {reference, ""};
  return {reference.substr(0, colon), reference.substr(colon + 1)};
}

// COPY [--flag=...]... SRC... DEST, in shell or exec form.
std::optional<CopyStep> ParseCopy(const DockerInstruction& instruction, std::string& error) {
  absl::StatusOr<std::vector<std::string>> words = SplitWords(instruction.arguments);
  if (!words.ok()) {
    error = std::string(words.status().message());
    return std::nullopt;
  }
  CopyStep copy;
  copy.line = instruction.line;
  std::vector<std::string> rest;
  size_t i = 0;
  for (; i < words->size() && absl::StartsWith((*words)[i], "--"); ++i) {
    const std::string& flag = (*words)[i];
    if (absl::StartsWith(flag, "--from=")) copy.from_stage = flag.substr(7);
    if (absl::StartsWith(flag, "--chmod=")) copy.chmod = flag.substr(8);
    if (absl::StartsWith(flag, "--chown=")) copy.chown = flag.substr(8);
  }
  std::string remainder = absl::StrJoin(words->begin() + static_cast<long>(i), words->end(), " ");
  absl::StatusOr<std::optional<std::vector<std::string>>> exec = ExecForm(remainder);
  if (exec.ok() && exec->has_value()) {
    rest = **exec;
  } else {
    rest.assign(words->begin() + static_cast<long>(i), words->end());
  }
  if (rest.size() < 2) {
    error = "COPY needs at least one source and a destination";
    return std::nullopt;
  }
  copy.destination = rest.back();
  rest.pop_back();
  copy.sources = std::move(rest);
  return copy;
}

// An octal --chmod whose "other" digit grants read and execute.
bool RunnableByAnyone(absl::string_view mode) {
  if (mode.empty() || mode.size() > 4) return false;
  for (char c : mode) {
    if (c < '0' || c > '7') return false;
  }
  const int other = mode.back() - '0';
  return (other & 5) == 5;
}

// The ENTRYPOINT runs the shim at WORKDIR and names the upstream command.
void CheckEntrypoint(const DerivedImage& image, int stage_line, int entrypoint_line, const ProblemLog& log) {
  const std::string shim_path = absl::StrCat(image.workdir, "/", kShimBinary);
  if (image.entrypoint.empty()) {
    if (entrypoint_line == stage_line) log.Add(stage_line, "the last stage has no ENTRYPOINT");
    return;
  }
  if (!image.workdir.empty() && image.entrypoint.front() != shim_path) {
    log.Add(entrypoint_line, absl::StrCat("ENTRYPOINT must start with the shim, `", shim_path, "`, not `",
                                          image.entrypoint.front(), "`"));
  }
  if (ConnectorEntrypointOf(image.entrypoint).empty()) {
    log.Add(entrypoint_line, "ENTRYPOINT has no `--connector-entrypoint <upstream command>`");
  }
}

// The shim stage's binary is copied into WORKDIR, and nothing else from it.
void CheckShimCopy(const DerivedImage& image, int stage_line, const ProblemLog& log) {
  const std::string shim_path = absl::StrCat(image.workdir, "/", kShimBinary);
  bool shim_copied = false;
  for (const CopyStep& copy : image.copies) {
    if (copy.from_stage.empty() || copy.from_stage != image.shim_stage) continue;
    const bool into_workdir = copy.destination == "./" || copy.destination == "." ||
                              copy.destination == image.workdir || copy.destination == image.workdir + "/" ||
                              copy.destination == shim_path || copy.destination == absl::StrCat("./", kShimBinary);
    if (copy.sources == std::vector<std::string>{absl::StrCat("/", kShimBinary)} && into_workdir) {
      shim_copied = true;
      if (!RunnableByAnyone(copy.chmod)) {
        log.Add(copy.line, absl::StrCat("copy the shim with `--chmod=0755` (now ",
                                        copy.chmod.empty() ? std::string("no --chmod") : "--chmod=" + copy.chmod,
                                        "): rootless upstream images run as a non-root user, who must be able to "
                                        "run it"));
      }
    } else {
      log.Add(copy.line, absl::StrCat("copy the shim with `COPY --from=", image.shim_stage, " /", kShimBinary, " ./`"));
    }
  }
  if (!shim_copied && !image.shim_stage.empty()) {
    log.Add(stage_line,
            absl::StrCat("the shim is never copied: add `COPY --from=", image.shim_stage, " /", kShimBinary, " ./`"));
  }
}

// The required labels, with io.airbyte.name and io.airbyte.version matching the FROM.
void CheckLabels(const DerivedImage& image, int stage_line, const ProblemLog& log) {
  for (const auto& [key, value] : RequiredLabels()) {
    auto it = image.labels.find(key);
    if (it == image.labels.end() || it->second.empty()) {
      log.Add(stage_line, absl::StrCat("missing `LABEL ", key, "=", value.empty() ? "..." : value, "`"));
    } else if (!value.empty() && it->second != value) {
      log.Add(stage_line, absl::StrCat("LABEL ", key, " is `", it->second, "`, must be `", value, "`"));
    }
  }
  auto label = [&](const std::string& key) {
    auto it = image.labels.find(key);
    return it == image.labels.end() ? std::string() : it->second;
  };
  if (!label("io.airbyte.name").empty() && label("io.airbyte.name") != image.upstream_image) {
    log.Add(stage_line, absl::StrCat("LABEL io.airbyte.name is `", label("io.airbyte.name"),
                                     "` but the image is built FROM `", image.upstream_image, "`"));
  }
  if (!label("io.airbyte.version").empty() && !IsFlowVersion(label("io.airbyte.version"))) {
    log.Add(stage_line, absl::StrCat("LABEL io.airbyte.version is `", label("io.airbyte.version"),
                                     "`, must be the Flow-facing major `v1`, `v2`, ... (metadata.json's "
                                     "flow_version; the upstream version is in the FROM tag)"));
  }
}

}  // namespace

const char kOwnShimImage[] = "ghcr.io/estuary/airbyte-to-flow-cpp";
const char kPlatform[] = "linux/amd64";

bool IsFlowVersion(absl::string_view version) {
  if (version.size() < 2 || version[0] != 'v' || version[1] == '0') return false;
  for (char c : version.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

const std::map<std::string, std::string>& RequiredLabels() {
  static const auto* labels = new std::map<std::string, std::string>{
      {"FLOW_RUNTIME_PROTOCOL", "capture"}, {"CONNECTOR_PROTOCOL", "flow-capture"},
      {"FLOW_RUNTIME_CODEC", "json"},       {"io.airbyte.name", ""},
      {"io.airbyte.version", ""},
  };
  return *labels;
}

std::string ConnectorEntrypointOf(const std::vector<std::string>& entrypoint) {
  for (size_t i = 1; i < entrypoint.size(); ++i) {
    if (entrypoint[i] == "--connector-entrypoint" && i + 1 < entrypoint.size()) return entrypoint[i + 1];
    if (absl::StartsWith(entrypoint[i], "--connector-entrypoint=")) {
      return entrypoint[i].substr(sizeof("--connector-entrypoint=") - 1);
    }
  }
  return "";
}

DerivedImage ReadDerivedImage(absl::string_view dockerfile_text, absl::string_view file_name,
                              std::vector<std::string>& problems) {
  DerivedImage image;
  const ProblemLog log{file_name, problems};
  absl::StatusOr<std::vector<DockerInstruction>> instructions = ParseDockerfile(dockerfile_text, file_name);
  if (!instructions.ok()) {
    problems.emplace_back(instructions.status().message());
    return image;
  }

  // Global ARGs (before the first FROM) and the stages.
  std::map<std::string, std::string> args;
  bool shim_tag_declared = false;
  std::vector<Stage> stages;
  for (const DockerInstruction& instruction : *instructions) {
    if (instruction.keyword == "FROM") {
      absl::StatusOr<std::vector<std::string>> words = SplitWords(instruction.arguments);
      if (!words.ok() || words->empty()) {
        log.Add(instruction.line, "FROM needs an image");
        continue;
      }
      Stage stage{.line = instruction.line};
      for (const std::string& word : *words) {
        if (absl::StartsWith(word, "--platform=")) stage.platform = word.substr(sizeof("--platform=") - 1);
        if (!absl::StartsWith(word, "--") && stage.reference.empty()) stage.reference = word;
      }
      if (words->size() >= 3 && absl::EqualsIgnoreCase((*words)[words->size() - 2], "AS")) {
        stage.alias = words->back();
      }
      stages.push_back(std::move(stage));
    } else if (stages.empty()) {
      if (instruction.keyword != "ARG") {
        log.Add(instruction.line, absl::StrCat(instruction.keyword, " before the first FROM"));
        continue;
      }
      const size_t eq = instruction.arguments.find('=');
      std::string name = instruction.arguments.substr(0, eq);
      args[name] = eq == std::string::npos ? "" : instruction.arguments.substr(eq + 1);
      shim_tag_declared = shim_tag_declared || name == kShimTagArg;
      if (name == kShimImageArg) {
        image.shim_image_default = args[name];
        if (args[name] != kOwnShimImage) {
          log.Add(instruction.line,
                  absl::StrCat("ARG ", kShimImageArg, " must default to this project's shim image `", kOwnShimImage,
                               "`, not ", args[name].empty() ? std::string("nothing") : "`" + args[name] + "`",
                               ": a build without --build-arg would take another project's shim"));
        }
      }
    } else {
      stages.back().instructions.push_back(instruction);
    }
  }
  if (stages.empty()) {
    log.Add(1, "no FROM instruction");
    return image;
  }
  if (!shim_tag_declared) {
    log.Add(stages.front().line,
            absl::StrCat("no `ARG ", kShimTagArg, "` before the first FROM: CI cannot choose the shim's tag"));
  }
  for (const Stage& stage : stages) {
    if (MentionsShimTag(stage.reference)) image.shim_stage = stage.alias;
    if (stage.platform != kPlatform) {
      log.Add(stage.line, absl::StrCat("FROM must pin `--platform=", kPlatform, "`",
                                       stage.platform.empty() ? std::string() : " (not " + stage.platform + ")",
                                       ": the shim is built for amd64 only, and on an arm64 host Docker would pair "
                                       "it with an arm64 upstream image"));
    }
  }
  if (image.shim_image_default.empty() && !image.shim_stage.empty() &&
      absl::StrContains(stages.front().reference, kShimImageArg)) {
    log.Add(stages.front().line,
            absl::StrCat("declare `ARG ", kShimImageArg, "=", kOwnShimImage, "` before the first FROM"));
  }
  if (image.shim_stage.empty()) {
    log.Add(stages.front().line, absl::StrCat("no stage is built `FROM <shim image>:${", kShimTagArg, "} AS <name>`"));
  }

  const Stage& final_stage = stages.back();
  if (MentionsShimTag(final_stage.reference)) {
    log.Add(final_stage.line, "the last stage must be the upstream Airbyte image, not the shim");
  }
  std::tie(image.upstream_image, image.upstream_tag) = SplitTag(Substitute(final_stage.reference, args));
  if (image.upstream_tag.empty() || image.upstream_tag == "latest") {
    log.Add(final_stage.line,
            absl::StrCat("the upstream image `", final_stage.reference, "` must be pinned to a version tag"));
  }

  int entrypoint_line = final_stage.line;
  for (const DockerInstruction& instruction : final_stage.instructions) {
    const std::string& keyword = instruction.keyword;
    if (keyword == "WORKDIR") {
      image.workdir = instruction.arguments;
      if (!absl::StartsWith(image.workdir, "/")) log.Add(instruction.line, "WORKDIR must be an absolute path");
    } else if (keyword == "ADD") {
      log.Add(instruction.line, "use COPY, not ADD");
    } else if (keyword == "COPY") {
      std::string error;
      std::optional<CopyStep> copy = ParseCopy(instruction, error);
      if (copy)
        image.copies.push_back(std::move(*copy));
      else
        log.Add(instruction.line, error);
    } else if (keyword == "ENTRYPOINT") {
      entrypoint_line = instruction.line;
      absl::StatusOr<std::optional<std::vector<std::string>>> exec = ExecForm(instruction.arguments);
      if (!exec.ok()) {
        log.Add(instruction.line, absl::StrCat("ENTRYPOINT: ", exec.status().message()));
      } else if (!exec->has_value()) {
        log.Add(instruction.line,
                "ENTRYPOINT must be in exec form [\"...\", ...]: in shell form /bin/sh is PID 1 and "
                "Flow's signals never reach the shim");
      } else {
        image.entrypoint = **exec;
      }
    } else if (keyword == "LABEL") {
      absl::StatusOr<std::vector<std::pair<std::string, std::string>>> labels = ParseLabels(instruction.arguments);
      if (!labels.ok())
        log.Add(instruction.line, absl::StrCat("LABEL: ", labels.status().message()));
      else
        for (auto& [key, value] : *labels) image.labels[key] = value;
    }
  }

  if (image.workdir.empty()) {
    log.Add(final_stage.line,
            "the last stage sets no WORKDIR: restate the upstream image's working directory "
            "(e.g. /airbyte/integration_code) so that the shim's path and its patch files are known");
  }
  CheckEntrypoint(image, final_stage.line, entrypoint_line, log);
  CheckShimCopy(image, final_stage.line, log);
  CheckLabels(image, final_stage.line, log);
  return image;
}

}  // namespace atf::images
