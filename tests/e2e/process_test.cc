// End to end: how the connector process is run and how its failures,
// signals, hangs and noise reach Flow (docs/decisions.md, D2, D3, D8, D9).
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace atf::testing {
namespace {

constexpr const char* kProbe = "{\"spec\":{\"connectorType\":\"IMAGE\",\"config\":{}}}\n";
constexpr const char* kSpecLine =
    R"(out {"type":"SPEC","spec":{"connectionSpecification":{"type":"object","properties":{"my_field":{"type":"string","airbyte_secret":true}}}}})";

TEST(Connector, NonZeroExitBecomesOursWithTheTraceErrorAsTheLastLine) {
  TestDir dir;
  dir.Write("script", R"([spec]
out {"type":"LOG","log":{"level":"ERROR","message":"an earlier error log"}}
out {"type":"TRACE","trace":{"type":"ERROR","error":{"message":"Invalid API key.\nCheck the config.","internal_message":"401 Unauthorized","failure_type":"config_error","stack_trace":"Traceback..."}}}
err Traceback (most recent call last):
err ValueError: a stderr error
exit 3
)");
  RunResult run = RunShim(dir, "script", kProbe);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.LastErrLevel(), "error");
  EXPECT_EQ(run.LastErrMessage(), "Invalid API key. Check the config.");
  // The trace is logged at error level with its details.
  EXPECT_TRUE(run.ErrContains(
      R"("internal_message":"401 Unauthorized","failure_type":"config_error","stack_trace":"Traceback...")"))
      << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), static_cast<long>(run.ErrMessages().size()));
}

TEST(Connector, WithoutTraceTheLastErrorLogIsTheMessage) {
  TestDir dir;
  dir.Write("script",
            "[spec]\nerr Traceback (most recent call last):\nerr   File \"main.py\", line 1\nerr ValueError: bad "
            "config\nexit 2\n");
  RunResult run = RunShim(dir, "script", kProbe);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.LastErrMessage(), "ValueError: bad config");
}

TEST(Connector, WithNothingSaidTheExitCodeIsTheMessage) {
  TestDir dir;
  dir.Write("script", "[spec]\nexit 3\n");
  RunResult run = RunShim(dir, "script", kProbe);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.LastErrMessage(), "connector exited with code 3 during spec");
}

TEST(Connector, KilledBySignalExitsOne) {
  TestDir dir;
  dir.Write("script", "[spec]\nkill 9\n");
  RunResult run = RunShim(dir, "script", kProbe);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(), "connector was killed by signal 9 (SIGKILL) during spec");
}

