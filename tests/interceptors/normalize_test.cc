// Whole-document normalization with compiled plans: docs/reference.md vectors C1-C3
// through the record path, with the D7 changes named.
#include "interceptors/normalize.h"

#include "absl/strings/str_cat.h"
#include "atf/protocol/airbyte.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

using testing::ParseOrDie;

// A factory handing out one plan's normalizer, as the capture does.
class OnePlan : public DataVisitorFactory {
 public:
  explicit OnePlan(const NormalizationPlan& plan) : plan_(plan) {}
  DataVisitor* ForRecord(absl::string_view, const std::optional<std::string>&) override {
    normalizer.Reset(&plan_);
    return &normalizer;
  }
  const NormalizationPlan& plan_;
  DocumentNormalizer normalizer;
};

// Normalizes `doc` both ways the capture can: during the line's parse (the
// stream comes first) and in a data-only pass (the data comes first). Both
// must agree.
std::string Normalize(const char* schema, const std::string& doc, std::vector<std::string> to_date = {}) {
  rapidjson::Document write_schema = ParseOrDie(schema);
  NormalizationPlan plan = NormalizationPlan::Compile(write_schema, to_date);
  OnePlan factory(plan);
  AirbyteDecoder decoder(&factory);
  AirbyteMessage message;
  const std::string line = absl::StrCat(R"({"type":"RECORD","record":{"stream":"s","data":)", doc, "}}");
  EXPECT_TRUE(decoder.Decode(absl::string_view(line.c_str(), line.size()), &message).ok());
  EXPECT_TRUE(message.data_visited);
  std::string scratch;
  const std::string inline_result(factory.normalizer.Apply(message.data.Of(line), message.data.begin, &scratch));

  DocumentNormalizer second;
  second.Reset(&plan);
  std::string padded = doc;
  padded.reserve(doc.size() + 1 + kParsePadding);
  VisitJson(padded, second);
  std::string scratch2;
  const std::string second_pass(second.Apply(doc, 0, &scratch2));
  EXPECT_EQ(inline_result, second_pass);
  return inline_result;
}

constexpr const char* kS1 =
    R"({"type":"object","properties":{"created":{"type":"string","format":"date-time"},"nested":{"type":"object","properties":{"x":{"type":["string","null"],"format":"date-time"}}}}})";

TEST(Normalize, C2_Cases1To3And5) {
  EXPECT_JSON_EQ(Normalize(kS1, R"({"created":"2023-01-30 02:34:15","nested":{"x":"2020-03-25T21:03:18.000+0000"}})"),
                 R"({"created":"2023-01-30T02:34:15Z","nested":{"x":"2020-03-25T21:03:18Z"}})");
  EXPECT_JSON_EQ(Normalize(kS1, R"({"created":"2023-01-30 02:34:15","nested":{"x":"2019-03-18T16:40:23+0000"}})"),
                 R"({"created":"2023-01-30T02:34:15Z","nested":{"x":"2019-03-18T16:40:23Z"}})");
  EXPECT_JSON_EQ(Normalize(kS1, R"({"created":"2023-01-30 02:34:15","nested":{"x":"2021-03-02T23:00:00"}})"),
                 R"({"created":"2023-01-30T02:34:15Z","nested":{"x":"2021-03-02T23:00:00Z"}})");
  EXPECT_JSON_EQ(Normalize(kS1, R"({"created":"2023-01-30","nested":{"x":"2021-03-02"}})"),
                 R"({"created":"2023-01-30T00:00:00Z","nested":{"x":"2021-03-02T00:00:00Z"}})");
}

TEST(Normalize, C2_Case4_NumbersAndArrays) {
  EXPECT_JSON_EQ(
      Normalize(
          R"({"type":"object","properties":{"seconds":{"type":"string","format":"date-time"},"arr":{"type":"array","items":{"properties":{"milliseconds":{"type":"string","format":"date-time"},"fractional_milliseconds":{"type":"string","format":"date-time"}}}}}})",
          R"({"seconds":1685098188,"arr":[{"milliseconds":1685098188123,"fractional_milliseconds":1685098188.123}]})"),
      R"({"seconds":"2023-05-26T10:49:48Z","arr":[{"milliseconds":"2023-05-26T10:49:48.123Z","fractional_milliseconds":"2023-05-26T10:49:48.123Z"}]})");
}

