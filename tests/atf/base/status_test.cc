#include "atf/base/status.h"

#include "gtest/gtest.h"

namespace atf {
namespace {

TEST(Status, ExitCodes) {
  EXPECT_EQ(ExitCodeOf(absl::OkStatus()), 0);
  EXPECT_EQ(ExitCodeOf(absl::InternalError("x")), 1);
  EXPECT_EQ(ExitCodeOf(WithExitCode(absl::InternalError("x"), 3)), 3);
  // A code outside 1..255 cannot be an exit status.
  EXPECT_EQ(ExitCodeOf(WithExitCode(absl::InternalError("x"), 0)), 1);
  EXPECT_EQ(ExitCodeOf(WithExitCode(absl::InternalError("x"), 300)), 1);
}

TEST(Status, AnnotateKeepsCodeAndExitCode) {
  absl::Status annotated = Annotate(WithExitCode(absl::InvalidArgumentError("bad"), 7), "line 3");
  EXPECT_EQ(annotated.message(), "line 3: bad");
  EXPECT_EQ(annotated.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExitCodeOf(annotated), 7);
}

TEST(Status, OneLine) {
  EXPECT_EQ(OneLine("  Traceback:\n  File x\r\n\tValueError: bad  "), "Traceback: File x ValueError: bad");
  EXPECT_EQ(OneLine(""), "");
}

}  // namespace
}  // namespace atf
