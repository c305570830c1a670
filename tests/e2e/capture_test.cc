// End to end: capture sessions through the real binary (docs/decisions.md, D1, D3,
// D6, D7, D8): routing, every state shape, checkpoints, acknowledgements,
// stops, idle timeout and run interval.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "atf/base/json.h"
#include "gtest/gtest.h"
#include "tests/e2e/capture_helpers.h"
#include "tests/e2e/harness.h"

namespace atf::testing {
namespace {

TEST(Capture, H5_OpenRecordsCheckpointsAndInputFiles) {
  TestDir dir;
  RunResult run = Capture(
      dir,
      absl::StrCat(
          "save-args ", dir.Path("args"), "\nsave-input --config ", dir.Path("config.json"), "\nsave-input --catalog ",
          dir.Path("catalog.json"), "\nsave-input --state ", dir.Path("state.json"), "\n",
          Rec("users", R"({"id":1,"updated":"2024-02-01 10:00:00"})"),
          State(
              R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"updated":"2024-02-01"}}})"),
          Rec("users", R"({"id":2,"updated":1706781600})")),
      Open(kUsersBinding, R"({"users":{"updated":"2024-01-01"}})"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), 5u) << run.out;
  EXPECT_EQ(lines[0], R"({"opened":{}})");
  EXPECT_EQ(lines[1], R"({"captured":{"doc":{"id":1,"updated":"2024-02-01T10:00:00Z"}}})");
  EXPECT_JSON_EQ(
      lines[2],
      R"({"checkpoint":{"state":{"updated":{"users":{"updated":"2024-02-01"},"_airbyte_state_format":"per_stream"},"mergePatch":true}}})");
  EXPECT_EQ(lines[3], R"({"captured":{"doc":{"id":2,"updated":"2024-02-01T10:00:00Z"}}})");
  EXPECT_EQ(lines[4], R"({"checkpoint":{"state":{"updated":{},"mergePatch":true}}})");  // synthetic, W001
  EXPECT_TRUE(run.ErrContains("go.estuary.dev/W001")) << run.err;

  std::vector<std::string> args = absl::StrSplit(dir.Read("args"), '\n', absl::SkipEmpty());
  ASSERT_EQ(args.size(), 7u);
  EXPECT_EQ(args[0], "read");
  EXPECT_EQ(args[1], "--config");
  EXPECT_EQ(args[3], "--catalog");
  EXPECT_EQ(args[5], "--state");
  EXPECT_JSON_EQ(dir.Read("config.json"), R"({"api_key":"k"})");
  EXPECT_EQ(dir.Read("state.json"), R"({"users":{"updated":"2024-01-01"}})");  // LEGACY: verbatim
  // sync_id is the session's start (unix seconds); the rest is exact.
  rapidjson::Document catalog = ParseOrDie(dir.Read("catalog.json"));
  rapidjson::Value& stream = catalog["streams"][0];
  ASSERT_TRUE(stream["sync_id"].IsUint64());
  EXPECT_GT(stream["sync_id"].GetUint64(), 1700000000u);
  stream.RemoveMember("sync_id");
  EXPECT_JSON_EQ(
      WriteJson(catalog),
      R"({"streams":[{"stream":{"name":"users","json_schema":{"type":"object","properties":{"id":{"type":"integer"},"updated":{"type":"string","format":"date-time"}},"required":["id"]},"supported_sync_modes":["incremental"],"source_defined_cursor":null,"default_cursor_field":null,"source_defined_primary_key":null,"namespace":null},"sync_mode":"incremental","destination_sync_mode":"append","cursor_field":["updated"],"primary_key":[["id"]],"projections":{"id":"/id","updated":"/updated"},"generation_id":0,"minimum_generation_id":0}],"estuary.dev/range":{"begin":"00000000","end":"ffffffff"}})");
}

