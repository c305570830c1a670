// Document checks with RapidJSON's validator and the list of keywords it
// cannot check (atf/drive/schema_check.h).
#include "atf/drive/schema_check.h"

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf::drive {
namespace {

using ::atf::testing::ParseOrDie;

std::unique_ptr<SchemaChecker> Checker(const char* schema) {
  auto checker = SchemaChecker::Create(schema);
  EXPECT_TRUE(checker.ok()) << checker.status();
  return checker.ok() ? std::move(*checker) : nullptr;
}

constexpr const char* kUsers = R"({"type":"object","required":["id"],"properties":{
  "id":{"type":"integer"},"address":{"type":["null","object"],"properties":{"city":{"type":["null","string"]}}},
  "tags":{"type":"array","items":{"type":"string"}},"plan":{"enum":["free","pro"]}}})";

TEST(SchemaCheck, ValidDocumentsPass) {
  auto checker = Checker(kUsers);
  EXPECT_FALSE(checker->Check(ParseOrDie(R"({"id":1,"address":{"city":"X"},"tags":["a"],"plan":"pro"})")));
  EXPECT_FALSE(checker->Check(ParseOrDie(R"({"id":2,"address":null})")));
  EXPECT_TRUE(checker->unchecked().empty());
}

TEST(SchemaCheck, TypeViolationNamesPointerKeywordAndValue) {
  auto checker = Checker(kUsers);
  std::optional<Violation> v = checker->Check(ParseOrDie(R"({"id":1,"address":{"city":42}})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->document_pointer, "/address/city");
  EXPECT_EQ(v->keyword, "type");
  EXPECT_EQ(v->schema_pointer, "/properties/address/properties/city");
  EXPECT_EQ(v->value, "42");
  EXPECT_EQ(v->detail, R"(expected ["null","string"], got integer)");
  // The checker is reusable: the next document is judged on its own.
  EXPECT_FALSE(checker->Check(ParseOrDie(R"({"id":3})")));
}

TEST(SchemaCheck, RequiredEnumAndItems) {
  auto checker = Checker(kUsers);
  std::optional<Violation> missing = checker->Check(ParseOrDie(R"({"tags":[]})"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->keyword, "required");
  EXPECT_EQ(missing->document_pointer, "");
  EXPECT_EQ(missing->detail, R"(missing "id")");
  std::optional<Violation> item = checker->Check(ParseOrDie(R"({"id":1,"tags":["a",7]})"));
  ASSERT_TRUE(item);
  EXPECT_EQ(item->document_pointer, "/tags/1");
  EXPECT_EQ(item->keyword, "type");
  std::optional<Violation> plan = checker->Check(ParseOrDie(R"({"id":1,"plan":"gold"})"));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->keyword, "enum");
  EXPECT_EQ(plan->value, R"("gold")");
}

TEST(SchemaCheck, AdditionalPropertiesNamesTheProperty) {
  auto checker = Checker(R"({"type":"object","properties":{"a":{}},"additionalProperties":false})");
  std::optional<Violation> v = checker->Check(ParseOrDie(R"({"a":1,"zz":true})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->keyword, "additionalProperties");
  EXPECT_EQ(v->document_pointer, "/zz");
  EXPECT_EQ(v->detail, "property `zz` is not allowed");
}

TEST(SchemaCheck, LocalReferencesAreFollowed) {
  auto checker = Checker(R"({"properties":{"a":{"$ref":"#/$defs/n"}},"$defs":{"n":{"type":"integer"}}})");
  EXPECT_TRUE(checker->unchecked().empty()) << absl::StrJoin(checker->unchecked(), "; ");
  std::optional<Violation> v = checker->Check(ParseOrDie(R"({"a":"x"})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->document_pointer, "/a");
  EXPECT_EQ(v->keyword, "type");
}

TEST(SchemaCheck, KeywordsItCannotCheckAreListedNotPassedSilently) {
  auto checker = Checker(R"({"type":"object","properties":{
    "at":{"type":"string","format":"date-time"},
    "k":{"const":1},
    "n":{"type":"number","exclusiveMinimum":0},
    "c":{"if":{"type":"string"},"then":{"minLength":1}},
    "r":{"$ref":"other.json#/x"},
    "m":{"$ref":"#/definitions/missing"},
    "never":false,
    "p":{"type":"string","pattern":"\\d+"}}})");
  const std::string listed = absl::StrJoin(checker->unchecked(), "\n");
  for (const char* expected : {"format at /properties/at", "const at /properties/k",
                               "exclusiveMinimum as a number (draft 6+) at /properties/n", "if at /properties/c",
                               "then at /properties/c", "$ref \"other.json#/x\" (not resolvable) at /properties/r",
                               "$ref \"#/definitions/missing\" (not resolvable) at /properties/m",
                               "the false schema at /properties/never", "pattern \"\\\\d+\""}) {
    EXPECT_TRUE(absl::StrContains(listed, expected)) << expected << "\nin:\n" << listed;
  }
  // `const` really is not checked: a document breaking it passes the validator.
  EXPECT_FALSE(checker->Check(ParseOrDie(R"({"k":2})")));
}

TEST(SchemaCheck, ManyPlacesOfOneKeywordAreOneEntry) {
  auto checker =
      Checker(R"({"properties":{"a":{"format":"x"},"b":{"format":"x"},"c":{"format":"x"},"d":{"format":"x"}}})");
  ASSERT_EQ(checker->unchecked().size(), 1u);
  EXPECT_EQ(checker->unchecked()[0], "format at /properties/a, /properties/b, /properties/c and 1 more");
}

TEST(SchemaCheck, SchemasItCannotCompileAreErrors) {
  EXPECT_FALSE(SchemaChecker::Create("not json").ok());
  EXPECT_FALSE(SchemaChecker::Create("[]").ok());
  EXPECT_FALSE(SchemaChecker::Create(R"({"patternProperties":true})").ok());
}

}  // namespace
}  // namespace atf::drive
