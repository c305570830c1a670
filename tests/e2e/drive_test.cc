// End to end: `airbyte-to-flow drive` (the local driver) on the real binary,
// which starts a second copy of itself as the shim, against the demo
// connector (connectors/source-demo) and the scripted fake connector.
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "atf/base/json.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace atf::testing {
namespace {

std::string DemoEntrypoint() { return absl::StrCat(SourceDir(), "/connectors/source-demo/source-demo.sh"); }
std::string DemoDir() { return absl::StrCat(SourceDir(), "/connectors/source-demo"); }
constexpr const char* kDemoConfig = R"({"api_key":"demo-secret-key","record_count":3})";

// Runs `airbyte-to-flow drive ARGS` with TMPDIR in `dir`.
RunResult Drive(const TestDir& dir, std::vector<std::string> args, double timeout = 60) {
  args.insert(args.begin(), "drive");
  std::unique_ptr<Process> process = Process::Start(ShimBinary(), args, ShimEnv(dir));
  if (!process) return RunResult{};
  process->CloseStdin();
  RunResult result = process->Wait(timeout);
  if (result.timed_out) ADD_FAILURE() << "drive did not exit within " << timeout << "s\n" << result.err;
  return result;
}

std::vector<std::string> Demo(std::vector<std::string> args, const std::string& connector_dir = DemoDir()) {
  args.insert(args.begin() + 1, {"--connector-entrypoint", DemoEntrypoint(), "--connector-dir", connector_dir});
  return args;
}

std::vector<std::string> Fake(const TestDir& dir, std::vector<std::string> args) {
  args.insert(args.begin() + 1,
              {"--connector-entrypoint", absl::StrCat(FakeConnector(), " --script ", dir.Path("script")),
               "--connector-dir", dir.Path("connector")});
  dir.Write("connector/.keep", "");
  return args;
}

// The ids of the `collection` documents of `["<collection>",<doc>]` lines.
std::vector<int> Ids(const RunResult& run, absl::string_view collection) {
  std::vector<int> ids;
  for (const std::string& line : run.OutLines()) {
    rapidjson::Document doc = ParseOrDie(line);
    if (doc.IsArray() && doc.Size() == 2 && doc[0].IsString() && ViewOf(doc[0]) == collection) {
      ids.push_back(doc[1]["id"].GetInt());
    }
  }
  return ids;
}

TEST(Drive, HelpNamesTheDriverAndItsCommands) {
  TestDir dir;
  RunResult top = Process::Start(ShimBinary(), {"--help"})->Wait(10);
  EXPECT_TRUE(absl::StrContains(top.out, "airbyte-to-flow drive COMMAND")) << top.out;
  RunResult help = Drive(dir, {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command : {"spec", "discover", "validate", "capture", "snapshot", "compat"}) {
    EXPECT_TRUE(absl::StrContains(help.out, absl::StrCat("  ", command, " "))) << command;
  }
  RunResult bad = Drive(dir, {"capture", "--connector-entrypoint=x"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err,
            "airbyte-to-flow drive: capture needs --from DIR (the folder `discover --write` wrote) "
            "(airbyte-to-flow drive --help lists commands and flags)\n");
}

TEST(Drive, SpecOverJsonProtoAndGrpc) {
  TestDir dir;
  for (std::vector<std::string> transport : {std::vector<std::string>{}, {"--codec", "proto"}, {"--grpc"}}) {
    std::vector<std::string> args = Demo({"spec"});
    args.insert(args.end(), transport.begin(), transport.end());
    RunResult run = Drive(dir, args);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    ASSERT_EQ(run.OutLines().size(), 1u) << run.out;
    rapidjson::Document spec = ParseOrDie(run.out);
    EXPECT_EQ(spec["protocol"].GetInt(), 3032023);
    EXPECT_EQ(ViewOf(spec["documentationUrl"]), "https://go.estuary.dev/source-demo");
    EXPECT_TRUE(spec["configSchema"]["properties"].HasMember("api_key"));
  }
  RunResult schema = Drive(dir, Demo({"spec", "--config-schema"}));
  ASSERT_EQ(schema.exit_code, 0) << schema.err;
  EXPECT_EQ(ViewOf(ParseOrDie(schema.out)["title"]), "Demo Source Spec");
}

// discover --write, then validate and two capture sessions, over `transport`.
void DiscoverValidateCapture(const std::vector<std::string>& transport) {
  TestDir dir;
  const std::string config = dir.Write("config.json", kDemoConfig);
  auto with = [&](std::vector<std::string> args) {
    args = Demo(std::move(args));
    args.insert(args.end(), transport.begin(), transport.end());
    return args;
  };
  RunResult discover = Drive(dir, with({"discover", "--config", config, "--write", dir.Path("cat")}));
  ASSERT_EQ(discover.exit_code, 0) << discover.err;
  EXPECT_TRUE(discover.ErrContains("capture acmeCo/source-demo/source-demo with 3 bindings")) << discover.err;

  // The files are JSON and carry what Flow's catalog needs.
  rapidjson::Document flow = ParseOrDie(dir.Read("cat/flow.json"));
  EXPECT_EQ(flow["import"].Size(), 2u);
  rapidjson::Document captures = ParseOrDie(dir.Read("cat/capture.flow.json"));
  const rapidjson::Value& capture = captures["captures"]["acmeCo/source-demo/source-demo"];
  EXPECT_EQ(ViewOf(capture["endpoint"]["connector"]["image"]), "ghcr.io/estuary/source-demo:local");
  EXPECT_EQ(ViewOf(capture["endpoint"]["connector"]["config"]), "config.json");
  ASSERT_EQ(capture["bindings"].Size(), 3u);
  EXPECT_EQ(ViewOf(capture["bindings"][0]["resource"]["stream"]), "users");
  EXPECT_EQ(ViewOf(capture["bindings"][0]["target"]), "acmeCo/source-demo/users");
  rapidjson::Document collections = ParseOrDie(dir.Read("cat/collections.flow.json"));
  const rapidjson::Value& users = collections["collections"]["acmeCo/source-demo/users"];
  EXPECT_EQ(ViewOf(users["key"][0]), "/id");
  EXPECT_EQ(ViewOf(users["schema"]["type"]), "object");
  EXPECT_JSON_EQ(dir.Read("cat/config.json"), kDemoConfig);

  RunResult validate = Drive(dir, with({"validate", "--from", dir.Path("cat")}));
  ASSERT_EQ(validate.exit_code, 0) << validate.err;
  EXPECT_JSON_EQ(
      validate.out,
      R"({"bindings":[{"resourcePath":["users"]},{"resourcePath":["events"]},{"resourcePath":["reporting","daily_stats"]}]})");

  RunResult capture_run = Drive(dir, with({"capture", "--from", dir.Path("cat"), "--sessions", "2", "--output-state",
                                           "--state-out", dir.Path("final.json")}));
  ASSERT_EQ(capture_run.exit_code, 0) << capture_run.err;
  // The second session resumed the events after the first one's state.
  EXPECT_EQ(Ids(capture_run, "acmeCo/source-demo/events"), (std::vector<int>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(Ids(capture_run, "acmeCo/source-demo/users"), (std::vector<int>{1, 2, 3, 1, 2, 3}));
  EXPECT_TRUE(absl::StrContains(capture_run.out, R"(["connectorState",{"updated":{"events":{"last_id":3})"))
      << capture_run.out;
  EXPECT_TRUE(capture_run.ErrContains("session 1/2: 7 documents")) << capture_run.err;
  EXPECT_TRUE(capture_run.ErrContains("session 2/2: 7 documents")) << capture_run.err;
  EXPECT_TRUE(capture_run.ErrContains("ended: the connector ended")) << capture_run.err;
  EXPECT_TRUE(capture_run.ErrContains("acmeCo/source-demo/events                6           0")) << capture_run.err;
  EXPECT_EQ(ParseOrDie(dir.Read("cat/state.json"))["events"]["last_id"].GetInt(), 6);
  EXPECT_EQ(ParseOrDie(dir.Read("final.json"))["events"]["last_id"].GetInt(), 6);

  // The next capture resumes from DIR/state.json; --fresh starts over.
  RunResult resumed = Drive(dir, with({"capture", "--from", dir.Path("cat"), "--quiet"}));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(resumed.out, "");
  EXPECT_TRUE(resumed.ErrContains("resuming from the state in")) << resumed.err;
  EXPECT_EQ(ParseOrDie(dir.Read("cat/state.json"))["events"]["last_id"].GetInt(), 9);
  RunResult fresh = Drive(dir, with({"capture", "--from", dir.Path("cat"), "--fresh"}));
  EXPECT_EQ(Ids(fresh, "acmeCo/source-demo/events"), (std::vector<int>{1, 2, 3}));
}

TEST(Drive, DiscoverValidateCaptureOverJson) { DiscoverValidateCapture({}); }
TEST(Drive, DiscoverValidateCaptureOverProto) { DiscoverValidateCapture({"--codec", "proto"}); }
TEST(Drive, DiscoverValidateCaptureOverGrpc) { DiscoverValidateCapture({"--grpc"}); }

TEST(Drive, DiscoverWithoutConfigWritesAStub) {
  TestDir dir;
  RunResult run = Drive(dir, Demo({"discover", "--write", dir.Path("cat")}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_JSON_EQ(dir.Read("cat/config.json"), R"({"api_key":"<fill in secret: API Key>","record_count":3})");
  EXPECT_TRUE(run.ErrContains("no --config: wrote ")) << run.err;
  EXPECT_TRUE(run.ErrContains("/api_key: required secret string (API Key)")) << run.err;
  EXPECT_FALSE(dir.Exists("cat/capture.flow.json"));
  RunResult again = Drive(dir, Demo({"discover", "--write", dir.Path("cat")}));
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(again.ErrContains("config.json exists: discover with it")) << again.err;
}

TEST(Drive, DisabledBindingsAreWrittenDisabledAndNotCaptured) {
  TestDir dir;
  const std::string connector = dir.Path("demo");
  dir.Write("demo/selected_streams.json", R"(["users"])");
  dir.Write("demo/documentation_url.patch.json", R"({"documentation_url":"https://x"})");
  const std::string config = dir.Write("config.json", kDemoConfig);
  ASSERT_EQ(Drive(dir, Demo({"discover", "--config", config, "--write", dir.Path("cat")}, connector)).exit_code, 0);
  rapidjson::Document captures = ParseOrDie(dir.Read("cat/capture.flow.json"));
  const rapidjson::Value& bindings = captures["captures"]["acmeCo/demo/demo"]["bindings"];
  EXPECT_FALSE(bindings[0].HasMember("disable"));
  EXPECT_TRUE(bindings[1]["disable"].GetBool());
  RunResult capture = Drive(dir, Demo({"capture", "--from", dir.Path("cat")}, connector));
  ASSERT_EQ(capture.exit_code, 0) << capture.err;
  EXPECT_EQ(Ids(capture, "acmeCo/demo/users").size(), 3u);
  EXPECT_TRUE(Ids(capture, "acmeCo/demo/events").empty());
}

TEST(Drive, ConnectorFailuresAreOneLineErrors) {
  TestDir dir;
  const std::string config = dir.Write("config.json", R"({"api_key":"bad"})");
  ASSERT_EQ(Drive(dir, Demo({"discover", "--config", config, "--write", dir.Path("cat")})).exit_code, 0);
  RunResult validate = Drive(dir, Demo({"validate", "--from", dir.Path("cat")}));
  EXPECT_NE(validate.exit_code, 0);
  const std::vector<std::string> lines = absl::StrSplit(validate.err, '\n', absl::SkipEmpty());
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(absl::StartsWith(lines.back(), "airbyte-to-flow drive: validate: ")) << lines.back();
  EXPECT_TRUE(absl::StrContains(lines.back(), "The API key was rejected")) << lines.back();

  RunResult missing = Drive(dir, Demo({"capture", "--from", dir.Path("nowhere")}));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(missing.ErrContains("nowhere/capture.flow.json")) << missing.err;
  RunResult bad_config = Drive(dir, Demo({"spec", "--config", dir.Write("broken.json", "{")}));
  EXPECT_TRUE(bad_config.ErrContains("--config: ")) << bad_config.err;
  EXPECT_TRUE(bad_config.ErrContains("broken.json: invalid JSON at line 1")) << bad_config.err;
}

constexpr const char* kFakeCatalog = R"([spec]
out {"type":"SPEC","spec":{"documentationUrl":"https://docs/x","connectionSpecification":{"type":"object"}}}
[check]
out {"type":"CONNECTION_STATUS","connectionStatus":{"status":"SUCCEEDED"}}
[discover]
out {"type":"CATALOG","catalog":{"streams":[{"name":"users","json_schema":{"type":"object","properties":{"id":{"type":"integer"},"age":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"}}}},"supported_sync_modes":["full_refresh"],"source_defined_primary_key":[["id"]]}]}}
)";

TEST(Drive, EveryDocumentViolatingItsSchemaIsReported) {
  TestDir dir;
  dir.Write("script", absl::StrCat(kFakeCatalog, R"([read]
out {"type":"RECORD","record":{"stream":"users","data":{"id":1,"age":30},"emitted_at":0}}
out {"type":"RECORD","record":{"stream":"users","data":{"id":2,"age":"old"},"emitted_at":0}}
out {"type":"RECORD","record":{"stream":"users","data":{"id":3,"tags":["a",5]},"emitted_at":0}}
out {"type":"STATE","state":{"data":{"n":3}}}
)"));
  const std::string config = dir.Write("config.json", "{}");
  ASSERT_EQ(Drive(dir, Fake(dir, {"discover", "--config", config, "--write", dir.Path("cat")})).exit_code, 0);
  RunResult run = Drive(dir, Fake(dir, {"capture", "--from", dir.Path("cat")}));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(Ids(run, "acmeCo/connector/users"), (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(
      run.ErrContains("schema violation: acmeCo/connector/users #2 key [2]: /age: type (expected "
                      "\"integer\", got string), value \"old\" (schema /properties/age)"))
      << run.err;
  EXPECT_TRUE(
      run.ErrContains("schema violation: acmeCo/connector/users #3 key [3]: /tags/1: type (expected "
                      "\"string\", got integer), value 5 (schema /properties/tags/items)"))
      << run.err;
  EXPECT_FALSE(run.ErrContains("#1 key [1]")) << run.err;
  EXPECT_TRUE(run.ErrContains("acmeCo/connector/users           3           2")) << run.err;
  EXPECT_TRUE(absl::EndsWith(run.err,
                             "airbyte-to-flow drive: 2 documents violate their collection's schema (listed "
                             "above)\n"))
      << run.err;
}

TEST(Drive, ANeverEndingConnectorStopsAtTheDuration) {
  TestDir dir;
  dir.Write("script", absl::StrCat(kFakeCatalog, R"([read]
records users 5
out {"type":"STATE","state":{"data":{"n":5}}}
records users 2
hang
)"));
  const std::string config = dir.Write("config.json", "{}");
  ASSERT_EQ(Drive(dir, Fake(dir, {"discover", "--config", config, "--write", dir.Path("cat")})).exit_code, 0);
  const auto start = absl::Now();
  RunResult run = Drive(dir,
                        Fake(dir, {"capture", "--from", dir.Path("cat"), "--duration", "1500ms", "--progress-interval",
                                   "300ms", "--shim-arg=--grace-period=1s"}),
                        30);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
  EXPECT_EQ(Ids(run, "acmeCo/connector/users").size(), 7u);
  EXPECT_TRUE(run.ErrContains("ended: --duration 1.5s (2 documents after the last checkpoint are not committed)"))
      << run.err;
  EXPECT_TRUE(run.ErrContains("progress: session 1/1: 7 documents")) << run.err;
  EXPECT_JSON_EQ(dir.Read("cat/state.json"), R"({"n":5})");

  RunResult counted = Drive(dir, Fake(dir, {"capture", "--from", dir.Path("cat"), "--documents", "3", "--fresh"}), 30);
  EXPECT_EQ(counted.exit_code, 0) << counted.err;
  EXPECT_EQ(Ids(counted, "acmeCo/connector/users").size(), 3u);
  EXPECT_TRUE(counted.ErrContains("ended: --documents 3")) << counted.err;
}

TEST(Drive, CtrlCEndsTheSessionLikeFlowAndKeepsTheCommittedState) {
  TestDir dir;
  dir.Write("script", absl::StrCat(kFakeCatalog, R"([read]
records users 2
out {"type":"STATE","state":{"data":{"n":2}}}
hang
)"));
  const std::string config = dir.Write("config.json", "{}");
  ASSERT_EQ(Drive(dir, Fake(dir, {"discover", "--config", config, "--write", dir.Path("cat")})).exit_code, 0);
  std::vector<std::string> args = Fake(dir, {"capture", "--from", dir.Path("cat"), "--sessions", "3"});
  args.insert(args.begin(), "drive");
  std::unique_ptr<Process> process = Process::Start(ShimBinary(), args, ShimEnv(dir));
  // Documents reach stdout at the checkpoint: the session is running.
  ASSERT_TRUE(process->ReadLine(30).has_value());
  process->Signal(SIGINT);
  RunResult run = process->Wait(30);
  EXPECT_EQ(run.exit_code, 130) << run.err;
  EXPECT_TRUE(run.ErrContains("session 1/3: 2 documents")) << run.err;
  EXPECT_TRUE(run.ErrContains("ended: interrupted (SIGINT)")) << run.err;
  EXPECT_FALSE(run.ErrContains("session 2/3")) << run.err;
  EXPECT_TRUE(absl::EndsWith(run.err, "airbyte-to-flow drive: interrupted (SIGINT): the committed state was saved\n"))
      << run.err;
  EXPECT_JSON_EQ(dir.Read("cat/state.json"), R"({"n":2})");
}

}  // namespace
}  // namespace atf::testing