TEST(Capture, MultiBindingRoutingByNamespaceAndStream) {
  TestDir dir;
  const std::string bindings = absl::StrCat(
      R"({"resourceConfig":{"stream":"users","namespace":"public","syncMode":"incremental"},"collection":{"name":"a/public_users","key":["/id"]}},)",
      R"({"resourceConfig":{"stream":"users","namespace":"other","syncMode":"incremental"},"collection":{"name":"a/other_users","key":["/id"]}},)",
      R"({"resourceConfig":{"stream":"events","syncMode":"full_refresh"},"collection":{"name":"a/events","key":["/id"]}})");
  RunResult run = Capture(
      dir,
      absl::StrCat(
          Rec("users", R"({"id":1})", R"(,"namespace":"public")"),
          Rec("users", R"({"id":2})", R"(,"namespace":"other")"), Rec("events", R"({"id":3})"),
          // No binding carries a namespace for `events`: the name decides.
          Rec("events", R"({"id":4})", R"(,"namespace":"whatever")"),
          Rec("users", R"({"id":5})", R"(,"namespace":"public")"),
          State(
              R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"users","namespace":"public"},"stream_state":{"c":1}}})")),
      Open(bindings));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), 7u) << run.out;
  EXPECT_EQ(lines[1], R"({"captured":{"doc":{"id":1}}})");
  EXPECT_EQ(lines[2], R"({"captured":{"binding":1,"doc":{"id":2}}})");
  EXPECT_EQ(lines[3], R"({"captured":{"binding":2,"doc":{"id":3}}})");
  EXPECT_EQ(lines[4], R"({"captured":{"binding":2,"doc":{"id":4}}})");
  EXPECT_EQ(lines[5], R"({"captured":{"doc":{"id":5}}})");
  EXPECT_JSON_EQ(
      lines[6],
      R"({"checkpoint":{"state":{"updated":{"public/users":{"c":1},"_airbyte_state_format":"per_stream"},"mergePatch":true}}})");
}

TEST(Capture, AmbiguousOrUnknownStreamIsAClearError) {
  TestDir dir;
  const std::string bindings = absl::StrCat(
      R"({"resourceConfig":{"stream":"users","namespace":"a","syncMode":"incremental"},"collection":{"name":"x/a"}},)",
      R"({"resourceConfig":{"stream":"users","namespace":"b","syncMode":"incremental"},"collection":{"name":"x/b"}})");
  RunResult run = Capture(dir, Rec("users", R"({"id":1})"), Open(bindings));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(),
            "connector output line 1: the connector wrote a record for stream `users`, which no binding of this "
            "capture captures");
  run = Capture(dir, Rec("orders", R"({"id":1})", R"(,"namespace":"a")"), Open(bindings));
  EXPECT_EQ(run.LastErrMessage(),
            "connector output line 1: the connector wrote a record for stream `orders` in namespace `a`, which no "
            "binding of this capture captures");
}

TEST(Capture, RecordWithoutDataIsAnError) {
  TestDir dir;
  RunResult run = Capture(dir, "out {\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"emitted_at\":1}}\n",
                          Open(kUsersBinding));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(), "connector output line 1: RECORD of stream `users` has no `data`");
  // Nothing after the opened response reached Flow.
  EXPECT_EQ(run.OutLines(), std::vector<std::string>{R"({"opened":{}})"});
}

TEST(Capture, LegacyStateMergeFlag) {
  TestDir dir;
  RunResult run =
      Capture(dir,
              absl::StrCat(State(R"({"data":{"cursor":1},"merge":true})"), State(R"({"data":{"b":1,  "a":2}})"),
                           State(R"({"data":{"c":3},"estuary.dev/merge":true})")),
              Open(kUsersBinding));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[1], R"({"checkpoint":{"state":{"updated":{"cursor":1},"mergePatch":true}}})");
  EXPECT_EQ(lines[2], R"({"checkpoint":{"state":{"updated":{"b":1,  "a":2}}}})");  // exact bytes
  EXPECT_EQ(lines[3], R"({"checkpoint":{"state":{"updated":{"c":3},"mergePatch":true}}})");
}

TEST(Capture, StreamStatesWithAndWithoutNamespaceAndDeletion) {
  TestDir dir;
  RunResult run = Capture(
      dir,
      absl::StrCat(
          State(R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":1}}})"),
          State(
              R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"users","namespace":"public"},"stream_state":{"c":2}}})"),
          State(R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":null}})")),
      Open(kUsersBinding));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_JSON_EQ(
      lines[1],
      R"({"checkpoint":{"state":{"updated":{"users":{"c":1},"_airbyte_state_format":"per_stream"},"mergePatch":true}}})");
  EXPECT_JSON_EQ(
      lines[2],
      R"({"checkpoint":{"state":{"updated":{"public/users":{"c":2},"_airbyte_state_format":"per_stream"},"mergePatch":true}}})");
  EXPECT_JSON_EQ(
      lines[3],
      R"({"checkpoint":{"state":{"updated":{"users":null,"_airbyte_state_format":"per_stream"},"mergePatch":true}}})");
}

