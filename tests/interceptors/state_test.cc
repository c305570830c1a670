// State: docs/reference.md vectors A3-A10, with the D6 adjustments named.
#include "interceptors/state.h"

#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

// The checkpoint for a STATE payload, as its Flow JSON line.
absl::StatusOr<std::pair<std::string, bool>> Checkpoint(CheckpointBuilder& builder, const std::string& state) {
  const std::string line = absl::StrCat(R"({"type":"STATE","state":)", state, "}");
  AirbyteDecoder decoder;
  AirbyteMessage message;
  auto decoded = decoder.Decode(absl::string_view(line.c_str(), line.size()), &message);
  if (!decoded.ok()) return decoded.status();
  absl::StatusOr<capture::Response> response = builder.FromState(message);
  if (!response.ok()) return response.status();
  return std::make_pair(response->checkpoint().state().updated_json(), response->checkpoint().state().merge_patch());
}

absl::StatusOr<std::pair<std::string, bool>> Checkpoint(const std::string& state) {
  CheckpointBuilder builder;
  return Checkpoint(builder, state);
}

// The stream names of a STREAM list, in order.
std::string ParseOrDieNames(const std::string& list) {
  rapidjson::Document doc = testing::ParseOrDie(list);
  std::string names;
  for (const auto& entry : doc.GetArray()) {
    absl::StrAppend(&names, names.empty() ? "" : ",", entry["stream"]["stream_descriptor"]["name"].GetString());
  }
  return names;
}

std::string PerStream(const std::string& stored, std::vector<StreamId> bound = {}) {
  return *StateForConnector(stored, bound, /*per_stream_env=*/true);
}

TEST(StateInbound, A3_LegacyDictToPerStreamList) {
  EXPECT_JSON_EQ(
      PerStream(
          R"({"sponsored_products_campaigns":{"cursor":"2024-02-02"},"sponsored_brands_report_stream":{"12345":"2024-01-01"}})"),
      R"([{"type":"STREAM","stream":{"stream_descriptor":{"name":"sponsored_brands_report_stream"},"stream_state":{"12345":"2024-01-01"}}},
                     {"type":"STREAM","stream":{"stream_descriptor":{"name":"sponsored_products_campaigns"},"stream_state":{"cursor":"2024-02-02"}}}])");
}

TEST(StateInbound, A4_EmptyAndPassthrough) {
  EXPECT_JSON_EQ(PerStream(""), "[]");
  EXPECT_JSON_EQ(PerStream("{}"), "[]");
  EXPECT_JSON_EQ(PerStream("null"), "[]");
  const std::string list = R"([{"type":"STREAM","stream":{"stream_descriptor":{"name":"s"},"stream_state":{"c":1}}}])";
  EXPECT_JSON_EQ(PerStream(list), list);
  EXPECT_JSON_EQ(PerStream("42"), "[]");
  EXPECT_JSON_EQ(PerStream("\"x\""), "[]");
  EXPECT_JSON_EQ(PerStream("true"), "[]");
  EXPECT_JSON_EQ(PerStream(R"({"s":null})"),
                 R"([{"type":"STREAM","stream":{"stream_descriptor":{"name":"s"},"stream_state":null}}])");
  EXPECT_EQ(ParseOrDieNames(PerStream(R"({"b":1,"a":2})")), "a,b");
  EXPECT_FALSE(StateForConnector("{", {}, true).ok());
}

TEST(StateOutbound, A5_PerStream) {
  auto cp = Checkpoint(
      R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"sponsored_brands_v3_report_stream"},"stream_state":{"reportDate":"2024-03-03"}}})");
  ASSERT_TRUE(cp.ok());
  // D6: every STREAM checkpoint also carries the per-stream marker.
  EXPECT_JSON_EQ(
      cp->first,
      R"({"sponsored_brands_v3_report_stream":{"reportDate":"2024-03-03"},"_airbyte_state_format":"per_stream"})");
  EXPECT_TRUE(cp->second);
}

