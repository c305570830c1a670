#include "tests/testing/test_util.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "atf/base/json.h"

namespace atf::testing {

TestDir::TestDir() {
  const char* base = ::getenv("TEST_TMPDIR");
  std::string pattern = absl::StrCat(base && *base ? base : "/tmp", "/atf-test-XXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = buffer.data();
}

TestDir::~TestDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TestDir::Path(absl::string_view relative) const { return absl::StrCat(path_, "/", relative); }

std::string TestDir::Write(absl::string_view relative, absl::string_view contents) const {
  std::string path = Path(relative);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  return path;
}

std::string TestDir::Read(absl::string_view relative) const {
  std::ifstream in(Path(relative), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool TestDir::Exists(absl::string_view relative) const { return std::filesystem::exists(Path(relative)); }

std::vector<std::string> TestDir::List(absl::string_view relative) const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(Path(relative), ec)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

rapidjson::Document ParseOrDie(absl::string_view json) {
  absl::StatusOr<rapidjson::Document> doc = ParseJson(json, "test JSON");
  if (!doc.ok()) {
    ADD_FAILURE() << doc.status().message() << " in: " << json;
    return rapidjson::Document();
  }
  return std::move(*doc);
}

::testing::AssertionResult JsonEq(absl::string_view actual, absl::string_view expected) {
  absl::StatusOr<rapidjson::Document> a = ParseJson(actual, "actual");
  if (!a.ok()) return ::testing::AssertionFailure() << a.status().message() << ": " << actual;
  absl::StatusOr<rapidjson::Document> e = ParseJson(expected, "expected");
  if (!e.ok()) return ::testing::AssertionFailure() << e.status().message() << ": " << expected;
  if (*a == *e) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "JSON differs\n  actual:   " << WriteJson(*a)
                                       << "\n  expected: " << WriteJson(*e);
}

}  // namespace atf::testing
