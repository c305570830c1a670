#include "atf/app/cli.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace atf {
namespace {

struct Parsed {
  absl::StatusOr<CliOutcome> outcome;
};

absl::StatusOr<CliOutcome> Parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "airbyte-to-flow");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data(), [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(Cli, DashedAndUnderscoredFlagsWithEitherValueForm) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--connector-entrypoint", "python main.py", "--connector-dir=/x"},
                                             {"--connector_entrypoint=python main.py", "--connector_dir", "/x"}}) {
    auto outcome = Parse(args);
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    EXPECT_EQ(outcome->options.shim.connector_entrypoint, "python main.py");
    EXPECT_EQ(outcome->options.shim.connector_dir, "/x");
  }
}

TEST(Cli, Defaults) {
  auto outcome = Parse({"--connector-entrypoint=x"});
  ASSERT_TRUE(outcome.ok());
  const ShimOptions& shim = outcome->options.shim;
  EXPECT_EQ(shim.connector_dir, ".");
  EXPECT_EQ(shim.max_message_size, size_t{256} << 20);
  EXPECT_EQ(shim.idle_timeout, absl::Hours(1));
  EXPECT_EQ(shim.log_level, LogLevel::kInfo);
  EXPECT_FALSE(shim.per_stream_state);
  EXPECT_FALSE(shim.persist_control_config);
}

TEST(Cli, SizesAndDurations) {
  auto outcome =
      Parse({"--connector-entrypoint=x", "--max-message-size=64MiB", "--idle-timeout=90s", "--grace-period", "2s"});
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->options.shim.max_message_size, size_t{64} << 20);
  EXPECT_EQ(outcome->options.shim.idle_timeout, absl::Seconds(90));
  EXPECT_EQ(outcome->options.shim.grace_period, absl::Seconds(2));
  EXPECT_EQ(Parse({"--connector-entrypoint=x", "--max-message-size=1000"})->options.shim.max_message_size, 1000u);
  EXPECT_EQ(Parse({"--connector-entrypoint=x", "--parse-threads=3"})->options.shim.parse_threads, 3);
  EXPECT_EQ(Parse({"--connector-entrypoint=x", "--parse-threads=0"})->options.shim.parse_threads, 0);
}

TEST(Cli, UsageErrorsCarryTheUsage) {
  struct Case {
    std::vector<std::string> args;
    const char* problem;
  };
  for (const Case& c : std::vector<Case>{
           {{}, "missing required flag `--connector-entrypoint`"},
           {{"--connector-entrypoint=x", "--bogus=1"}, "unknown flag `--bogus`"},
           {{"--connector-entrypoint=x", "stray"}, "unexpected argument `stray`"},
           {{"--connector-entrypoint"}, "flag `--connector-entrypoint` needs a value"},
           {{"--connector-entrypoint=x", "--idle-timeout=soon"}, "invalid value `soon` for `--idle-timeout`"},
           {{"--connector-entrypoint=x", "--max-message-size=-5"}, "invalid value `-5` for `--max-message-size`"},
           {{"--connector-entrypoint=x", "--codec=yaml"}, "--codec must be `json` or `proto`"},
           {{"--connector-entrypoint=x", "--grace-period=0s"}, "durations must be positive"},
           {{"--connector-entrypoint=x", "--parse-threads=many"}, "invalid value `many` for `--parse-threads`"},
       }) {
    auto outcome = Parse(c.args);
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(outcome.status().message(), c.problem)) << outcome.status().message();
    EXPECT_TRUE(absl::StrContains(outcome.status().message(), "Usage: airbyte-to-flow"));
  }
}

TEST(Cli, HelpListsEveryFlagAndVariable) {
  auto outcome = Parse({"--help"});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->action, CliOutcome::Action::kPrintAndExit);
  for (const char* text :
       {"--connector-entrypoint", "--connector-dir=.", "--codec", "--max-message-size=256MiB", "--idle-timeout=1h",
        "--grace-period=5s", "--progress-interval=1m", "--parse-threads=auto", "--grpc-listen", "--grpc-port-file",
        "--version", "LOG_LEVEL", "LOG_FORMAT", "FLOW_RUNTIME_CODEC", "AIRBYTE_TO_FLOW_STATE_FORMAT",
        "AIRBYTE_TO_FLOW_IDLE_TIMEOUT", "AIRBYTE_TO_FLOW_PERSIST_CONTROL_CONFIG", "TMPDIR"}) {
    EXPECT_TRUE(absl::StrContains(outcome->output, text)) << text;
  }
  EXPECT_TRUE(absl::StartsWith(Parse({"--version"})->output, "airbyte-to-flow "));
}

TEST(Cli, Environment) {
  auto outcome = Parse({"--connector-entrypoint=x"}, {{"LOG_LEVEL", "debug"},
                                                      {"AIRBYTE_TO_FLOW_STATE_FORMAT", "per_stream"},
                                                      {"AIRBYTE_TO_FLOW_PERSIST_CONTROL_CONFIG", "1"},
                                                      {"AIRBYTE_TO_FLOW_IDLE_TIMEOUT", "10m"}});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->options.shim.log_level, LogLevel::kDebug);
  EXPECT_TRUE(outcome->options.shim.per_stream_state);
  EXPECT_TRUE(outcome->options.shim.persist_control_config);
  EXPECT_EQ(outcome->options.shim.idle_timeout, absl::Minutes(10));
  // The flag wins over the variable; an unknown LOG_LEVEL means info, as the reference.
  outcome = Parse({"--connector-entrypoint=x", "--idle-timeout=5s"},
                  {{"AIRBYTE_TO_FLOW_IDLE_TIMEOUT", "10m"}, {"LOG_LEVEL", "DEBUG"}});
  EXPECT_EQ(outcome->options.shim.idle_timeout, absl::Seconds(5));
  EXPECT_EQ(outcome->options.shim.log_level, LogLevel::kInfo);
  outcome = Parse({"--connector-entrypoint=x"}, {{"AIRBYTE_TO_FLOW_IDLE_TIMEOUT", "never"}});
  ASSERT_FALSE(outcome.ok());
  EXPECT_TRUE(absl::StrContains(outcome.status().message(), "AIRBYTE_TO_FLOW_IDLE_TIMEOUT=`never`"));
}

}  // namespace
}  // namespace atf