TEST(StateOutbound, A6_LegacyData) {
  auto merged = Checkpoint(R"({"data":{"some":"state"},"merge":true})");
  EXPECT_EQ(merged->first, R"({"some":"state"})");
  EXPECT_TRUE(merged->second);
  auto replaced = Checkpoint(R"({"data":{"some":"state"}})");
  EXPECT_EQ(replaced->first, R"({"some":"state"})");
  EXPECT_FALSE(replaced->second);
}

TEST(StateOutbound, A7_DataWinsOverStream) {
  auto cp = Checkpoint(
      R"({"type":"STREAM","data":{"legacy":"blob"},"stream":{"stream_descriptor":{"name":"s"},"stream_state":{"c":1}}})");
  EXPECT_EQ(cp->first, R"({"legacy":"blob"})");
  EXPECT_FALSE(cp->second);
}

TEST(StateOutbound, D6_A8_GlobalReplacesTheWholeState) {
  // Reference: an empty {} merge patch, so CDC connectors lost their state.
  auto cp = Checkpoint(R"({"type":"GLOBAL","global":{"shared_state":{"x":1},"stream_states":[]}})");
  ASSERT_TRUE(cp.ok());
  EXPECT_JSON_EQ(cp->first, R"({"_airbyte_global":{"shared_state":{"x":1},"stream_states":[]}})");
  EXPECT_FALSE(cp->second);
}

TEST(StateRoundTrip, A9_StreamStateComesBack) {
  auto cp = Checkpoint(
      R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"sponsored_products_campaigns"},"stream_state":{"cursor":"2024-04-04"}}})");
  // Flow merges the patch into an empty state: the patch is the stored state.
  EXPECT_JSON_EQ(
      *StateForConnector(cp->first, {}, /*per_stream_env=*/false),
      R"([{"type":"STREAM","stream":{"stream_descriptor":{"name":"sponsored_products_campaigns"},"stream_state":{"cursor":"2024-04-04"}}}])");
}

TEST(StateRoundTrip, D6_GlobalComesBack) {
  auto cp = Checkpoint(
      R"({"type":"GLOBAL","global":{"shared_state":{"lsn":7},"stream_states":[{"stream_descriptor":{"name":"t"},"stream_state":{}}]}})");
  EXPECT_JSON_EQ(
      *StateForConnector(cp->first, {}, false),
      R"([{"type":"GLOBAL","global":{"shared_state":{"lsn":7},"stream_states":[{"stream_descriptor":{"name":"t"},"stream_state":{}}]}}])");
}

TEST(StateOutbound, A10_Derived) {
  EXPECT_EQ(Checkpoint(R"({"data":{"a":1},"estuary.dev/merge":true})")->second, true);
  // D6: a namespace is part of the key.
  EXPECT_JSON_EQ(
      Checkpoint(
          R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"s","namespace":"n"},"stream_state":{"c":1}}})")
          ->first,
      R"({"n/s":{"c":1},"_airbyte_state_format":"per_stream"})");
  EXPECT_JSON_EQ(Checkpoint(R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"s"}}})")->first,
                 R"({"s":{},"_airbyte_state_format":"per_stream"})");
  // D6: an explicit null deletes the stream's entry.
  EXPECT_JSON_EQ(
      Checkpoint(R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"s"},"stream_state":null}})")->first,
      R"({"s":null,"_airbyte_state_format":"per_stream"})");
  // The LEGACY blob is passed through verbatim.
  EXPECT_EQ(Checkpoint(R"({"data":{"b":1,  "a":2}})")->first, R"({"b":1,  "a":2})");
  // D3: states that cannot be understood are errors, not no-ops.
  EXPECT_FALSE(Checkpoint("{}").ok());
  EXPECT_FALSE(Checkpoint(R"({"type":"LEGACY","data":null})").ok());
  EXPECT_FALSE(Checkpoint(R"({"type":"STREAM","stream":{"stream_state":{}}})").ok());
  EXPECT_FALSE(Checkpoint(R"({"data":{},"merge":true,"estuary.dev/merge":false})").ok());
}

