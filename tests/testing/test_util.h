// Helpers shared by unit and end-to-end tests: a private folder per test and
// semantic JSON comparison.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"

namespace atf::testing {

// A private folder for one test (connector folder, scripts, TMPDIR), removed afterwards.
class TestDir {
 public:
  TestDir();
  ~TestDir();
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Path(absl::string_view relative) const;
  // Writes `relative` (creating parent folders) and returns its full path.
  std::string Write(absl::string_view relative, absl::string_view contents) const;
  std::string Read(absl::string_view relative) const;
  bool Exists(absl::string_view relative) const;
  // Names of the entries of `relative`.
  std::vector<std::string> List(absl::string_view relative) const;

 private:
  std::string path_;
};

rapidjson::Document ParseOrDie(absl::string_view json);
// Semantic JSON equality (object member order does not matter).
::testing::AssertionResult JsonEq(absl::string_view actual, absl::string_view expected);

}  // namespace atf::testing

#define EXPECT_JSON_EQ(actual, expected) EXPECT_TRUE(::atf::testing::JsonEq((actual), (expected)))
#define ASSERT_JSON_EQ(actual, expected) ASSERT_TRUE(::atf::testing::JsonEq((actual), (expected)))