TEST(Normalize, OnlyTheRewrittenValuesChangeTheText) {
  const std::string doc = R"({ "keep" : [1, 2.50, "x"],  "created" :"2023-01-30 02:34:15", "nested":{ "x":null } })";
  EXPECT_EQ(Normalize(kS1, doc),
            R"({ "keep" : [1, 2.50, "x"],  "created" :"2023-01-30T02:34:15Z", "nested":{ "x":null } })");
  // No change: the very same text.
  EXPECT_EQ(Normalize(kS1, R"({"created":"2023-01-30T02:34:15+05:00"})"), R"({"created":"2023-01-30T02:34:15+05:00"})");
}

TEST(Normalize, D7_ArraysOfDateTimeStrings) {
  // Reference: a panic at the first record of such a binding.
  EXPECT_JSON_EQ(Normalize(R"({"properties":{"arr":{"type":"array","items":{"type":"string","format":"date-time"}}}})",
                           R"({"arr":["2023-01-30","2023-01-30T00:00:00Z",1685098188,true]})"),
                 R"({"arr":["2023-01-30T00:00:00Z","2023-01-30T00:00:00Z","2023-05-26T10:49:48Z",true]})");
}

TEST(Normalize, D7_ArraysOfArraysAtAnyDepth) {
  // Reference: nested arrays queried the wrong path and did nothing.
  EXPECT_JSON_EQ(
      Normalize(
          R"({"properties":{"a":{"items":{"properties":{"b":{"items":{"properties":{"c":{"format":"date-time"}}}}}}},"grid":{"items":{"items":{"format":"date-time"}}}}})",
          R"({"a":[{"b":[{"c":"2020-01-01"},{"c":"2020-01-02"}]},{"b":[{"c":"2020-01-03"}]}],"grid":[["2021-01-01"],["2021-01-02","2021-01-03"]]})"),
      R"({"a":[{"b":[{"c":"2020-01-01T00:00:00Z"},{"c":"2020-01-02T00:00:00Z"}]},{"b":[{"c":"2020-01-03T00:00:00Z"}]}],"grid":[["2021-01-01T00:00:00Z"],["2021-01-02T00:00:00Z","2021-01-03T00:00:00Z"]]})");
}

TEST(Normalize, D7_RefsCombinatorsAndAdditionalProperties) {
  // Reference: $ref targets and combinator branches were not followed.
  EXPECT_JSON_EQ(
      Normalize(
          R"({"$defs":{"ts":{"type":"string","format":"date-time"}},"properties":{
          "r":{"$ref":"#/$defs/ts"},
          "n":{"anyOf":[{"type":"null"},{"type":"string","format":"date-time"}]},
          "m":{"type":"object","additionalProperties":{"format":"date-time"},"properties":{"fixed":{"type":"string"}}},
          "t":{"items":[{"format":"date-time"},{"type":"string"}]}}})",
          R"({"r":"2020-01-01","n":"2020-01-02","m":{"fixed":"2020-01-03","any":"2020-01-04"},"t":["2020-01-05","2020-01-06"]})"),
      R"({"r":"2020-01-01T00:00:00Z","n":"2020-01-02T00:00:00Z","m":{"fixed":"2020-01-03","any":"2020-01-04T00:00:00Z"},"t":["2020-01-05T00:00:00Z","2020-01-06"]})");
}

TEST(Normalize, RecursiveSchemasCompile) {
  const char* tree =
      R"({"$defs":{"node":{"properties":{"at":{"format":"date-time"},"children":{"items":{"$ref":"#/$defs/node"}}}}},"$ref":"#/$defs/node"})";
  EXPECT_JSON_EQ(Normalize(tree, R"({"at":"2020-01-01","children":[{"at":"2020-01-02"}]})"),
                 R"({"at":"2020-01-01T00:00:00Z","children":[{"at":"2020-01-02"}]})");
}

