// The drive command line: commands, flags per command, one-line usage errors.
#include "atf/drive/cli.h"

#include "absl/strings/match.h"
#include "atf/base/status.h"
#include "gtest/gtest.h"

namespace atf::drive {
namespace {

absl::StatusOr<DriveOptions> Parse(std::vector<std::string> args) { return ParseDriveCommandLine(args); }

TEST(DriveCli, CaptureFlags) {
  auto o = Parse({"capture", "--connector-entrypoint=x", "--from", "d", "--sessions=2", "--duration", "1500ms",
                  "--documents=9", "--quiet", "--output_state", "--grpc", "--shim-arg=--grace-period=1s"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->command, Command::kCapture);
  EXPECT_EQ(o->from_dir, "d");
  EXPECT_EQ(o->sessions, 2);
  EXPECT_EQ(o->duration, absl::Milliseconds(1500));
  EXPECT_EQ(o->documents, 9u);
  EXPECT_TRUE(o->quiet && o->output_state && o->grpc);
  EXPECT_EQ(o->shim_args, std::vector<std::string>{"--grace-period=1s"});
  EXPECT_EQ(o->connector_dir, ".");
  EXPECT_EQ(o->codec, Codec::kJson);
}

TEST(DriveCli, CompatTakesTwoFolders) {
  auto o = Parse({"compat", "old", "new"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->old_dir, "old");
  EXPECT_EQ(o->new_dir, "new");
}

TEST(DriveCli, UsageErrorsAreOneLineAndExit2) {
  struct Case {
    std::vector<std::string> args;
    const char* problem;
  };
  for (const Case& c : std::vector<Case>{
           {{}, "missing command"},
           {{"frob"}, "unknown command `frob`"},
           {{"spec"}, "missing required flag --connector-entrypoint"},
           {{"spec", "--connector-entrypoint=x", "--sessions=2"}, "flag --sessions does not apply to spec"},
           {{"spec", "--connector-entrypoint=x", "--nope"}, "unknown flag --nope"},
           {{"capture", "--connector-entrypoint=x"}, "capture needs --from DIR"},
           {{"capture", "--connector-entrypoint=x", "--from=d", "--duration=soon"},
            "invalid value `soon` for --duration"},
           {{"capture", "--connector-entrypoint=x", "--from=d", "--state=s", "--fresh"}, "--state and --fresh"},
           {{"spec", "--connector-entrypoint=x", "--grpc", "--codec=proto"}, "--codec and --grpc exclude"},
           {{"spec", "--connector-entrypoint=x", "--codec=xml"}, "invalid value `xml` for --codec"},
           {{"snapshot", "--connector-entrypoint=x", "--dir=d"}, "snapshot --dir needs --config FILE"},
           {{"compat", "a"}, "compat takes two folders"},
       }) {
    auto o = Parse(c.args);
    ASSERT_FALSE(o.ok()) << c.problem;
    EXPECT_TRUE(absl::StartsWith(o.status().message(), c.problem)) << o.status().message();
    EXPECT_EQ(o.status().message().find('\n'), std::string::npos);
    EXPECT_EQ(ExitCodeOf(o.status()), 2);
  }
}

TEST(DriveCli, HelpListsCommandsAndFlags) {
  auto o = Parse({"capture", "--help"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->command, Command::kHelp);
  const std::string help = DriveUsageText();
  for (const char* text : {"spec", "discover", "validate", "capture", "snapshot", "compat", "--connector-entrypoint",
                           "--grpc", "--codec", "--sessions", "--duration", "--documents", "--mask", "--check",
                           "--compat", "--state-out", "capture.flow.json", "collections.flow.json", "state.json"}) {
    EXPECT_TRUE(absl::StrContains(help, text)) << text;
  }
}

}  // namespace
}  // namespace atf::drive
