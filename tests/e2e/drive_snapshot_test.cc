// End to end: `drive snapshot` (write, --check, --compat) and `drive compat`
// on the demo connector, whose behaviour is changed with patch files in a
// copy of its folder, as an upgrade would change it.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace atf::testing {
namespace {

std::string DemoEntrypoint() { return absl::StrCat(SourceDir(), "/connectors/source-demo/source-demo.sh"); }

RunResult Drive(const TestDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), "drive");
  std::unique_ptr<Process> process = Process::Start(ShimBinary(), args, ShimEnv(dir));
  if (!process) return RunResult{};
  process->CloseStdin();
  RunResult result = process->Wait(60);
  if (result.timed_out) ADD_FAILURE() << "drive did not exit\n" << result.err;
  return result;
}

// A copy of the demo connector's folder: `demo/` in the test folder.
class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("demo/documentation_url.patch.json", R"({"documentation_url":"https://go.estuary.dev/source-demo"})");
    config_ = dir_.Write("config.json", R"({"api_key":"k","record_count":2})");
  }

  std::vector<std::string> Args(std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--connector-entrypoint", DemoEntrypoint(), "--connector-dir", dir_.Path("demo")});
    return args;
  }

  TestDir dir_;
  std::string config_;
};

TEST_F(SnapshotTest, WriteThenCheckPasses) {
  RunResult write = Drive(dir_, Args({"snapshot", "--dir", dir_.Path("snap"), "--config", config_, "--mask",
                                      "/created_at", "--mask", "/payload/*"}));
  ASSERT_EQ(write.exit_code, 0) << write.err;
  rapidjson::Document spec = ParseOrDie(dir_.Read("snap/spec.json"));
  EXPECT_EQ(spec["protocol"].GetInt(), 3032023);
  rapidjson::Document discover = ParseOrDie(dir_.Read("snap/discover.json"));
  ASSERT_EQ(discover["bindings"].Size(), 3u);
  // Sorted by recommendedName, keys sorted.
  EXPECT_EQ(ViewOf(discover["bindings"][0]["recommendedName"]), "daily_stats");
  EXPECT_TRUE(absl::StartsWith(dir_.Read("snap/spec.json"), "{\n  \"configSchema\": {"));
  rapidjson::Document capture = ParseOrDie(dir_.Read("snap/capture.json"));
  const rapidjson::Value& users = capture["collections"]["users"];
  ASSERT_EQ(users.Size(), 2u);
  EXPECT_EQ(users[0]["id"].GetInt(), 1);
  EXPECT_EQ(ViewOf(users[0]["created_at"]), "<masked>");
  EXPECT_EQ(ViewOf(capture["collections"]["events"][1]["payload"]["path"]), "<masked>");
  EXPECT_EQ(capture["state"]["events"]["last_id"].GetInt(), 2);
  rapidjson::Document settings = ParseOrDie(dir_.Read("snap/snapshot.json"));
  EXPECT_EQ(ViewOf(settings["mask"][0]), "/created_at");

  // The config and masks are taken from snapshot.json.
  RunResult check = Drive(dir_, Args({"snapshot", "--check", dir_.Path("snap")}));
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, "no differences\n");
  EXPECT_TRUE(check.ErrContains("the connector matches the snapshot")) << check.err;
}

