#include "tests/images/dockerfile.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace atf::images {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(ParseDockerfile, InstructionsWithLinesCommentsAndContinuations) {
  absl::StatusOr<std::vector<DockerInstruction>> parsed = ParseDockerfile(
      "# a comment\n"
      "ARG TAG=dev\n"
      "\n"
      "from base:${TAG} as shim\n"
      "RUN apt-get update \\\n"
      "  # a comment inside the continuation\n"
      " && apt-get install -y x\n"
      "ENTRYPOINT [\"/a\", \"b\"]\n",
      "Dockerfile");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 4u);
  EXPECT_EQ((*parsed)[0].keyword, "ARG");
  EXPECT_EQ((*parsed)[0].arguments, "TAG=dev");
  EXPECT_EQ((*parsed)[0].line, 2);
  EXPECT_EQ((*parsed)[1].keyword, "FROM");
  EXPECT_EQ((*parsed)[1].line, 4);
  EXPECT_EQ((*parsed)[2].arguments, "apt-get update && apt-get install -y x");
  EXPECT_EQ((*parsed)[2].line, 5);
  EXPECT_EQ((*parsed)[3].line, 8);
}

TEST(ParseDockerfile, ErrorsNameTheFileAndLine) {
  absl::StatusOr<std::vector<DockerInstruction>> parsed = ParseDockerfile("FROM x\n\"oops\" y\n", "dir/Dockerfile");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "dir/Dockerfile:2: `\"oops\"` is not a Dockerfile instruction");
  parsed = ParseDockerfile("FROM x\nRUN a \\\n", "Dockerfile");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "Dockerfile:2: the instruction ends with `\\` but nothing follows");
}

TEST(SplitWords, QuotesAndEscapes) {
  absl::StatusOr<std::vector<std::string>> words = SplitWords(R"(a "b c" 'd e' f\ g "h\"i")");
  ASSERT_TRUE(words.ok());
  EXPECT_THAT(*words, ElementsAre("a", "b c", "d e", "f g", "h\"i"));
  EXPECT_FALSE(SplitWords("\"open").ok());
}

TEST(ExecForm, JsonArrayOrShellForm) {
  absl::StatusOr<std::optional<std::vector<std::string>>> exec = ExecForm(R"(["/bin/x", "--flag", "a b"])");
  ASSERT_TRUE(exec.ok());
  ASSERT_TRUE(exec->has_value());
  EXPECT_THAT(**exec, ElementsAre("/bin/x", "--flag", "a b"));
  exec = ExecForm("/bin/x --flag");
  ASSERT_TRUE(exec.ok());
  EXPECT_FALSE(exec->has_value());
  EXPECT_FALSE(ExecForm("['/bin/x']").ok());  // single quotes: Docker would use a shell
  EXPECT_FALSE(ExecForm("[\"/bin/x\", 1]").ok());
}

TEST(ParseLabels, PairsWithQuotedValues) {
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> labels = ParseLabels(R"(a=1 "b.c"="two words" d=)");
  ASSERT_TRUE(labels.ok());
  EXPECT_THAT(*labels, ElementsAre(Pair("a", "1"), Pair("b.c", "two words"), Pair("d", "")));
  EXPECT_FALSE(ParseLabels("novalue").ok());
}

TEST(Substitute, BracedPlainAndDefaults) {
  const std::map<std::string, std::string> values = {{"IMAGE", "ghcr.io/x"}, {"TAG", "dev"}};
  EXPECT_EQ(Substitute("${IMAGE}:${TAG}", values), "ghcr.io/x:dev");
  EXPECT_EQ(Substitute("$IMAGE:$TAG", values), "ghcr.io/x:dev");
  EXPECT_EQ(Substitute("${MISSING:-fallback}/${TAG:-no}", values), "fallback/dev");
  EXPECT_EQ(Substitute("cost $ 5", values), "cost $ 5");
}

}  // namespace
}  // namespace atf::images
