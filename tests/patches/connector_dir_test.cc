#include "patches/connector_dir.h"

#include <sys/stat.h>

#include "absl/strings/match.h"
#include "atf/base/json.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

using testing::TestDir;

TEST(ConnectorDir, AbsentFilesAreNotConfigured) {
  TestDir dir;
  ConnectorDir connector(dir.path());
  EXPECT_FALSE(connector.SpecPatch()->has_value());
  EXPECT_FALSE(connector.OAuth2Patch()->has_value());
  EXPECT_FALSE(connector.DocumentationUrl()->present);
}

TEST(ConnectorDir, InvalidJsonNamesTheFileLineAndColumn) {
  TestDir dir;
  dir.Write("spec.patch.json", "{\n  \"a\": 1,\n  \"b\": \n}\n");
  auto patch = ConnectorDir(dir.path()).SpecPatch();
  ASSERT_FALSE(patch.ok());
  EXPECT_EQ(patch.status().message(),
            dir.Path("spec.patch.json") + ": invalid JSON at line 4 column 1: Invalid value.");
}

TEST(ConnectorDir, UnreadableFilesAreErrorsNotAbsent) {
  TestDir dir;
  dir.Write("spec.patch.json/inner", "{}");  // a directory where a file belongs
  auto patch = ConnectorDir(dir.path()).SpecPatch();
  ASSERT_FALSE(patch.ok());
  EXPECT_EQ(patch.status().message(), "cannot read " + dir.Path("spec.patch.json") + ": not a regular file");
}

TEST(ConnectorDir, OAuth2PatchIsDecodedStrictly) {
  TestDir dir;
  dir.Write("oauth2.patch.json", R"({"provider":"google","accessTokenHeaders":{"x":"y"}})");
  auto oauth2 = ConnectorDir(dir.path()).OAuth2Patch();
  ASSERT_TRUE(oauth2.ok() && oauth2->has_value());
  EXPECT_EQ((*oauth2)->provider(), "google");
  EXPECT_EQ((*oauth2)->access_token_headers_json_map().at("x"), "\"y\"");

  dir.Write("oauth2.patch.json", R"({"provider":"google","auth_type":"oauth2.0"})");
  oauth2 = ConnectorDir(dir.path()).OAuth2Patch();
  ASSERT_FALSE(oauth2.ok());
  EXPECT_EQ(oauth2.status().message(),
            dir.Path("oauth2.patch.json") + ": not a valid Flow OAuth2 spec: auth_type: unknown field");
}

TEST(ConnectorDir, DocumentationUrl) {
  TestDir dir;
  dir.Write("documentation_url.patch.json", R"({"documentation_url":"https://go.estuary.dev/x"})");
  auto url = ConnectorDir(dir.path()).DocumentationUrl();
  EXPECT_TRUE(url->present);
  EXPECT_EQ(*url->url, "https://go.estuary.dev/x");
  dir.Write("documentation_url.patch.json", R"({"url":"elsewhere"})");
  url = ConnectorDir(dir.path()).DocumentationUrl();
  EXPECT_TRUE(url->present);
  EXPECT_FALSE(url->url.has_value());
}

TEST(ConnectorDir, RelativeRootKeepsPathsShort) {
  EXPECT_EQ(ConnectorDir(".").PathOf("spec.patch.json"), "spec.patch.json");
  EXPECT_EQ(ConnectorDir("/a/b/").PathOf("spec.patch.json"), "/a/b/spec.patch.json");
  EXPECT_EQ(ConnectorDir("").PathOf("x"), "x");
}

}  // namespace
}  // namespace atf
