// The two Flow codecs against the wire facts of docs/protocol.md.
#include "atf/protocol/codec.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

std::string Hex(absl::string_view bytes) {
  std::string hex = absl::BytesToHexString(bytes);
  std::string spaced;
  for (size_t i = 0; i < hex.size(); i += 2) absl::StrAppend(&spaced, i ? " " : "", hex.substr(i, 2));
  return spaced;
}

std::string FromHex(absl::string_view spaced) {
  return absl::HexStringToBytes(absl::StrReplaceAll(spaced, {{" ", ""}}));
}

capture::Response ResponseFromJson(absl::string_view json) {
  capture::Response response;
  EXPECT_TRUE(DecodeResponse(Codec::kJson, json, &response).ok()) << json;
  return response;
}

std::string ResponseToJson(const capture::Response& response) {
  std::string out;
  AppendResponse(Codec::kJson, response, &out);
  EXPECT_EQ(out.back(), '\n');
  out.pop_back();
  return out;
}

// docs/protocol.md (protobuf codec): JSON form and protobuf frame of the same message.
struct WireExample {
  const char* json;
  const char* frame_hex;
  bool is_request;
};

class WireExampleTest : public ::testing::TestWithParam<WireExample> {};

TEST_P(WireExampleTest, JsonAndProtobufFramesAgree) {
  const WireExample& example = GetParam();
  std::string frame;
  if (example.is_request) {
    capture::Request request;
    ASSERT_TRUE(DecodeRequest(Codec::kJson, example.json, &request).ok());
    AppendRequest(Codec::kProto, request, &frame);
    EXPECT_EQ(Hex(frame), example.frame_hex);
    capture::Request back;
    ASSERT_TRUE(DecodeRequest(Codec::kProto, frame.substr(4), &back).ok());
    std::string json;
    AppendRequest(Codec::kJson, back, &json);
    EXPECT_EQ(json, absl::StrCat(example.json, "\n"));
  } else {
    capture::Response response = ResponseFromJson(example.json);
    AppendResponse(Codec::kProto, response, &frame);
    EXPECT_EQ(Hex(frame), example.frame_hex);
    capture::Response back;
    ASSERT_TRUE(DecodeResponse(Codec::kProto, frame.substr(4), &back).ok());
    EXPECT_EQ(ResponseToJson(back), example.json);
  }
}

INSTANTIATE_TEST_SUITE_P(FlowProtocol, WireExampleTest,
                         ::testing::Values(WireExample{R"({"opened":{}})", "02 00 00 00 2a 00", false},
                                           WireExample{R"({"acknowledge":{"checkpoints":1}})",
                                                       "04 00 00 00 32 02 08 01", true},
                                           WireExample{R"({"captured":{"binding":1,"doc":{}}})",
                                                       "08 00 00 00 32 06 08 01 12 02 7b 7d", false},
                                           WireExample{R"({"checkpoint":{"state":{"updated":{},"mergePatch":true}}})",
                                                       "0a 00 00 00 3a 08 0a 06 0a 02 7b 7d 10 01", false},
                                           WireExample{R"({"spec":{"connectorType":"IMAGE","config":{}}})",
                                                       "08 00 00 00 0a 06 08 07 12 02 7b 7d", true}));

TEST(CapturedFastPath, IsByteIdenticalToTheGenericEncoder) {
  for (Codec codec : {Codec::kJson, Codec::kProto}) {
    for (uint32_t binding : {0u, 1u, 300u}) {
      for (std::string doc : {std::string("{}"), std::string(R"({"a": [1, 2.50, "x"]})"),
                              absl::StrCat("{\"blob\":\"", std::string(70000, 'y'), "\"}")}) {
        capture::Response response;
        response.mutable_captured()->set_binding(binding);
        response.mutable_captured()->set_doc_json(doc);
        std::string generic, fast;
        AppendResponse(codec, response, &generic);
        AppendCaptured(codec, binding, doc, &fast);
        EXPECT_EQ(fast, generic) << CodecName(codec) << " binding " << binding;
      }
    }
  }
}

