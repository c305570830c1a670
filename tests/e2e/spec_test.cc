// End to end: the request loop, Spec with every patch file, Apply, and Flow
// input errors, through the real binary and a scripted connector.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "atf/protocol/codec.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace atf::testing {
namespace {

constexpr const char* kProbe = R"({"spec":{"connectorType":"IMAGE","config":{}}})";

constexpr const char* kSpecScript = R"([spec]
out {"type":"LOG","log":{"level":"INFO","message":"starting"}}
out {"type":"SPEC","spec":{"documentationUrl":"https://docs.airbyte.com/x","connectionSpecification":{"type":"object","groups":[{"id":"g"}],"properties":{"api_key":{"type":"string","airbyte_secret":true,"group":"g","order":0},"start":{"type":"string","format":"date"}},"required":["api_key"]}}}
)";

std::string Lines(std::initializer_list<const char*> lines) {
  std::string out;
  for (const char* line : lines) absl::StrAppend(&out, line, "\n");
  return out;
}

TEST(Spec, ProbeAndRealSpecInOneInput) {
  TestDir dir;
  dir.Write("script", kSpecScript);
  RunResult run =
      RunShim(dir, "script", Lines({kProbe, R"({"spec":{"connectorType":"IMAGE","config":{"api_key":"k"}}})"}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(run.OutLines().size(), 2u) << run.out;
  for (const std::string& line : run.OutLines()) {
    rapidjson::Document doc = ParseOrDie(line);
    EXPECT_EQ(doc["spec"]["protocol"].GetInt(), 3032023);
    EXPECT_STREQ(doc["spec"]["documentationUrl"].GetString(), "https://docs.airbyte.com/x");
    // `group` and `groups` are gone, other keys stay.
    EXPECT_FALSE(doc["spec"]["configSchema"].HasMember("groups"));
    EXPECT_FALSE(doc["spec"]["configSchema"]["properties"]["api_key"].HasMember("group"));
    EXPECT_TRUE(doc["spec"]["configSchema"]["properties"]["api_key"]["airbyte_secret"].GetBool());
  }
}

TEST(Spec, H1_WithPatchFiles) {
  TestDir dir;
  dir.Write("script", kSpecScript);
  dir.Write("spec.patch.json", R"({"properties":{"start":{"title":"Start"}}})");
  dir.Write("documentation_url.patch.json", R"({"documentation_url":"https://go.estuary.dev/abc"})");
  dir.Write("oauth2.patch.json", R"({"provider":"acme","authUrlTemplate":"https://acme/auth"})");
  RunResult run = RunShim(dir, "script", Lines({kProbe}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(run.OutLines().size(), 1u);
  EXPECT_JSON_EQ(run.OutLines()[0], R"({"spec":{"protocol":3032023,
 "configSchema":{"properties":{"api_key":{"airbyte_secret":true,"order":0,"type":"string"},"start":{"format":"date","title":"Start","type":"string"}},"required":["api_key"],"type":"object"},
 "resourceConfigSchema":{"$schema":"http://json-schema.org/draft-07/schema#","title":"ResourceSpec","type":"object","required":["stream","syncMode"],"properties":{"cursorField":{"type":["array","null"],"items":{"type":"string"}},"namespace":{"type":["string","null"]},"stream":{"type":"string"},"syncMode":{"type":"string","enum":["incremental","full_refresh"]}}},
 "documentationUrl":"https://go.estuary.dev/abc",
 "oauth2":{"provider":"acme","authUrlTemplate":"https://acme/auth"},
 "resourcePathPointers":["/namespace","/stream"]}})");
}

class InvalidPatchFile : public ::testing::TestWithParam<const char*> {};

TEST_P(InvalidPatchFile, IsAClearErrorNamingTheFile) {
  TestDir dir;
  dir.Write("script", kSpecScript);
  dir.Write(GetParam(), "{\"not\": json}");
  RunResult run = RunShim(dir, "script", Lines({kProbe}));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.LastErrLevel(), "error");
  EXPECT_TRUE(absl::StartsWith(run.LastErrMessage(), absl::StrCat(dir.Path(GetParam()), ": invalid JSON at line 1")))
      << run.LastErrMessage();
}

INSTANTIATE_TEST_SUITE_P(Spec, InvalidPatchFile,
                         ::testing::Values("spec.patch.json", "oauth2.patch.json", "documentation_url.patch.json"));

TEST(Spec, OAuth2PatchThatIsNotAFlowOAuth2IsAnError) {
  TestDir dir;
  dir.Write("script", kSpecScript);
  dir.Write("oauth2.patch.json", R"({"auth_type":"oauth2.0"})");
  RunResult run = RunShim(dir, "script", Lines({kProbe}));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(),
            absl::StrCat(dir.Path("oauth2.patch.json"), ": not a valid Flow OAuth2 spec: auth_type: unknown field"));
}

TEST(Spec, D4_ExitZeroWithoutSpecIsAnError) {
  TestDir dir;
  dir.Write("script", "[spec]\nout {\"type\":\"LOG\",\"log\":{\"level\":\"INFO\",\"message\":\"nothing\"}}\n");
  RunResult run = RunShim(dir, "script", Lines({kProbe}));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.LastErrMessage(), "connector exited with code 0 without writing a SPEC message");
}

TEST(Spec, AnotherMessageBeforeTheSpecIsAnError) {
  TestDir dir;
  dir.Write("script", "[spec]\nout {\"type\":\"CATALOG\",\"catalog\":{\"streams\":[]}}\n");
  RunResult run = RunShim(dir, "script", Lines({kProbe}));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(), "connector output line 1: expected a SPEC message from the connector, got CATALOG");
}