// Applies checkpoints to a state document the way Flow does.
std::string ApplyCheckpoints(std::string state, const std::vector<std::string>& lines);

TEST(Capture, GlobalStateRoundTrip) {
  TestDir dir;
  const std::string global =
      R"({"shared_state":{"lsn":"0/16B3748"},"stream_states":[{"stream_descriptor":{"name":"users","namespace":"public"},"stream_state":{"c":1}}]})";
  RunResult first = Capture(
      dir, absl::StrCat(Rec("users", R"({"id":1})"), State(absl::StrCat(R"({"type":"GLOBAL","global":)", global, "}"))),
      Open(kUsersBinding));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(first.OutLines().size(), 3u);
  EXPECT_JSON_EQ(first.OutLines()[2],
                 absl::StrCat(R"({"checkpoint":{"state":{"updated":{"_airbyte_global":)", global, "}}}}"));

  std::string stored = ApplyCheckpoints("{}", first.OutLines());
  RunResult second =
      Capture(dir, absl::StrCat("save-input --state ", dir.Path("state.json"), "\n"), Open(kUsersBinding, stored));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_JSON_EQ(dir.Read("state.json"), absl::StrCat(R"([{"type":"GLOBAL","global":)", global, "}]"));
}

TEST(Capture, StreamStateRoundTripAcrossOpens) {
  TestDir dir;
  const std::string bindings = absl::StrCat(
      kUsersBinding, ",",
      R"({"resourceConfig":{"stream":"orders","namespace":"public","syncMode":"incremental"},"collection":{"name":"a/orders"}})");
  RunResult first = Capture(
      dir,
      absl::StrCat(
          State(R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":1}}})"),
          State(
              R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"orders","namespace":"public"},"stream_state":{"c":2}}})")),
      Open(bindings));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::string stored = ApplyCheckpoints("{}", first.OutLines());
  RunResult second =
      Capture(dir, absl::StrCat("save-input --state ", dir.Path("state.json"), "\n"), Open(bindings, stored));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_JSON_EQ(
      dir.Read("state.json"),
      R"([{"type":"STREAM","stream":{"stream_descriptor":{"name":"orders","namespace":"public"},"stream_state":{"c":2}}},
                     {"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":1}}}])");
}