// Every response line of docs/protocol.md (JSON codec) comes back byte for byte.
TEST(JsonCodec, ResponseWireExamplesRoundTripExactly) {
  const char* kLines[] = {
      R"({"spec":{"protocol":3032023,"configSchema":{"type":"object","properties":{"api_url":{"type":"string"}}},"resourceConfigSchema":{"type":"object","required":["stream","syncMode"],"properties":{"stream":{"type":"string"},"namespace":{"type":"string"},"syncMode":{"type":"string","enum":["incremental","full_refresh"]},"cursorField":{"type":"array","items":{"type":"string"}}}},"documentationUrl":"https://go.estuary.dev/source-gitlab","oauth2":{"provider":"gitlab","authUrlTemplate":"https://gitlab.com/oauth/authorize?client_id={{{ client_id }}}","accessTokenUrlTemplate":"https://gitlab.com/oauth/token","accessTokenHeaders":{"content-type":"application/x-www-form-urlencoded"},"accessTokenResponseMap":{"access_token":"/access_token"}},"resourcePathPointers":["/namespace","/stream"]}})",
      R"({"opened":{}})",
      R"({"captured":{"doc":{"id":1,"title":"binding zero: index omitted"}}})",
      R"({"captured":{"binding":1,"doc":{"id":7,"title":"second binding"}}})",
      R"({"sourcedSchema":{"binding":1,"documentSchema":{"type":"object","properties":{"id":{"type":"integer"}}}}})",
      R"({"checkpoint":{"state":{"updated":{"issues":{"updated_at":"2024-06-02T00:00:00Z"}},"mergePatch":true}}})",
      R"({"discovered":{"bindings":[{"recommendedName":"issues","resourceConfig":{"stream":"issues","syncMode":"incremental","cursorField":["updated_at"]},"documentSchema":{"type":"object"},"key":["/id"]}]}})",
      R"({"validated":{"bindings":[{"resourcePath":["issues"]}]}})",
      R"({"applied":{}})",
  };
  for (const char* line : kLines) {
    EXPECT_EQ(ResponseToJson(ResponseFromJson(line)), line);
    // And through the protobuf codec and back.
    std::string frame;
    AppendResponse(Codec::kProto, ResponseFromJson(line), &frame);
    capture::Response back;
    ASSERT_TRUE(DecodeResponse(Codec::kProto, frame.substr(4), &back).ok());
    EXPECT_EQ(ResponseToJson(back), line);
  }
}

constexpr const char* kOpenExample =
    R"({"open":{"capture":{"name":"acmeCo/source-gitlab","connectorType":"IMAGE","config":{"api_url":"gitlab.com","credentials":{"auth_type":"access_token","access_token":"glpat-xxx"}},"bindings":[{"resourceConfig":{"stream":"issues","syncMode":"incremental","cursorField":["updated_at"]},"resourcePath":["issues"],"collection":{"name":"acmeCo/gitlab/issues","writeSchema":{"type":"object","required":["id"],"properties":{"id":{"type":"integer"}}},"key":["/id"],"uuidPtr":"/_meta/uuid","projections":[{"ptr":"/id","field":"id","isPrimaryKey":true,"inference":{"types":["integer"],"exists":"MUST"}}],"partitionTemplate":{"name":"acmeCo/gitlab/issues/0000000000000001","replication":3,"fragment":{"length":"536870912","compressionCodec":"GZIP","refreshInterval":"300s"}}},"backfill":1,"stateKey":"issues.v1"}],"intervalSeconds":300,"shardTemplate":{"id":"capture/acmeCo/source-gitlab/0000000000000001","maxTxnDuration":"1s","labels":{"labels":[{"name":"estuary.dev/log-level","value":"info"}]}}},"version":"0000000000000001","range":{"keyEnd":4294967295,"rClockEnd":4294967295},"state":{"issues":{"updated_at":"2024-06-01T00:00:00Z"}}}})";

