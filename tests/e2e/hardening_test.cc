// End to end: the defects of the hardening issue, each as a regression test
// (docs/decisions.md, D10 to D13): records that are almost JSON, stops by
// Flow, patch files that must be errors, progress kept on errors.
#include <signal.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/redact.h"
#include "gtest/gtest.h"
#include "tests/e2e/capture_helpers.h"
#include "tests/e2e/harness.h"

namespace atf::testing {
namespace {

std::string StreamState(absl::string_view cursor) {
  return State(absl::StrCat(R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":)",
                            cursor, "}}}"));
}

// Records as Python's json.dumps and real connectors write them.
std::string AlmostJsonRecords() {
  return absl::StrCat(Rec("users", R"({"id":1,"v":"ok"})"), Rec("users", R"({"id":2,"v":NaN})"),
                      Rec("users", R"({"id":3,"v":[Infinity,-Infinity]})"), Rec("users", R"({"id":4,"v":1e400})"),
                      Rec("users", R"({"id":5,"v":"\ud800 and \udc00"})"), Rec("users", "{\"id\":6,\"v\":\"caf\xe9\"}"),
                      StreamState("6"));
}

TEST(Records, D10_AlmostJsonRecordsAreCapturedRepairedAndCounted) {
  TestDir dir;
  RunResult run = Capture(dir, AlmostJsonRecords(), Open(kUsersBinding));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), 8u) << run.out;
  EXPECT_EQ(lines[1], R"({"captured":{"doc":{"id":1,"v":"ok"}}})");
  EXPECT_EQ(lines[2], R"({"captured":{"doc":{"id":2,"v":null}}})");
  EXPECT_EQ(lines[3], R"({"captured":{"doc":{"id":3,"v":[null,null]}}})");
  EXPECT_EQ(lines[4], R"({"captured":{"doc":{"id":4,"v":1e400}}})");  // passed through as written
  EXPECT_EQ(lines[5], R"({"captured":{"doc":{"id":5,"v":"\ufffd and \ufffd"}}})");
  EXPECT_EQ(lines[6], "{\"captured\":{\"doc\":{\"id\":6,\"v\":\"caf\xEF\xBF\xBD\"}}}");
  EXPECT_TRUE(absl::StartsWith(lines[7], R"({"checkpoint":)")) << lines[7];
  EXPECT_TRUE(run.ErrContains("repaired a record of stream `users` that was not valid JSON")) << run.err;
  EXPECT_TRUE(run.ErrContains("`NaN` at byte")) << run.err;
  // The summary counts every repair by kind.
  EXPECT_TRUE(
      run.ErrContains(R"("repaired":{"non_finite_number":3,"huge_number":1,"lone_surrogate":2,"invalid_utf8":1})"))
      << run.err;
}

TEST(Records, D10_AlmostJsonRecordsAreCapturedWithParallelDecodingToo) {
  TestDir dir;
  ShimOptions options;
  options.extra_args = {"--parse-threads=2"};
  RunResult run = Capture(dir, AlmostJsonRecords(), Open(kUsersBinding), options);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(run.OutLines().size(), 8u) << run.out;
  EXPECT_EQ(run.OutLines()[2], R"({"captured":{"doc":{"id":2,"v":null}}})");
}

TEST(Records, D10_StrictRecordsFailsBeforeTheCheckpointAndKeepsWhatCameBefore) {
  TestDir dir;
  ShimOptions options;
  options.extra_args = {"--strict-records"};
  RunResult run = Capture(dir, absl::StrCat(Rec("users", R"({"id":1})"), StreamState("1"), AlmostJsonRecords()),
                          Open(kUsersBinding), options);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(run.LastErrMessage(),
                               "connector output line 4: the record of stream `users` is not valid JSON as written: "
                               "`NaN` at byte "))
      << run.LastErrMessage();
  EXPECT_TRUE(absl::StrContains(run.LastErrMessage(), "--strict-records")) << run.LastErrMessage();
  // Everything complete before the bad line reached Flow; nothing after it, no synthetic checkpoint.
  const std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), 4u) << run.out;
  EXPECT_EQ(lines[1], R"({"captured":{"doc":{"id":1}}})");
  EXPECT_TRUE(absl::StartsWith(lines[2], R"({"checkpoint":)"));
  EXPECT_EQ(lines[3], R"({"captured":{"doc":{"id":1,"v":"ok"}}})");
}