TEST(Capture, StateWrittenByTheRustBinaryResumes) {
  TestDir dir;
  // The Rust binary (with AIRBYTE_TO_FLOW_STATE_FORMAT=per_stream) stored
  // `{name: state}` without namespaces or marker.
  const std::string binding =
      R"({"resourceConfig":{"stream":"users","namespace":"public","syncMode":"incremental"},"collection":{"name":"a/users"}})";
  RunResult run = Capture(dir, absl::StrCat("save-input --state ", dir.Path("state.json"), "\n"),
                          Open(binding, R"({"users":{"cursor":"2024-01-01"}})"),
                          {.env = {{"AIRBYTE_TO_FLOW_STATE_FORMAT", "per_stream"}}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_JSON_EQ(
      dir.Read("state.json"),
      R"([{"type":"STREAM","stream":{"stream_descriptor":{"name":"users","namespace":"public"},"stream_state":{"cursor":"2024-01-01"}}}])");
}

TEST(Capture, ControlConfigPersistedWhenEnabledAndMergedAtTheNextOpen) {
  TestDir dir;
  const std::string control =
      R"(out {"type":"CONTROL","control":{"type":"CONNECTOR_CONFIG","emitted_at":1,"connectorConfig":{"config":{"api_key":"k","refresh_token":"rotated-token-1"}}}})"
      "\n";
  ShimOptions persist{.env = {{"AIRBYTE_TO_FLOW_PERSIST_CONTROL_CONFIG", "1"}}};
  RunResult first =
      Capture(dir, absl::StrCat(control, State(R"({"data":{"cursor":1}})")), Open(kUsersBinding), persist);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(first.OutLines().size(), 2u);
  EXPECT_JSON_EQ(
      first.OutLines()[1],
      R"({"checkpoint":{"state":{"updated":{"_airbyte_control_config":{"api_key":"k","refresh_token":"rotated-token-1"},"cursor":1}}}})");
  EXPECT_FALSE(first.ErrContains("rotated-token-1")) << first.err;

  std::string stored = ApplyCheckpoints("{}", first.OutLines());
  RunResult second = Capture(dir,
                             absl::StrCat("save-input --config ", dir.Path("config.json"), "\nsave-input --state ",
                                          dir.Path("state.json"), "\n"),
                             Open(kUsersBinding, stored, R"({"api_key":"k","region":"eu"})"), persist);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_JSON_EQ(dir.Read("config.json"), R"({"api_key":"k","region":"eu","refresh_token":"rotated-token-1"})");
  EXPECT_JSON_EQ(dir.Read("state.json"), R"({"cursor":1})");

  // Not enabled: a warning, and nothing persisted.
  RunResult off = Capture(dir, absl::StrCat(control, State(R"({"data":{"cursor":1}})")), Open(kUsersBinding));
  EXPECT_EQ(off.OutLines()[1], R"({"checkpoint":{"state":{"updated":{"cursor":1}}}})");
  EXPECT_TRUE(off.ErrContains("which is not persisted")) << off.err;
}

TEST(Capture, ExitZeroWithoutStateGivesOneSyntheticCheckpoint) {
  TestDir dir;
  RunResult run =
      Capture(dir, absl::StrCat(Rec("users", R"({"id":1})"), Rec("users", R"({"id":2})")), Open(kUsersBinding));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[3], R"({"checkpoint":{"state":{"updated":{},"mergePatch":true}}})");
  // Nothing at all: opened, then the synthetic checkpoint.
  RunResult empty = Capture(dir, "", Open(kUsersBinding));
  EXPECT_EQ(empty.OutLines(), (std::vector<std::string>{
                                  R"({"opened":{}})", R"({"checkpoint":{"state":{"updated":{},"mergePatch":true}}})"}));
  // A final checkpoint of its own: no synthetic one.
  RunResult final_state =
      Capture(dir, absl::StrCat(Rec("users", R"({"id":1})"), State(R"({"data":{}})")), Open(kUsersBinding));
  EXPECT_EQ(final_state.OutLines().size(), 3u);
}

TEST(Capture, FailureAfterRecordsHasNoSyntheticCheckpoint) {
  TestDir dir;
  RunResult run =
      Capture(dir,
              absl::StrCat(Rec("users", R"({"id":1})"),
                           "out {\"type\":\"TRACE\",\"trace\":{\"type\":\"ERROR\",\"error\":{\"message\":\"rate "
                           "limited for too long\"}}}\nexit 1\n"),
              Open(kUsersBinding));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.OutLines(), (std::vector<std::string>{R"({"opened":{}})", R"({"captured":{"doc":{"id":1}}})"}));
  EXPECT_EQ(run.LastErrMessage(), "rate limited for too long");
  EXPECT_EQ(run.LastErrLevel(), "error");
}

TEST(Capture, AcknowledgementsAreAccepted) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[read]\n", State(R"({"data":{"a":1}})"), "wait-for ", dir.Path("acked"), "\n",
                                   State(R"({"data":{"a":2}})")));
  auto shim = Process::Start(ShimBinary(), ShimArgs(dir, "script"), ShimEnv(dir));
  shim->Write(Open(kUsersBinding));
  ASSERT_EQ(shim->ReadLine(10), R"({"opened":{}})");
  ASSERT_EQ(shim->ReadLine(10), R"({"checkpoint":{"state":{"updated":{"a":1}}}})");
  shim->Write("{\"acknowledge\":{\"checkpoints\":1}}\n{\"acknowledge\":{}}\n{\"acknowledge\":{\"checkpoints\":2}}\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  dir.Write("acked", "");
  ASSERT_EQ(shim->ReadLine(10), R"({"checkpoint":{"state":{"updated":{"a":2}}}})");
  RunResult run = shim->Wait(10);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.ErrContains(R"("acknowledgements":3)")) << run.err;
}

