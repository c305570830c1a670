// image-check: checks derived connector folders without Docker.
//
//   image-check [--shim PATH] [--demo-connector PATH] FOLDER...
//
// Prints "ok" and what the Spec run showed for each passing folder, or every
// problem found; exits 1 when any folder has a problem, 2 on bad usage.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "tests/images/image_check.h"

namespace {

constexpr char kUsage[] =
    "usage: image-check [--shim PATH] [--demo-connector PATH] FOLDER...\n"
    "Checks each derived connector folder (e.g. connectors/source-faker): Dockerfile rules, labels,\n"
    "metadata.json, every patch file, then a Spec run of the image's ENTRYPOINT in an assembled\n"
    "WORKDIR with the demo connector in place of the upstream one.\n";

}  // namespace

int main(int argc, char** argv) {
  atf::images::CheckOptions options{
      .shim = ATF_BINARY,
      .demo_connector = ATF_SOURCE_DIR "/connectors/source-demo/source-demo.sh",
  };
  std::vector<std::string> folders;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if ((arg == "--shim" || arg == "--demo-connector") && i + 1 < argc) {
      (arg == "--shim" ? options.shim : options.demo_connector) = argv[++i];
    } else if (absl::StartsWith(arg, "-")) {
      std::fprintf(stderr, "image-check: unknown flag %s\n%s", arg.c_str(), kUsage);
      return 2;
    } else {
      folders.push_back(arg);
    }
  }
  if (folders.empty()) {
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
