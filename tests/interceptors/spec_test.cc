// Building the Spec response: docs/reference.md vectors H1 and the D4 changes.
#include "interceptors/spec.h"

#include "absl/strings/match.h"
#include "atf/protocol/codec.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

using testing::ParseOrDie;
using testing::TestDir;

constexpr const char* kH1Spec =
    R"({"documentationUrl":"https://docs.airbyte.com/x","connectionSpecification":{"type":"object","groups":[{"id":"g"}],"properties":{"api_key":{"type":"string","airbyte_secret":true,"group":"g","order":0},"start":{"type":"string","format":"date"}},"required":["api_key"]}})";

class SpecTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::string> Build(const char* airbyte_spec, SecretPaths* secrets = nullptr) {
    rapidjson::Document spec = ParseOrDie(airbyte_spec);
    absl::StatusOr<capture::Response> response = BuildSpecResponse(spec, ConnectorDir(dir_.path()), log_, secrets);
    if (!response.ok()) return response.status();
    std::string out;
    AppendResponse(Codec::kJson, *response, &out);
    return out;
  }
  TestDir dir_;
  LogSink sink_{LogLevel::kError, LogSink::Format::kJson};
  Logger log_{&sink_};
};

TEST_F(SpecTest, H1_PatchesAndNonstandardKeywords) {
  dir_.Write("spec.patch.json", R"({"properties":{"start":{"title":"Start"}}})");
  dir_.Write("documentation_url.patch.json", R"({"documentation_url":"https://go.estuary.dev/abc"})");
  SecretPaths secrets;
  auto out = Build(kH1Spec, &secrets);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_JSON_EQ(*out, R"({"spec":{"protocol":3032023,
 "configSchema":{"properties":{"api_key":{"airbyte_secret":true,"order":0,"type":"string"},"start":{"format":"date","title":"Start","type":"string"}},"required":["api_key"],"type":"object"},
 "resourceConfigSchema":{"$schema":"http://json-schema.org/draft-07/schema#","title":"ResourceSpec","type":"object","required":["stream","syncMode"],"properties":{"cursorField":{"type":["array","null"],"items":{"type":"string"}},"namespace":{"type":["string","null"]},"stream":{"type":"string"},"syncMode":{"type":"string","enum":["incremental","full_refresh"]}}},
 "documentationUrl":"https://go.estuary.dev/abc",
 "resourcePathPointers":["/namespace","/stream"]}})");
  EXPECT_EQ(secrets, (SecretPaths{{"api_key"}}));
}

TEST_F(SpecTest, WithoutPatchFilesTheConnectorSpecIsKept) {
  auto out = Build(kH1Spec);
  ASSERT_TRUE(out.ok());
  rapidjson::Document doc = ParseOrDie(*out);
  EXPECT_STREQ(doc["spec"]["documentationUrl"].GetString(), "https://docs.airbyte.com/x");
  EXPECT_FALSE(doc["spec"]["configSchema"]["properties"]["start"].HasMember("title"));
  EXPECT_FALSE(doc["spec"].HasMember("oauth2"));
}

TEST_F(SpecTest, D4_DocumentationUrlPatchWithoutTheKeyKeepsTheConnectorUrl) {
  // Reference: the URL became empty.
  dir_.Write("documentation_url.patch.json", R"({"something":"else"})");
  rapidjson::Document doc = ParseOrDie(*Build(kH1Spec));
  EXPECT_STREQ(doc["spec"]["documentationUrl"].GetString(), "https://docs.airbyte.com/x");
}

TEST_F(SpecTest, OAuth2PatchReplacesTheConnectorsAuthSpecification) {
  dir_.Write("oauth2.patch.json", R"({"provider":"github","authUrlTemplate":"https://github.com/login",
      "accessTokenHeaders":{"Accept":"application/json"}})");
  auto out = Build(R"({"connectionSpecification":{},"authSpecification":{"provider":"other"}})");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(absl::StrContains(
      *out,
      R"("oauth2":{"provider":"github","authUrlTemplate":"https://github.com/login","accessTokenHeaders":{"Accept":"application/json"}})"))
      << *out;
}

TEST_F(SpecTest, PlaceholderOAuth2PatchGivesAnEmptyObject) {
  dir_.Write("oauth2.patch.json", R"({"provider":"","authUrlTemplate":"","accessTokenUrlTemplate":""})");
  EXPECT_TRUE(absl::StrContains(*Build(R"({"connectionSpecification":{}})"), R"("oauth2":{})"));
}

TEST_F(SpecTest, ValidFlowAuthSpecificationIsKept) {
  auto out = Build(R"({"connectionSpecification":{},"authSpecification":{"provider":"p","accessTokenBody":"b"}})");
  EXPECT_TRUE(absl::StrContains(*out, R"("oauth2":{"provider":"p","accessTokenBody":"b"})"));
}

TEST_F(SpecTest, D4_LegacyAirbyteAuthSpecificationIsDroppedNotFatal) {
  // Reference: Spec failed with a JSON error.
  auto out =
      Build(R"({"connectionSpecification":{},"authSpecification":{"auth_type":"oauth2.0","oauth2Specification":{}}})");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE(absl::StrContains(*out, "oauth2"));
}

TEST_F(SpecTest, InvalidPatchFilesAreErrorsNamingTheFile) {
  dir_.Write("spec.patch.json", "{oops");
  auto out = Build(kH1Spec);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(absl::StartsWith(out.status().message(), dir_.Path("spec.patch.json") + ": invalid JSON"));
}

TEST_F(SpecTest, MissingConnectionSpecificationIsAnError) {
  auto out = Build(R"({"documentationUrl":"x"})");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "the connector's SPEC has no `connectionSpecification`");
}

TEST_F(SpecTest, NullMembersOfThePatchDeleteKeys) {
  dir_.Write("spec.patch.json", R"({"required":null,"properties":{"start":null}})");
  rapidjson::Document doc = ParseOrDie(*Build(kH1Spec));
  EXPECT_FALSE(doc["spec"]["configSchema"].HasMember("required"));
  EXPECT_FALSE(doc["spec"]["configSchema"]["properties"].HasMember("start"));
}

}  // namespace
}  // namespace atf
