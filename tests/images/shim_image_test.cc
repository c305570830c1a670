// The shim image's Dockerfile (the top-level one), read without Docker: it
// builds in debian:bookworm with the packages local-build.sh installs, checks
// the binary is static, and ships it alone FROM scratch at /airbyte-to-flow,
// where every derived Dockerfile's `COPY --from=... /airbyte-to-flow` expects it.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/images/dockerfile.h"

namespace atf::images {
namespace {

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(ATF_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ShimImage, BuildsInBookwormAndShipsTheStaticBinaryAloneFromScratch) {
  absl::StatusOr<std::vector<DockerInstruction>> parsed = ParseDockerfile(ReadSource("Dockerfile"), "Dockerfile");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::vector<std::string> froms;
  std::vector<DockerInstruction> final_stage, build_stage;
  for (const DockerInstruction& instruction : *parsed) {
    if (instruction.keyword == "FROM") {
      froms.push_back(instruction.arguments);
      continue;
    }
    (froms.size() == 1 ? build_stage : final_stage).push_back(instruction);
  }
  ASSERT_EQ(froms.size(), 2u);
  EXPECT_EQ(froms[0], "--platform=linux/amd64 debian:bookworm AS build");
  EXPECT_EQ(froms[1], "--platform=linux/amd64 scratch");

  std::string build_commands;
  for (const DockerInstruction& instruction : build_stage) {
    if (instruction.keyword == "RUN") build_commands += instruction.arguments + "\n";
  }
  EXPECT_TRUE(absl::StrContains(build_commands, "-DCMAKE_BUILD_TYPE=Release")) << build_commands;
  EXPECT_TRUE(absl::StrContains(build_commands, "-DATF_BUILD_TESTS=OFF")) << build_commands;
  EXPECT_TRUE(absl::StrContains(build_commands, "grep -q \"statically linked\"")) << build_commands;

  ASSERT_EQ(final_stage.size(), 2u);
  EXPECT_EQ(final_stage[0].keyword, "COPY");
  EXPECT_EQ(final_stage[0].arguments, "--from=build /src/build/airbyte-to-flow /airbyte-to-flow");
  EXPECT_EQ(final_stage[1].keyword, "ENTRYPOINT");
  EXPECT_EQ(final_stage[1].arguments, "[\"/airbyte-to-flow\"]");
}

TEST(ShimImage, InstallsEveryBuildPackageOfLocalBuild) {
  // local-build.sh's build_packages=( ... ) is the list the build needs.
  std::smatch match;
  const std::string script = ReadSource("local-build.sh");
  ASSERT_TRUE(std::regex_search(script, match, std::regex(R"(build_packages=\(([^)]*)\))")));
  std::set<std::string> needed;
  for (absl::string_view word : absl::StrSplit(match[1].str(), absl::ByAnyChar(" \n"), absl::SkipWhitespace())) {
    needed.insert(std::string(word));
  }
  ASSERT_GE(needed.size(), 10u);
  std::set<std::string> dockerfile_words;
  const std::string dockerfile = ReadSource("Dockerfile");
  for (absl::string_view word : absl::StrSplit(dockerfile, absl::ByAnyChar(" \n\\"), absl::SkipWhitespace())) {
    dockerfile_words.insert(std::string(word));
  }
  for (const std::string& package : needed) {
    EXPECT_TRUE(dockerfile_words.count(package)) << "the shim image does not install " << package;
  }
}

TEST(ShimImage, BuildContextLeavesOutBuildFolders) {
  const std::string ignore = ReadSource(".dockerignore");
  for (const char* entry : {"build", "build-*", ".git"}) {
    EXPECT_TRUE(absl::StrContains(absl::StrCat("\n", ignore), absl::StrCat("\n", entry, "\n"))) << entry;
  }
}

}  // namespace
}  // namespace atf::images
