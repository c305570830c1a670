// spec.map.json remapping: docs/reference.md vectors D.
#include "patches/remap.h"

#include "atf/base/json.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

using testing::ParseOrDie;

absl::StatusOr<std::string> Remap(const char* doc, ConfigMap map) {
  rapidjson::Document config = ParseOrDie(doc);
  absl::Status status = RemapConfig(config, map, "spec.map.json");
  if (!status.ok()) return status;
  return WriteJson(config);
}

TEST(Remap, D1_MovesIntoANewObject) {
  EXPECT_JSON_EQ(*Remap(R"({"app_id":"id","app_secret":"secret","foo":"bar"})",
                        {{"/credentials/client_id", "/app_id"}, {"/credentials/client_secret", "/app_secret"}}),
                 R"({"credentials":{"client_id":"id","client_secret":"secret"},"foo":"bar"})");
}

TEST(Remap, D2_DerivedCases) {
  EXPECT_JSON_EQ(
      *Remap(R"({"credentials":{"access_token":"t"},"a":1})", {{"/access_token", "/credentials/access_token"}}),
      R"({"access_token":"t","a":1,"credentials":{}})");
  EXPECT_JSON_EQ(*Remap(R"({"credentials":{"x":1}})", {{"/authorization", "/credentials"}}),
                 R"({"authorization":{"x":1}})");
  EXPECT_JSON_EQ(*Remap(R"({"credentials":{"client_id":"i","client_secret":"s"}})",
                        {{"/credentials/app_id", "/credentials/client_id"},
                         {"/credentials/secret", "/credentials/client_secret"}}),
                 R"({"credentials":{"app_id":"i","secret":"s"}})");
  EXPECT_JSON_EQ(*Remap(R"({"x":1,"y":2})", {{"", "/x"}}), R"({"y":2})");
  EXPECT_JSON_EQ(*Remap(R"({"x":1})", {{"/x", "/x"}}), "{}");
  // Sorted by destination, every value copied from the config as it was.
  EXPECT_JSON_EQ(*Remap(R"({"b":{"c":1},"a":0})", {{"/b", "/a"}, {"/a", "/b/c"}}), R"({"b":0})");
}

TEST(Remap, D2_ErrorsNameTheFileAndThePointers) {
  EXPECT_EQ(Remap(R"({"a":1})", {{"/b", "/missing"}}).status().message(),
            "spec.map.json: cannot move `/missing` to `/b`: `/missing` is not in the endpoint config");
  EXPECT_EQ(Remap(R"({"a":1})", {{"/b", "a"}}).status().message(),
            "spec.map.json: source `a` of `/b` is not a JSON pointer (it has no `/`)");
  EXPECT_EQ(Remap(R"({"a":"s"})", {{"/a/b", "/a"}}).status().message(),
            "spec.map.json: cannot move `/a` to `/a/b`: a non-object value is in the way of `/a/b`");
  EXPECT_EQ(Remap(R"({"a":[1]})", {{"/b", "/a/0"}}).status().message(),
            "spec.map.json: cannot remove `/a/0`: `/a` is not an object in the endpoint config");
}

}  // namespace
}  // namespace atf