TEST(Capture, OtherRequestsDuringACaptureAreErrors) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[read]\ntouch ", dir.Path("running"), "\nhang\n"));
  auto shim = Process::Start(ShimBinary(), ShimArgs(dir, "script"), ShimEnv(dir));
  shim->Write(Open(kUsersBinding));
  ASSERT_EQ(shim->ReadLine(10), R"({"opened":{}})");
  shim->Write("{\"spec\":{}}\n");
  RunResult run = shim->Wait(10);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(), "unexpected `spec` request during a capture session (only `acknowledge` is allowed)");
}

TEST(Capture, FlowClosingStdinStopsTheConnectorWithinTheGracePeriod) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[read]\n", Rec("users", R"({"id":1})"), "touch ", dir.Path("running"),
                                   "\nignore-sigterm\nhang\n"));
  auto args = ShimArgs(dir, "script");
  args.push_back("--grace-period=400ms");
  auto shim = Process::Start(ShimBinary(), args, ShimEnv(dir));
  shim->Write(Open(kUsersBinding));
  ASSERT_EQ(shim->ReadLine(10), R"({"opened":{}})");
  ASSERT_EQ(shim->ReadLine(10), R"({"captured":{"doc":{"id":1}}})");
  const auto start = std::chrono::steady_clock::now();
  shim->CloseStdin();
  RunResult run = shim->Wait(10);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "");  // nothing more after the stop, no synthetic checkpoint
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_TRUE(run.ErrContains("stopping the connector: Flow closed the session")) << run.err;
}

TEST(Capture, IdleConnectorIsStoppedAndTheShimExitsZero) {
  TestDir dir;
  RunResult run =
      Capture(dir,
              absl::StrCat(State(R"({"data":{"a":1}})"),
                           "out {\"type\":\"LOG\",\"log\":{\"level\":\"INFO\",\"message\":\"backing off\"}}\nhang\n"),
              Open(kUsersBinding), {.extra_args = {"--idle-timeout=300ms", "--grace-period=200ms"}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.OutLines().size(), 2u);
  EXPECT_TRUE(run.ErrContains("connector has been idle for 300ms")) << run.err;
}

TEST(Capture, RunIntervalIsWaitedOutUntilFlowClosesStdin) {
  TestDir dir;
  dir.Write("run_interval_minutes.json", " 60\n");
  dir.Write("script", absl::StrCat("[read]\n", State(R"({"data":{}})")));
  auto shim = Process::Start(ShimBinary(), ShimArgs(dir, "script"), ShimEnv(dir));
  shim->Write(Open(kUsersBinding));
  ASSERT_EQ(shim->ReadLine(10), R"({"opened":{}})");
  ASSERT_TRUE(shim->ReadLine(10).has_value());
  // Still there: waiting out the interval.
  EXPECT_FALSE(shim->ReadLine(0.5).has_value());
  const auto start = std::chrono::steady_clock::now();
  shim->CloseStdin();
  RunResult run = shim->Wait(10);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.ErrContains("waiting before exiting")) << run.err;
}

TEST(Capture, SkipIntervalFlagIsHonouredAndNotHandedToTheConnector) {
  TestDir dir;
  dir.Write("run_interval_minutes.json", "60");
  RunResult run =
      Capture(dir, absl::StrCat("save-input --config ", dir.Path("config.json"), "\n"),
              Open(kUsersBinding, "{}", R"({"api_key":"k","_atf_skip_interval":true})"), {.timeout_seconds = 10});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.ErrContains("atf: skipping interval")) << run.err;
  EXPECT_JSON_EQ(dir.Read("config.json"), R"({"api_key":"k"})");
}

TEST(Capture, BadRunIntervalFileFailsBeforeTheConnectorStarts) {
  TestDir dir;
  dir.Write("run_interval_minutes.json", "60.0");
  RunResult run = Capture(dir, absl::StrCat("touch ", dir.Path("started"), "\n"), Open(kUsersBinding));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_FALSE(dir.Exists("started"));
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.LastErrMessage(), absl::StrCat(dir.Path("run_interval_minutes.json"),
                                               ": must be a whole number of minutes such as 60, got `60.0`"));
}

