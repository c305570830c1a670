// End to end: --codec=proto gives the same responses as JSON for the same
// scenarios (both decoded and compared), and its framing errors are clear.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "atf/protocol/codec.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace atf::testing {
namespace {

struct Scenario {
  const char* name;
  std::string script;
  std::vector<std::string> requests;  // JSON
  bool capture;                       // keep stdin open: a capture ends at stdin EOF
};

constexpr const char* kBinding =
    R"({"resourceConfig":{"stream":"users","syncMode":"incremental"},"collection":{"name":"a/users","key":["/id"],"writeSchema":{"properties":{"at":{"format":"date-time"}}}}})";

std::vector<Scenario> Scenarios() {
  const std::string open = absl::StrCat(R"({"open":{"capture":{"config":{"k":1},"bindings":[)", kBinding,
                                        R"(]},"range":{"keyEnd":4294967295},"state":{"users":{"c":0}}}})");
  return {
      {"spec",
       R"([spec]
out {"type":"SPEC","spec":{"documentationUrl":"https://d","connectionSpecification":{"type":"object","properties":{"x":{"format":"int64"}}},"authSpecification":{"provider":"p","accessTokenHeaders":{"b":1,"a":"x"}}}}
)",
       {R"({"spec":{"connectorType":"IMAGE","config":{}}})", R"({"spec":{"connectorType":"IMAGE","config":{"a":1}}})"},
       false},
      {"discover",
       R"([discover]
out {"type":"CATALOG","catalog":{"streams":[{"name":"users","json_schema":{"properties":{"id":{"type":["null","integer"]}}},"source_defined_primary_key":[["id"]],"supported_sync_modes":["incremental"]},{"name":"x","json_schema":{}}]}}
)",
       {R"({"discover":{"config":{"a":1}}})"},
       false},
      {"validate",
       "[check]\nout {\"type\":\"CONNECTION_STATUS\",\"connectionStatus\":{\"status\":\"SUCCEEDED\"}}\n",
       {absl::StrCat(R"({"validate":{"name":"n","config":{},"bindings":[)", kBinding, "]}}")},
       false},
      {"apply", "", {R"({"apply":{"version":"v"}})"}, false},
      {"capture",
       R"([read]
out {"type":"RECORD","record":{"stream":"users","data":{"id":1,"at":"2024-01-02 03:04:05"}}}
out {"type":"STATE","state":{"data":{"c":1},"merge":true}}
out {"type":"RECORD","record":{"stream":"users","data":{"id":2,"at":1706781600}}}
out {"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users","namespace":"n"},"stream_state":{"c":2}}}}
out {"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":{"lsn":3}}}}
out {"type":"RECORD","record":{"stream":"users","data":{"id":3}}}
)",
       {open},
       true},
      {"failure",
       "[discover]\nout {\"type\":\"TRACE\",\"trace\":{\"type\":\"ERROR\",\"error\":{\"message\":\"boom\"}}}\nexit 3\n",
       {R"({"discover":{"config":{}}})"},
       false},
      {"bad_request", "", {R"({"acknowledge":{"checkpoints":1}})"}, false},
  };
}

std::vector<capture::Response> DecodeOutput(Codec codec, const std::string& out) {
  std::vector<capture::Response> responses;
  FrameSplitter frames(FramingOf(codec), 1u << 30);
  frames.Append(out);
  for (;;) {
    auto frame = frames.Next();
    EXPECT_TRUE(frame.ok());
    if (!frame.ok() || !*frame) break;
    capture::Response response;
    EXPECT_TRUE(DecodeResponse(codec, **frame, &response).ok());
    responses.push_back(std::move(response));
  }
  EXPECT_FALSE(*frames.Finish());  // nothing partial at the end
  return responses;
}

class SameResponses : public ::testing::TestWithParam<Scenario> {};

