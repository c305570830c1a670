// image-check: checks derived connector folders without Docker.
//
//   image-check [--shim PATH] [--upstream DIR] [--emit-flow DIR] FOLDER...
//
// Prints "ok" and what the Spec and Discover run showed for each passing
// folder, or every problem found; exits 1 when any folder has a problem, 2 on
// bad usage. --emit-flow writes the Flow spec.json and discover.json of the
// replayed snapshot (for `airbyte-to-flow drive compat OLD NEW`).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "tests/images/image_check.h"

namespace {

constexpr char kUsage[] =
    "usage: image-check [--shim PATH] [--upstream DIR] [--emit-flow DIR] FOLDER...\n"
    "Checks each derived connector folder (e.g. connectors/source-faker): Dockerfile rules, labels,\n"
    "metadata.json, every patch file, then a Spec and a Discover run of the image's ENTRYPOINT in an\n"
    "assembled WORKDIR, with a connector replaying the folder's upstream/ snapshot in place of the\n"
    "upstream one; every patch file must name streams, fields and pointers the snapshot has.\n"
    "  --upstream DIR   replay DIR (spec.json, streams.json) instead of FOLDER/upstream\n"
    "  --emit-flow DIR  write the Flow Spec (spec.json) and Discover (discover.json) responses to DIR\n";

}  // namespace

int main(int argc, char** argv) {
  atf::images::CheckOptions options{.shim = ATF_BINARY};
  std::vector<std::string> folders;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if ((arg == "--shim" || arg == "--upstream" || arg == "--emit-flow") && i + 1 < argc) {
      (arg == "--shim" ? options.shim : arg == "--upstream" ? options.upstream : options.emit_flow) = argv[++i];
    } else if (absl::StartsWith(arg, "-")) {
      std::fprintf(stderr, "image-check: unknown flag %s\n%s", arg.c_str(), kUsage);
      return 2;
    } else {
      folders.push_back(arg);
    }
  }
  if (folders.empty() || (folders.size() > 1 && (!options.upstream.empty() || !options.emit_flow.empty()))) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  int failed = 0;
  for (const std::string& folder : folders) {
    atf::images::CheckResult result = atf::images::CheckConnectorFolder(folder, options);
    if (result.problems.empty()) {
      std::printf("image-check: %s: ok (%s)\n", folder.c_str(), absl::StrJoin(result.shown, "; ").c_str());
      continue;
    }
    ++failed;
    std::fprintf(stderr, "image-check: %s: %zu problem(s)\n", folder.c_str(), result.problems.size());
    for (const std::string& problem : result.problems) std::fprintf(stderr, "  %s\n", problem.c_str());
  }
  return failed == 0 ? 0 : 1;
}
