// Catalog files, the requests built from them and the config stub.
#include "atf/drive/catalog.h"

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "atf/base/json.h"
#include "atf/drive/config_stub.h"
#include "atf/drive/requests.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf::drive {
namespace {

using ::atf::testing::ParseOrDie;
using ::atf::testing::TestDir;

Catalog Sample() {
  capture::Response::Discovered discovered;
  auto* users = discovered.add_bindings();
  users->set_recommended_name("users");
  users->set_resource_config_json(R"({"stream":"users"})");
  users->set_document_schema_json(R"({"type":"object","properties":{"id":{"type":"integer"},"a/b":{}}})");
  users->add_key("/id");
  auto* logs = discovered.add_bindings();
  logs->set_recommended_name("logs");
  logs->set_resource_config_json(R"({"stream":"logs","namespace":"x y"})");
  logs->set_document_schema_json(R"({"type":"object"})");
  logs->add_key("/data/id");
  logs->set_disable(true);
  return CatalogFromDiscovered(discovered, NamesFor("connectors/source-demo/", "", ""), R"({"api_key":"k"})");
}

TEST(Catalog, NamesFollowTheConnectorFolder) {
  CatalogNames names = NamesFor("connectors/source-demo", "", "");
  EXPECT_EQ(names.prefix, "acmeCo/source-demo");
  EXPECT_EQ(names.capture_name, "acmeCo/source-demo/source-demo");
  EXPECT_EQ(names.image, "ghcr.io/estuary/source-demo:local");
  EXPECT_EQ(NamesFor("x", "myOrg/dev/", "img:1").capture_name, "myOrg/dev/x");
}

TEST(Catalog, WrittenInFlowsModelAndReadBack) {
  TestDir dir;
  ASSERT_TRUE(WriteCatalog(Sample(), dir.Path("cat")).ok());
  EXPECT_JSON_EQ(dir.Read("cat/flow.json"), R"({"import":["capture.flow.json","collections.flow.json"]})");
  EXPECT_JSON_EQ(dir.Read("cat/config.json"), R"({"api_key":"k"})");
  EXPECT_JSON_EQ(dir.Read("cat/capture.flow.json"), R"({"captures":{"acmeCo/source-demo/source-demo":{
    "endpoint":{"connector":{"image":"ghcr.io/estuary/source-demo:local","config":"config.json"}},
    "bindings":[{"resource":{"stream":"users"},"target":"acmeCo/source-demo/users"},
                {"resource":{"stream":"logs","namespace":"x y"},"target":"acmeCo/source-demo/logs","disable":true}]}}})");
  EXPECT_JSON_EQ(dir.Read("cat/collections.flow.json"), R"({"collections":{
    "acmeCo/source-demo/users":{"schema":{"type":"object","properties":{"id":{"type":"integer"},"a/b":{}}},"key":["/id"]},
    "acmeCo/source-demo/logs":{"schema":{"type":"object"},"key":["/data/id"]}}})");

  absl::StatusOr<Catalog> read = ReadCatalog(dir.Path("cat"));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->capture_name, "acmeCo/source-demo/source-demo");
  EXPECT_JSON_EQ(read->config_json, R"({"api_key":"k"})");
  ASSERT_EQ(read->bindings.size(), 2u);
  EXPECT_EQ(read->bindings[0].recommended_name, "users");
  EXPECT_TRUE(read->bindings[1].disable);
  EXPECT_EQ(read->bindings[1].key, std::vector<std::string>{"/data/id"});
}

