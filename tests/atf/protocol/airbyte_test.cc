// Airbyte line decoding: docs/reference.md vectors F6, with the D3 changes named.
#include "atf/protocol/airbyte.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace atf {
namespace {

struct Decoded {
  std::unique_ptr<std::string> line;        // the message points into it
  std::unique_ptr<AirbyteDecoder> decoder;  // owns a repaired line
  absl::StatusOr<AirbyteDecoder::Result> result;
  AirbyteMessage message;
};

// Decodes `line`; the decoder needs a NUL after the line, as the splitter gives.
Decoded Decode(const std::string& line, DataVisitorFactory* visitors = nullptr) {
  Decoded d;
  d.line = std::make_unique<std::string>(line);
  d.decoder = std::make_unique<AirbyteDecoder>(visitors);
  d.result = d.decoder->Decode(absl::string_view(d.line->c_str(), d.line->size()), &d.message);
  return d;
}

bool IsJunk(const Decoded& d) { return d.result.ok() && d.result->kind == AirbyteDecoder::Kind::kJunk; }
bool IsMessage(const Decoded& d) { return d.result.ok() && d.result->kind == AirbyteDecoder::Kind::kMessage; }

TEST(AirbyteDecoder, LogAndSpec) {
  Decoded log = Decode(R"({"type":"LOG","log":{"level":"INFO","message":"hi"}})");
  ASSERT_TRUE(IsMessage(log));
  EXPECT_EQ(log.message.type, AirbyteType::kLog);
  EXPECT_STREQ((*log.message.Payload())["message"].GetString(), "hi");
  Decoded spec = Decode(R"({"type":"SPEC","spec":{"connectionSpecification":{}}})");
  ASSERT_TRUE(IsMessage(spec));
  EXPECT_EQ(spec.message.type, AirbyteType::kSpec);
}

TEST(AirbyteDecoder, D3_WarningLevelLogIsAMessage) {
  // Reference: the unknown level WARNING made the line unparseable (dropped).
  Decoded d = Decode(R"({"type":"LOG","log":{"level":"WARNING","message":"x"}})");
  ASSERT_TRUE(IsMessage(d));
  EXPECT_EQ(d.message.type, AirbyteType::kLog);
}

TEST(AirbyteDecoder, D3_ControlIsAMessage) {
  // Reference: CONTROL was an unknown type, dropped at debug level.
  Decoded d = Decode(R"({"type":"CONTROL","control":{"type":"CONNECTOR_CONFIG","connectorConfig":{"config":{}}}})");
  ASSERT_TRUE(IsMessage(d));
  EXPECT_EQ(d.message.type, AirbyteType::kControl);
}

TEST(AirbyteDecoder, TraceError) {
  Decoded d = Decode(R"({"type":"TRACE","trace":{"type":"ERROR","error":{"message":"boom"}}})");
  ASSERT_TRUE(IsMessage(d));
  EXPECT_EQ(d.message.type, AirbyteType::kTrace);
}

TEST(AirbyteDecoder, D3_RecordWithFloatOrMissingEmittedAtIsKept) {
  // Reference: both records were silently dropped.
  for (const char* line : {R"({"type":"RECORD","record":{"stream":"s","data":{},"emitted_at":1.5}})",
                           R"({"type":"RECORD","record":{"stream":"s","data":{}}})"}) {
    Decoded d = Decode(line);
    ASSERT_TRUE(IsMessage(d)) << line;
    EXPECT_EQ(d.message.type, AirbyteType::kRecord);
    EXPECT_EQ(d.message.stream, "s");
    EXPECT_EQ(d.message.data.Of(line), "{}");
  }
}

TEST(AirbyteDecoder, RecordDataIsTheExactText) {
  const std::string line =
      R"({"type":"RECORD","record":{"namespace":null,"stream":"users","data": {"b" : 1.50, "a":[1,{"x":"\u00e9"}]} ,"emitted_at":1}})";
  Decoded d = Decode(line);
  ASSERT_TRUE(IsMessage(d));
  EXPECT_EQ(d.message.data.Of(line), R"({"b" : 1.50, "a":[1,{"x":"\u00e9"}]})");
  EXPECT_FALSE(d.message.ns.has_value());
  Decoded scalar = Decode(R"({"type":"RECORD","record":{"stream":"s","namespace":"public","data":"text"}})");
  ASSERT_TRUE(IsMessage(scalar));
  EXPECT_EQ(scalar.message.data.Of(scalar.message.line), R"("text")");
  EXPECT_EQ(*scalar.message.ns, "public");
}

TEST(AirbyteDecoder, D3_RecordsThatCannotBeUnderstoodAreErrors) {
  // Reference: dropped silently. Dropping a record loses data.
  struct Case {
    const char* line;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"type":"RECORD","record":{"stream":"s"}})", "RECORD of stream `s` has no `data`"},
           {R"({"type":"RECORD","record":{"stream":"s","data":null}})", "RECORD of stream `s` has no `data`"},
           {R"({"type":"RECORD","record":{"data":{}}})", "RECORD without a string `stream`"},
           {R"({"type":"RECORD","record":{"stream":5,"data":{}}})", "RECORD without a string `stream`"},
           {R"({"type":"RECORD","record":[]})", "RECORD message without a `record` object"},
           {R"({"type":"RECORD"})", "RECORD message without a `record` object"},
       }) {
    Decoded d = Decode(c.line);
    ASSERT_FALSE(d.result.ok()) << c.line;
    EXPECT_EQ(d.result.status().message(), c.error) << c.line;
  }
}