TEST(Capture, BadOpensAreClearErrors) {
  struct Case {
    std::string open;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"{\"open\":{}}\n", "the Open request has no `capture`"},
           {Open(R"({"resourceConfig":{"stream":"s"},"collection":{"name":"a/s"}})"),
            "binding 0 (a/s): resource config needs `syncMode` set to \"incremental\" or \"full_refresh\""},
           {Open(R"({"resourceConfig":{"stream":"s","syncMode":"incremental"}})"),
            "the Open has no binding with a collection: there is nothing to capture"},
           {Open(absl::StrCat(kUsersBinding, ",", kUsersBinding)),
            "binding 1 (acmeCo/users) captures stream `users`, which an earlier binding captures already"},
       }) {
    TestDir dir;
    RunResult run = Capture(dir, absl::StrCat("touch ", dir.Path("started"), "\n"), c.open);
    EXPECT_EQ(run.exit_code, 1) << c.open;
    EXPECT_FALSE(dir.Exists("started"));
    EXPECT_EQ(run.LastErrMessage(), c.error);
  }
}

TEST(Capture, NormalizeFileAndDateTimeFormats) {
  TestDir dir;
  dir.Write("streams/users.normalize.json", R"([{"pointer":"/born","normalization":"datetime_to_date"}])");
  const std::string binding =
      R"({"resourceConfig":{"stream":"users","syncMode":"incremental"},"collection":{"name":"a/users","writeSchema":{"properties":{"updated":{"format":"date-time"},"log":{"items":{"format":"date-time"}}}}}})";
  RunResult run = Capture(
      dir,
      // The data comes before the stream in this line: the second pass.
      absl::StrCat(
          R"(out {"type":"RECORD","record":{"data":{"updated":"Wed, 02 Jun 2021 06:31:39 GMT","log":["2021-01-01",1.5],"born":"1990-05-06T12:00:00Z"},"stream":"users"}})",
          "\n", Rec("users", R"({"updated":"2021-06-02T06:31:39Z","born":"1990-05-06"})")),
      Open(binding));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(
      run.OutLines()[1],
      R"({"captured":{"doc":{"updated":"2021-06-02T06:31:39Z","log":["2021-01-01T00:00:00Z","1970-01-01T00:00:01.500Z"],"born":"1990-05-06"}}})");
  EXPECT_EQ(run.OutLines()[2], R"({"captured":{"doc":{"updated":"2021-06-02T06:31:39Z","born":"1990-05-06"}}})");
}

TEST(Capture, SixtyFourMebibyteRecordPassesThrough) {
  TestDir dir;
  RunResult run = Capture(dir, absl::StrCat("big-record users 67108864\n", State(R"({"data":{}})")),
                          Open(kUsersBinding), {.timeout_seconds = 60});
  ASSERT_EQ(run.exit_code, 0) << run.err.substr(0, 2000);
  std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].size(), std::string(R"({"captured":{"doc":{"blob":""}}})").size() + 67108864);
  EXPECT_TRUE(absl::StartsWith(lines[1], R"({"captured":{"doc":{"blob":"xxxx)"));
}

// Peak resident memory of a running process, in KiB.
long PeakRssKib(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "VmHWM:")) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(Capture, FlowNotReadingStdoutHoldsTheConnectorBackWithBoundedMemory) {
  TestDir dir;
  // 150,000 records of 1 KiB: about 150 MiB, far more than may be buffered.
  constexpr int kRecords = 150000;
  dir.Write("script", absl::StrCat("[read]\nrecords users ", kRecords, " 1024\n", State(R"({"data":{"done":true}})")));
  auto shim = Process::Start(ShimBinary(), ShimArgs(dir, "script"), ShimEnv(dir));
  shim->Write(Open(kUsersBinding));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // Flow does not read
  const long peak_while_blocked = PeakRssKib(shim->pid());

  ASSERT_EQ(shim->ReadLine(30), R"({"opened":{}})");
  long peak_overall = -1;
  for (int i = 0; i < kRecords; ++i) {
    if (i == kRecords / 2) peak_overall = PeakRssKib(shim->pid());  // surely still running
    std::optional<std::string> line = shim->ReadLine(30);
    ASSERT_TRUE(line.has_value()) << "record " << i;
    ASSERT_TRUE(absl::StartsWith(*line, absl::StrCat(R"({"captured":{"doc":{"id":)", i, ",")))
        << i << ": " << line->substr(0, 80);
  }
  EXPECT_EQ(shim->ReadLine(30), R"({"checkpoint":{"state":{"updated":{"done":true}}}})");
  std::cerr << "peak RSS of the shim: " << peak_while_blocked << " KiB while blocked, " << peak_overall
            << " KiB overall\n";
  RunResult run = shim->Wait(60);
  ASSERT_EQ(run.exit_code, 0) << run.err;
#ifndef __SANITIZE_ADDRESS__
  EXPECT_GT(peak_while_blocked, 0);
  EXPECT_GT(peak_overall, 0);
  EXPECT_LT(peak_while_blocked, 32 * 1024) << "KiB";
  EXPECT_LT(peak_overall, 32 * 1024) << "KiB";
#else
  (void)peak_while_blocked;
  (void)peak_overall;
#endif
}

