// End to end: Discover and Validate through the real binary, with a connector
// folder holding every kind of patch file (docs/decisions.md, D4, D5).
#include <signal.h>

#include <chrono>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace atf::testing {
namespace {

// Seven streams: namespaces, nested and composite keys, `/` and `~` in
// names, enums, int64/double formats, a $ref-based schema, date formats.
constexpr const char* kCatalog =
    R"({"type":"CATALOG","catalog":{"streams":[)"
    R"({"name":"users","namespace":"public","json_schema":{"type":"object","properties":{"id":{"type":["null","integer"]},"plan":{"enum":["free","pro"]},"created_at":{"type":"string","format":"date-time","airbyte_type":"timestamp_with_timezone"}}},"supported_sync_modes":["full_refresh","incremental"],"default_cursor_field":["created_at"],"source_defined_primary_key":[["id"]]},)"
    R"({"name":"orders","namespace":"public","json_schema":{"type":"object","properties":{"tenant_id":{"type":["integer","null"]},"order_id":{"type":"string"},"amount":{"type":"number","format":"double"},"quantity":{"type":"string","format":"int64"}}},"supported_sync_modes":["incremental"],"source_defined_primary_key":[["tenant_id"],["order_id"]]},)"
    R"({"name":"events/raw","json_schema":{"type":"object","properties":{"meta":{"type":["object","null"],"properties":{"uuid":{"type":["null","string"]}}}}},"supported_sync_modes":["full_refresh"],"source_defined_primary_key":[["meta","uuid"]]},)"
    R"({"name":"a~b","json_schema":{"type":"object","properties":{"x/y":{"type":["string","null"]}}},"source_defined_primary_key":[["x/y"]]},)"
    R"({"name":"refs","json_schema":{"$ref":"#/definitions/Row","definitions":{"Row":{"type":"object","properties":{"id":{"type":["null","string"]},"kind":{"enum":[1,2.5]}}}}},"source_defined_primary_key":[["id"]]},)"
    R"({"name":"dropped","namespace":"other","json_schema":{}},)"
    R"({"name":"daily","json_schema":{"type":"object","properties":{"day":{"type":"string","format":"date"}}},"source_defined_primary_key":[["day"]]})"
    R"(]}})";

constexpr const char* kExpectedDiscovered = R"({"discovered":{"bindings":[
 {"recommendedName":"users","resourceConfig":{"stream":"users","namespace":"public","syncMode":"incremental","cursorField":["created_at"]},
  "documentSchema":{"type":"object","properties":{"id":{"type":"integer"},"plan":{"type":"string"},"created_at":{"type":"string","format":"date-time"}},"required":["id"]},
  "key":["/id"]},
 {"recommendedName":"orders","resourceConfig":{"stream":"orders","namespace":"public","syncMode":"incremental"},
  "documentSchema":{"type":"object","properties":{"tenant_id":{"type":"integer"},"order_id":{"type":"string"},"amount":{"type":"number"},"quantity":{"type":"string","format":"integer"}},"required":["tenant_id","order_id"]},
  "key":["/tenant_id","/order_id"]},
 {"recommendedName":"events/raw","resourceConfig":{"stream":"events/raw","syncMode":"full_refresh","cursorField":["meta","uuid"]},
  "documentSchema":{"type":"object","properties":{"meta":{"type":"object","properties":{"uuid":{"type":"string"}},"required":["uuid"]}},"required":["meta"]},
  "key":["/meta/uuid"],"disable":true},
 {"recommendedName":"ab","resourceConfig":{"stream":"a~b","syncMode":"full_refresh","cursorField":["x/y"]},
  "documentSchema":{"type":"object","properties":{"x/y":{"type":"string"}},"required":["x/y"]},
  "key":["/x~1y"],"disable":true},
 {"recommendedName":"refs","resourceConfig":{"stream":"refs","syncMode":"full_refresh","cursorField":["id"]},
  "documentSchema":{"$ref":"#/definitions/Row","definitions":{"Row":{"type":"object","properties":{"id":{"type":"string"},"kind":{"type":["integer","number"]}},"required":["id"]}}},
  "key":["/id"],"disable":true},
 {"recommendedName":"daily","resourceConfig":{"stream":"daily","syncMode":"full_refresh","cursorField":["day"]},
  "documentSchema":{"type":"object","properties":{"day":{"type":"string","format":"date-time"}},"required":["day"]},
  "key":["/day"]}]}})";