TEST(StateInbound, D6_MarkerOrEnvironmentChoosesStreamList) {
  const std::string stored =
      R"({"users":{"c":1},"public/orders":{"c":2},"events/raw":{"c":3},"_airbyte_state_format":"per_stream"})";
  std::vector<StreamId> bound = {{"users", std::nullopt}, {"orders", "public"}, {"events/raw", std::nullopt}};
  EXPECT_JSON_EQ(*StateForConnector(stored, bound, false),
                 R"([{"type":"STREAM","stream":{"stream_descriptor":{"name":"events/raw"},"stream_state":{"c":3}}},
                     {"type":"STREAM","stream":{"stream_descriptor":{"name":"orders","namespace":"public"},"stream_state":{"c":2}}},
                     {"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":1}}}])");
  // Without marker or environment: the bytes, verbatim.
  const std::string legacy = R"({"cursor" : 5})";
  EXPECT_EQ(*StateForConnector(legacy, bound, false), legacy);
  EXPECT_EQ(*StateForConnector("", bound, false), "");
}

TEST(StateInbound, D6_MigrationFromTheRustBinarysShape) {
  // The Rust binary keyed namespaced streams by name only.
  const std::string stored = R"({"users":{"c":1},"other":{"c":9}})";
  EXPECT_JSON_EQ(*StateForConnector(stored, {{"users", "public"}}, /*per_stream_env=*/true),
                 R"([{"type":"STREAM","stream":{"stream_descriptor":{"name":"other"},"stream_state":{"c":9}}},
                     {"type":"STREAM","stream":{"stream_descriptor":{"name":"users","namespace":"public"},"stream_state":{"c":1}}}])");
  // An "ns/name" entry wins over the bare name.
  EXPECT_JSON_EQ(
      *StateForConnector(R"({"users":{"old":1},"public/users":{"new":2}})", {{"users", "public"}}, true),
      R"([{"type":"STREAM","stream":{"stream_descriptor":{"name":"users","namespace":"public"},"stream_state":{"new":2}}},
                     {"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"old":1}}}])");
}

TEST(ControlConfig, PersistedWithTheNextCheckpointAndCarriedByReplacements) {
  CheckpointBuilder builder;
  builder.SetControlConfig(R"({"token":"new"})");
  EXPECT_JSON_EQ(
      Checkpoint(builder, R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"s"},"stream_state":{}}})")->first,
      R"({"_airbyte_control_config":{"token":"new"},"s":{},"_airbyte_state_format":"per_stream"})");
  // Merge patches keep it in Flow's state: not repeated.
  EXPECT_JSON_EQ(Checkpoint(builder, R"({"data":{"a":1},"merge":true})")->first, R"({"a":1})");
  // A replacing checkpoint must carry it along.
  EXPECT_JSON_EQ(Checkpoint(builder, R"({"data":{"a":1}})")->first,
                 R"({"_airbyte_control_config":{"token":"new"},"a":1})");
  EXPECT_JSON_EQ(Checkpoint(builder, R"({"type":"GLOBAL","global":{}})")->first,
                 R"({"_airbyte_control_config":{"token":"new"},"_airbyte_global":{}})");
  // Back at Open: read, and never handed to the connector.
  const std::string stored = R"({"_airbyte_control_config":{"token":"new"},"a":1})";
  EXPECT_JSON_EQ(*StoredControlConfig(stored), R"({"token":"new"})");
  EXPECT_JSON_EQ(*StateForConnector(stored, {}, false), R"({"a":1})");
  EXPECT_FALSE(StoredControlConfig(R"({"a":1})").has_value());
}

TEST(ControlConfig, SyntheticCheckpointCarriesAPendingConfig) {
  CheckpointBuilder builder;
  EXPECT_EQ(builder.Synthetic().checkpoint().state().updated_json(), "{}");
  builder.SetControlConfig(R"({"k":1})");
  EXPECT_EQ(builder.Synthetic().checkpoint().state().updated_json(), R"({"_airbyte_control_config":{"k":1}})");
  EXPECT_FALSE(builder.control_config_pending());
}

}  // namespace
}  // namespace atf