TEST(Capture, RecordedN8nConnectorOutput) {
  TestDir dir;
  const std::string binding =
      R"({"resourceConfig":{"stream":"executions","syncMode":"incremental"},"collection":{"name":"a/executions","key":["/id"],"writeSchema":{"properties":{"startedAt":{"format":"date-time"},"stoppedAt":{"type":["null","string"],"format":"date-time"}}}}})";
  RunResult run =
      Capture(dir, absl::StrCat("out-file ", SourceDir(), "/tests/fixtures/recorded/n8n-read.jsonl\n"), Open(binding));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), 7u);  // opened, 5 records, synthetic checkpoint
  rapidjson::Document first = ParseOrDie(lines[1]);
  EXPECT_EQ(first["captured"]["doc"]["id"].GetInt(), 1);
  EXPECT_STREQ(first["captured"]["doc"]["startedAt"].GetString(), "2026-11-01T10:00:00.000Z");
  EXPECT_TRUE(run.ErrContains(R"("message":"stream status","fields":{"stream":"executions","status":"COMPLETE"})"))
      << run.err;
}

TEST(Capture, RecordedFarosConnectorOutput) {
  TestDir dir;
  const std::string binding =
      R"({"resourceConfig":{"stream":"builds","syncMode":"incremental"},"collection":{"name":"a/builds","key":["/uid","/source"]}})";
  RunResult run = Capture(dir, absl::StrCat("out-file ", SourceDir(), "/tests/fixtures/recorded/faros-read.jsonl\n"),
                          Open(binding));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  int captured = 0, checkpoints = 0;
  for (const std::string& line : run.OutLines()) {
    if (absl::StartsWith(line, R"({"captured":)")) ++captured;
    if (absl::StartsWith(line, R"({"checkpoint":)")) {
      ++checkpoints;
      EXPECT_TRUE(absl::StartsWith(line, R"({"checkpoint":{"state":{"updated":{"format":"base64/gzip","data":")"))
          << line;
    }
  }
  EXPECT_EQ(captured, 5);
  EXPECT_EQ(checkpoints, 3);  // of 6 STATEs: a repeat with no record before it adds none (D17)
  EXPECT_TRUE(absl::StartsWith(run.OutLines().back(), R"({"checkpoint":)"));
}

std::string ApplyCheckpoints(std::string state, const std::vector<std::string>& lines) {
  rapidjson::Document doc = ParseOrDie(state);
  for (const std::string& line : lines) {
    rapidjson::Document response = ParseOrDie(line);
    if (!response.HasMember("checkpoint")) continue;
    const rapidjson::Value& checkpoint = response["checkpoint"]["state"];
    const bool merge = checkpoint.HasMember("mergePatch") && checkpoint["mergePatch"].GetBool();
    if (!merge) {
      doc.CopyFrom(checkpoint["updated"], doc.GetAllocator());
      continue;
    }
    // RFC 7396, one level deep is all these tests need.
    for (const auto& member : checkpoint["updated"].GetObject()) {
      if (doc.HasMember(member.name)) doc.RemoveMember(member.name);
      if (!member.value.IsNull()) {
        doc.AddMember(rapidjson::Value(member.name, doc.GetAllocator()),
                      rapidjson::Value(member.value, doc.GetAllocator()), doc.GetAllocator());
      }
    }
  }
  return WriteJson(doc);
}

}  // namespace
}  // namespace atf::testing
