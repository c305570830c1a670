// End to end: what Flow's runtime and control plane do to a capture
// (docs/decisions.md, D15, D16): a backfill of one binding, a capture split
// over shards, keyless streams with the fallback key, codec sniffing and
// one-line responses.
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "atf/base/json.h"
#include "gtest/gtest.h"
#include "tests/e2e/capture_helpers.h"
#include "tests/e2e/harness.h"

namespace atf::testing {
namespace {

// A binding of stream `stream` (incremental) with a backfill counter.
std::string Binding(absl::string_view stream, uint32_t backfill = 0, absl::string_view key = R"(["/id"])") {
  return absl::StrCat(R"({"resourceConfig":{"stream":")", stream, R"(","syncMode":"incremental"},)",
                      R"("collection":{"name":"acmeCo/)", stream, R"(","key":)", key, "},", R"("backfill":)", backfill,
                      R"(,"stateKey":")", stream, backfill > 0 ? absl::StrCat(".v", backfill) : "", "\"}");
}

std::string OpenWith(absl::string_view bindings, absl::string_view state, uint32_t key_begin = 0,
                     uint32_t key_end = 0xFFFFFFFFu) {
  return absl::StrCat(
      R"({"open":{"capture":{"name":"acmeCo/cap","connectorType":"IMAGE","config":{"api_key":"k"},"bindings":[)",
      bindings, R"(]},"version":"v1","range":{"keyBegin":)", key_begin, R"(,"keyEnd":)", key_end,
      R"(,"rClockEnd":4294967295},"state":)", state, "}}\n");
}

constexpr const char* kMinimalSpec =
    R"(out {"type":"SPEC","spec":{"connectionSpecification":{"type":"object"},"supported_destination_sync_modes":[]}})";

const std::string kThreeStreams = absl::StrCat(Binding("users"), ",", Binding("orders", 1), ",", Binding("items"));

std::string SaveState(const TestDir& dir) {
  return absl::StrCat("save-input --state ", dir.Path("state.json"), "\nsave-input --catalog ",
                      dir.Path("catalog.json"), "\n");
}

// The catalog.json stream of `name`: its refresh fields.
std::string RefreshFields(const TestDir& dir, absl::string_view name) {
  rapidjson::Document catalog = ParseOrDie(dir.Read("catalog.json"));
  for (const rapidjson::Value& stream : catalog["streams"].GetArray()) {
    if (ViewOf(stream["stream"]["name"]) != name) continue;
    return absl::StrCat(stream["generation_id"].GetUint(), "/", stream["minimum_generation_id"].GetUint());
  }
  return "absent";
}

TEST(Backfill, PerStreamStateResetsOnlyTheBackfilledStream) {
  TestDir dir;
  // Written before counters were recorded: every stream counts as backfill 0.
  const std::string stored =
      R"({"users":{"c":1},"orders":{"c":2},"items":{"c":3},"_airbyte_state_format":"per_stream"})";
  RunResult run = Capture(
      dir,
      absl::StrCat(
          SaveState(dir), Rec("orders", R"({"id":1})"),
          State(R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":4}}})"),
          State(R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"orders"},"stream_state":{"c":1}}})")),
      OpenWith(kThreeStreams, stored));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // `orders` starts over; the two others resume.
  EXPECT_JSON_EQ(
      dir.Read("state.json"),
      R"([{"type":"STREAM","stream":{"stream_descriptor":{"name":"items"},"stream_state":{"c":3}}},{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":1}}}])");
  EXPECT_EQ(RefreshFields(dir, "orders"), "1/1");
  EXPECT_EQ(RefreshFields(dir, "users"), "0/0");
  EXPECT_TRUE(run.ErrContains("backfilling `orders` from the start")) << run.err;
  std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), 4u) << run.out;
  // The first checkpoint drops the old `orders` state and records the counters.
  EXPECT_JSON_EQ(
      lines[2],
      R"({"checkpoint":{"state":{"updated":{"_airbyte_backfills":{"orders":1},"orders":null,"users":{"c":4},"_airbyte_state_format":"per_stream"},"mergePatch":true}}})");
  EXPECT_JSON_EQ(
      lines[3],
      R"({"checkpoint":{"state":{"updated":{"orders":{"c":1},"_airbyte_state_format":"per_stream"},"mergePatch":true}}})");

  // The next session (the state merged as Flow does) resumes all three.
  TestDir next;
  RunResult again = Capture(
      next, SaveState(next),
      OpenWith(
          kThreeStreams,
          R"({"_airbyte_backfills":{"orders":1},"users":{"c":4},"orders":{"c":1},"items":{"c":3},"_airbyte_state_format":"per_stream"})"));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_JSON_EQ(
      next.Read("state.json"),
      R"([{"type":"STREAM","stream":{"stream_descriptor":{"name":"items"},"stream_state":{"c":3}}},{"type":"STREAM","stream":{"stream_descriptor":{"name":"orders"},"stream_state":{"c":1}}},{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":4}}}])");
  EXPECT_EQ(RefreshFields(next, "orders"), "1/0");
  EXPECT_FALSE(again.ErrContains("backfilling")) << again.err;
}