TEST_P(SameResponses, InBothCodecs) {
  const Scenario& scenario = GetParam();
  TestDir dir;
  dir.Write("script", scenario.script);
  std::string json_input, proto_input;
  for (const std::string& request : scenario.requests) {
    absl::StrAppend(&json_input, request, "\n");
    capture::Request decoded;
    ASSERT_TRUE(DecodeRequest(Codec::kJson, request, &decoded).ok());
    AppendRequest(Codec::kProto, decoded, &proto_input);
  }
  // No --codec and no FLOW_RUNTIME_CODEC: the shim tells from the first bytes (D15).
  RunResult json = RunShim(dir, "script", json_input, {.keep_stdin_open = scenario.capture});
  RunResult proto = RunShim(dir, "script", proto_input, {.keep_stdin_open = scenario.capture});
  EXPECT_TRUE(json.ErrContains("speaking the JSON codec")) << json.err;
  EXPECT_TRUE(proto.ErrContains("speaking the protobuf codec")) << proto.err;
  EXPECT_EQ(json.exit_code, proto.exit_code);
  // The last message besides the codec's own line.
  auto last = [](const RunResult& run) {
    std::vector<std::string> messages = run.ErrMessages();
    while (!messages.empty() && absl::StartsWith(messages.back(), "speaking the ")) messages.pop_back();
    return messages.empty() ? std::string() : messages.back();
  };
  EXPECT_EQ(last(json), last(proto));
  std::vector<capture::Response> from_json = DecodeOutput(Codec::kJson, json.out);
  std::vector<capture::Response> from_proto = DecodeOutput(Codec::kProto, proto.out);
  ASSERT_EQ(from_json.size(), from_proto.size()) << json.out;
  for (size_t i = 0; i < from_json.size(); ++i) {
    // Semantic equality: map entries may serialize in any order.
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(from_json[i], from_proto[i]))
        << "response " << i << "\n"
        << from_json[i].ShortDebugString() << "\n"
        << from_proto[i].ShortDebugString();
  }
  if (std::string(scenario.name) == "capture") {
    EXPECT_EQ(from_json.size(), 8u);  // opened, 3 records, 4 checkpoints
  }
  if (std::string(scenario.name) == "failure") {
    EXPECT_EQ(proto.exit_code, 3);
  }
}

INSTANTIATE_TEST_SUITE_P(ProtoCodec, SameResponses, ::testing::ValuesIn(Scenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& info) { return info.param.name; });

TEST(ProtoCodec, OversizedFrameIsAClearError) {
  TestDir dir;
  dir.Write("script", "");
  RunResult run = RunShim(dir, "script", std::string("\xff\xff\xff\x7f", 4), {.extra_args = {"--codec=proto"}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(),
            "reading Flow's requests: frame 1 is larger than the maximum message size of 268435456 bytes "
            "(2147483647 bytes so far); raise --max-message-size");
}

TEST(ProtoCodec, GarbageFrameIsAClearError) {
  TestDir dir;
  dir.Write("script", "");
  RunResult run =
      RunShim(dir, "script", std::string("\x03\x00\x00\x00\x0a\xff\xff", 7), {.extra_args = {"--codec=proto"}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(), "Flow request frame 1: invalid protobuf request frame (3 bytes)");
}

TEST(ProtoCodec, SixtyFourMebibyteCapturedDocument) {
  TestDir dir;
  dir.Write("script", "[read]\nbig-record users 67108864\n");
  capture::Request open;
  ASSERT_TRUE(
      DecodeRequest(Codec::kJson, absl::StrCat(R"({"open":{"capture":{"bindings":[)", kBinding, "]}}}"), &open).ok());
  std::string input;
  AppendRequest(Codec::kProto, open, &input);
  RunResult run =
      RunShim(dir, "script", input, {.extra_args = {"--codec=proto"}, .keep_stdin_open = true, .timeout_seconds = 60});
  ASSERT_EQ(run.exit_code, 0) << run.err.substr(0, 1000);
  std::vector<capture::Response> responses = DecodeOutput(Codec::kProto, run.out);
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_TRUE(responses[0].has_opened());
  EXPECT_EQ(responses[1].captured().doc_json().size(), std::string(R"({"blob":""})").size() + 67108864);
  EXPECT_TRUE(responses[2].has_checkpoint());
}

}  // namespace
}  // namespace atf::testing
