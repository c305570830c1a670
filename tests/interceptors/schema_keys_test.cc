// Key fixing: docs/reference.md vectors B1-B7, B12, with the D5 changes named.
#include "interceptors/schema_keys.h"

#include "absl/strings/match.h"
#include "atf/base/json.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

using testing::ParseOrDie;

struct Fixed {
  std::string schema;
  std::vector<std::string> warnings;
};

Fixed Fix(const char* schema, std::vector<std::string> key) {
  rapidjson::Document doc = ParseOrDie(schema);
  std::vector<std::string> warnings = FixDocumentSchemaKeys(doc, key);
  return Fixed{WriteJson(doc), warnings};
}

TEST(SchemaKeys, B1_Property) {
  Fixed f = Fix(R"({"properties":{"id":{"type":["string","null"]}}})", {"id"});
  EXPECT_JSON_EQ(f.schema, R"({"properties":{"id":{"type":"string"}},"required":["id"]})");
  EXPECT_TRUE(f.warnings.empty());
}

TEST(SchemaKeys, B2_RefIntoDefs) {
  EXPECT_JSON_EQ(
      Fix(R"({"$defs":{"test":{"properties":{"id":{"type":["string","null"]}}}},"$ref":"test"})", {"id"}).schema,
      R"({"$defs":{"test":{"properties":{"id":{"type":"string"}},"required":["id"]}},"$ref":"test"})");
}

TEST(SchemaKeys, B5_NestedProperty) {
  EXPECT_JSON_EQ(
      Fix(R"({"properties":{"doc":{"type":["object","null"],"properties":{"id":{"type":["string","null"]}}}}})",
          {"doc/id"})
          .schema,
      R"({"properties":{"doc":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}},"required":["doc"]})");
}

TEST(SchemaKeys, D5_B3_AllOfBranchesAreWalked) {
  // Reference: allOf at the root stopped everything; the schema was unchanged.
  Fixed f = Fix(
      R"({"$defs":{"test":{"properties":{"id":{"type":["string","null"]}}}},"allOf":[{"$ref":"test"},{"type":"object"}]})",
      {"id"});
  EXPECT_JSON_EQ(
      f.schema,
      R"({"$defs":{"test":{"properties":{"id":{"type":"string"}}}},"allOf":[{"$ref":"test"},{"type":"object"}],"required":["id"]})");
  EXPECT_TRUE(f.warnings.empty());
}

TEST(SchemaKeys, D5_B4_IntegerLikeNamesAreProperties) {
  // Reference: "cannot use JSONPointer index pointer /0/ in key pointer".
  Fixed f = Fix(R"({"properties":{"0":{"type":["string","null"]}}})", {"0"});
  EXPECT_JSON_EQ(f.schema, R"({"properties":{"0":{"type":"string"}},"required":["0"]})");
  EXPECT_TRUE(f.warnings.empty());
}

TEST(SchemaKeys, D5_B6_ArrayItemKeyIsSkippedWithAWarning) {
  // Reference: an error that failed the whole Discover.
  const char* schema = R"({"items":{"type":["object","null"],"properties":{"id":{"type":["string","null"]}}}})";
  Fixed f = Fix(schema, {"0/id"});
  EXPECT_JSON_EQ(f.schema, schema);
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_EQ(f.warnings[0],
            "cannot make key `0/id` required and non-null: property `0` is not in the `properties` of the root");
}

TEST(SchemaKeys, D5_TypeOrderIsKept) {
  // Reference: swap_remove gave ["string","object"] and ["integer","string"].
  EXPECT_EQ(
      Fix(R"({"type":["null","object","string"],"properties":{"id":{"type":["null","string","integer"]}}})", {"/id"})
          .schema,
      R"({"type":["object","string"],"properties":{"id":{"type":["string","integer"]}},"required":["id"]})");
}