TEST(Backfill, NoRecordedCountersAndNoBumpResumesUnchanged) {
  TestDir dir;
  const std::string bindings = absl::StrCat(Binding("users"), ",", Binding("orders"), ",", Binding("items"));
  RunResult run =
      Capture(dir, SaveState(dir),
              OpenWith(bindings, R"({"users":{"c":1},"orders":{"c":2},"_airbyte_state_format":"per_stream"})"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_JSON_EQ(
      dir.Read("state.json"),
      R"([{"type":"STREAM","stream":{"stream_descriptor":{"name":"orders"},"stream_state":{"c":2}}},{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":1}}}])");
  EXPECT_FALSE(run.ErrContains("backfilling")) << run.err;
  // Nothing changed: the final checkpoint carries no bookkeeping.
  EXPECT_EQ(run.OutLines().back(), R"({"checkpoint":{"state":{"updated":{},"mergePatch":true}}})");

  // A LEGACY blob without counters is handed over byte for byte.
  TestDir legacy;
  RunResult blob = Capture(legacy, SaveState(legacy), OpenWith(bindings, R"({"cursor": 7})"));
  ASSERT_EQ(blob.exit_code, 0) << blob.err;
  EXPECT_EQ(legacy.Read("state.json"), R"({"cursor": 7})");
}

TEST(Backfill, LegacyStateIsResetWholeAndSaysSo) {
  TestDir dir;
  RunResult run =
      Capture(dir, absl::StrCat(SaveState(dir), R"(out {"type":"STATE","state":{"data":{"cursor":1}}})", "\n"),
              OpenWith(kThreeStreams, R"({"cursor":7})"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(dir.Read("state.json"), "{}");
  EXPECT_TRUE(run.ErrContains("one LEGACY state for all its streams")) << run.err;
  for (const char* stream : {"users", "orders", "items"}) {
    EXPECT_EQ(RefreshFields(dir, stream), stream == std::string("orders") ? "1/1" : "0/0") << stream;
  }
  std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), 2u) << run.out;
  // The checkpoint replaces the old blob: nothing stale survives.
  EXPECT_JSON_EQ(lines[1], R"({"checkpoint":{"state":{"updated":{"_airbyte_backfills":{"orders":1},"cursor":1}}}})");
}

