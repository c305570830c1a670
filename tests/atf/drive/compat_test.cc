// The compatibility classifier (atf/drive/compat.h) on a table of schema,
// Spec and Discover changes, each compatible or breaking.
#include "atf/drive/compat.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf::drive {
namespace {

using ::atf::testing::ParseOrDie;

std::string Lines(const std::vector<CompatFinding>& findings) {
  std::vector<std::string> lines;
  for (const CompatFinding& f : findings) lines.push_back(FormatFinding(f));
  return absl::StrJoin(lines, "\n");
}

struct SchemaCase {
  const char* name;
  const char* old_schema;
  const char* new_schema;
  bool breaking;
  const char* expected;  // a substring of the one finding's line
};

class SchemaChange : public ::testing::TestWithParam<SchemaCase> {};

TEST_P(SchemaChange, IsClassified) {
  const SchemaCase& c = GetParam();
  std::vector<CompatFinding> findings = CompareSchemas(ParseOrDie(c.old_schema), ParseOrDie(c.new_schema), "s");
  ASSERT_EQ(findings.size(), 1u) << Lines(findings);
  EXPECT_EQ(findings[0].breaking, c.breaking) << Lines(findings);
  EXPECT_TRUE(absl::StrContains(FormatFinding(findings[0]), c.expected)) << Lines(findings);
  EXPECT_TRUE(absl::StartsWith(FormatFinding(findings[0]), c.breaking ? "breaking: s" : "compatible: s"));
}

constexpr const char* kBase =
    R"({"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["id"]})";

INSTANTIATE_TEST_SUITE_P(
    Table, SchemaChange,
    ::testing::Values(
        SchemaCase{
            "NewOptionalProperty", kBase,
            R"({"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"x":{}},"required":["id"]})",
            false, "/properties/x: new optional property `x`"},
        SchemaCase{
            "NewRequiredProperty", kBase,
            R"({"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"x":{}},"required":["id","x"]})",
            true, "/properties/x: new required property `x`"},
        SchemaCase{"RemovedProperty", kBase,
                   R"({"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]})", true,
                   "/properties/name: removed property `name`"},
        SchemaCase{
            "BecameRequired", kBase,
            R"({"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["id","name"]})",
            true, "property `name` became required"},
        SchemaCase{"NoLongerRequired", kBase,
                   R"({"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}}})", false,
                   "property `id` is no longer required"},
        SchemaCase{"WidenedType", R"({"type":"string"})", R"({"type":["string","integer"]})", false, "widened type"},
        SchemaCase{"AddedNullability", R"({"type":"string"})", R"({"type":["string","null"]})", false,
                   "added nullability"},
        SchemaCase{"RemovedNullability", R"({"type":["string","null"]})", R"({"type":"string"})", true,
                   "removed nullability"},
        SchemaCase{"NarrowedType", R"({"type":["string","integer"]})", R"({"type":"integer"})", true, "narrowed type"},
        SchemaCase{"IntegerToNumberWidens", R"({"type":"integer"})", R"({"type":"number"})", false, "widened type"},
        SchemaCase{"NumberToIntegerNarrows", R"({"type":"number"})", R"({"type":"integer"})", true, "narrowed type"},
        SchemaCase{"ChangedType", R"({"type":"string"})", R"({"type":"boolean"})", true, "changed type"},
        SchemaCase{"TypeAddedNarrows", R"({})", R"({"type":"string"})", true, "narrowed type"},
        SchemaCase{"EnumValueAdded", R"({"enum":["a","b"]})", R"({"enum":["a","b","c"]})", false,
                   "enum values added: \"c\""},
        SchemaCase{"EnumValueRemoved", R"({"enum":["a","b"]})", R"({"enum":["a"]})", true,
                   "enum values removed: \"b\""},
        SchemaCase{"MaxLengthTightened", R"({"maxLength":10})", R"({"maxLength":5})", true, "maxLength tightened"},
        SchemaCase{"MaxLengthRelaxed", R"({"maxLength":5})", R"({"maxLength":10})", false, "maxLength relaxed"},
        SchemaCase{"MinimumAdded", R"({"type":"integer"})", R"({"type":"integer","minimum":0})", true, "minimum added"},
        SchemaCase{"AdditionalPropertiesForbidden", R"({"type":"object"})",
                   R"({"type":"object","additionalProperties":false})", true, "/additionalProperties"},
        SchemaCase{"FormatAdded", R"({"type":"string"})", R"({"type":"string","format":"date-time"})", true,
                   "`format` added"},
        SchemaCase{"FormatRemoved", R"({"type":"string","format":"date"})", R"({"type":"string"})", false,
                   "`format` removed"},
        SchemaCase{"AnnotationChanged", R"({"type":"string","title":"A"})", R"({"type":"string","title":"B"})", false,
                   "annotation `title` changed"},
        SchemaCase{"NewOneOfOption", R"({"oneOf":[{"type":"string"}]})",
                   R"({"oneOf":[{"type":"string"},{"type":"null"}]})", false, "/oneOf/1: new oneOf option"},
        SchemaCase{"RemovedAnyOfOption", R"({"anyOf":[{"type":"string"},{"type":"null"}]})",
                   R"({"anyOf":[{"type":"string"}]})", true, "/anyOf/1: removed anyOf option"},
        SchemaCase{"NestedNarrowing", R"({"properties":{"a":{"properties":{"b":{"type":["string","null"]}}}}})",
                   R"({"properties":{"a":{"properties":{"b":{"type":"string"}}}}})", true,
                   "/properties/a/properties/b: removed nullability"},
        SchemaCase{"ItemsWidened", R"({"type":"array","items":{"type":"string"}})",
                   R"({"type":"array","items":{"type":["string","null"]}})", false, "/items: added nullability"}),
    [](const ::testing::TestParamInfo<SchemaCase>& info) { return info.param.name; });