TEST(AirbyteDecoder, D3_StatesThatCannotBeUnderstoodAreErrors) {
  for (const char* line :
       {R"({"type":"STATE","state":{}})", R"({"type":"STATE","state":{"type":"LEGACY","data":null}})",
        R"({"type":"STATE","state":{"type":"STREAM","stream":{"stream_state":{}}}})", R"({"type":"STATE"})"}) {
    EXPECT_FALSE(Decode(line).result.ok()) << line;
  }
}

TEST(AirbyteDecoder, StatePayloadsAreExactText) {
  const std::string line =
      R"({"type":"STATE","state":{"type":"STREAM","data":{"b":1,  "a":2},"global":{"shared_state":{}},"stream":{"stream_descriptor":{"name":"s"},"stream_state": {"c" : 1}}}})";
  Decoded d = Decode(line);
  ASSERT_TRUE(IsMessage(d));
  EXPECT_EQ(d.message.state_data.Of(line), R"({"b":1,  "a":2})");
  EXPECT_EQ(d.message.state_global.Of(line), R"({"shared_state":{}})");
  EXPECT_EQ(d.message.state_stream_state.Of(line), R"({"c" : 1})");
}

TEST(AirbyteDecoder, JunkLines) {
  for (const char* line : {"", "I am plaintext!", "{}", "[1,2]", "42", R"({"type":"SOMETHING"})", R"({"type":5})",
                           R"({"type":"LOG"} trailing)", "{\"type\":\"LOG\""}) {
    EXPECT_TRUE(IsJunk(Decode(line))) << line;
  }
  std::string with_nul = std::string(R"({"type":"LOG","log":{}})") + '\0' + "junk";
  AirbyteDecoder decoder;
  AirbyteMessage message;
  auto result = decoder.Decode(absl::string_view(with_nul.data(), with_nul.size()), &message);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->kind, AirbyteDecoder::Kind::kJunk);
  EXPECT_EQ(result->junk_reason, "contains a NUL byte");
}

// D10: a record is never junk for a token JSON cannot hold; the line is
// repaired and says how.
TEST(AirbyteDecoder, D10_InvalidUtf8InARecordIsRepaired) {
  const std::string line =
      "{\"type\":\"RECORD\",\"record\":{\"stream\":\"s\",\"data\":\"a\xff"
      "b\"}}";
  Decoded d = Decode(line);
  ASSERT_TRUE(IsMessage(d)) << d.result.status();
  EXPECT_EQ(d.message.data.Of(d.message.line),
            "\"a\xEF\xBF\xBD"
            "b\"");
  ASSERT_EQ(d.message.fixes.size(), 1u);
  EXPECT_EQ(d.message.fixes[0].kind, LineFix::Kind::kInvalidUtf8);
  EXPECT_EQ(d.message.fixes[0].offset, line.find('\xff'));
}

TEST(AirbyteDecoder, D10_EveryRepairKind) {
  struct Case {
    std::string data;      // as the connector wrote it
    std::string captured;  // the document that is captured
    LineFix::Kind kind;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"x":NaN})", R"({"x":null})", LineFix::Kind::kNonFinite},
           {R"({"x":[Infinity,-Infinity]})", R"({"x":[null,null]})", LineFix::Kind::kNonFinite},
           {R"({"x":1e400})", R"({"x":1e400})", LineFix::Kind::kHugeNumber},
           {R"({"x":-1e400,"y":1})", R"({"x":-1e400,"y":1})", LineFix::Kind::kHugeNumber},
           {R"({"x":"\ud800"})", R"({"x":"\ufffd"})", LineFix::Kind::kLoneSurrogate},
           {R"({"x":"a\udc00b"})", R"({"x":"a\ufffdb"})", LineFix::Kind::kLoneSurrogate},
           {R"({"\ud800":1})", R"({"\ufffd":1})", LineFix::Kind::kLoneSurrogate},
       }) {
    Decoded d = Decode(absl::StrCat(R"({"type":"RECORD","record":{"stream":"s","data":)", c.data, "}}"));
    ASSERT_TRUE(IsMessage(d)) << c.data << ": " << d.result.status();
    EXPECT_EQ(d.message.data.Of(d.message.line), c.captured) << c.data;
    ASSERT_FALSE(d.message.fixes.empty()) << c.data;
    EXPECT_EQ(d.message.fixes[0].kind, c.kind) << c.data;
  }
  // A proper surrogate pair and a NaN inside a string are left alone.
  Decoded pair = Decode(R"({"type":"RECORD","record":{"stream":"s","data":{"x":"\ud83d\ude00 NaN"}}})");
  ASSERT_TRUE(IsMessage(pair));
  EXPECT_TRUE(pair.message.fixes.empty());
}