constexpr const char* kDiscover =
    "{\"discover\":{\"connectorType\":\"IMAGE\",\"config\":{\"credentials\":{\"api_key\":\"k-123456\"},\"region\":"
    "\"eu\"}}}\n";

void WriteCatalogScript(const TestDir& dir) {
  dir.Write("script",
            absl::StrCat("[discover]\nsave-input --config ", dir.Path("config.json"), "\nout ", kCatalog, "\n"));
}

TEST(Discover, SevenStreamsThroughEverySchemaFix) {
  TestDir dir;
  WriteCatalogScript(dir);
  dir.Write("omitted_streams.json", R"(["dropped"])");
  dir.Write("selected_streams.json", R"(["users","orders","daily"])");
  dir.Write("schema_normalizations.json", R"(["date-to-datetime"])");
  RunResult run = RunShim(dir, "script", kDiscover);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(run.OutLines().size(), 1u);
  EXPECT_JSON_EQ(run.OutLines()[0], kExpectedDiscovered);
  EXPECT_JSON_EQ(dir.Read("config.json"), R"({"credentials":{"api_key":"k-123456"},"region":"eu"})");
}

TEST(Discover, FolderWithEveryKindOfFile) {
  TestDir dir;
  dir.Write("script",
            absl::StrCat("[spec]\nout "
                         "{\"type\":\"SPEC\",\"spec\":{\"documentationUrl\":\"https://docs.airbyte.com/"
                         "x\",\"connectionSpecification\":{\"type\":\"object\",\"properties\":{\"api_key\":{\"type\":"
                         "\"string\",\"airbyte_secret\":true}}}}}\n",
                         "[discover]\nsave-input --config ", dir.Path("config.json"), "\nout ", kCatalog, "\n"));
  dir.Write(
      "spec.patch.json",
      R"({"properties":{"credentials":{"type":"object","properties":{"api_key":{"type":"string","secret":true}}},"api_key":null}})");
  dir.Write("spec.map.json", R"({"/api_key":"/credentials/api_key"})");
  dir.Write("oauth2.patch.json", R"({"provider":"","authUrlTemplate":""})");
  dir.Write("documentation_url.patch.json", R"({"documentation_url":"https://go.estuary.dev/demo"})");
  dir.Write("schema_normalizations.json", R"(["date-to-datetime"])");
  dir.Write("selected_streams.json", R"(["users","orders","daily"])");
  dir.Write("omitted_streams.json", R"(["dropped"])");
  dir.Write("run_interval_minutes.json", "60\n");
  dir.Write("streams/users.patch.json", R"({"properties":{"plan":{"description":"The plan."}}})");
  dir.Write("streams/*.patch.json", R"({"properties":{"_meta":{"type":"object"}}})");
  dir.Write("streams/orders.pk.json", R"(["order_id"])");
  dir.Write("streams/*.pk.json", R"(["id"])");
  dir.Write("streams/users.normalize.json", R"([{"pointer":"/created_at","normalization":"datetime_to_date"}])");
  RunResult run =
      RunShim(dir, "script", absl::StrCat(R"({"spec":{"connectorType":"IMAGE","config":{}}})", "\n", kDiscover));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(run.OutLines().size(), 2u);

  rapidjson::Document spec = ParseOrDie(run.OutLines()[0]);
  EXPECT_JSON_EQ(
      WriteJson(spec["spec"]["configSchema"]),
      R"({"type":"object","properties":{"credentials":{"type":"object","properties":{"api_key":{"type":"string","secret":true}}}}})");
  EXPECT_STREQ(spec["spec"]["documentationUrl"].GetString(), "https://go.estuary.dev/demo");
  EXPECT_JSON_EQ(WriteJson(spec["spec"]["oauth2"]), "{}");

  // spec.map.json moved the API key to where the connector wants it.
  EXPECT_JSON_EQ(dir.Read("config.json"), R"({"credentials":{},"region":"eu","api_key":"k-123456"})");

  rapidjson::Document discovered = ParseOrDie(run.OutLines()[1]);
  const rapidjson::Value& bindings = discovered["discovered"]["bindings"];
  ASSERT_EQ(bindings.Size(), 6u);
  // users: its own patch (no wildcard), the wildcard key.
  EXPECT_JSON_EQ(
      WriteJson(bindings[0]["documentSchema"]),
      R"({"type":"object","properties":{"id":{"type":"integer"},"plan":{"type":"string","description":"The plan."},"created_at":{"type":"string","format":"date-time"}},"required":["id"]})");
  // orders: its own key file; the wildcard patch.
  EXPECT_JSON_EQ(WriteJson(bindings[1]["key"]), R"(["/order_id"])");
  EXPECT_JSON_EQ(WriteJson(bindings[1]["resourceConfig"]),
                 R"({"stream":"orders","namespace":"public","syncMode":"incremental","cursorField":["order_id"]})");
  EXPECT_TRUE(bindings[1]["documentSchema"]["properties"].HasMember("_meta"));
  // events/raw: the wildcard key `id` is not in its schema: a warning, not a failure.
  EXPECT_JSON_EQ(WriteJson(bindings[2]["key"]), R"(["/id"])");
  EXPECT_TRUE(run.ErrContains(
      "cannot make key `/id` required and non-null: property `id` is not in the `properties` of the root"))
      << run.err;
  EXPECT_STREQ(bindings[5]["documentSchema"]["properties"]["day"]["format"].GetString(), "date-time");
  // The secret from the config never reaches the logs.
  EXPECT_FALSE(run.ErrContains("k-123456"));
}

class MalformedFile : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(MalformedFile, FailsDiscoverWithAClearError) {
  const auto& [file, contents] = GetParam();
  TestDir dir;
  WriteCatalogScript(dir);
  dir.Write(file, contents);
  RunResult run = RunShim(dir, "script", kDiscover);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.LastErrLevel(), "error");
  EXPECT_TRUE(absl::StrContains(run.LastErrMessage(), dir.Path(file))) << run.LastErrMessage();
}