TEST(Catalog, ErrorsNameTheFileAndTheBinding) {
  TestDir dir;
  ASSERT_TRUE(WriteCatalog(Sample(), dir.path()).ok());
  dir.Write("collections.flow.json", R"({"collections":{"acmeCo/source-demo/users":{"schema":{},"key":["/id"]}}})");
  absl::Status missing = ReadCatalog(dir.path()).status();
  EXPECT_TRUE(absl::StrContains(missing.message(),
                                "collections.flow.json: no collection `acmeCo/source-demo/logs` "
                                "(the target of bindings[1] in capture.flow.json)"))
      << missing;
  dir.Write("capture.flow.json", R"({"captures":{"c":{"endpoint":{"connector":{"config":"config.json"}},
    "bindings":[{"target":"t"}]}}})");
  absl::Status resource = ReadCatalog(dir.path()).status();
  EXPECT_TRUE(absl::StrContains(resource.message(), "capture.flow.json: bindings[0]: needs a `resource` object"))
      << resource;
  dir.Write("capture.flow.json", "{not json");
  EXPECT_TRUE(
      absl::StrContains(ReadCatalog(dir.path()).status().message(), "capture.flow.json: invalid JSON at line 1"));
}

TEST(Requests, OpenLikeFlowBuildsIt) {
  const Catalog catalog = Sample();
  capture::Request validate = BuildValidate(catalog);
  ASSERT_EQ(validate.validate().bindings_size(), 1);  // the disabled binding is left out
  capture::Response::Validated validated;
  validated.add_bindings()->add_resource_path("users");
  absl::StatusOr<flow::CaptureSpec> spec = BuildCaptureSpec(catalog, validated);
  ASSERT_TRUE(spec.ok()) << spec.status();
  capture::Request open = BuildOpen(*spec, R"({"a":1})");
  const auto& binding = open.open().capture().bindings(0);
  EXPECT_EQ(binding.state_key(), "users.v0");
  EXPECT_EQ(binding.collection().name(), "acmeCo/source-demo/users");
  EXPECT_EQ(binding.collection().uuid_ptr(), "/_meta/uuid");
  ASSERT_EQ(binding.collection().projections_size(), 3);
  EXPECT_EQ(binding.collection().projections(0).field(), "flow_document");
  EXPECT_EQ(binding.collection().projections(1).ptr(), "/id");
  EXPECT_TRUE(binding.collection().projections(1).is_primary_key());
  EXPECT_EQ(binding.collection().projections(2).ptr(), "/a~1b");
  EXPECT_EQ(open.open().range().key_end(), 0xffffffffu);
  EXPECT_EQ(open.open().range().r_clock_end(), 0xffffffffu);
  EXPECT_EQ(open.open().state_json(), R"({"a":1})");
  EXPECT_EQ(StateKey({"a/cdc", "table baz"}, 3), "a%2Fcdc%2Ftable+baz.v3");
  capture::Response::Validated none;
  EXPECT_FALSE(BuildCaptureSpec(catalog, none).ok());
}

TEST(ConfigStub, RequiredDefaultsAndSecrets) {
  ConfigStub stub = MakeConfigStub(ParseOrDie(R"({"type":"object","required":["api_key","auth"],"properties":{
    "api_key":{"type":"string","title":"API Key","airbyte_secret":true},
    "count":{"type":"integer","default":3},
    "optional":{"type":"string"},
    "region":{"type":"string","enum":["eu","us"]},
    "auth":{"oneOf":[{"title":"Token","type":"object","required":["token"],"properties":{"token":{"type":"string","secret":true}}},{"title":"None"}]}},
    "dependencies":{}})"));
  EXPECT_JSON_EQ(stub.json, R"({"api_key":"<fill in secret: API Key>","count":3,
    "auth":{"token":"<fill in secret: token>"}})");
  const std::string notes = absl::StrJoin(stub.notes, "\n");
  EXPECT_TRUE(absl::StrContains(notes, "/api_key: required secret string (API Key)")) << notes;
  EXPECT_TRUE(absl::StrContains(notes, "/count: the default 3")) << notes;
  EXPECT_TRUE(absl::StrContains(notes, "/auth: one of 2 options, the first taken (Token)")) << notes;
}

}  // namespace
}  // namespace atf::drive
