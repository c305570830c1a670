#include "interceptors/resource.h"

#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

TEST(ResourceSpec, A2_ResourcePaths) {
  EXPECT_EQ(ParseResourceSpec(R"({"stream":"foo","syncMode":"incremental"})")->ResourcePath(),
            (std::vector<std::string>{"foo"}));
  EXPECT_EQ(ParseResourceSpec(R"({"stream":"foo","namespace":"toe","syncMode":"incremental"})")->ResourcePath(),
            (std::vector<std::string>{"toe", "foo"}));
}

TEST(ResourceSpec, RoundTripInDeclarationOrder) {
  auto spec = ParseResourceSpec(
      R"({"cursorField":["a","b"],"syncMode":"full_refresh","namespace":null,"extra":1,"stream":"s"})");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->ToJson(), R"({"stream":"s","syncMode":"full_refresh","cursorField":["a","b"]})");
}

TEST(ResourceSpec, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(ParseResourceSpec(R"({"syncMode":"incremental"})").status().message(),
            "resource config needs a string `stream`");
  EXPECT_EQ(ParseResourceSpec(R"({"stream":"s"})").status().message(),
            "resource config needs `syncMode` set to \"incremental\" or \"full_refresh\"");
  EXPECT_EQ(ParseResourceSpec(R"({"stream":"s","syncMode":"append"})").status().message(),
            "resource config needs `syncMode` set to \"incremental\" or \"full_refresh\"");
  EXPECT_EQ(ParseResourceSpec(R"({"stream":"s","syncMode":"incremental","cursorField":"a"})").status().message(),
            "resource config `cursorField` must be an array of strings");
  EXPECT_EQ(ParseResourceSpec("[]").status().message(), "resource config must be an object, got array");
}

TEST(ResourceSpec, SchemaIsValidJson) { testing::ParseOrDie(ResourceSpecSchema()); }

}  // namespace
}  // namespace atf
