// The fault matrix: every way a connector, Flow or the machine misbehaves,
// each a row run through the real binary with the scripted fake connector.
// Every row checks the exit status, the one-line error (or that there is
// none), every response after the probe's (nothing lost, nothing duplicated,
// no synthetic checkpoint after a failure), that no process of the
// connector's group and no temp file is left, and how fast the shim stopped.
#include <signal.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "tests/e2e/capture_helpers.h"
#include "tests/e2e/harness.h"

namespace atf::testing {
namespace {

using Clock = std::chrono::steady_clock;

enum class Op { kSpec, kDiscover, kValidate, kApply, kOpen };
enum class Event { kNone, kEof, kSigterm, kSigint, kCloseStdout };

struct Row {
  std::string name;
  Op op;
  std::string body;  // the connector's script for the operation
  Event event = Event::kNone;
  int exit_code = 0;
  // The last stderr line is an error that contains this; empty: the last
  // line is no error.
  std::string last_error;
  // Every response after the probe's Spec response; "*" skips the check.
  std::vector<std::string> out;
  std::vector<std::string> args = {};
  std::vector<std::pair<std::string, std::string>> env = {};
  double max_seconds = 4;
  bool connector_runs = true;
  std::function<void(const TestDir&)> setup = nullptr;
  std::function<void(const RunResult&)> also = nullptr;
};

constexpr const char* kSpecLine =
    R"(out {"type":"SPEC","spec":{"documentationUrl":"https://x","connectionSpecification":{"type":"object"}}})";
constexpr const char* kCatalogLine =
    R"(out {"type":"CATALOG","catalog":{"streams":[{"name":"users","json_schema":{"type":"object"},"supported_sync_modes":["full_refresh"],"source_defined_primary_key":[["id"]]}]}})";
constexpr const char* kProbe = R"({"spec":{"connectorType":"IMAGE","config":{}}})"
                               "\n";

const std::string kOpened = R"({"opened":{}})";
const std::string kCaptured1 = R"({"captured":{"doc":{"id":1}}})";
const std::string kCheckpoint1 =
    R"({"checkpoint":{"state":{"updated":{"users":{"c":1},"_airbyte_state_format":"per_stream"},"mergePatch":true}}})";
const std::string kSynthetic = R"({"checkpoint":{"state":{"updated":{},"mergePatch":true}}})";

std::string Rec1() { return Rec("users", R"({"id":1})"); }
std::string State1() {
  return State(R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":1}}})");
}

const char* SectionOf(Op op) {
  switch (op) {
    case Op::kSpec:
      return "spec";
    case Op::kDiscover:
      return "discover";
    case Op::kValidate:
      return "check";
    case Op::kApply:
      return "apply";
    case Op::kOpen:
      return "read";
  }
  return "";
}

std::string RequestOf(Op op) {
  switch (op) {
    case Op::kSpec:
      return "";  // the probe is the request
    case Op::kDiscover:
      return R"({"discover":{"connectorType":"IMAGE","config":{"k":"v"}}})"
             "\n";
    case Op::kValidate:
      return R"({"validate":{"name":"a/b","connectorType":"IMAGE","config":{"k":"v"},"bindings":[{"resourceConfig":{"stream":"users","syncMode":"incremental"},"collection":{"name":"a/users"}}]}})"
             "\n";
    case Op::kApply:
      return R"({"apply":{"capture":{"name":"a/b"},"version":"1"}})"
             "\n";
    case Op::kOpen:
      return Open(kUsersBinding);
  }
  return "";
}

void RunRow(const Row& row) {
  SCOPED_TRACE(row.name);
  TestDir dir;
  if (row.setup) row.setup(dir);
  std::string script = absl::StrCat("[spec]\n", row.op == Op::kSpec ? "" : absl::StrCat(kSpecLine, "\n"));
  if (row.op != Op::kSpec) absl::StrAppend(&script, "[", SectionOf(row.op), "]\n");
  absl::StrAppend(&script, "pid ", dir.Path("pid"), "\ntouch ", dir.Path("running"), "\n", row.body);
  dir.Write("script", script);

  std::vector<std::string> args = ShimArgs(dir, "script");
  args.insert(args.end(), row.args.begin(), row.args.end());
  std::vector<std::pair<std::string, std::string>> env = ShimEnv(dir);
  env.insert(env.end(), row.env.begin(), row.env.end());
  std::unique_ptr<Process> shim = Process::Start(ShimBinary(), args, env);
  ASSERT_NE(shim, nullptr);
  shim->Write(absl::StrCat(kProbe, RequestOf(row.op)));
  // Flow closes stdin right after a unary request; a capture's stdin stays open.
  if (row.op != Op::kOpen) shim->CloseStdin();
  auto start = Clock::now();
  if (row.event != Event::kNone) {
    for (int i = 0; i < 1000 && !dir.Exists("running"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_TRUE(dir.Exists("running")) << "the connector never ran";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    start = Clock::now();
    switch (row.event) {
      case Event::kEof:
        shim->CloseStdin();
        break;
      case Event::kSigterm:
        shim->Signal(SIGTERM);
        break;
      case Event::kSigint:
        shim->Signal(SIGINT);
        break;
      case Event::kCloseStdout:
        shim->CloseStdout();
        break;
      case Event::kNone:
        break;
    }
  }
  RunResult run = shim->Wait(row.max_seconds + 20);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_LT(seconds, row.max_seconds) << "the shim took too long to stop";

  EXPECT_EQ(run.exit_code, row.exit_code) << run.err;
  if (row.last_error.empty()) {
    EXPECT_NE(run.LastErrLevel(), "error") << run.LastErrMessage();
  } else {
    EXPECT_EQ(run.LastErrLevel(), "error") << run.err;
    EXPECT_TRUE(absl::StrContains(run.LastErrMessage(), row.last_error)) << run.LastErrMessage();
  }
  if (row.out != std::vector<std::string>{"*"}) {
    std::vector<std::string> lines = run.OutLines();
    if (!lines.empty() && absl::StartsWith(lines.front(), R"({"spec":)") && row.op != Op::kSpec) {
      lines.erase(lines.begin());
    }
    EXPECT_EQ(lines, row.out) << run.out.substr(0, 2000);
  }
  if (row.connector_runs) {
    ASSERT_TRUE(dir.Exists("pid")) << "the connector never ran";
    int pid = 0;
    ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(dir.Read("pid")), &pid));
    // The connector led its own process group: nothing of it may be left.
    EXPECT_EQ(::kill(-pid, 0), -1) << "a process of the connector's group is still alive";
    EXPECT_EQ(errno, ESRCH);
  }
  EXPECT_EQ(dir.List("tmp"), std::vector<std::string>{".keep"}) << "temp files left behind";
  if (row.also) row.also(run);
}

std::vector<Row> Rows() {
  std::vector<Row> rows;
  // Records that are almost JSON (D10).
  rows.push_back({"NaN record repaired",
                  Op::kOpen,
                  absl::StrCat(Rec("users", R"({"id":1,"v":NaN})"), State1()),
                  Event::kNone,
                  0,
                  "",
                  {kOpened, R"({"captured":{"doc":{"id":1,"v":null}}})", kCheckpoint1}});
  rows.push_back({"lone surrogate repaired",
                  Op::kOpen,
                  absl::StrCat(Rec("users", R"({"id":1,"v":"\udc00"})"), State1()),
                  Event::kNone,
                  0,
                  "",
                  {kOpened, R"({"captured":{"doc":{"id":1,"v":"\ufffd"}}})", kCheckpoint1}});
  rows.push_back({"invalid UTF-8 repaired",
                  Op::kOpen,
                  absl::StrCat(Rec("users", "{\"id\":1,\"v\":\"\xc3\x28\"}"), State1()),
                  Event::kNone,
                  0,
                  "",
                  {kOpened, "{\"captured\":{\"doc\":{\"id\":1,\"v\":\"\xEF\xBF\xBD(\"}}}", kCheckpoint1}});
  rows.push_back({"strict records: NaN fails before the checkpoint",
                  Op::kOpen,
                  absl::StrCat(Rec1(), Rec("users", R"({"id":2,"v":NaN})"), State1()),
                  Event::kNone,
                  1,
                  "connector output line 2: the record of stream `users` is not valid JSON as written",
                  {kOpened, kCaptured1},
                  {"--strict-records"}});
  // Crashes.
  rows.push_back({"crash mid-record",
                  Op::kOpen,
                  absl::StrCat(Rec1(), State1(), R"(out-raw {"type":"RECORD","record":{"stream":"users","data":{"id")",
                               "\nexit 3\n"),
                  Event::kNone,
                  3,
                  "connector exited with code 3 during capture",
                  {kOpened, kCaptured1, kCheckpoint1}});
  rows.push_back({"crash between record and state",
                  Op::kOpen,
                  absl::StrCat(Rec1(), "exit 2\n"),
                  Event::kNone,
                  2,
                  "connector exited with code 2 during capture",
                  {kOpened, kCaptured1}});
  rows.push_back({"killed by a signal",
                  Op::kOpen,
                  absl::StrCat(Rec1(), "kill 9\n"),
                  Event::kNone,
                  1,
                  "connector was killed by signal 9 (SIGKILL) during capture",
                  {kOpened, kCaptured1}});
  rows.push_back(
      {"trace error is the message",
       Op::kOpen,
       absl::StrCat(Rec1(), R"(out {"type":"TRACE","trace":{"type":"ERROR","error":{"message":"quota exceeded"}}})",
                    "\nexit 1\n"),
       Event::kNone,
       1,
       "quota exceeded",
       {kOpened, kCaptured1}});
  // Endings on exit 0.
  rows.push_back({"exit 0 after a record: one synthetic checkpoint",
                  Op::kOpen,
                  Rec1(),
                  Event::kNone,
                  0,
                  "",
                  {kOpened, kCaptured1, kSynthetic}});
  rows.push_back({"last line without newline but complete",
                  Op::kOpen,
                  absl::StrCat(Rec1(), "out-raw ", absl::StripSuffix(absl::StripPrefix(State1(), "out "), "\n"), "\n"),
                  Event::kNone,
                  0,
                  "",
                  {kOpened, kCaptured1, kCheckpoint1}});
  rows.push_back({"partial last line and exit 0",
                  Op::kOpen,
                  absl::StrCat(Rec1(), State1(), R"(out-raw {"type":"RECORD","record":{"stream":"users")", "\n"),
                  Event::kNone,
                  1,
                  "connector output line 3: a line that says it is a RECORD or STATE is not valid JSON",
                  {kOpened, kCaptured1, kCheckpoint1}});
  rows.push_back({"exit 0 without a CATALOG",
                  Op::kDiscover,
                  "",
                  Event::kNone,
                  1,
                  "connector exited with code 0 without writing a CATALOG message",
                  {}});
  rows.push_back({"exit 0 without a CONNECTION_STATUS",
                  Op::kValidate,
                  "",
                  Event::kNone,
                  1,
                  "connector exited with code 0 without writing a CONNECTION_STATUS message",
                  {}});
  // Noise and size.
  rows.push_back({"junk burst",
                  Op::kOpen,
                  absl::StrCat("junk 5000\n", Rec1(), State1()),
                  Event::kNone,
                  0,
                  "",
                  {kOpened, kCaptured1, kCheckpoint1},
                  {},
                  {},
                  4,
                  true,
                  nullptr,
                  [](const RunResult& run) {
                    int warnings = 0;
                    for (const std::string& m : run.ErrMessages()) {
                      warnings += absl::StartsWith(m, "ignoring connector output that is not an Airbyte message");
                    }
                    EXPECT_LE(warnings, 20) << "junk warnings are rate-limited";
                    EXPECT_TRUE(run.ErrContains(R"("junk_lines":5000)")) << run.err;
                  }});
  rows.push_back({"line over --max-message-size",
                  Op::kOpen,
                  absl::StrCat(Rec1(), "big-record users 5000\n"),
                  Event::kNone,
                  1,
                  "connector output: line 2 is larger than the maximum message size of 1024 bytes",
                  {kOpened, kCaptured1},
                  {"--max-message-size=1KiB"}});
  // Hangs.
  rows.push_back({"hang in a capture: idle timeout, exit 0",
                  Op::kOpen,
                  absl::StrCat(Rec1(), "hang\n"),
                  Event::kNone,
                  0,
                  "",
                  {kOpened, kCaptured1},
                  {"--idle-timeout=1s"},
                  {},
                  4});
  rows.push_back({"hang in discover: idle timeout is an error",
                  Op::kDiscover,
                  "hang\n",
                  Event::kNone,
                  1,
                  "connector was idle for 1s without answering discover",
                  {},
                  {"--idle-timeout=1s"},
                  {},
                  4});
  // Flow ending the session, in every operation (D11).
  for (Event event : {Event::kEof, Event::kSigterm, Event::kSigint}) {
    const std::string how = event == Event::kEof ? "stdin EOF" : event == Event::kSigterm ? "SIGTERM" : "SIGINT";
    rows.push_back({absl::StrCat(how, " in a capture"),
                    Op::kOpen,
                    absl::StrCat(Rec1(), State1(), "hang\n"),
                    event,
                    0,
                    "",
                    {kOpened, kCaptured1, kCheckpoint1},
                    {},
                    {},
                    2});
    if (event == Event::kEof) continue;  // a unary request's stdin is closed anyway
    for (Op op : {Op::kSpec, Op::kDiscover, Op::kValidate}) {
      rows.push_back({absl::StrCat(how, " in ", SectionOf(op)), op, "hang\n", event, 0, "", {}, {}, {}, 2});
    }
  }
  rows.push_back(
      {"stdin EOF during a slow discover is normal: answered",
       Op::kDiscover,
       absl::StrCat("sleep 0.5\n", kCatalogLine, "\n"),
       Event::kNone,
       0,
       "",
       {R"({"discovered":{"bindings":[{"recommendedName":"users","resourceConfig":{"stream":"users","syncMode":"full_refresh","cursorField":["id"]},"documentSchema":{"type":"object"},"key":["/id"]}]}})"}});
  rows.push_back(
      {"apply needs no connector", Op::kApply, "", Event::kNone, 0, "", {R"({"applied":{}})"}, {}, {}, 4, false});
  rows.push_back(
      {"connector ignoring SIGTERM is killed after the grace period",
       Op::kOpen,
       absl::StrCat("ignore-sigterm\n", Rec1(), "hang\n"),
       Event::kEof,
       0,
       "",
       {kOpened, kCaptured1},
       {"--grace-period=500ms"},
       {},
       2.5,
       true,
       nullptr,
       [](const RunResult& run) { EXPECT_TRUE(run.ErrContains("did not stop within the grace period")) << run.err; }});
  rows.push_back({"a forked child keeps stdout open after the connector exits",
                  Op::kOpen,
                  absl::StrCat(Rec1(), State1(), "spawn-holder 30\nexit 0\n"),
                  Event::kNone,
                  0,
                  "",
                  {kOpened, kCaptured1, kCheckpoint1},
                  {"--grace-period=1s"},
                  {},
                  4});
  rows.push_back({"Flow closes its end of stdout (EPIPE)",
                  Op::kOpen,
                  "records users 100000000\n",
                  Event::kCloseStdout,
                  1,
                  "Flow closed the output (broken pipe)",
                  {"*"},
                  {},
                  {},
                  3});
  // The machine.
  rows.push_back({"missing TMPDIR",
                  Op::kDiscover,
                  "",
                  Event::kNone,
                  1,
                  "cannot create a temporary directory in",
                  {},
                  {},
                  {{"TMPDIR", "/nonexistent/atf-tmp"}},
                  4,
                  false});
  rows.push_back({"TMPDIR that is a file",
                  Op::kOpen,
                  "",
                  Event::kNone,
                  1,
                  "cannot create a temporary directory in",
                  {},
                  {},
                  {{"TMPDIR", "/etc/hostname"}},
                  4,
                  false});
  // A malformed patch file (every kind: hardening_test.cc, PatchFiles).
  rows.push_back({"malformed spec.patch.json",
                  Op::kSpec,
                  absl::StrCat(kSpecLine, "\n"),
                  Event::kNone,
                  1,
                  "spec.patch.json: must be a JSON object",
                  {},
                  {},
                  {},
                  4,
                  true,
                  [](const TestDir& dir) { dir.Write("spec.patch.json", "[1,2]"); }});
  return rows;
}

class FaultMatrix : public ::testing::TestWithParam<size_t> {};

const std::vector<Row>& AllRows() {
  static const std::vector<Row>* rows = new std::vector<Row>(Rows());
  return *rows;
}

TEST_P(FaultMatrix, Row) { RunRow(AllRows()[GetParam()]); }

std::string RowName(const ::testing::TestParamInfo<size_t>& info) {
  std::string name;
  for (char c : AllRows()[info.param].name) name.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return absl::StrCat(info.param, "_", name);
}

INSTANTIATE_TEST_SUITE_P(Rows, FaultMatrix, ::testing::Range(size_t{0}, AllRows().size()), RowName);

}  // namespace
}  // namespace atf::testing