TEST(Normalize, PropertyNamesAreNotPointers) {
  // Reference: names were joined into a pointer, so `a/b` and `*` misbehaved.
  EXPECT_JSON_EQ(
      Normalize(
          R"({"properties":{"a/b":{"format":"date-time"},"*":{"format":"date-time"},"0":{"format":"date-time"}}})",
          R"({"a/b":"2020-01-01","*":"2020-01-02","0":"2020-01-03","a":{"b":"2020-01-04"}})"),
      R"({"a/b":"2020-01-01T00:00:00Z","*":"2020-01-02T00:00:00Z","0":"2020-01-03T00:00:00Z","a":{"b":"2020-01-04"}})");
}

TEST(Normalize, C1_DatetimeToDate) {
  const char* schema = R"({"type":"object"})";
  std::vector<std::string> pointers = {"/properties/hs_latest_source_timestamp"};
  EXPECT_JSON_EQ(
      Normalize(schema,
                R"({"some":"thing","properties":{"hs_latest_source_timestamp":"2023-03-05T15:41:54.565000+00:00"}})",
                pointers),
      R"({"some":"thing","properties":{"hs_latest_source_timestamp":"2023-03-05"}})");
  EXPECT_JSON_EQ(
      Normalize(schema, R"({"some":"thing","properties":{"hs_latest_source_timestamp":"2023-03-05"}})", pointers),
      R"({"some":"thing","properties":{"hs_latest_source_timestamp":"2023-03-05"}})");
  EXPECT_JSON_EQ(Normalize(schema, R"({"some":"thing","properties":{"hs_latest_source_timestamp":"hello"}})", pointers),
                 R"({"some":"thing","properties":{"hs_latest_source_timestamp":"hello"}})");
  EXPECT_JSON_EQ(Normalize(schema, R"({"properties":{"hs_latest_source_timestamp":123}})", pointers),
                 R"({"properties":{"hs_latest_source_timestamp":123}})");
  // Applied after the automatic normalization of the same location.
  EXPECT_JSON_EQ(Normalize(R"({"properties":{"t":{"format":"date-time"}}})", R"({"t":1685098188})", {"/t"}),
                 R"({"t":"2023-05-26"})");
  // A numeric token names an array element too.
  EXPECT_JSON_EQ(Normalize(schema, R"({"a":["2023-03-05T10:00:00Z","2023-03-06T10:00:00Z"]})", {"/a/1"}),
                 R"({"a":["2023-03-05T10:00:00Z","2023-03-06"]})");
}

TEST(Normalize, PointerIntoItemsKeepsTheItemsPlan) {
  EXPECT_JSON_EQ(
      Normalize(
          R"({"properties":{"a":{"items":{"format":"date-time"}},"m":{"additionalProperties":{"format":"date-time"}}}})",
          R"({"a":["2023-03-05 10:00:00","2023-03-06 10:00:00"],"m":{"k":"2023-03-07 10:00:00"}})", {"/a/1", "/m/k"}),
      R"({"a":["2023-03-05T10:00:00Z","2023-03-06"],"m":{"k":"2023-03-07"}})");
}

TEST(Normalize, PlansDropWhatNormalizesNothing) {
  NormalizationPlan plan = NormalizationPlan::Compile(
      ParseOrDie(R"({"properties":{"a":{"type":"string"},"b":{"items":{"type":"integer"}}}})"), {});
  EXPECT_TRUE(plan.empty());
  NormalizationPlan some = NormalizationPlan::Compile(ParseOrDie(R"({"properties":{"a":{"format":"date-time"}}})"), {});
  EXPECT_FALSE(some.empty());
  EXPECT_EQ(some.locations(), 1u);
}

TEST(Normalize, StringsWithEscapesKeepTheirNeighbours) {
  EXPECT_EQ(Normalize(kS1, R"({"a":"q\"u\\o\"te","created":"2023-01-30","b":"\u00e9"})"),
            R"({"a":"q\"u\\o\"te","created":"2023-01-30T00:00:00Z","b":"\u00e9"})");
}

}  // namespace
}  // namespace atf
