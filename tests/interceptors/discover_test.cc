// Discover: docs/reference.md vectors A1, H2 and the D4/D5 changes.
#include "interceptors/discover.h"

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "atf/base/json.h"
#include "atf/protocol/codec.h"
#include "gtest/gtest.h"
#include "interceptors/pk.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

using testing::ParseOrDie;
using testing::TestDir;

TEST(RecommendedName, A1_Examples) {
  EXPECT_EQ(RecommendedName("Hello-World"), "Hello-World");
  EXPECT_EQ(RecommendedName("/&foo!/B ar// b+i-n.g /"), "foo/Bar/bi-n.g");
}

TEST(RecommendedName, A1_DerivedExamples) {
  EXPECT_EQ(RecommendedName("users"), "users");
  EXPECT_EQ(RecommendedName("a b"), "ab");
  EXPECT_EQ(RecommendedName("!!!"), "");
  EXPECT_EQ(RecommendedName("x//y/"), "x/y");
  EXPECT_EQ(RecommendedName("Ünïcødé"), "Ünïcødé");
  EXPECT_EQ(RecommendedName("../etc"), "../etc");
  EXPECT_EQ(RecommendedName("日本語 テーブル"), "日本語テーブル");
  EXPECT_EQ(RecommendedName("price€ — “quoted” 🎉"), "pricequoted");
}

class DiscoverTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::string> Build(const char* catalog) {
    rapidjson::Document doc = ParseOrDie(catalog);
    absl::StatusOr<capture::Response> response = BuildDiscoverResponse(doc, ConnectorDir(dir_.path()), log_);
    if (!response.ok()) return response.status();
    std::string out;
    AppendResponse(Codec::kJson, *response, &out);
    return out;
  }
  TestDir dir_;
  LogSink sink_{LogLevel::kError, LogSink::Format::kJson};
  Logger log_{&sink_};
};

TEST_F(DiscoverTest, H2_Vector) {
  dir_.Write("selected_streams.json", R"(["users"])");
  dir_.Write("streams/events/raw.pk.json", R"(["uuid"])");
  auto out = Build(R"({"streams":[
  {"name":"users","json_schema":{"type":"object","properties":{"id":{"type":["null","integer"]},"kind":{"enum":["a","b"]},"updated":{"type":"string","format":"date-time"}}},"supported_sync_modes":["full_refresh","incremental"],"source_defined_cursor":true,"default_cursor_field":["updated"],"source_defined_primary_key":[["id"]]},
  {"name":"events/raw","json_schema":{"type":"object","properties":{"uuid":{"type":"string"}}},"supported_sync_modes":["full_refresh"]}]})");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_JSON_EQ(*out, R"({"discovered":{"bindings":[
 {"recommendedName":"users","resourceConfig":{"stream":"users","syncMode":"incremental","cursorField":["updated"]},
  "documentSchema":{"properties":{"id":{"type":"integer"},"kind":{"type":"string"},"updated":{"format":"date-time","type":"string"}},"required":["id"],"type":"object"},
  "key":["/id"]},
 {"recommendedName":"events/raw","resourceConfig":{"stream":"events/raw","syncMode":"full_refresh","cursorField":["uuid"]},
  "documentSchema":{"properties":{"uuid":{"type":"string"}},"required":["uuid"],"type":"object"},
  "key":["/uuid"],"disable":true}]}})");
}

TEST_F(DiscoverTest, D5_CompositeKeyWithoutDefaultCursorHasNoCursorField) {
  // Reference: cursorField ["a","b"], which Airbyte reads as the nested path a.b.
  auto out = Build(
      R"({"streams":[{"name":"s","json_schema":{"properties":{"a":{},"b":{}}},"source_defined_primary_key":[["a"],["b"]]}]})");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(absl::StrContains(*out, R"("resourceConfig":{"stream":"s","syncMode":"full_refresh"},)")) << *out;
  EXPECT_TRUE(absl::StrContains(*out, R"("key":["/a","/b"])")) << *out;
}

TEST(Cursor, DefaultsPerD5) {
  auto cursor = [](const char* stream, std::vector<std::string> key) { return DefaultCursor(ParseOrDie(stream), key); };
  EXPECT_EQ(*cursor(R"({"default_cursor_field":["updated_at"]})", {"/id"}), (std::vector<std::string>{"updated_at"}));
  EXPECT_EQ(*cursor(R"({"default_cursor_field":[]})", {"/id"}), (std::vector<std::string>{"id"}));
  EXPECT_EQ(*cursor("{}", {}), (std::vector<std::string>{}));
  // A nested single key is an Airbyte path; escapes are undone.
  EXPECT_EQ(*cursor("{}", {"/a/b"}), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*cursor("{}", {"/a~1b"}), (std::vector<std::string>{"a/b"}));
  EXPECT_FALSE(cursor("{}", {"/a", "/b"}).has_value());
}