INSTANTIATE_TEST_SUITE_P(
    Discover, MalformedFile,
    ::testing::Values(std::make_pair("spec.map.json", R"(["/a","/b"])"), std::make_pair("spec.map.json", R"({"/a":5})"),
                      std::make_pair("spec.map.json", R"({"/a":"/missing"})"), std::make_pair("spec.map.json", "{"),
                      std::make_pair("selected_streams.json", R"({"users":1})"),
                      std::make_pair("omitted_streams.json", "[1]"), std::make_pair("schema_normalizations.json", "{}"),
                      std::make_pair("streams/users.pk.json", "[1]"), std::make_pair("streams/*.pk.json", "\"id\""),
                      std::make_pair("streams/users.patch.json", "{,}"),
                      std::make_pair("streams/*.patch.json", "nope")));

TEST(Discover, MalformedSpecMapFailsBeforeTheConnectorStarts) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[discover]\ntouch ", dir.Path("started"), "\n"));
  dir.Write("spec.map.json", "[]");
  RunResult run = RunShim(dir, "script", kDiscover);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_FALSE(dir.Exists("started"));
  EXPECT_EQ(run.LastErrMessage(),
            absl::StrCat(dir.Path("spec.map.json"),
                         R"(: must be an object of {"<destination pointer>": "<source pointer>"}, got array)"));
}

TEST(Discover, StreamNamesCannotReadOutsideStreams) {
  TestDir dir;
  dir.Write("script", R"([discover]
out {"type":"CATALOG","catalog":{"streams":[{"name":"../secret","json_schema":{"properties":{"id":{}}},"source_defined_primary_key":[["id"]]}]}}
)");
  // What `streams/../secret.pk.json` would name: it must not be read.
  dir.Write("secret.pk.json", R"(["stolen"])");
  RunResult run = RunShim(dir, "script", kDiscover);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  rapidjson::Document doc = ParseOrDie(run.OutLines()[0]);
  EXPECT_STREQ(doc["discovered"]["bindings"][0]["recommendedName"].GetString(), "../secret");
  EXPECT_JSON_EQ(WriteJson(doc["discovered"]["bindings"][0]["key"]), R"(["/id"])");
}

TEST(Discover, MessageBeforeTheCatalogIsAnError) {
  TestDir dir;
  dir.Write("script", "[discover]\nrecords users 1\n");
  RunResult run = RunShim(dir, "script", kDiscover);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(), "connector output line 1: expected a CATALOG message from the connector, got RECORD");
}

TEST(Discover, ExitZeroWithoutCatalogIsAnError) {
  TestDir dir;
  dir.Write("script", "[discover]\nexit 0\n");
  RunResult run = RunShim(dir, "script", kDiscover);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(), "connector exited with code 0 without writing a CATALOG message");
}