TEST(JsonCodec, DecodesTheOpenExampleAndSkipsUnknownFields) {
  capture::Request request;
  std::vector<std::string> unknown;
  FlowJsonOptions options;
  options.on_unknown_field = [&](absl::string_view path) { unknown.emplace_back(path); };
  ASSERT_TRUE(DecodeRequest(Codec::kJson, kOpenExample, &request, options).ok());
  const capture::Request::Open& open = request.open();
  EXPECT_EQ(open.capture().name(), "acmeCo/source-gitlab");
  EXPECT_EQ(open.capture().connector_type(), flow::CaptureSpec::IMAGE);
  EXPECT_EQ(open.capture().config_json(),
            R"({"api_url":"gitlab.com","credentials":{"auth_type":"access_token","access_token":"glpat-xxx"}})");
  ASSERT_EQ(open.capture().bindings_size(), 1);
  const flow::CaptureSpec::Binding& binding = open.capture().bindings(0);
  EXPECT_EQ(binding.resource_config_json(),
            R"({"stream":"issues","syncMode":"incremental","cursorField":["updated_at"]})");
  EXPECT_EQ(binding.collection().write_schema_json(),
            R"({"type":"object","required":["id"],"properties":{"id":{"type":"integer"}}})");
  EXPECT_EQ(binding.collection().key(0), "/id");
  EXPECT_EQ(binding.collection().projections(0).field(), "id");
  EXPECT_TRUE(binding.collection().projections(0).is_primary_key());
  EXPECT_EQ(binding.backfill(), 1u);
  EXPECT_EQ(binding.state_key(), "issues.v1");
  EXPECT_EQ(open.capture().interval_seconds(), 300u);
  EXPECT_EQ(open.range().key_begin(), 0u);
  EXPECT_EQ(open.range().key_end(), 4294967295u);
  EXPECT_EQ(open.state_json(), R"({"issues":{"updated_at":"2024-06-01T00:00:00Z"}})");
  EXPECT_EQ(unknown, (std::vector<std::string>{"open.capture.bindings[0].collection.projections[0].inference",
                                               "open.capture.bindings[0].collection.partitionTemplate",
                                               "open.capture.shardTemplate"}));
}

TEST(JsonCodec, RawFieldsKeepTheirExactText) {
  capture::Request request;
  ASSERT_TRUE(
      DecodeRequest(Codec::kJson, R"({"discover":{"config": { "b" : 1.50,  "a":[1, 2e3, "\u00e9"] } }})", &request)
          .ok());
  EXPECT_EQ(request.discover().config_json(), R"({ "b" : 1.50,  "a":[1, 2e3, "\u00e9"] })");
  ASSERT_TRUE(DecodeRequest(Codec::kJson, R"({"discover":{"config":"x"}})", &request).ok());
  EXPECT_EQ(request.discover().config_json(), R"("x")");
  ASSERT_TRUE(DecodeRequest(Codec::kJson, R"({"discover":{"config" :  -12.5e+3 }})", &request).ok());
  EXPECT_EQ(request.discover().config_json(), "-12.5e+3");
  ASSERT_TRUE(DecodeRequest(Codec::kJson, R"({"discover":{"config":[ {}, [] ]}})", &request).ok());
  EXPECT_EQ(request.discover().config_json(), "[ {}, [] ]");
}

TEST(JsonCodec, DecodingIsLenient) {
  capture::Request request;
  // snake_case proto names, quoted numbers, enum numbers, null as absent, $internal.
  ASSERT_TRUE(
      DecodeRequest(Codec::kJson,
                    R"({"$internal":"AAEC","validate":{"name":"a/b","connector_type":7,"config_json":{"k":1},)"
                    R"("last_capture":null,"bindings":[{"resource_config_json":{"stream":"s"},"backfill":"3"}],)"
                    R"("newField":{"x":[1,{"y":null}]}}})",
                    &request)
          .ok());
  EXPECT_EQ(request.validate().name(), "a/b");
  EXPECT_EQ(request.validate().connector_type(), flow::CaptureSpec::IMAGE);
  EXPECT_EQ(request.validate().config_json(), R"({"k":1})");
  EXPECT_FALSE(request.validate().has_last_capture());
  EXPECT_EQ(request.validate().bindings(0).resource_config_json(), R"({"stream":"s"})");
  EXPECT_EQ(request.validate().bindings(0).backfill(), 3u);
  // An unknown enum name (a newer Flow) is skipped rather than failing.
  ASSERT_TRUE(DecodeRequest(Codec::kJson, R"({"spec":{"connectorType":"DEKAF","config":{}}})", &request).ok());
  EXPECT_EQ(request.spec().connector_type(), flow::CaptureSpec::INVALID);
}