TEST_F(DiscoverTest, SourceDefinedKeyPathsAreEscaped) {
  auto out = Build(
      R"({"streams":[{"name":"s","json_schema":{"properties":{"a/b":{},"n":{"properties":{"t~x":{}}}}},"source_defined_primary_key":[["a/b"],["n","t~x"]]}]})");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(absl::StrContains(*out, R"("key":["/a~1b","/n/t~0x"])")) << *out;
}

TEST_F(DiscoverTest, PkFileOverridesAndWildcardFallback) {
  dir_.Write("streams/*.pk.json", R"(["tenant","id"])");
  dir_.Write("streams/orders.pk.json", R"(["data/id"])");
  auto out = Build(R"({"streams":[
    {"name":"orders","json_schema":{"properties":{"data":{"properties":{"id":{}}}}},"source_defined_primary_key":[["x"]]},
    {"name":"items","json_schema":{"properties":{"tenant":{},"id":{}}}}]})");
  ASSERT_TRUE(out.ok()) << out.status();
  rapidjson::Document doc = ParseOrDie(*out);
  const auto& bindings = doc["discovered"]["bindings"];
  EXPECT_JSON_EQ(WriteJson(bindings[0]["key"]), R"(["/data/id"])");
  EXPECT_JSON_EQ(WriteJson(bindings[0]["resourceConfig"]),
                 R"({"stream":"orders","syncMode":"full_refresh","cursorField":["data","id"]})");
  EXPECT_JSON_EQ(WriteJson(bindings[1]["key"]), R"(["/tenant","/id"])");
}

// An empty pk.json (or no key at all) gives the fallback key (D16).
TEST_F(DiscoverTest, EmptyPkFileGivesTheFallbackKey) {
  dir_.Write("streams/s.pk.json", "[]");
  auto out = Build(R"({"streams":[{"name":"s","json_schema":{},"source_defined_primary_key":[["id"]]}]})");
  ASSERT_TRUE(out.ok());
  EXPECT_JSON_EQ(
      *out,
      R"({"discovered":{"bindings":[{"recommendedName":"s","resourceConfig":{"stream":"s","syncMode":"full_refresh","cursorField":[]},"documentSchema":{"properties":{"_meta":{"type":"object","properties":{"row_id":{"type":"integer","description":"The fallback key airbyte-to-flow adds: the stream has no primary key."}},"required":["row_id"]}},"required":["_meta"]},"key":["/_meta/row_id"],"isFallbackKey":true}]}})");
}

TEST_F(DiscoverTest, FallbackKeyKeepsAnExistingMetaAndOnlyKeylessStreamsGetIt) {
  auto out = Build(R"({"streams":[
    {"name":"logs","json_schema":{"type":"object","required":["msg"],"properties":{"msg":{"type":"string"},
      "_meta":{"type":"object","properties":{"source":{"type":"string"}},"required":["source"]}}},
     "supported_sync_modes":["incremental"],"source_defined_cursor":true,"default_cursor_field":["msg"]},
    {"name":"users","json_schema":{"properties":{"id":{"type":"integer"}}},"source_defined_primary_key":[["id"]]}]})");
  ASSERT_TRUE(out.ok()) << out.status();
  rapidjson::Document doc = ParseOrDie(*out);
  const auto& logs = doc["discovered"]["bindings"][0];
  EXPECT_JSON_EQ(WriteJson(logs["key"]), R"(["/_meta/row_id"])");
  EXPECT_TRUE(logs["isFallbackKey"].GetBool());
  EXPECT_JSON_EQ(WriteJson(logs["documentSchema"]["required"]), R"(["msg","_meta"])");
  EXPECT_JSON_EQ(WriteJson(logs["documentSchema"]["properties"]["_meta"]["required"]), R"(["source","row_id"])");
  EXPECT_JSON_EQ(WriteJson(logs["documentSchema"]["properties"]["_meta"]["properties"]["source"]),
                 R"({"type":"string"})");
  // The cursor is the source's, not the fallback key.
  EXPECT_JSON_EQ(WriteJson(logs["resourceConfig"]),
                 R"({"stream":"logs","syncMode":"incremental","cursorField":["msg"]})");
  const auto& users = doc["discovered"]["bindings"][1];
  EXPECT_JSON_EQ(WriteJson(users["key"]), R"(["/id"])");
  EXPECT_FALSE(users.HasMember("isFallbackKey"));
  EXPECT_FALSE(users["documentSchema"]["properties"].HasMember("_meta"));
}

TEST_F(DiscoverTest, FallbackKeyNeedsAnObjectMeta) {
  auto out = Build(R"({"streams":[{"name":"odd","json_schema":{"properties":{"_meta":true}}}]})");
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(absl::StrContains(out.status().message(), "catalog stream `odd`")) << out.status();
  EXPECT_TRUE(absl::StrContains(out.status().message(), "pk.json")) << out.status();
}

