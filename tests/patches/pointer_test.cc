// JSON pointers: docs/reference.md vectors E.
#include "patches/pointer.h"

#include "atf/base/json.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

using testing::ParseOrDie;

TEST(Pointer, E1_Tokenize) { EXPECT_EQ(PointerTokens("/a/1/-/*"), (std::vector<std::string>{"a", "1", "-", "*"})); }

TEST(Pointer, E_DerivedCases) {
  EXPECT_EQ(PointerTokens("/a~1b/c~0d"), (std::vector<std::string>{"a/b", "c~d"}));
  EXPECT_EQ(PointerTokens(""), std::vector<std::string>{});
  EXPECT_EQ(PointerTokens("/"), (std::vector<std::string>{""}));
  EXPECT_EQ(PointerTokens("a/b"), (std::vector<std::string>{"a", "b"}));
  // `~01` is `~1` unescaped once, not `/`.
  EXPECT_EQ(PointerTokens("/~01"), (std::vector<std::string>{"~1"}));
}

TEST(Pointer, IndexTokensAreCanonicalIntegers) {
  auto tokens = ParsePointer("/0/12/01/-1/+1/x");
  EXPECT_EQ(*tokens[0].index, 0u);
  EXPECT_EQ(*tokens[1].index, 12u);
  for (size_t i = 2; i < tokens.size(); ++i) EXPECT_FALSE(tokens[i].index.has_value()) << tokens[i].property;
}

TEST(Pointer, EscapeRoundTrip) {
  EXPECT_EQ(PointerFromTokens({"a/b", "c~d", "0"}), "/a~1b/c~0d/0");
  EXPECT_EQ(PointerTokens(PointerFromTokens({"a/b", "~1"})), (std::vector<std::string>{"a/b", "~1"}));
}

TEST(Pointer, QueryTreatsIndexesAsPropertiesOnObjects) {
  rapidjson::Document doc = ParseOrDie(R"({"a":[{"b":1}],"0":"zero"})");
  EXPECT_EQ(QueryPointer(doc, "/a/0/b")->GetInt(), 1);
  EXPECT_STREQ(QueryPointer(doc, "/0")->GetString(), "zero");
  EXPECT_EQ(QueryPointer(doc, "/a/1"), nullptr);
  EXPECT_EQ(QueryPointer(doc, "/a/x"), nullptr);
  EXPECT_EQ(QueryPointer(doc, ""), &doc);
}

TEST(Pointer, CreateBuildsWhatIsMissing) {
  rapidjson::Document doc = ParseOrDie(R"({"x":null})");
  CreatePointer(doc, "/a/b", doc.GetAllocator())->SetInt(1);
  CreatePointer(doc, "/x/2", doc.GetAllocator())->SetInt(2);
  CreatePointer(doc, "/x/-", doc.GetAllocator())->SetInt(3);
  EXPECT_EQ(WriteJson(doc), R"({"x":[null,null,2,3],"a":{"b":1}})");
  EXPECT_EQ(CreatePointer(doc, "/a/b/c", doc.GetAllocator()), nullptr);   // a scalar is in the way
  EXPECT_EQ(CreatePointer(doc, "/x/name", doc.GetAllocator()), nullptr);  // a property of an array
}

}  // namespace
}  // namespace atf
