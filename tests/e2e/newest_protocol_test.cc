// End to end: what newer Airbyte connectors write (docs/decisions.md, D17):
// resumable full refresh, record counts in STATE, CDC deletes and the
// source's own changes.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "gtest/gtest.h"
#include "tests/e2e/capture_helpers.h"
#include "tests/e2e/harness.h"

namespace atf::testing {
namespace {

constexpr const char* kItems =
    R"({"resourceConfig":{"stream":"items","syncMode":"full_refresh"},"collection":{"name":"acmeCo/items","key":["/page","/i"]}})";

int Captured(const RunResult& run) {
  int n = 0;
  for (const std::string& line : run.OutLines()) n += absl::StartsWith(line, R"({"captured":)");
  return n;
}

TEST(ResumableFullRefresh, ACompletedPassIsClearedAndTheNextSessionReadsAgain) {
  TestDir dir;
  RunResult first = Capture(dir, "cdk-full-refresh items 3\n", Open(kItems));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(Captured(first), 6);
  EXPECT_EQ(
      first.OutLines().back(),
      R"({"checkpoint":{"state":{"updated":{"items":null,"_airbyte_state_format":"per_stream"},"mergePatch":true}}})");
  EXPECT_TRUE(first.ErrContains("clearing the state of full-refresh `items`")) << first.err;

  // A state left with the completion marker (as the Rust binary leaves it):
  // never handed back, so the stream is read again.
  TestDir next;
  RunResult second = Capture(
      next, absl::StrCat("save-input --state ", next.Path("state.json"), "\ncdk-full-refresh items 3\n"),
      Open(kItems, R"({"items":{"__ab_full_refresh_sync_complete":true},"_airbyte_state_format":"per_stream"})"));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(next.Read("state.json"), "[]");
  EXPECT_EQ(Captured(second), 6);
}

TEST(ResumableFullRefresh, AnInterruptedPassResumesWhereItStopped) {
  TestDir dir;
  RunResult crashed = Capture(dir, "cdk-full-refresh items 3 0\n", Open(kItems));
  EXPECT_EQ(crashed.exit_code, 1) << crashed.err;
  EXPECT_EQ(Captured(crashed), 2);
  // The page's state is checkpointed and nothing clears it.
  EXPECT_JSON_EQ(
      crashed.OutLines().back(),
      R"({"checkpoint":{"state":{"updated":{"items":{"page":1},"_airbyte_state_format":"per_stream"},"mergePatch":true}}})");

  TestDir next;
  RunResult resumed = Capture(next, "cdk-full-refresh items 3\n",
                              Open(kItems, R"({"items":{"page":1},"_airbyte_state_format":"per_stream"})"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Captured(resumed), 4);  // pages 1 and 2
  EXPECT_TRUE(absl::StartsWith(resumed.OutLines().back(), R"({"checkpoint":{"state":{"updated":{"items":null)"))
      << resumed.out;
}

std::string CountedState(int count, absl::string_view cursor) {
  return State(absl::StrCat(R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":)",
                            cursor, R"(}},"sourceStats":{"recordCount":)", count, ".0}}"));
}

TEST(RecordCounts, AMismatchIsWarnedOnceAndSummedUp) {
  TestDir dir;
  RunResult run = Capture(dir,
                          absl::StrCat(Rec("users", R"({"id":1})"), Rec("users", R"({"id":2})"), CountedState(2, "1"),
                                       Rec("users", R"({"id":3})"), CountedState(3, "2"), CountedState(0, "2"),
                                       Rec("users", R"({"id":4})"), CountedState(5, "3")),
                          Open(kUsersBinding));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  int warnings = 0;
  for (const std::string& message : run.ErrMessages()) {
    warnings += absl::StrContains(message, "says 3 records were emitted since its previous state");
    EXPECT_FALSE(absl::StrContains(message, "says 5 records")) << "warned twice: " << message;
  }
  EXPECT_EQ(warnings, 1) << run.err;
  EXPECT_TRUE(run.ErrContains(R"("record_count_checks":4,"record_count_mismatches":2)")) << run.err;
  // The repeated STATE (cursor 2, no record before it) adds no checkpoint.
  int checkpoints = 0;
  for (const std::string& line : run.OutLines()) checkpoints += absl::StartsWith(line, R"({"checkpoint":)");
  EXPECT_EQ(checkpoints, 3) << run.out;
}

TEST(RecordCounts, StrictRecordsFailsBeforeTheCheckpoint) {
  TestDir dir;
  ShimOptions options;
  options.extra_args = {"--strict-records"};
  RunResult run =
      Capture(dir, absl::StrCat(Rec("users", R"({"id":1})"), CountedState(2, "1")), Open(kUsersBinding), options);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(run.LastErrMessage(), "stream `users`: the connector's STATE says 2 records"))
      << run.err;
  for (const std::string& line : run.OutLines()) EXPECT_FALSE(absl::StartsWith(line, R"({"checkpoint":)")) << line;
}

TEST(CdcDeletes, DeletedRowsAreCapturedWithOpD) {
  TestDir dir;
  const std::string binding =
      R"({"resourceConfig":{"stream":"users","syncMode":"incremental"},"collection":{"name":"acmeCo/users","key":["/id"],"writeSchema":{"type":"object","properties":{"id":{"type":"integer"},"_ab_cdc_deleted_at":{"type":["null","string"]}}}}})";
  RunResult run = Capture(dir,
                          absl::StrCat(Rec("users", R"({"id":1,"_ab_cdc_deleted_at":null})"),
                                       Rec("users", R"({"id":2,"_ab_cdc_deleted_at":"2024-01-01T00:00:00Z"})"),
                                       Rec("users", R"({"id":3})")),
                          Open(binding));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> lines = run.OutLines();
  ASSERT_GE(lines.size(), 4u) << run.out;
  EXPECT_EQ(lines[1], R"({"captured":{"doc":{"_meta":{"op":"u"},"id":1,"_ab_cdc_deleted_at":null}}})");
  EXPECT_EQ(lines[2],
            R"({"captured":{"doc":{"_meta":{"op":"d"},"id":2,"_ab_cdc_deleted_at":"2024-01-01T00:00:00Z"}}})");
  EXPECT_EQ(lines[3], R"({"captured":{"doc":{"_meta":{"op":"u"},"id":3}}})");
  EXPECT_TRUE(run.ErrContains(R"("deletes":1)")) << run.err;

  // A stream without CDC columns is untouched.
  TestDir plain;
  RunResult other = Capture(plain, Rec("users", R"({"id":1})"), Open(kUsersBinding));
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(other.OutLines()[1], R"({"captured":{"doc":{"id":1}}})");
}

TEST(CdcDeletes, DiscoverDeclaresOpForCdcStreams) {
  TestDir dir;
  dir.Write(
      "script",
      absl::StrCat(
          "[discover]\n",
          R"(out {"type":"CATALOG","catalog":{"streams":[{"name":"users","json_schema":{"type":"object","properties":{"id":{"type":"integer"},"_ab_cdc_deleted_at":{"type":["null","string"]}}},"supported_sync_modes":["incremental"],"source_defined_primary_key":[["id"]]}]}})",
          "\n"));
  RunResult run = RunShim(dir, "script",
                          R"({"discover":{"connectorType":"IMAGE","config":{}}})"
                          "\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  rapidjson::Document response = ParseOrDie(run.OutLines().at(0));
  const rapidjson::Value& schema = response["discovered"]["bindings"][0]["documentSchema"];
  EXPECT_JSON_EQ(WriteJson(schema["properties"]["_meta"]["properties"]["op"]["enum"]), R"(["c","u","d"])");
  EXPECT_JSON_EQ(WriteJson(response["discovered"]["bindings"][0]["key"]), R"(["/id"])");
}

TEST(SourceChanges, KeptAtMetaAirbyteChangesCountedAndWarned) {
  TestDir dir;
  RunResult run = Capture(
      dir,
      absl::StrCat(
          Rec("users", R"({"id":1,"bio":null})",
              R"(,"meta":{"changes":[{"field":"bio","change":"NULLED","reason":"SOURCE_FIELD_SIZE_LIMITATION"}]})"),
          Rec("users", R"({"id":2})", R"(,"meta":{"changes":[]})")),
      Open(kUsersBinding));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> lines = run.OutLines();
  ASSERT_GE(lines.size(), 3u) << run.out;
  EXPECT_EQ(
      lines[1],
      R"({"captured":{"doc":{"_meta":{"airbyteChanges":[{"field":"bio","change":"NULLED","reason":"SOURCE_FIELD_SIZE_LIMITATION"}]},"id":1,"bio":null}}})");
  EXPECT_EQ(lines[2], R"({"captured":{"doc":{"id":2}}})");
  EXPECT_TRUE(run.ErrContains("the source changed values of a record of stream `users`")) << run.err;
  EXPECT_TRUE(run.ErrContains(R"("source_changes":1)")) << run.err;
}

}  // namespace
}  // namespace atf::testing