TEST(Backfill, GlobalStateDropsTheSharedPartAndTheStreamsEntry) {
  TestDir dir;
  const std::string stored =
      R"({"_airbyte_global":{"shared_state":{"lsn":9},"stream_states":[{"stream_descriptor":{"name":"users"},"stream_state":{"c":1}},{"stream_descriptor":{"name":"orders"},"stream_state":{"c":2}},{"stream_descriptor":{"name":"items"},"stream_state":{"c":3}}]}})";
  RunResult run = Capture(
      dir,
      absl::StrCat(
          SaveState(dir),
          State(
              R"({"type":"GLOBAL","global":{"shared_state":{"lsn":10},"stream_states":[{"stream_descriptor":{"name":"users"},"stream_state":{"c":5}}]}})")),
      OpenWith(kThreeStreams, stored));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_JSON_EQ(
      dir.Read("state.json"),
      R"([{"type":"GLOBAL","global":{"stream_states":[{"stream_descriptor":{"name":"users"},"stream_state":{"c":1}},{"stream_descriptor":{"name":"items"},"stream_state":{"c":3}}]}}])");
  EXPECT_TRUE(run.ErrContains("GLOBAL state is shared by its streams")) << run.err;
  std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), 2u) << run.out;
  EXPECT_JSON_EQ(
      lines[1],
      R"({"checkpoint":{"state":{"updated":{"_airbyte_backfills":{"orders":1},"_airbyte_global":{"shared_state":{"lsn":10},"stream_states":[{"stream_descriptor":{"name":"users"},"stream_state":{"c":5}}]}}}}})");
}

// -- Split captures ---------------------------------------------------------

struct ShardRun {
  std::set<std::string> streams;  // of the captured documents
  std::multiset<std::string> documents;
  RunResult run;
};

ShardRun CaptureShard(absl::string_view bindings, uint32_t key_begin, uint32_t key_end) {
  TestDir dir;
  ShardRun shard;
  shard.run = Capture(dir, "catalog-records 3\n", OpenWith(bindings, "{}", key_begin, key_end));
  for (const std::string& line : shard.run.OutLines()) {
    rapidjson::Document doc = ParseOrDie(line);
    if (!doc.HasMember("captured")) continue;
    shard.streams.insert(std::string(ViewOf(doc["captured"]["doc"]["stream"])));
    shard.documents.insert(WriteJson(doc["captured"]["doc"]));
  }
  return shard;
}

TEST(Split, TwoShardsCaptureDisjointHalvesOfTwentyBindings) {
  std::string bindings;
  for (int i = 0; i < 20; ++i) {
    absl::StrAppend(&bindings, i ? "," : "", Binding(absl::StrFormat("stream_%02d", i)));
  }
  ShardRun low = CaptureShard(bindings, 0, 0x7FFFFFFF);
  ShardRun high = CaptureShard(bindings, 0x80000000u, 0xFFFFFFFFu);
  ASSERT_EQ(low.run.exit_code, 0) << low.run.err;
  ASSERT_EQ(high.run.exit_code, 0) << high.run.err;
  EXPECT_FALSE(low.streams.empty());
  EXPECT_FALSE(high.streams.empty());
  std::multiset<std::string> all = low.documents;
  all.insert(high.documents.begin(), high.documents.end());
  ASSERT_EQ(all.size(), 60u);  // 20 bindings x 3 records
  for (int i = 0; i < 20; ++i) {
    const std::string stream = absl::StrFormat("stream_%02d", i);
    EXPECT_NE(low.streams.count(stream), high.streams.count(stream)) << stream << " is in both shards or none";
    for (int id = 0; id < 3; ++id) {
      EXPECT_EQ(all.count(absl::StrCat(R"({"id":)", id, R"(,"stream":")", stream, R"("})")), 1u) << stream << id;
    }
  }
  EXPECT_TRUE(low.run.ErrContains(absl::StrCat("this shard captures ", low.streams.size(), " of 20 bindings")))
      << low.run.err;

  // The whole range captures every binding, as an unsplit capture does.
  ShardRun whole = CaptureShard(bindings, 0, 0xFFFFFFFFu);
  EXPECT_EQ(whole.documents, all);
}

