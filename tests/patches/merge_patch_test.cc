#include "patches/merge_patch.h"

#include "atf/base/json.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

using testing::ParseOrDie;

std::string Patched(const char* target, const char* patch) {
  rapidjson::Document doc = ParseOrDie(target);
  rapidjson::Document p = ParseOrDie(patch);
  ApplyMergePatch(doc, p, doc.GetAllocator());
  return WriteJson(doc);
}

// The examples of RFC 7396 appendix A.
TEST(MergePatch, Rfc7396Examples) {
  struct Case {
    const char *target, *patch, *result;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
           {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
           {R"({"a":"b"})", R"({"a":null})", R"({})"},
           {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
           {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
           {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
           {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
           {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
           {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
           {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
           {R"({"a":"foo"})", "null", "null"},
           {R"({"a":"foo"})", R"("bar")", R"("bar")"},
           {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
           {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
           {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
       }) {
    EXPECT_EQ(Patched(c.target, c.patch), c.result) << c.target << " + " << c.patch;
  }
}

TEST(MergePatch, KeepsMemberOrder) {
  EXPECT_EQ(Patched(R"({"z":1,"a":2,"m":3})", R"({"a":null,"z":9,"b":1})"), R"({"z":9,"m":3,"b":1})");
}

}  // namespace
}  // namespace atf