TEST(JsonCodec, ErrorsNameTheFieldAndTheProblem) {
  capture::Request request;
  absl::Status status = DecodeRequest(Codec::kJson, R"({"acknowledge":{"checkpoints":"many"}})", &request);
  EXPECT_EQ(status.message(), "acknowledge.checkpoints: expected an unsigned 32-bit integer, got a string");
  status = DecodeRequest(Codec::kJson, R"({"open":{"range":{"keyEnd":-1}}})", &request);
  EXPECT_EQ(status.message(), "open.range.keyEnd: expected an unsigned 32-bit integer, got a number");
  status = DecodeRequest(Codec::kJson, R"({"open":{"capture":{"bindings":{}}}})", &request);
  EXPECT_EQ(status.message(), "open.capture.bindings: expected an array, got an object");
  status = DecodeRequest(Codec::kJson, R"({"spec":{"config":{}})", &request);
  EXPECT_TRUE(absl::StartsWith(status.message(), "invalid JSON at offset 21")) << status.message();
  status = DecodeRequest(Codec::kJson, R"([{"spec":{}}])", &request);
  EXPECT_EQ(status.message(), "expected a JSON object, got an array");
}

// Huge numbers in integer fields are range errors, decided before any cast
// (converting an out-of-range double to an integer is undefined behaviour).
TEST(JsonCodec, HugeIntegersAreRangeErrors) {
  capture::Request request;
  for (const char* value : {"1e300", "-1e300", "4294967296", "4294967296.0", "1e19", "9.5", "1e400"}) {
    absl::Status status =
        DecodeRequest(Codec::kJson, absl::StrCat(R"({"acknowledge":{"checkpoints":)", value, "}}"), &request);
    EXPECT_FALSE(status.ok()) << value;
  }
  ASSERT_TRUE(DecodeRequest(Codec::kJson, R"({"open":{"range":{"keyEnd":4.294967295e9}}})", &request).ok());
  EXPECT_EQ(request.open().range().key_end(), 4294967295u);
  ASSERT_TRUE(DecodeRequest(Codec::kJson, R"({"acknowledge":{"checkpoints":3.0}})", &request).ok());
  EXPECT_EQ(request.acknowledge().checkpoints(), 3u);
}

TEST(JsonCodec, StrictModeRejectsUnknownFields) {
  flow::OAuth2 oauth2;
  absl::Status status =
      DecodeFlowJson(R"({"provider":"x","auth_type":"oauth2.0"})", &oauth2, FlowJsonOptions::Strict());
  EXPECT_EQ(status.message(), "auth_type: unknown field");
}

TEST(JsonCodec, MapsOfRawJsonAreSortedOnOutput) {
  flow::OAuth2 oauth2;
  ASSERT_TRUE(DecodeFlowJson(R"({"accessTokenHeaders":{"z":1,"a":{"x": true}},"provider":"p"})", &oauth2).ok());
  std::string out;
  EncodeFlowJson(oauth2, &out);
  EXPECT_EQ(out, R"({"provider":"p","accessTokenHeaders":{"a":{"x": true},"z":1}})");
  // All-default OAuth2 (the placeholder patch files) encodes as {}.
  flow::OAuth2 empty;
  ASSERT_TRUE(DecodeFlowJson(R"({"provider":"","authUrlTemplate":""})", &empty).ok());
  capture::Response response;
  *response.mutable_spec()->mutable_oauth2() = empty;
  EXPECT_EQ(ResponseToJson(response), R"({"spec":{"oauth2":{}}})");
}