TEST(Split, AShardWithNoBindingIdlesUntilStdinCloses) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[spec]\n", kMinimalSpec, "\n[read]\ntouch ", dir.Path("connector-ran"), "\n"));
  // users hashes to 0x0522fd2d: a shard of [0x80000000, 0xffffffff] has no binding.
  std::unique_ptr<Process> shim = Process::Start(ShimBinary(), ShimArgs(dir, "script"), ShimEnv(dir));
  shim->Write(OpenWith(Binding("users"), "{}", 0x80000000u, 0xFFFFFFFFu));
  std::optional<std::string> opened = shim->ReadLine(10);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, R"({"opened":{}})");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_FALSE(shim->ReadLine(0.1).has_value());  // no "completed" run, no checkpoint
  const auto closed = std::chrono::steady_clock::now();
  shim->CloseStdin();
  RunResult run = shim->Wait(10);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_LT(std::chrono::steady_clock::now() - closed, std::chrono::seconds(2));
  EXPECT_FALSE(dir.Exists("connector-ran"));
  EXPECT_TRUE(run.ErrContains("this shard captures 0 of 1 bindings")) << run.err;
  EXPECT_FALSE(absl::StrContains(run.err, "\"level\":\"warn\"")) << run.err;
}

// -- Fallback keys ----------------------------------------------------------

TEST(FallbackKey, DiscoveredKeylessStreamsGetItAndDocumentsCarryIt) {
  TestDir dir;
  dir.Write(
      "script",
      absl::StrCat(
          "[discover]\n",
          R"(out {"type":"CATALOG","catalog":{"streams":[{"name":"logs","json_schema":{"type":"object","properties":{"msg":{"type":"string"}}},"supported_sync_modes":["incremental"],"source_defined_cursor":true,"default_cursor_field":["msg"]},{"name":"users","json_schema":{"type":"object","properties":{"id":{"type":"integer"}}},"supported_sync_modes":["full_refresh"],"source_defined_primary_key":[["id"]]}]}})",
          "\n"));
  RunResult discovered = RunShim(dir, "script",
                                 R"({"discover":{"connectorType":"IMAGE","config":{}}})"
                                 "\n");
  ASSERT_EQ(discovered.exit_code, 0) << discovered.err;
  rapidjson::Document response = ParseOrDie(discovered.OutLines().at(0));
  const rapidjson::Value& logs = response["discovered"]["bindings"][0];
  EXPECT_JSON_EQ(WriteJson(logs["key"]), R"(["/_meta/row_id"])");
  EXPECT_TRUE(logs["isFallbackKey"].GetBool());
  EXPECT_JSON_EQ(WriteJson(logs["documentSchema"]["properties"]["_meta"]["properties"]["row_id"]["type"]),
                 R"("integer")");
  const rapidjson::Value& users = response["discovered"]["bindings"][1];
  EXPECT_JSON_EQ(WriteJson(users["key"]), R"(["/id"])");
  EXPECT_FALSE(users.HasMember("isFallbackKey"));

  // Captured as published: the discovered schema and key.
  const std::string binding = absl::StrCat(
      R"({"resourceConfig":{"stream":"logs","syncMode":"incremental"},"collection":{"name":"acmeCo/logs","key":["/_meta/row_id"],"writeSchema":)",
      WriteJson(logs["documentSchema"]), R"(},"stateKey":"logs"})");
  TestDir first;
  RunResult run = Capture(
      first,
      absl::StrCat(Rec("logs", R"({"msg":"a"})"), Rec("logs", R"({"msg":"b","_meta":{"x":1}})"),
                   State(R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"logs"},"stream_state":{"c":1}}})")),
      OpenWith(binding, "{}"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), 4u) << run.out;
  EXPECT_EQ(lines[1], R"({"captured":{"doc":{"_meta":{"row_id":0},"msg":"a"}}})");
  EXPECT_EQ(lines[2], R"({"captured":{"doc":{"msg":"b","_meta":{"x":1,"row_id":1}}}})");
  EXPECT_JSON_EQ(
      lines[3],
      R"({"checkpoint":{"state":{"updated":{"_airbyte_row_ids":{"logs":2},"logs":{"c":1},"_airbyte_state_format":"per_stream"},"mergePatch":true}}})");

  // An incremental stream's row ids never repeat: the next session goes on.
  TestDir second;
  RunResult next = Capture(
      second, Rec("logs", R"({"msg":"c"})"),
      OpenWith(binding, R"({"_airbyte_row_ids":{"logs":2},"logs":{"c":1},"_airbyte_state_format":"per_stream"})"));
  ASSERT_EQ(next.exit_code, 0) << next.err;
  ASSERT_GE(next.OutLines().size(), 2u) << next.out;
  EXPECT_EQ(next.OutLines()[1], R"({"captured":{"doc":{"_meta":{"row_id":2},"msg":"c"}}})");
}