TEST(SchemaKeys, B12_DerivedCases) {
  EXPECT_JSON_EQ(Fix(R"({"properties":{"id":{"type":["null"]}}})", {"/id"}).schema,
                 R"({"properties":{"id":{"type":[]}},"required":["id"]})");
  EXPECT_JSON_EQ(Fix(R"({"required":["id"],"properties":{"id":{"type":"string"}}})", {"/id"}).schema,
                 R"({"required":["id"],"properties":{"id":{"type":"string"}}})");
  EXPECT_JSON_EQ(Fix(R"({"oneOf":[{}],"properties":{"id":{"type":["string","null"]}}})", {"/id"}).schema,
                 R"({"oneOf":[{}],"properties":{"id":{"type":"string"}},"required":["id"]})");
  const char* any = R"({"properties":{"x":{}}})";
  EXPECT_JSON_EQ(Fix(any, {""}).schema, any);
  EXPECT_JSON_EQ(Fix(any, {}).schema, any);
}

TEST(SchemaKeys, D5_PropertiesBesideAnyOfAreFixed) {
  // Reference: anyOf at the root stopped processing, so neither key was fixed.
  EXPECT_JSON_EQ(Fix(R"({"anyOf":[],"properties":{"a":{},"b":{}}})", {"/a", "/b"}).schema,
                 R"({"anyOf":[],"properties":{"a":{},"b":{}},"required":["a","b"]})");
}

TEST(SchemaKeys, D5_DefinitionsRefsAreFollowed) {
  // Reference: `#/definitions/x` was looked up as a key of root $defs: an error.
  Fixed f = Fix(R"({"$ref":"#/definitions/x","definitions":{"x":{"properties":{"id":{"type":["integer","null"]}}}}})",
                {"/id"});
  EXPECT_JSON_EQ(
      f.schema,
      R"({"$ref":"#/definitions/x","definitions":{"x":{"properties":{"id":{"type":"integer"}},"required":["id"]}}})");
  EXPECT_TRUE(f.warnings.empty());
  // Nested keys through a property $ref.
  EXPECT_JSON_EQ(
      Fix(R"({"properties":{"doc":{"$ref":"#/$defs/doc"}},"$defs":{"doc":{"properties":{"id":{"type":["null","string"]}}}}})",
          {"/doc/id"})
          .schema,
      R"({"properties":{"doc":{"$ref":"#/$defs/doc"}},"$defs":{"doc":{"properties":{"id":{"type":"string"}},"required":["id"]}},"required":["doc"]})");
}

TEST(SchemaKeys, D5_OnlyTheUnfixableKeyIsSkipped) {
  // Reference: the first key it could not handle abandoned the keys after it.
  Fixed f =
      Fix(R"({"properties":{"a":{"type":["null","string"]},"c":{"type":["null","integer"]}}})", {"/a", "/b/x", "/c"});
  EXPECT_JSON_EQ(f.schema, R"({"properties":{"a":{"type":"string"},"c":{"type":"integer"}},"required":["a","c"]})");
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_TRUE(absl::StrContains(f.warnings[0], "`/b/x`")) << f.warnings[0];
}

TEST(SchemaKeys, CompositeNestedKeys) {
  EXPECT_JSON_EQ(
      Fix(R"({"properties":{"a":{"properties":{"b":{"type":["string","null"]}}},"c":{"type":["integer","null"]}}})",
          {"/a/b", "/c"})
          .schema,
      R"({"properties":{"a":{"properties":{"b":{"type":"string"}},"required":["b"]},"c":{"type":"integer"}},"required":["a","c"]})");
}

TEST(SchemaKeys, EscapedTokens) {
  EXPECT_JSON_EQ(Fix(R"({"properties":{"a/b":{"type":["string","null"]},"t~x":{}}})", {"/a~1b", "/t~0x"}).schema,
                 R"({"properties":{"a/b":{"type":"string"},"t~x":{}},"required":["a/b","t~x"]})");
}

TEST(SchemaKeys, RequiredThatIsNotAnArraySkipsTheKey) {
  Fixed f = Fix(R"({"required":"id","properties":{"id":{}}})", {"/id"});
  EXPECT_JSON_EQ(f.schema, R"({"required":"id","properties":{"id":{}}})");
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_TRUE(absl::StrContains(f.warnings[0], "`required` at the root is not an array")) << f.warnings[0];
}

TEST(SchemaKeys, CyclicRefsEnd) {
  Fixed f = Fix(R"({"$ref":"#/$defs/a","$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}}})", {"/id"});
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_TRUE(absl::StrContains(f.warnings[0], "does not resolve")) << f.warnings[0];
}

}  // namespace
}  // namespace atf