TEST_F(DiscoverTest, StreamPatchSpecificReplacesWildcard) {
  dir_.Write("streams/*.patch.json", R"({"properties":{"wild":{"type":"string"}}})");
  dir_.Write("streams/special.patch.json", R"({"properties":{"own":{"type":"integer"}}})");
  auto out = Build(
      R"({"streams":[{"name":"special","json_schema":{"properties":{}},"source_defined_primary_key":[["own"]]},{"name":"plain","json_schema":{"properties":{}}}]})");
  rapidjson::Document doc = ParseOrDie(*out);
  EXPECT_JSON_EQ(WriteJson(doc["discovered"]["bindings"][0]["documentSchema"]["properties"]),
                 R"({"own":{"type":"integer"}})");
  EXPECT_JSON_EQ(WriteJson(doc["discovered"]["bindings"][1]["documentSchema"]["properties"]["wild"]),
                 R"({"type":"string"})");
}

TEST_F(DiscoverTest, OmittedSelectedAndNormalizations) {
  dir_.Write("omitted_streams.json", R"(["gone"])");
  dir_.Write("selected_streams.json", R"(["kept","gone"])");
  dir_.Write("schema_normalizations.json", R"(["date-to-datetime","unknown-thing"])");
  auto out = Build(
      R"({"streams":[{"name":"gone","json_schema":{}},{"name":"kept","json_schema":{"properties":{"d":{"format":"date"}}}},{"name":"other","json_schema":{}}]})");
  rapidjson::Document doc = ParseOrDie(*out);
  const auto& bindings = doc["discovered"]["bindings"];
  ASSERT_EQ(bindings.Size(), 2u);
  EXPECT_STREQ(bindings[0]["recommendedName"].GetString(), "kept");
  EXPECT_FALSE(bindings[0].HasMember("disable"));
  EXPECT_STREQ(bindings[0]["documentSchema"]["properties"]["d"]["format"].GetString(), "date-time");
  EXPECT_TRUE(bindings[1]["disable"].GetBool());
}

TEST_F(DiscoverTest, NoStreamsGivesAnEmptyDiscovered) {
  EXPECT_EQ(*Build(R"({"streams":[]})"), "{\"discovered\":{}}\n");
}

TEST_F(DiscoverTest, MalformedFilesAreErrorsNamingTheFile) {
  struct Case {
    const char* file;
    const char* contents;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"selected_streams.json", R"({"users":true})",
            "selected_streams.json: must be an array of strings, got object"},
           {"omitted_streams.json", R"(["a",1])",
            "omitted_streams.json: must be an array of strings, element 1 is number"},
           {"schema_normalizations.json", "\"date-to-datetime\"",
            "schema_normalizations.json: must be an array of strings, got string"},
           {"streams/users.pk.json", R"([["id"]])",
            "catalog stream `users`: " + std::string("streams/users.pk.json: element 0 must be a string, got array")},
           {"streams/*.pk.json", R"({"id":1})",
            "catalog stream `users`: " +
                std::string("streams/*.pk.json: must be an array of key fields such as [\"id\"], got object")},
           {"streams/users.patch.json", "{", "catalog stream `users`: streams/users.patch.json: invalid JSON"},
       }) {
    TestDir dir;
    dir.Write(c.file, c.contents);
    rapidjson::Document catalog = ParseOrDie(R"({"streams":[{"name":"users","json_schema":{}}]})");
    auto response = BuildDiscoverResponse(catalog, ConnectorDir(dir.path()), log_);
    ASSERT_FALSE(response.ok()) << c.file;
    std::string message(response.status().message());
    // Messages carry the absolute path of the file; compare from the file name on.
    absl::StrReplaceAll({{dir.path() + "/", ""}}, &message);
    EXPECT_TRUE(absl::StartsWith(message, c.error)) << message;
  }
}

TEST_F(DiscoverTest, CatalogErrors) {
  EXPECT_EQ(Build("{}").status().message(), "the connector's CATALOG has no `streams` array");
  EXPECT_EQ(Build(R"({"streams":[{"json_schema":{}}]})").status().message(), "catalog stream 0 has no string `name`");
  EXPECT_EQ(Build(R"({"streams":[{"name":"s","json_schema":{},"supported_sync_modes":[]}]})").status().message(),
            "catalog stream `s`: `supported_sync_modes` must be a non-empty array");
  EXPECT_EQ(Build(R"({"streams":[{"name":"s"}]})").status().message(),
            "catalog stream `s`: the stream has no `json_schema`");
}

TEST(StreamPath, NamesThatWouldEscapeAreNeverPaths) {
  EXPECT_EQ(*ConnectorDir::StreamPath("events/raw", ".pk.json"), "streams/events/raw.pk.json");
  EXPECT_EQ(*ConnectorDir::StreamPath("a..b", ".pk.json"), "streams/a..b.pk.json");
  EXPECT_FALSE(ConnectorDir::StreamPath("../etc", ".pk.json").has_value());
  EXPECT_FALSE(ConnectorDir::StreamPath("x/../../y", ".patch.json").has_value());
}

}  // namespace
}  // namespace atf