// -- One line per response ---------------------------------------------------

TEST(OneLine, PrettyPrintedPatchFilesGiveOneLineResponses) {
  TestDir dir;
  dir.Write("spec.patch.json", "{\n  \"properties\": {\n    \"extra\": {\n      \"type\": \"string\"\n    }\n  }\n}\n");
  dir.Write("oauth2.patch.json",
            "{\n  \"provider\": \"acme\",\n  \"authUrlTemplate\": \"https://acme/auth\",\n"
            "  \"accessTokenUrlTemplate\": \"https://acme/token\"\n}\n");
  dir.Write("documentation_url.patch.json", "{\n  \"documentation_url\": \"https://docs/acme\"\n}\n");
  dir.Write("spec.map.json", "{\n  \"/extra\": \"/moved\"\n}\n");
  dir.Write("streams/users.patch.json", "{\n  \"properties\": {\n    \"name\": {\"type\": \"string\"}\n  }\n}\n");
  dir.Write("streams/users.pk.json", "[\n  \"id\"\n]\n");
  dir.Write(
      "script",
      absl::StrCat(
          "[spec]\n",
          R"(out {"type":"SPEC","spec":{"connectionSpecification":{"type":"object","properties":{"api_key":{"type":"string","airbyte_secret":true}}},"supported_destination_sync_modes":[]}})",
          "\n[discover]\nsave-input --config ", dir.Path("config.json"), "\n",
          R"(out {"type":"CATALOG","catalog":{"streams":[{"name":"users","json_schema":{"type":"object","properties":{"id":{"type":"integer"}}},"supported_sync_modes":["full_refresh"]}]}})",
          "\n"));
  RunResult spec = RunShim(dir, "script",
                           R"({"spec":{"connectorType":"IMAGE","config":{}}})"
                           "\n");
  ASSERT_EQ(spec.exit_code, 0) << spec.err;
  ASSERT_EQ(spec.OutLines().size(), 1u) << spec.out;
  rapidjson::Document response = ParseOrDie(spec.OutLines()[0]);
  EXPECT_EQ(ViewOf(response["spec"]["documentationUrl"]), "https://docs/acme");
  EXPECT_EQ(ViewOf(response["spec"]["oauth2"]["provider"]), "acme");
  RunResult discovered = RunShim(dir, "script",
                                 R"({"discover":{"connectorType":"IMAGE","config":{"moved":"x"}}})"
                                 "\n");
  ASSERT_EQ(discovered.exit_code, 0) << discovered.err;
  ASSERT_EQ(discovered.OutLines().size(), 1u) << discovered.out;
  EXPECT_JSON_EQ(dir.Read("config.json"), R"({"extra":"x"})");
  rapidjson::Document found = ParseOrDie(discovered.OutLines()[0]);
  EXPECT_JSON_EQ(WriteJson(found["discovered"]["bindings"][0]["key"]), R"(["/id"])");
  EXPECT_EQ(ViewOf(found["discovered"]["bindings"][0]["documentSchema"]["properties"]["name"]["type"]), "string");
}

}  // namespace
}  // namespace atf::testing