TEST(Records, D10_ARecordLineThatIsNotJsonFailsTheCaptureInsteadOfBeingDropped) {
  TestDir dir;
  // A record cut in the middle, then a state that would checkpoint past it.
  RunResult run = Capture(
      dir, absl::StrCat(R"(out {"type":"RECORD","record":{"stream":"users","data":{"id":1,)", "\n", StreamState("9")),
      Open(kUsersBinding));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(run.LastErrMessage(),
                               "connector output line 1: a line that says it is a RECORD or STATE is not valid JSON"))
      << run.LastErrMessage();
  EXPECT_EQ(run.OutLines(), std::vector<std::string>{R"({"opened":{}})"});
}

using Clock = std::chrono::steady_clock;

int CountOf(const std::vector<std::string>& messages, absl::string_view prefix) {
  int n = 0;
  for (const std::string& m : messages) n += absl::StartsWith(m, prefix) ? 1 : 0;
  return n;
}

// A capture whose connector writes records as fast as it can, forever.
std::unique_ptr<Process> StartFloodingCapture(const TestDir& dir, std::vector<std::string> extra_args = {}) {
  dir.Write("script", absl::StrCat("[read]\ntouch ", dir.Path("running"), "\nrecords users 1000000000 200\n"));
  std::vector<std::string> args = ShimArgs(dir, "script");
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::unique_ptr<Process> shim = Process::Start(ShimBinary(), args, ShimEnv(dir));
  shim->Write(Open(kUsersBinding));
  for (int i = 0; i < 500 && !dir.Exists("running"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return shim;
}

// D11: Flow ends a session by closing stdin or with SIGTERM, also while it is
// not reading stdout (or its pipe is full): exit 0, nothing more written, no
// false warning, one stop line, and fast although the connector floods.
TEST(Stops, D11_FlowEndingTheSessionWhileNotReadingExitsZeroAtOnce) {
  for (const std::string way : {"eof", "sigterm", "sigint"}) {
    for (const std::string threads : {"0", "2"}) {
      SCOPED_TRACE(way + " parse-threads=" + threads);
      TestDir dir;
      std::unique_ptr<Process> shim = StartFloodingCapture(dir, {"--parse-threads=" + threads});
      ASSERT_TRUE(dir.Exists("running"));
      // Flow reads nothing meanwhile: every pipe and buffer fills up.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      const auto start = Clock::now();
      if (way == "eof") shim->CloseStdin();
      if (way == "sigterm") shim->Signal(SIGTERM);
      if (way == "sigint") shim->Signal(SIGINT);
      RunResult run = shim->Wait(20);
      EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
      EXPECT_EQ(run.exit_code, 0) << run.LastErrMessage();
      EXPECT_FALSE(run.ErrContains("output abandoned")) << run.err;
      EXPECT_FALSE(run.ErrContains("did not stop within the grace period")) << run.err;
      EXPECT_FALSE(run.ErrContains("keeps its output open")) << run.err;
      EXPECT_FALSE(run.ErrContains(R"("level":"error")")) << run.err;
      EXPECT_EQ(CountOf(run.ErrMessages(), "stopping the connector"), 1) << run.err;
      EXPECT_TRUE(dir.List("tmp").size() <= 1) << "temp files left behind";  // only .keep
    }
  }
}

TEST(Stops, D11_StoppingAFloodingConnectorWhileFlowReadsIsFast) {
  TestDir dir;
  std::unique_ptr<Process> shim = StartFloodingCapture(dir);
  ASSERT_TRUE(dir.Exists("running"));
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(shim->ReadLine(5).has_value());
  const auto start = Clock::now();
  shim->CloseStdin();
  RunResult run = shim->Wait(20);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_FALSE(run.ErrContains("did not stop within the grace period")) << run.err;
  EXPECT_FALSE(run.ErrContains("keeps its output open")) << run.err;
  EXPECT_EQ(CountOf(run.ErrMessages(), "stopping the connector"), 1) << run.err;
  // Nothing after the stop is a half-written line: every line is a response.
  for (const std::string& line : run.OutLines()) EXPECT_TRUE(IsValidJson(line)) << line.substr(0, 200);
}

// D12: a secret in any encoding a connector prints it, in every byte the shim writes.
TEST(Secrets, D12_EveryEncodingIsRedacted) {
  TestDir dir;
  const std::string base64_auth = absl::Base64Escape("alice:p\xc3\xa4ss-w\"rd-9");
  const std::string junk = absl::StrCat(std::string(190, 'j'), " p\xc3\xa4ss-w\"rd-9 and more");  // crosses byte 200
  dir.Write("script",
            absl::StrCat("[discover]\n",                                         //
                         "err json p\\u00e4ss-w\\\"rd-9\n",                      // json.dumps
                         "err repr 'p\xc3\xa4ss-w\"rd-9'\n",                     // Python repr
                         "err url p%C3%A4ss-w%22rd-9 and p%c3%a4ss-w%22rd-9\n",  // URL-encoded
                         "err Authorization: Basic ", base64_auth, "\n",         // basic auth
                         "err key sk_live_abcdef123456 in ", absl::Base64Escape("{\"key\":\"sk_live_abcdef123456\"}"),
                         "\n",                // in a blob
                         "out ", junk, "\n",  // junk
                         R"(out {"type":"TRACE","trace":{"type":"ERROR","error":{"message":"bad p\u00e4ss-w\"rd-9"}}})",
                         "\nexit 1\n"));
  RunResult run = RunShim(
      dir, "script",
      R"({"discover":{"connectorType":"IMAGE","config":{"username":"alice","password":"p\u00e4ss-w\"rd-9","api_key":"sk_live_abcdef123456"}}})"
      "\n");
  EXPECT_EQ(run.exit_code, 1);
  for (const std::string& leaked :
       {std::string("p\xc3\xa4ss"), std::string("\\u00e4ss"), std::string("%C3%A4ss"), std::string("%c3%a4ss"),
        base64_auth.substr(0, 12), std::string("sk_live"), std::string("abcdef123456")}) {
    EXPECT_FALSE(run.ErrContains(leaked)) << leaked << " leaked in " << run.err;
    EXPECT_FALSE(absl::StrContains(run.out, leaked)) << leaked;
  }
  for (const std::string& core : Base64Cores("sk_live_abcdef123456")) {
    EXPECT_FALSE(run.ErrContains(core.substr(0, 8))) << core << " leaked in " << run.err;
  }
  EXPECT_TRUE(run.ErrContains("Authorization: Basic ***")) << run.err;
  EXPECT_EQ(run.LastErrMessage(), "bad ***");
}