TEST(Compat, IdenticalAndMovedDefinitionsAreNoChange) {
  EXPECT_TRUE(CompareSchemas(ParseOrDie(kBase), ParseOrDie(kBase), "s").empty());
  EXPECT_TRUE(
      CompareSchemas(
          ParseOrDie(R"({"properties":{"a":{"$ref":"#/definitions/x"}},"definitions":{"x":{"type":"string"}}})"),
          ParseOrDie(R"({"properties":{"a":{"$ref":"#/$defs/y"}},"$defs":{"y":{"type":"string"}}})"), "s")
          .empty());
}

constexpr const char* kDiscovered = R"({"bindings":[
  {"recommendedName":"users","resourceConfig":{"stream":"users","syncMode":"incremental"},"documentSchema":{"type":"object"},"key":["/id"]},
  {"recommendedName":"events","resourceConfig":{"stream":"events","syncMode":"incremental"},"documentSchema":{"type":"object"},"key":["/id"]}]})";

TEST(Compat, DiscoverBindings) {
  const std::string added = R"({"bindings":[
  {"recommendedName":"users","resourceConfig":{"stream":"users","syncMode":"full_refresh"},"documentSchema":{"type":"object"},"key":["/id","/at"],"disable":true},
  {"recommendedName":"orders","resourceConfig":{"stream":"orders"},"documentSchema":{},"key":["/id"]}]})";
  const std::string lines = Lines(ClassifyDiscover(ParseOrDie(kDiscovered), ParseOrDie(added)));
  EXPECT_TRUE(absl::StrContains(lines, "breaking: discover binding events: removed binding")) << lines;
  EXPECT_TRUE(absl::StrContains(lines, "compatible: discover binding orders: new binding")) << lines;
  EXPECT_TRUE(absl::StrContains(lines, "breaking: discover binding users key: key changed from [\"/id\"] to "))
      << lines;
  EXPECT_TRUE(absl::StrContains(lines, "breaking: discover binding users resourceConfig /syncMode: `syncMode` changed"))
      << lines;
  EXPECT_TRUE(absl::StrContains(lines, "compatible: discover binding users /disable: now discovered disabled"))
      << lines;
  EXPECT_TRUE(ClassifyDiscover(ParseOrDie(kDiscovered), ParseOrDie(kDiscovered)).empty());
}

TEST(Compat, SpecMembers) {
  const char* old_spec = R"({"protocol":3032023,"configSchema":{"type":"object"},"resourceConfigSchema":{},
    "documentationUrl":"https://a","oauth2":{"provider":"x"},"resourcePathPointers":["/stream"]})";
  const char* new_spec = R"({"protocol":3032023,"configSchema":{"type":"object","properties":{"r":{}},"required":["r"]},
    "resourceConfigSchema":{},"documentationUrl":"https://b","resourcePathPointers":["/namespace","/stream"]})";
  const std::vector<CompatFinding> findings = ClassifySpec(ParseOrDie(old_spec), ParseOrDie(new_spec));
  const std::string lines = Lines(findings);
  EXPECT_TRUE(absl::StrContains(lines, "breaking: spec configSchema /properties/r: new required property `r`"))
      << lines;
  EXPECT_TRUE(absl::StrContains(lines, "breaking: spec oauth2: OAuth removed")) << lines;
  EXPECT_TRUE(absl::StrContains(lines, "compatible: spec /documentationUrl: `documentationUrl` changed")) << lines;
  EXPECT_TRUE(absl::StrContains(lines, "breaking: spec /resourcePathPointers")) << lines;
  EXPECT_EQ(findings.size(), 4u) << lines;
}

}  // namespace
}  // namespace atf::drive