constexpr const char* kValidate =
    R"({"validate":{"name":"acmeCo/cap","connectorType":"IMAGE","config":{"api_key":"k"},"bindings":[)"
    R"({"resourceConfig":{"stream":"users","syncMode":"incremental"},"collection":{"name":"acmeCo/users"}},)"
    R"({"resourceConfig":{"stream":"t","namespace":"public","syncMode":"full_refresh"},"collection":{"name":"acmeCo/t"}}]}})"
    "\n";

TEST(Validate, H3_SucceededGivesOneResourcePathPerBinding) {
  TestDir dir;
  dir.Write("script",
            absl::StrCat("[check]\nsave-args ", dir.Path("args"),
                         "\nout {\"type\":\"CONNECTION_STATUS\",\"connectionStatus\":{\"status\":\"SUCCEEDED\"}}\n"));
  RunResult run = RunShim(dir, "script", kValidate);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "{\"validated\":{\"bindings\":[{\"resourcePath\":[\"users\"]},{\"resourcePath\":[\"public\",\"t\"]}]}}\n");
  std::string args = dir.Read("args");
  EXPECT_TRUE(absl::StartsWith(args, "check\n--config\n")) << args;
  EXPECT_TRUE(absl::EndsWith(args, "/config.json\n")) << args;
}

TEST(Validate, H3_FailedIsAnErrorWithTheConnectorsMessage) {
  TestDir dir;
  dir.Write("script",
            "[check]\nout "
            "{\"type\":\"CONNECTION_STATUS\",\"connectionStatus\":{\"status\":\"FAILED\",\"message\":\"bad key\"}}\n");
  RunResult run = RunShim(dir, "script", kValidate);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.LastErrMessage(), "bad key");
}

TEST(Validate, MissingConnectionStatusIsAnError) {
  TestDir dir;
  dir.Write("script", "[check]\nout {\"type\":\"LOG\",\"log\":{\"level\":\"INFO\",\"message\":\"checking\"}}\n");
  RunResult run = RunShim(dir, "script", kValidate);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(), "connector exited with code 0 without writing a CONNECTION_STATUS message");
}

TEST(Validate, BadResourceConfigNamesTheBindingAndStartsNothing) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[check]\ntouch ", dir.Path("started"), "\n"));
  RunResult run =
      RunShim(dir, "script",
              R"({"validate":{"bindings":[{"resourceConfig":{"stream":"a","syncMode":"incremental"}},)"
              R"({"resourceConfig":{"stream":"b","syncMode":"sometimes"},"collection":{"name":"acmeCo/b"}}]}})"
              "\n");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_FALSE(dir.Exists("started"));
  EXPECT_EQ(run.LastErrMessage(),
            "binding 1 (acmeCo/b): resource config needs `syncMode` set to \"incremental\" or \"full_refresh\"");
}

TEST(TempDir, RemovedAfterAnErrorAndAfterSigterm) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[discover]\nsave-input --config ", dir.Path("seen.json"), "\nexit 4\n"));
  RunResult run = RunShim(dir, "script", kDiscover);
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_TRUE(dir.Exists("seen.json"));  // the temp dir existed while the connector ran
  EXPECT_EQ(dir.List("tmp"), std::vector<std::string>{".keep"});

  dir.Write("script", absl::StrCat("[discover]\ntouch ", dir.Path("running"), "\nhang\n"));
  auto shim = Process::Start(ShimBinary(), ShimArgs(dir, "script"), ShimEnv(dir));
  shim->Write(kDiscover);
  for (int i = 0; i < 500 && !dir.Exists("running"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::vector<std::string> during = dir.List("tmp");
  EXPECT_EQ(during.size(), 2u);  // .keep and atf-XXXXXX
  shim->Signal(SIGTERM);
  shim->Wait(10);
  EXPECT_EQ(dir.List("tmp"), std::vector<std::string>{".keep"});
}

TEST(TempDir, UnusableTmpdirIsAClearError) {
  TestDir dir;
  WriteCatalogScript(dir);
  RunResult run = RunShim(dir, "script", kDiscover, {.env = {{"TMPDIR", dir.Path("does/not/exist")}}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(run.LastErrMessage(),
                               absl::StrCat("cannot create a temporary directory in ", dir.Path("does/not/exist"))))
      << run.LastErrMessage();
}

}  // namespace
}  // namespace atf::testing