TEST_F(SnapshotTest, AChangedCatalogFailsTheCheckWithAReadableDiff) {
  ASSERT_EQ(Drive(dir_, Args({"snapshot", "--dir", dir_.Path("snap"), "--config", config_})).exit_code, 0);
  // The "upgrade": users lose `plan` and gain a required `rank`, events get another key, and the config changes
  // the captured documents.
  dir_.Write("demo/streams/users.patch.json",
             R"({"properties":{"plan":null,"rank":{"type":"integer"}},"required":["id","rank"]})");
  dir_.Write("demo/streams/events.pk.json", R"(["id","kind"])");
  dir_.Write("config.json", R"({"api_key":"k","record_count":3})");

  RunResult check = Drive(dir_, Args({"snapshot", "--check", dir_.Path("snap")}));
  EXPECT_EQ(check.exit_code, 1);
  for (const char* line : {
           "discover binding events: key changed [\"/id\"] -> [\"/id\",\"/kind\"]\n",
           "discover binding users schema /properties/plan: removed {\"type\":[\"null\",\"string\"]}\n",
           "discover binding users schema /properties/rank: added {\"type\":\"integer\"}\n",
           "capture users document [3]: added {",
           "capture state /events/last_id: changed 2 -> 3\n",
       }) {
    EXPECT_TRUE(absl::StrContains(check.out, line)) << line << "\nin:\n" << check.out;
  }
  EXPECT_TRUE(check.ErrContains("the connector differs from the snapshot")) << check.err;

  RunResult compat = Drive(dir_, Args({"snapshot", "--check", dir_.Path("snap"), "--compat"}));
  EXPECT_EQ(compat.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(compat.out, "breaking: discover binding events key: key changed")) << compat.out;
  EXPECT_TRUE(absl::StrContains(compat.out,
                                "breaking: discover binding users schema /properties/plan: removed "
                                "property `plan`"))
      << compat.out;
  EXPECT_TRUE(absl::StrContains(compat.out,
                                "breaking: discover binding users schema /properties/rank: new required "
                                "property `rank`"))
      << compat.out;
  // The new key field is made required, which is breaking too.
  EXPECT_TRUE(absl::StrContains(compat.out,
                                "breaking: discover binding events schema /required: property `kind` "
                                "became required"))
      << compat.out;
  EXPECT_TRUE(compat.ErrContains("4 of 4 Spec/Discover differences are breaking")) << compat.err;
}

TEST_F(SnapshotTest, CompatibleChangesPassTheCompatCheck) {
  ASSERT_EQ(Drive(dir_, Args({"snapshot", "--dir", dir_.Path("snap"), "--config", config_, "--no-capture"})).exit_code,
            0);
  EXPECT_FALSE(dir_.Exists("snap/capture.json"));
  dir_.Write("demo/streams/users.patch.json",
             R"({"properties":{"nickname":{"type":"string"},"id":{"type":["integer","string"]}}})");
  RunResult compat = Drive(dir_, Args({"snapshot", "--check", dir_.Path("snap"), "--compat"}));
  EXPECT_EQ(compat.exit_code, 0) << compat.err;
  EXPECT_EQ(compat.out,
            "compatible: discover binding users schema /properties/id: widened type from \"integer\" to "
            "[\"integer\",\"string\"]\n"
            "compatible: discover binding users schema /properties/nickname: new optional property `nickname`\n");
  RunResult plain = Drive(dir_, Args({"snapshot", "--check", dir_.Path("snap")}));
  EXPECT_EQ(plain.exit_code, 1);
}

TEST_F(SnapshotTest, CompatOnTwoFolders) {
  ASSERT_EQ(Drive(dir_, Args({"snapshot", "--dir", dir_.Path("old"), "--config", config_, "--no-capture"})).exit_code,
            0);
  RunResult same = Drive(dir_, {"compat", dir_.Path("old"), dir_.Path("old")});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(same.out, "no differences\n");

  dir_.Write("demo/spec.patch.json", R"({"properties":{"region":{"type":"string"}}})");
  ASSERT_EQ(Drive(dir_, Args({"snapshot", "--dir", dir_.Path("new"), "--config", config_, "--no-capture"})).exit_code,
            0);
  RunResult compatible = Drive(dir_, {"compat", dir_.Path("old"), dir_.Path("new")});
  EXPECT_EQ(compatible.exit_code, 0) << compatible.err;
  EXPECT_EQ(compatible.out, "compatible: spec configSchema /properties/region: new optional property `region`\n");

  dir_.Write("demo/spec.patch.json", R"({"required":["api_key","region"],"properties":{"region":{"type":"string"}}})");
  dir_.Write("demo/omitted_streams.json", R"(["daily_stats"])");
  ASSERT_EQ(Drive(dir_, Args({"snapshot", "--dir", dir_.Path("new"), "--config", config_, "--no-capture"})).exit_code,
            0);
  RunResult breaking = Drive(dir_, {"compat", dir_.Path("old"), dir_.Path("new")});
  EXPECT_EQ(breaking.exit_code, 1);
  EXPECT_EQ(breaking.out,
            "breaking: spec configSchema /properties/region: new required property `region`\n"
            "breaking: discover binding daily_stats: removed binding (no longer discovered)\n");

  RunResult missing = Drive(dir_, {"compat", dir_.Path("old"), dir_.Path("nowhere")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(missing.ErrContains("nowhere/spec.json")) << missing.err;
}

}  // namespace
}  // namespace atf::testing