// D12: a secret marked only by `airbyte_secret` in the spec, with no Spec
// request before the Discover: the shim reads the spec itself first.
TEST(Secrets, D12_SpecMarkedSecretWithoutASpecRequestFirst) {
  TestDir dir;
  dir.Write(
      "script",
      absl::StrCat(
          "[spec]\n",
          R"(out {"type":"SPEC","spec":{"documentationUrl":"https://x","connectionSpecification":{"type":"object","properties":{"pin":{"type":"string","airbyte_secret":true}}}}})",
          "\n[discover]\nerr the pin is 4829-1577\n", R"(out {"type":"CATALOG","catalog":{"streams":[]}})", "\n"));
  RunResult run = RunShim(dir, "script",
                          R"({"discover":{"connectorType":"IMAGE","config":{"pin":"4829-1577"}}})"
                          "\n");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_FALSE(run.ErrContains("4829-1577")) << run.err;
  EXPECT_TRUE(run.ErrContains("the pin is ***")) << run.err;
  EXPECT_EQ(run.OutLines(), std::vector<std::string>{R"({"discovered":{}})"});
}

// D12: a credential rotated by a CONTROL message and printed at once on
// stderr, while stdout still holds a backlog of records.
TEST(Secrets, D12_RotatedCredentialPrintedRightAfterTheControlMessage) {
  for (const std::string threads : {"0", "2"}) {
    TestDir dir;
    ShimOptions options;
    options.extra_args = {"--parse-threads=" + threads};
    RunResult run = Capture(
        dir,
        absl::StrCat(
            "records users 20000 100\n",
            R"(out {"type":"CONTROL","control":{"type":"CONNECTOR_CONFIG","emitted_at":1,"connectorConfig":{"config":{"api_key":"k","access_token":"NEW-rotated-7781"}}}})",
            "\nerr refreshed: the new token is NEW-rotated-7781\n", StreamState("1")),
        Open(kUsersBinding), options);
    EXPECT_EQ(run.exit_code, 0) << run.LastErrMessage();
    EXPECT_FALSE(run.ErrContains("NEW-rotated-7781")) << "parse-threads=" << threads;
    EXPECT_TRUE(run.ErrContains("the new token is ***")) << "parse-threads=" << threads;
  }
}