// Two `data` (or `stream`, `type`, ...) members: which one the connector meant
// cannot be known, so it is an error rather than a guess.
TEST(AirbyteDecoder, DuplicatedMembersAreErrors) {
  for (const char* line : {R"({"type":"RECORD","record":{"stream":"s","data":{"a":1},"data":{"a":2}}})",
                           R"({"type":"RECORD","record":{"stream":"s","stream":"t","data":{}}})",
                           R"({"type":"RECORD","type":"STATE","record":{"stream":"s","data":{}}})",
                           R"({"type":"STATE","state":{"data":{"a":1},"data":{"a":2}}})"}) {
    Decoded d = Decode(line);
    ASSERT_FALSE(d.result.ok()) << line;
    EXPECT_TRUE(absl::StrContains(d.result.status().message(), "cannot be known")) << d.result.status();
  }
  // The same key inside the data is the data's business.
  EXPECT_TRUE(IsMessage(Decode(R"({"type":"RECORD","record":{"stream":"s","data":{"data":1,"data":2}}})")));
}

TEST(AirbyteDecoder, D10_BrokenRecordLineIsAnErrorNotJunk) {
  // Cut mid-record (a crash, a partial last line): refusing to drop it.
  Decoded cut = Decode(R"({"type":"RECORD","record":{"stream":"s","data":{"id":1)");
  ASSERT_FALSE(cut.result.ok());
  EXPECT_TRUE(absl::StrContains(cut.result.status().message(), "says it is a RECORD or STATE is not valid JSON"));
  Decoded state = Decode(R"({"type" : "STATE","state":{"data":{"c":1})");
  EXPECT_FALSE(state.result.ok());
  // Plain text and broken LOG lines stay junk.
  EXPECT_TRUE(IsJunk(Decode("hello \xff world")));
  EXPECT_TRUE(IsJunk(Decode(R"({"type":"LOG","log":{"message":"cut)")));
}

// Records the events a visitor receives.
class EventLog : public DataVisitor, public DataVisitorFactory {
 public:
  DataVisitor* ForRecord(absl::string_view stream, const std::optional<std::string>& ns) override {
    events.push_back(absl::StrCat("record ", stream, ns ? "@" + *ns : ""));
    return this;
  }
  void StartObject() override { events.push_back("{"); }
  void Key(absl::string_view key) override { events.push_back(absl::StrCat("key ", key)); }
  void EndObject() override { events.push_back("}"); }
  void StartArray() override { events.push_back("["); }
  void EndArray() override { events.push_back("]"); }
  void Value(Scalar kind, size_t begin, absl::string_view value) override {
    events.push_back(
        absl::StrCat("value ", static_cast<int>(kind), " ", begin, "-", ScalarEnd(line, begin), " ", value));
  }
  std::vector<std::string> events;
  std::string line;  // the text the offsets are into
};

TEST(AirbyteDecoder, DataIsVisitedInTheSameParseWhenTheStreamComesFirst) {
  EventLog log;
  const std::string line =
      R"({"type":"RECORD","record":{"stream":"s","namespace":"n","data":{"a":[1,"x\"y"],"b":null}}})";
  log.line = line;
  Decoded d = Decode(line, &log);
  ASSERT_TRUE(IsMessage(d));
  EXPECT_TRUE(d.message.data_visited);
  const size_t one = line.find("[1") + 1, x = line.find("\"x"), null = line.find("null");
  EXPECT_EQ(log.events, (std::vector<std::string>{"record s@n", "{", "key a", "[",
                                                  absl::StrCat("value 2 ", one, "-", one + 1, " 1"),
                                                  absl::StrCat("value 3 ", x, "-", x + 6, " x\"y"), "]", "key b",
                                                  absl::StrCat("value 0 ", null, "-", null + 4, " "), "}"}));
}

TEST(AirbyteDecoder, DataBeforeStreamIsNotVisited) {
  EventLog log;
  Decoded d = Decode(R"({"type":"RECORD","record":{"data":{"a":1},"stream":"s"}})", &log);
  ASSERT_TRUE(IsMessage(d));
  EXPECT_FALSE(d.message.data_visited);
  EXPECT_TRUE(log.events.empty());
}

}  // namespace
}  // namespace atf