TEST(Spec, D4_OutputAfterTheSpecIsDrainedNotBrokenPipe) {
  TestDir dir;
  // 4 MiB after the spec: more than any pipe holds, so the connector would
  // die of SIGPIPE if the shim stopped reading after the SPEC message.
  dir.Write("script", std::string(kSpecScript) + "big-record s 4194304\nerr done writing\n");
  RunResult run = RunShim(dir, "script", Lines({kProbe}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.OutLines().size(), 1u);
  EXPECT_TRUE(run.ErrContains("done writing"));
}

TEST(Spec, JunkAndWarningLinesAreLoggedNotFatal) {
  TestDir dir;
  dir.Write("script", std::string("[spec]\nout I am plaintext!\nout {}\n") +
                          "out {\"type\":\"LOG\",\"log\":{\"level\":\"WARNING\",\"message\":\"careful now\"}}\n" +
                          "out "
                          "{\"type\":\"TRACE\",\"trace\":{\"type\":\"STREAM_STATUS\",\"stream_status\":{\"stream_"
                          "descriptor\":{\"name\":\"users\"},\"status\":\"RUNNING\"}}}\n" +
                          std::string(kSpecScript).substr(7));
  RunResult run = RunShim(dir, "script", Lines({kProbe}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.OutLines().size(), 1u);
  EXPECT_TRUE(run.ErrContains(R"("level":"warn","message":"careful now")")) << run.err;
  EXPECT_TRUE(run.ErrContains(
      R"("level":"warn","message":"ignoring connector output that is not an Airbyte message","fields":{"line_number":1,"reason":"not JSON)"))
      << run.err;
  EXPECT_TRUE(run.ErrContains(R"("reason":"no string `type`","line":"{}")")) << run.err;
  EXPECT_TRUE(run.ErrContains(R"("message":"stream status","fields":{"stream":"users","status":"RUNNING"})"))
      << run.err;
}

TEST(Apply, AnswersWithoutStartingTheConnector) {
  TestDir dir;
  dir.Write("script", absl::StrCat("[*]\ntouch ", dir.Path("started"), "\n"));
  RunResult run = RunShim(dir, "script", Lines({R"({"apply":{"capture":{"name":"a/b"},"version":"v1"}})"}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "{\"applied\":{}}\n");
  EXPECT_FALSE(dir.Exists("started"));
}

TEST(RequestLoop, EmptyLinesBetweenRequestsAreIgnored) {
  TestDir dir;
  dir.Write("script", kSpecScript);
  RunResult run = RunShim(dir, "script", absl::StrCat("\n", kProbe, "\n  \n\n{\"apply\":{}}\n"));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(run.OutLines().size(), 2u);
  EXPECT_EQ(run.OutLines()[1], R"({"applied":{}})");
}

TEST(RequestLoop, BadRequestLinesAreClearErrors) {
  struct Case {
    std::string input;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"not json\n", "Flow request on line 1: invalid JSON at offset 1: Invalid value."},
           {absl::StrCat(kProbe, "\n{}\n"),
            "Flow request on line 2: no known operation (expected one of spec, discover, validate, apply, open or "
            "acknowledge)"},
           {"{\"acknowledge\":{\"checkpoints\":1}}\n", "`acknowledge` request outside a capture session"},
           {"{\"spec\":{\"connectorType\":5.5}}\n",
            "Flow request on line 1: spec.connectorType: expected an enum name or number, got a number"},
       }) {
    TestDir dir;
    dir.Write("script", kSpecScript);
    RunResult run = RunShim(dir, "script", c.input);
    EXPECT_EQ(run.exit_code, 1) << c.input;
    EXPECT_EQ(run.LastErrMessage(), c.error) << c.input;
  }
}

TEST(RequestLoop, RequestsBeforeABadLineAreAnswered) {
  TestDir dir;
  dir.Write("script", kSpecScript);
  RunResult run = RunShim(dir, "script", absl::StrCat(kProbe, "\n{broken\n"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.OutLines().size(), 1u);
}

TEST(RequestLoop, EmptyInputExitsZero) {
  TestDir dir;
  dir.Write("script", kSpecScript);
  RunResult run = RunShim(dir, "script", "");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, "");
}

TEST(ProtoCodec, SpecRoundTrip) {
  TestDir dir;
  dir.Write("script", kSpecScript);
  capture::Request request;
  ASSERT_TRUE(DecodeRequest(Codec::kJson, kProbe, &request).ok());
  std::string input;
  AppendRequest(Codec::kProto, request, &input);
  AppendRequest(Codec::kProto, request, &input);
  RunResult proto = RunShim(dir, "script", input, {.extra_args = {"--codec=proto"}});
  ASSERT_EQ(proto.exit_code, 0) << proto.err;
  RunResult json = RunShim(dir, "script", Lines({kProbe, kProbe}));

  // Decode both outputs and compare.
  FrameSplitter frames(FrameSplitter::Mode::kLengthPrefixed, 1 << 20);
  frames.Append(proto.out);
  std::vector<std::string> json_lines = json.OutLines();
  ASSERT_EQ(json_lines.size(), 2u);
  for (const std::string& json_line : json_lines) {
    auto frame = frames.Next();
    ASSERT_TRUE(frame.ok() && *frame);
    capture::Response from_proto, from_json;
    ASSERT_TRUE(DecodeResponse(Codec::kProto, **frame, &from_proto).ok());
    ASSERT_TRUE(DecodeResponse(Codec::kJson, json_line, &from_json).ok());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(from_proto, from_json));
  }
  EXPECT_FALSE(*frames.Next());
}

TEST(ProtoCodec, ChosenByFlowRuntimeCodec) {
  TestDir dir;
  dir.Write("script", kSpecScript);
  capture::Request request;
  request.mutable_apply();
  std::string input;
  AppendRequest(Codec::kProto, request, &input);
  RunResult run = RunShim(dir, "script", input, {.env = {{"FLOW_RUNTIME_CODEC", "protobuf"}}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, std::string("\x02\x00\x00\x00\x22\x00", 6));
}

TEST(ProtoCodec, TruncatedFrameIsAClearError) {
  TestDir dir;
  dir.Write("script", kSpecScript);
  RunResult run = RunShim(dir, "script", std::string("\x08\x00\x00\x00\x0a\x06", 6), {.extra_args = {"--codec=proto"}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(), "reading Flow's requests: input ended inside frame 1 (6 bytes of a partial frame)");
}

}  // namespace
}  // namespace atf::testing