// D13 and the fault matrix's "every patch kind malformed": each is an error
// naming the file, before any response, with nothing left behind.
TEST(PatchFiles, D13_EveryMalformedPatchFileIsAnErrorNamingTheFile) {
  struct Case {
    const char* file;
    const char* contents;
    const char* request;  // spec, discover or open
    const char* error;    // the last stderr line names the file, then says this
  };
  const std::vector<Case> cases = {
      {"spec.patch.json", "[1,2]", "spec", "must be a JSON object"},
      {"spec.patch.json", "{\"a\":", "spec", "invalid JSON at line 1 column 6"},
      {"oauth2.patch.json", "[]", "spec", "not a valid Flow OAuth2 spec"},
      {"oauth2.patch.json", R"({"provider":"x","bogus":1})", "spec", "not a valid Flow OAuth2 spec"},
      {"documentation_url.patch.json", "\"https://x\"", "spec", "must be a JSON object"},
      {"spec.map.json", "[]", "discover", "must be an object"},
      {"spec.map.json", R"({"/a":5})", "discover", "the source of `/a` must be a string pointer"},
      {"selected_streams.json", "{}", "discover", "must be an array of strings"},
      {"omitted_streams.json", "[1]", "discover", "must be an array of strings"},
      {"schema_normalizations.json", "\"date-to-datetime\"", "discover", "must be an array of strings"},
      {"streams/users.patch.json", "[]", "discover", "must be a JSON object"},
      {"streams/users.pk.json", "[\"\"]", "discover", "element 0 is empty"},
      {"streams/users.pk.json", R"({"id":1})", "discover", "must be an array"},
      {"streams/*.pk.json", "[7]", "discover", "element 0 must be a string"},
      {"streams/users.normalize.json", "{}", "open", "must be an array"},
      {"streams/users.normalize.json", R"([{"pointer":"/a","normalization":"to_date"}])", "open", "must be an array"},
      {"run_interval_minutes.json", "soon", "open", "must be a whole number of minutes"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.file, " = ", c.contents));
    TestDir dir;
    dir.Write(c.file, c.contents);
    dir.Write(
        "script",
        absl::StrCat(
            "[spec]\n",
            R"(out {"type":"SPEC","spec":{"documentationUrl":"https://x","connectionSpecification":{"type":"object"}}})",
            "\n[discover]\n",
            R"(out {"type":"CATALOG","catalog":{"streams":[{"name":"users","json_schema":{"type":"object","properties":{"id":{"type":"integer"}}},"supported_sync_modes":["full_refresh"]}]}})",
            "\n[read]\n", Rec("users", R"({"id":1})")));
    const std::string request = std::string(c.request) == "spec" ? R"({"spec":{"connectorType":"IMAGE","config":{}}})"
                                                                   "\n"
                                : std::string(c.request) == "discover"
                                    ? R"({"discover":{"connectorType":"IMAGE","config":{"a":"1"}}})"
                                      "\n"
                                    : Open(kUsersBinding);
    ShimOptions options;
    options.keep_stdin_open = std::string(c.request) == "open";
    RunResult run = RunShim(dir, "script", request, options);
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_TRUE(absl::StrContains(run.LastErrMessage(), absl::StrCat(dir.path(), "/", c.file, ": ", c.error)))
        << run.LastErrMessage();
    EXPECT_EQ(run.out, "");  // no response, not even `opened`
    EXPECT_EQ(dir.List("tmp"), std::vector<std::string>{".keep"});
  }
}

}  // namespace
}  // namespace atf::testing
