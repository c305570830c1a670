// End to end: parallel record decoding (--parse-threads) keeps the
// connector's order exactly, across bindings, states and noise, and matches a
// sequential run byte for byte. The ThreadSanitizer leg runs these.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/capture_helpers.h"
#include "tests/e2e/harness.h"

namespace atf::testing {
namespace {

constexpr const char* kThreeBindings =
    R"({"resourceConfig":{"stream":"a","syncMode":"incremental"},"collection":{"name":"x/a","key":["/id"],"writeSchema":{"type":"object","properties":{"t":{"type":"string","format":"date-time"}}}}},)"
    R"({"resourceConfig":{"stream":"b","syncMode":"incremental"},"collection":{"name":"x/b","key":["/id"]}},)"
    R"({"resourceConfig":{"stream":"c","syncMode":"incremental"},"collection":{"name":"x/c","key":["/id"]}})";

std::string Script() {
  std::string script;
  for (int round = 0; round < 40; ++round) {
    absl::StrAppend(
        &script, "records a 300 50\n", "records b 200\n", "junk 3\n",
        Rec("a", absl::StrCat(R"({"id":)", round, R"(,"t":"2024-01-0)", 1 + round % 9, R"( 10:00:00"})")),
        R"(out {"type":"LOG","log":{"level":"INFO","message":"round"}})", "\n", "records c 100\n",
        State(absl::StrCat(R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"a"},"stream_state":{"round":)",
                           round, "}}}")));
  }
  return script;
}

TEST(Pipeline, ParallelDecodingIsByteIdenticalToSequential) {
  TestDir dir;
  ShimOptions sequential;
  sequential.extra_args = {"--parse-threads=0"};
  RunResult expected = Capture(dir, Script(), Open(kThreeBindings), sequential);
  ASSERT_EQ(expected.exit_code, 0) << expected.LastErrMessage();
  ASSERT_EQ(expected.OutLines().size(), 1 + 40 * (300 + 200 + 1 + 100 + 1u));  // opened, then rounds
  for (const char* threads : {"1", "2", "4"}) {
    ShimOptions parallel;
    parallel.extra_args = {absl::StrCat("--parse-threads=", threads)};
    RunResult run = Capture(dir, Script(), Open(kThreeBindings), parallel);
    ASSERT_EQ(run.exit_code, 0) << run.LastErrMessage();
    EXPECT_TRUE(run.out == expected.out) << "--parse-threads=" << threads << " differs from a sequential run";
  }
}

}  // namespace
}  // namespace atf::testing