TEST(ProtoCodec, ChoosesCodecByFlagThenEnvironment) {
  EXPECT_EQ(*ChooseCodec("json", "proto"), Codec::kJson);
  EXPECT_EQ(*ChooseCodec("proto", "json"), Codec::kProto);
  EXPECT_EQ(*ChooseCodec("", "json"), Codec::kJson);
  EXPECT_EQ(*ChooseCodec("", "protobuf"), Codec::kProto);
  EXPECT_EQ(*ChooseCodec("", ""), Codec::kProto);
  EXPECT_EQ(*ChooseCodec("", nullptr), std::nullopt);  // D15: the first bytes decide
  EXPECT_FALSE(ChooseCodec("yaml", nullptr).ok());
}

// D15: which codec Flow speaks, from the first bytes of its input.
TEST(ProtoCodec, CodecOfPrefix) {
  std::string spec_frame;
  capture::Request spec;
  spec.mutable_spec()->set_config_json("{}");
  AppendRequest(Codec::kProto, spec, &spec_frame);
  EXPECT_EQ(CodecOfPrefix(spec_frame, false), Codec::kProto);
  EXPECT_EQ(CodecOfPrefix(R"({"spec":{}})", false), Codec::kJson);
  EXPECT_EQ(CodecOfPrefix("\n  { \"open\"", false), Codec::kJson);
  EXPECT_EQ(CodecOfPrefix("{}", false), std::nullopt);  // 7b 7d 00 00 is a 32 KiB frame
  EXPECT_EQ(CodecOfPrefix("{}", true), Codec::kJson);
  EXPECT_EQ(CodecOfPrefix("{}\n{", false), Codec::kJson);
  EXPECT_EQ(CodecOfPrefix("{", false), std::nullopt);
  EXPECT_EQ(CodecOfPrefix(R"({"sp)", false), std::nullopt);
  EXPECT_EQ(CodecOfPrefix("", true), Codec::kJson);
  // Frames whose length bytes look like `{"` are still frames: a 8,827-byte
  // frame starts 7b 22 00 00, a 7.5 MB one 7b 22 73 00.
  EXPECT_EQ(CodecOfPrefix(std::string("\x7b\x22\x00\x00\x0a", 5), false), Codec::kProto);
  EXPECT_EQ(CodecOfPrefix(std::string("\x7b\x22\x73\x00\x0a", 5), false), Codec::kProto);
  EXPECT_EQ(CodecOfPrefix(std::string("\x0a\x00\x00\x00\x32", 5), false), Codec::kProto);
  EXPECT_EQ(CodecOfPrefix(std::string("\x7b\x7d\x00\x00\x0a", 5), false), Codec::kProto);
  EXPECT_EQ(CodecOfPrefix(std::string("\x7b\x22\x22\x00\x0a", 5), false), Codec::kProto);
  // Every frame length below 144 MiB (0x09000000) reads as a frame.
  for (uint32_t length = 0; length < 0x09000000u; length += (length < (1u << 24) ? 1 : 251)) {
    std::string frame(4, '\0');
    for (int k = 0; k < 4; ++k) frame[k] = static_cast<char>((length >> (8 * k)) & 0xff);
    frame.append("\"a\":1}");
    ASSERT_EQ(CodecOfPrefix(frame, false), Codec::kProto) << "length " << length;
  }
  // Text that is not JSON is reported as a bad JSON line, not a huge frame.
  EXPECT_EQ(CodecOfPrefix("not json\n", false), Codec::kJson);
  EXPECT_EQ(CodecOfPrefix("no", false), std::nullopt);
}

TEST(ProtoCodec, RejectsGarbage) {
  capture::Request request;
  absl::Status status = DecodeRequest(Codec::kProto, FromHex("0a ff ff"), &request);
  EXPECT_EQ(status.message(), "invalid protobuf request frame (3 bytes)");
}

TEST(ProtoCodec, OpenRoundTripsThroughBothCodecs) {
  capture::Request from_json;
  ASSERT_TRUE(DecodeRequest(Codec::kJson, kOpenExample, &from_json).ok());
  std::string frame;
  AppendRequest(Codec::kProto, from_json, &frame);
  capture::Request from_proto;
  ASSERT_TRUE(DecodeRequest(Codec::kProto, frame.substr(4), &from_proto).ok());
  EXPECT_EQ(from_proto.SerializeAsString(), from_json.SerializeAsString());
}

}  // namespace
}  // namespace atf
