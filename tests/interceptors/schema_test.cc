// Schema fixing: docs/reference.md vectors B8-B11, B13, B14, with the D5 changes named.
#include "interceptors/schema.h"

#include "atf/base/json.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

using testing::ParseOrDie;

std::string Fixed(const char* schema) {
  rapidjson::Document doc = ParseOrDie(schema);
  FixNonstandardAttributes(doc);
  return WriteJson(doc);
}

std::string EnumsRemoved(const char* schema) {
  rapidjson::Document doc = ParseOrDie(schema);
  RemoveEnums(doc, doc.GetAllocator());
  return WriteJson(doc);
}

TEST(Schema, B8_NonstandardAttributesMultiple) {
  EXPECT_JSON_EQ(Fixed(R"({
    "type": ["object", "null"], "airbyte_hidden": true,
    "properties": {"my_key": {"type": ["object", "null"], "properties": {
      "group": {"type": "array", "items": {"group": "x", "type": "string", "format": "date-time"}},
      "airbyte_type": {"type": "string", "airbyte_type": "string", "xml": {}, "format": "double"},
      "id": {"type": ["string", "null"], "group": "test", "format": "base64"}}}}})"),
                 R"({"type": ["object", "null"], "properties": {"my_key": {"type": ["object", "null"], "properties": {
      "group": {"type": "array", "items": {"type": "string", "format": "date-time"}},
      "airbyte_type": {"type": "string"},
      "id": {"type": ["string", "null"]}}}}})");
}

TEST(Schema, B9_Int32AndInt64BecomeInteger) {
  EXPECT_JSON_EQ(
      Fixed(
          R"({"type":["object","null"],"airbyte_hidden":true,"properties":{"my_key":{"type":["string","null"],"format":"int32"},"my_key_2":{"type":["string","null"],"format":"int64"}}})"),
      R"({"type":["object","null"],"properties":{"my_key":{"type":["string","null"],"format":"integer"},"my_key_2":{"type":["string","null"],"format":"integer"}}})");
}

TEST(Schema, B14_FormatHandling) {
  for (const char* kept :
       {"date", "date-time", "time", "email", "uri", "uuid", "integer", "number", "datetime", "uint64"}) {
    std::string schema = std::string(R"({"format":")") + kept + "\"}";
    EXPECT_JSON_EQ(Fixed(schema.c_str()), schema) << kept;
  }
  for (const char* dropped : {"double", "float", "base64", "binary", "password", "DATE"}) {
    std::string schema = std::string(R"({"type":"string","format":")") + dropped + "\"}";
    EXPECT_JSON_EQ(Fixed(schema.c_str()), R"({"type":"string"})") << dropped;
  }
  EXPECT_JSON_EQ(Fixed(R"({"format":5})"), R"({"format":5})");
}

TEST(Schema, D5_TraversalReachesEverySubschema) {
  // Reference: combinators, additionalProperties, patternProperties, tuple
  // items and $defs were not traversed, so these keywords survived.
  EXPECT_JSON_EQ(Fixed(R"({
    "anyOf": [{"group": 1, "format": "int64"}],
    "oneOf": [{"properties": {"a": {"airbyte_hidden": true}}}],
    "allOf": [{"xml": {}}],
    "additionalProperties": {"format": "double"},
    "patternProperties": {"^x": {"name": "n"}},
    "items": [{"always_show": true}, {"format": "base64"}],
    "$defs": {"d": {"groups": []}},
    "definitions": {"e": {"pattern_descriptor": "p"}}})"),
                 R"({"anyOf": [{"format": "integer"}], "oneOf": [{"properties": {"a": {}}}], "allOf": [{}],
    "additionalProperties": {}, "patternProperties": {"^x": {}}, "items": [{}, {}],
    "$defs": {"d": {}}, "definitions": {"e": {}}})");
}

TEST(Schema, B10_RemoveEnums) {
  EXPECT_JSON_EQ(EnumsRemoved(R"({"type":["object","null"],"properties":{
      "preDefinedType":{"type":["string"],"enum":["a","b","c",true]},
      "allStrings":{"enum":["a","b","c"]},
      "allIntegers":{"enum":[123,456]},
      "mixedNumbers":{"enum":[123,4.56]},
      "grabBag":{"enum":[123,"456",true,{"oh":"geez"},[]],"x-untouched-annotation":true}}})"),
                 R"({"type":["object","null"],"properties":{
      "preDefinedType":{"type":["string"]},
      "allStrings":{"type":"string"},
      "allIntegers":{"type":"integer"},
      "mixedNumbers":{"type":["integer","number"]},
      "grabBag":{"type":["array","boolean","integer","object","string"],"x-untouched-annotation":true}}})");
}

TEST(Schema, B13_RemoveEnumsEdgeCases) {
  EXPECT_JSON_EQ(EnumsRemoved(R"({"enum":"x"})"), "{}");
  EXPECT_JSON_EQ(EnumsRemoved(R"({"enum":[null,"a"]})"), R"({"type":["null","string"]})");
  EXPECT_JSON_EQ(EnumsRemoved(R"({"enum":[1.0]})"), R"({"type":"number"})");
  EXPECT_JSON_EQ(EnumsRemoved(R"({"type":"string","enum":["a"]})"), R"({"type":"string"})");
}

TEST(Schema, D5_EmptyEnumAddsNoType) {
  // Reference: {"enum": []} became {"type": []}, a schema nothing validates against.
  EXPECT_JSON_EQ(EnumsRemoved(R"({"enum":[]})"), "{}");
}

TEST(Schema, D5_EnumsInsideCombinatorsAreRemoved) {
  // Reference: combinators were not traversed, the enum stayed.
  EXPECT_JSON_EQ(EnumsRemoved(R"({"anyOf":[{"enum":["a"]}]})"), R"({"anyOf":[{"type":"string"}]})");
}

TEST(Schema, B11_DateToDateTime) {
  rapidjson::Document doc = ParseOrDie(
      R"({"type":["object","null"],"properties":{"x":{"type":["string"],"format":"date"},"y":{"format":"date-time"},"z":{"anyOf":[{"format":"date"}]}}})");
  DateToDateTime(doc, doc.GetAllocator());
  EXPECT_JSON_EQ(
      WriteJson(doc),
      R"({"type":["object","null"],"properties":{"x":{"type":["string"],"format":"date-time"},"y":{"format":"date-time"},"z":{"anyOf":[{"format":"date-time"}]}}})");
}

TEST(Schema, PropertiesNamedLikeKeywordsAreKept) {
  EXPECT_JSON_EQ(Fixed(R"({"properties":{"name":{"type":"string"},"group":{},"xml":{}}})"),
                 R"({"properties":{"name":{"type":"string"},"group":{},"xml":{}}})");
}

}  // namespace
}  // namespace atf