TEST(Connector, EntrypointIsInterpretedByTheShellAndArgumentsAreSeparate) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[spec]\nsave-args ", dir.Path("args"), "\nsave-stdin ", dir.Path("stdin"), "\n",
                                   kSpecLine, "\n"));
  // Quotes and a variable in the entrypoint are the shell's business.
  RunResult run = RunShim(dir, "script", kProbe,
                          {.extra_args = {"--connector-entrypoint",
                                          absl::StrCat("\"", FakeConnector(), "\" --script \"$SCRIPT_DIR/script\"")},
                           .env = {{"SCRIPT_DIR", dir.path()}}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(dir.Read("args"), "spec\n");
  EXPECT_EQ(dir.Read("stdin"), "");  // the connector's stdin is empty
}

TEST(Connector, MissingCommandIsAOneLineError) {
  TestDir dir;
  RunResult run = RunShim(dir, "script", kProbe, {.extra_args = {"--connector-entrypoint", "/no/such/connector"}});
  EXPECT_EQ(run.exit_code, 127);
  EXPECT_TRUE(absl::StrContains(run.LastErrMessage(), "/no/such/connector")) << run.LastErrMessage();
  EXPECT_TRUE(absl::StrContains(run.LastErrMessage(), "not found")) << run.LastErrMessage();
}

TEST(Connector, LogLevelIsPassedToTheConnector) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[spec]\nsave-args ", dir.Path("args"), "\n", kSpecLine, "\n"));
  dir.Write("env.sh", absl::StrCat("#!/bin/sh\necho \"$LOG_LEVEL\" > ", dir.Path("level"), "\nexec ", FakeConnector(),
                                   " --script ", dir.Path("script"), " \"$@\"\n"));
  RunResult run = RunShim(dir, "script", kProbe,
                          {.extra_args = {"--connector-entrypoint", absl::StrCat("sh ", dir.Path("env.sh"))},
                           .env = {{"LOG_LEVEL", "debug"}}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(dir.Read("level"), "debug\n");
}

TEST(Secrets, RedactedInEveryLineTheShimWrites) {
  TestDir dir;
  // The first Spec teaches the shim that `my_field` is secret; the second
  // request carries a config whose secrets the connector then leaks.
  dir.Write(
      "script",
      absl::StrCat(R"([spec]
wait-for )",
                   dir.Path("second"), "\n",
                   R"(out {"type":"LOG","log":{"level":"INFO","message":"config is hunter2-secret and tok-123456"}}
err stderr says hunter2-secret
out not json hunter2-secret
out {"type":"TRACE","trace":{"type":"ERROR","error":{"message":"failed with hunter2-secret","stack_trace":"at tok-123456"}}}
exit 1
)"));
  dir.Write("first-script", absl::StrCat("[spec]\ntouch ", dir.Path("second"), "\n", kSpecLine, "\n"));
  // Two different scripts for the two runs: the entrypoint picks by the marker file.
  dir.Write("pick.sh",
            absl::StrCat("#!/bin/sh\nif [ -e ", dir.Path("second"), " ]; then s=script; else s=first-script; fi\n",
                         "exec ", FakeConnector(), " --script ", dir.path(), "/$s \"$@\"\n"));
  RunResult run = RunShim(
      dir, "script",
      absl::StrCat(
          kProbe,
          R"({"spec":{"connectorType":"IMAGE","config":{"my_field":"hunter2-secret","auth":{"access_token":"tok-123456"}}}})",
          "\n"),
      {.extra_args = {"--connector-entrypoint", absl::StrCat("sh ", dir.Path("pick.sh"))}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_FALSE(run.ErrContains("hunter2-secret")) << run.err;
  EXPECT_FALSE(run.ErrContains("tok-123456")) << run.err;
  EXPECT_TRUE(run.ErrContains("config is *** and ***")) << run.err;
  EXPECT_TRUE(run.ErrContains("stderr says ***")) << run.err;
  EXPECT_TRUE(run.ErrContains("not json ***")) << run.err;
  EXPECT_EQ(run.LastErrMessage(), "failed with ***");
}

TEST(Stop, SigtermStopsTheConnectorAndTheShim) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[spec]\ntouch ", dir.Path("running"), "\nhang\n"));
  auto shim = Process::Start(ShimBinary(), ShimArgs(dir, "script"), ShimEnv(dir));
  shim->Write(kProbe);
  for (int i = 0; i < 500 && !dir.Exists("running"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(dir.Exists("running"));
  auto start = std::chrono::steady_clock::now();
  shim->Signal(SIGTERM);
  RunResult run = shim->Wait(10);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  // D11: SIGTERM is Flow ending the session, also before a unary response.
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.LastErrMessage(), "stopping between requests: SIGTERM");
  EXPECT_TRUE(run.ErrContains("stopped before the spec response was written: SIGTERM")) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST(Stop, ConnectorIgnoringSigtermIsKilledAfterTheGracePeriod) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[spec]\nignore-sigterm\ntouch ", dir.Path("running"), "\nhang\n"));
  auto shim = Process::Start(
      ShimBinary(),
      [&] {
        auto args = ShimArgs(dir, "script");
        args.push_back("--grace-period=500ms");
        return args;
      }(),
      ShimEnv(dir));
  shim->Write(kProbe);
  for (int i = 0; i < 500 && !dir.Exists("running"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto start = std::chrono::steady_clock::now();
  shim->Signal(SIGTERM);
  RunResult run = shim->Wait(10);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(400));
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_TRUE(run.ErrContains("connector did not stop within the grace period; killing it")) << run.err;
}

TEST(Stop, SigtermBetweenRequestsExitsZero) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[spec]\n", kSpecLine, "\n"));
  auto shim = Process::Start(ShimBinary(), ShimArgs(dir, "script"), ShimEnv(dir));
  shim->Write(kProbe);
  ASSERT_TRUE(shim->ReadLine(10).has_value());
  shim->Signal(SIGTERM);
  RunResult run = shim->Wait(10);
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

TEST(Idle, HangingConnectorIsStoppedAndReported) {
  TestDir dir;
  dir.Write("script",
            "[spec]\nout {\"type\":\"LOG\",\"log\":{\"level\":\"INFO\",\"message\":\"still alive\"}}\nhang\n");
  RunResult run = RunShim(dir, "script", kProbe, {.extra_args = {"--idle-timeout=300ms"}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(), "connector was idle for 300ms without answering spec");
  EXPECT_TRUE(run.ErrContains("connector has been idle for 300ms")) << run.err;
}

TEST(Idle, TimeoutFromTheEnvironment) {
  TestDir dir;
  dir.Write("script", "[spec]\nhang\n");
  RunResult run = RunShim(dir, "script", kProbe, {.env = {{"AIRBYTE_TO_FLOW_IDLE_TIMEOUT", "200ms"}}});
  EXPECT_EQ(run.LastErrMessage(), "connector was idle for 200ms without answering spec");
}

TEST(Output, ChildHoldingStdoutAfterExitDoesNotHangTheShim) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[spec]\n", kSpecLine, "\nspawn-holder 60\n"));
  auto start = std::chrono::steady_clock::now();
  RunResult run = RunShim(dir, "script", kProbe, {.extra_args = {"--grace-period=300ms"}});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.OutLines().size(), 1u);
}

TEST(Output, LineLongerThanTheMaximumIsAClearError) {
  TestDir dir;
  dir.Write("script", "[spec]\nbig-record s 5000\n");
  RunResult run = RunShim(dir, "script", kProbe, {.extra_args = {"--max-message-size=4K"}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(),
            "connector output: line 1 is larger than the maximum message size of 4096 bytes (5075 bytes so far); "
            "raise --max-message-size");
}

TEST(Cli, UsageErrorsExitTwo) {
  auto shim = Process::Start(ShimBinary(), {"--connector-dir=/x"});
  RunResult run = shim->Wait(10);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(run.err, "missing required flag `--connector-entrypoint`"));
  EXPECT_TRUE(absl::StrContains(run.err, "Usage: airbyte-to-flow"));
  shim = Process::Start(ShimBinary(), {"--connector-entrypoint=x", "--frobnicate"});
  run = shim->Wait(10);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(run.err, "unknown flag `--frobnicate`"));
}

TEST(Cli, HelpAndVersionExitZero) {
  RunResult help = Process::Start(ShimBinary(), {"--help"})->Wait(10);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(help.out, "--connector-entrypoint"));
  RunResult version = Process::Start(ShimBinary(), {"--version"})->Wait(10);
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(absl::StartsWith(version.out, "airbyte-to-flow "));
}

}  // namespace
}  // namespace atf::testing
