// The readable JSON diff, masks and the JSON helpers of the driver.
#include "atf/drive/json_diff.h"

#include "absl/strings/str_join.h"
#include "atf/base/json.h"
#include "atf/drive/json_util.h"
#include "atf/drive/snapshot.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf::drive {
namespace {

using ::atf::testing::ParseOrDie;

std::string Diff(const char* a, const char* b) {
  std::vector<std::string> lines;
  for (const JsonChange& change : DiffJson(ParseOrDie(a), ParseOrDie(b))) lines.push_back(DescribeChange(change));
  return absl::StrJoin(lines, "\n");
}

TEST(JsonDiff, ByPointer) {
  EXPECT_EQ(Diff(R"({"a":1,"b":{"c":"x"}})", R"({"b":{"c":"y"},"a":1})"), R"(/b/c: changed "x" -> "y")");
  EXPECT_EQ(Diff(R"({"a":1})", R"({"b":2})"), "/a: removed 1\n/b: added 2");
  EXPECT_EQ(Diff(R"({"t":["a","b"]})", R"({"t":["a"]})"), R"(/t: changed ["a","b"] -> ["a"])");
  EXPECT_EQ(Diff(R"([{"a":1},{"a":2}])", R"([{"a":1},{"a":3},{"a":4}])"), "/1/a: changed 2 -> 3\n/2: added {\"a\":4}");
  EXPECT_EQ(Diff(R"({"a~b/c":1})", R"({"a~b/c":2})"), "/a~0b~1c: changed 1 -> 2");
  EXPECT_EQ(Diff("1", "2"), "(root): changed 1 -> 2");
  EXPECT_EQ(Diff(R"({"a":[1,{"b":2}]})", R"({"a":[1,{"b":2}]})"), "");
}

TEST(JsonUtil, SortedPrettyAndOrder) {
  EXPECT_EQ(PrettySortedJson(ParseOrDie(R"({"b":1,"a":{"d":[],"c":null}})")),
            "{\n  \"a\": {\n    \"c\": null,\n    \"d\": []\n  },\n  \"b\": 1\n}\n");
  auto cmp = [](const char* a, const char* b) { return CompareJson(ParseOrDie(a), ParseOrDie(b)); };
  EXPECT_LT(cmp("null", "false"), 0);
  EXPECT_LT(cmp("2", "10"), 0);
  EXPECT_LT(cmp("9007199254740993", "9007199254740994"), 0);
  EXPECT_LT(cmp(R"("a")", R"("b")"), 0);
  EXPECT_LT(cmp("[1]", "[1,0]"), 0);
  EXPECT_EQ(cmp(R"({"a":1,"b":2})", R"({"b":2,"a":1})"), 0);
  EXPECT_EQ(KeyOf(ParseOrDie(R"({"id":3,"n":{"k":"x"}})"), {"/id", "/n/k", "/missing"}), R"([3,"x",null])");
}

TEST(Snapshot, MasksWithWildcards) {
  rapidjson::Document doc = ParseOrDie(R"({"at":1,"items":[{"at":2,"x":1},{"at":3}],"m":{"a":{"at":4}}})");
  ApplyMask(doc, "/at", doc.GetAllocator());
  ApplyMask(doc, "/items/*/at", doc.GetAllocator());
  ApplyMask(doc, "/m/*/at", doc.GetAllocator());
  ApplyMask(doc, "/absent/at", doc.GetAllocator());
  EXPECT_EQ(WriteJson(doc),
            R"({"at":"<masked>","items":[{"at":"<masked>","x":1},{"at":"<masked>"}],"m":{"a":{"at":"<masked>"}}})");
}

TEST(Snapshot, CaptureDiffMatchesDocumentsByKey) {
  const auto discovered = ParseOrDie(R"({"bindings":[{"recommendedName":"users","key":["/id"]}]})");
  const auto before = ParseOrDie(R"({"collections":{"users":[{"id":1,"n":"a"},{"id":2}],"gone":[]},"state":{"c":1}})");
  const auto after = ParseOrDie(R"({"collections":{"users":[{"id":1,"n":"b"},{"id":3}],"new":[{}]},"state":{"c":2}})");
  EXPECT_EQ(absl::StrJoin(DiffCapture(before, after, discovered), "\n"),
            "capture users document [1] /n: changed \"a\" -> \"b\"\n"
            "capture users document [2]: removed {\"id\":2}\n"
            "capture users document [3]: added {\"id\":3}\n"
            "capture gone: removed (0 documents)\n"
            "capture new: added (1 documents)\n"
            "capture state /c: changed 1 -> 2");
}

TEST(Snapshot, DiscoverDiffNamesBindingsKeysAndSchemaPointers) {
  const auto before = ParseOrDie(
      R"({"bindings":[{"recommendedName":"a","key":["/id"],"documentSchema":{"properties":{"x":{"type":"string"}}}},{"recommendedName":"b","key":["/id"]}]})");
  const auto after = ParseOrDie(
      R"({"bindings":[{"recommendedName":"a","key":["/k"],"documentSchema":{"properties":{"x":{"type":"integer"}}}},{"recommendedName":"c","key":["/id"]}]})");
  EXPECT_EQ(absl::StrJoin(DiffDiscover(before, after), "\n"),
            "discover binding a: key changed [\"/id\"] -> [\"/k\"]\n"
            "discover binding a schema /properties/x/type: changed \"string\" -> \"integer\"\n"
            "discover binding b: removed\n"
            "discover binding c: added (key [\"/id\"])");
}

}  // namespace
}  // namespace atf::drive
