#include "atf/protocol/airbyte.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "atf/protocol/repair.h"
#include "rapidjson/error/en.h"
#include "rapidjson/reader.h"

namespace atf {
namespace {

// Values of the line the scanner cares about, by their path.
enum class Target {
  kNone,
  kType,
  kRecord,
  kStream,
  kNamespace,
  kData,
  kRecordMeta,
  kStateData,
  kStateGlobal,
  kStreamState
};

// The SAX pass over one line. `depth_` counts open containers; keys are kept
// only for the first three levels, which is where every target lives.
//
// Positions: RapidJSON parses strings and numbers from a local copy of the
// (string or in-situ) stream, so during String/Key/RawNumber callbacks the
// stream still points at the token's first byte; for literals and brackets it
// points just past the token. Both are exact, and this is what the spans rely
// on. The line is parsed in place on a copy, so offsets into the copy are
// offsets into the line as written.
class LineScanner : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, LineScanner> {
 public:
  LineScanner(rapidjson::InsituStringStream* stream, absl::string_view line, AirbyteMessage* message,
              DataVisitorFactory* visitors)
      : stream_(stream), line_(line), message_(message), visitors_(visitors) {}

  bool Null() { return Scalar(DataVisitor::Scalar::kNull, {}, LiteralSpan(4)); }
  bool Bool(bool b) { return Scalar(DataVisitor::Scalar::kBool, {}, LiteralSpan(b ? 4 : 5)); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    return Scalar(DataVisitor::Scalar::kNumber, {s, n}, TokenSpan());
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (!lone_surrogate_ && HoldsLoneSurrogate({s, n})) lone_surrogate_ = true;
    return Scalar(DataVisitor::Scalar::kString, {s, n}, TokenSpan());
  }
  bool StartObject() { return Start(/*array=*/false); }
  bool StartArray() { return Start(/*array=*/true); }
  bool EndObject(rapidjson::SizeType) { return End(/*array=*/false); }
  bool EndArray(rapidjson::SizeType) { return End(/*array=*/true); }

  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (!lone_surrogate_ && HoldsLoneSurrogate({s, n})) lone_surrogate_ = true;
    if (capture_ != nullptr) {
      if (visitor_ != nullptr) visitor_->Key({s, n});
      // A top-level member of the record's data.
      cdc_key_ = capture_ == &message_->data && depth_ == capture_depth_ + 1 &&
                 absl::string_view(s, n) == "_ab_cdc_deleted_at";
    } else if (depth_ >= 1 && depth_ <= 3) {
      keys_[depth_].assign(s, n);
    }
    return true;
  }

  bool root_is_object() const { return root_is_object_; }
  const std::optional<std::string>& type() const { return type_; }
  bool has_record() const { return has_record_; }
  bool record_is_object() const { return record_is_object_; }
  bool has_stream() const { return has_stream_; }
  // A member the message is read from appeared twice (e.g. two `data`):
  // which one is meant cannot be known.
  const char* duplicate() const { return duplicate_; }
  // A string held an escape of a lone UTF-16 surrogate (see repair.h).
  bool lone_surrogate() const { return lone_surrogate_; }

 private:
  // A string or number whose first byte the stream points at (see above).
  struct PendingSpan {
    size_t begin;
    size_t end;  // 0: not yet known
  };
  PendingSpan TokenSpan() const { return {stream_->Tell(), 0}; }
  PendingSpan LiteralSpan(size_t length) const { return {stream_->Tell() - length, stream_->Tell()}; }
  Span Resolve(PendingSpan span) const {
    return Span{span.begin, span.end != 0 ? span.end : ScalarEnd(line_, span.begin), true};
  }

  Target TargetHere() const {
    if (depth_ < 1 || depth_ > 3 || in_array_[depth_]) return Target::kNone;
    const std::string& key = keys_[depth_];
    if (depth_ == 1) {
      if (key == "type") return Target::kType;
      if (key == "record") return Target::kRecord;
      return Target::kNone;
    }
    if (depth_ == 2 && keys_[1] == "record") {
      if (key == "stream") return Target::kStream;
      if (key == "namespace") return Target::kNamespace;
      if (key == "data") return Target::kData;
      if (key == "meta") return Target::kRecordMeta;
    } else if (depth_ == 2 && keys_[1] == "state") {
      if (key == "data") return Target::kStateData;
      if (key == "global") return Target::kStateGlobal;
    } else if (depth_ == 3 && keys_[1] == "state" && keys_[2] == "stream" && key == "stream_state") {
      return Target::kStreamState;
    }
    return Target::kNone;
  }

  Span* CaptureSpan(Target target) {
    switch (target) {
      case Target::kData:
        return &message_->data;
      case Target::kRecordMeta:
        return &message_->record_meta;
      case Target::kStateData:
        return &message_->state_data;
      case Target::kStateGlobal:
        return &message_->state_global;
      case Target::kStreamState:
        return &message_->state_stream_state;
      default:
        return nullptr;
    }
  }

  // The visitor for the record's data, when the stream is already known.
  DataVisitor* VisitorForData() {
    if (visitors_ == nullptr || !has_stream_) return nullptr;
    DataVisitor* visitor = visitors_->ForRecord(message_->stream, message_->ns);
    message_->data_visited = true;
    return visitor;
  }

  bool Scalar(DataVisitor::Scalar kind, absl::string_view value, PendingSpan span) {
    if (capture_ != nullptr) {
      if (visitor_ != nullptr) visitor_->Value(kind, span.begin, value);
      NoteCdcValue(kind == DataVisitor::Scalar::kNull);
      return true;
    }
    if (depth_ == 0) return true;  // a scalar root: not a message
    const Target target = TargetHere();
    NoteSeen(target);
    switch (target) {
      case Target::kType:
        if (kind == DataVisitor::Scalar::kString)
          type_ = std::string(value);
        else
          type_.reset();
        break;
      case Target::kRecord:
        has_record_ = true;
        record_is_object_ = false;
        break;
      case Target::kStream:
        has_stream_ = kind == DataVisitor::Scalar::kString;
        if (has_stream_)
          message_->stream.assign(value.data(), value.size());
        else
          message_->stream.clear();
        break;
      case Target::kNamespace:
        if (kind == DataVisitor::Scalar::kString)
          message_->ns = std::string(value);
        else
          message_->ns.reset();
        break;
      default:
        if (Span* captured = CaptureSpan(target)) {
          *captured = kind == DataVisitor::Scalar::kNull ? Span{} : Resolve(span);
          if (target == Target::kData && kind != DataVisitor::Scalar::kNull) {
            if (DataVisitor* visitor = VisitorForData()) visitor->Value(kind, captured->begin, value);
          }
        }
    }
    return true;
  }

  bool Start(bool array) {
    if (capture_ != nullptr) {
      if (visitor_ != nullptr) array ? visitor_->StartArray() : visitor_->StartObject();
      NoteCdcValue(/*null=*/false);
      ++depth_;
      return true;
    }
    if (depth_ == 0) root_is_object_ = !array;
    const Target target = TargetHere();
    NoteSeen(target);
    if (target == Target::kRecord) {
      has_record_ = true;
      record_is_object_ = !array;
    }
    if (Span* span = CaptureSpan(target)) {
      *span = Span{stream_->Tell() - 1, 0, false};
      capture_ = span;
      capture_depth_ = depth_;
      if (target == Target::kData) {
        visitor_ = VisitorForData();
        if (visitor_ != nullptr) array ? visitor_->StartArray() : visitor_->StartObject();
      }
    }
    ++depth_;
    if (depth_ <= 3) {
      in_array_[depth_] = array;
      keys_[depth_].clear();
    }
    return true;
  }

  // The value of a data member just started: the CDC deletion mark's, if its key was.
  void NoteCdcValue(bool null) {
    if (!cdc_key_ || depth_ != capture_depth_ + 1) return;
    cdc_key_ = false;
    message_->cdc_deleted_at = null ? AirbyteMessage::CdcDeletedAt::kNull : AirbyteMessage::CdcDeletedAt::kSet;
  }

  bool End(bool array) {
    if (capture_ != nullptr && visitor_ != nullptr) array ? visitor_->EndArray() : visitor_->EndObject();
    --depth_;
    if (capture_ != nullptr && depth_ == capture_depth_) {
      capture_->end = stream_->Tell();
      capture_->present = true;
      capture_ = nullptr;
      visitor_ = nullptr;
    }
    return true;
  }

  rapidjson::InsituStringStream* stream_;  // Tell() is not const
  absl::string_view line_;
  AirbyteMessage* message_;
  DataVisitorFactory* visitors_;

  int depth_ = 0;
  bool in_array_[4] = {false, false, false, false};
  std::string keys_[4];

  Span* capture_ = nullptr;  // the value being captured, while inside it
  int capture_depth_ = 0;
  DataVisitor* visitor_ = nullptr;
  bool cdc_key_ = false;  // the last key of the data's top level was _ab_cdc_deleted_at

  bool root_is_object_ = false;
  std::optional<std::string> type_;
  bool has_record_ = false;
  bool record_is_object_ = false;
  bool has_stream_ = false;
  bool lone_surrogate_ = false;
  unsigned seen_ = 0;  // bit per Target
  const char* duplicate_ = nullptr;

  void NoteSeen(Target target) {
    if (target == Target::kNone) return;
    const unsigned bit = 1u << static_cast<unsigned>(target);
    if ((seen_ & bit) != 0 && duplicate_ == nullptr) duplicate_ = TargetName(target);
    seen_ |= bit;
  }
  static const char* TargetName(Target target) {
    switch (target) {
      case Target::kType:
        return "type";
      case Target::kRecord:
        return "record";
      case Target::kStream:
        return "record.stream";
      case Target::kNamespace:
        return "record.namespace";
      case Target::kData:
        return "record.data";
      case Target::kRecordMeta:
        return "record.meta";
      case Target::kStateData:
        return "state.data";
      case Target::kStateGlobal:
        return "state.global";
      case Target::kStreamState:
        return "state.stream.stream_state";
      case Target::kNone:
        break;
    }
    return "member";
  }
};

// Forwards every event of a standalone value to a visitor (see VisitJson).
class VisitDriver : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, VisitDriver> {
 public:
  VisitDriver(const rapidjson::StringStream* stream, DataVisitor& visitor) : stream_(stream), visitor_(visitor) {}

  bool Null() { return Literal(DataVisitor::Scalar::kNull, 4); }
  bool Bool(bool b) { return Literal(DataVisitor::Scalar::kBool, b ? 4 : 5); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) { return Token(DataVisitor::Scalar::kNumber, {s, n}); }
  bool String(const char* s, rapidjson::SizeType n, bool) { return Token(DataVisitor::Scalar::kString, {s, n}); }
  bool StartObject() { return visitor_.StartObject(), true; }
  bool StartArray() { return visitor_.StartArray(), true; }
  bool EndObject(rapidjson::SizeType) { return visitor_.EndObject(), true; }
  bool EndArray(rapidjson::SizeType) { return visitor_.EndArray(), true; }
  bool Key(const char* s, rapidjson::SizeType n, bool) { return visitor_.Key({s, n}), true; }

 private:
  // Same position rules as LineScanner: strings and numbers see their start.
  bool Token(DataVisitor::Scalar kind, absl::string_view value) {
    visitor_.Value(kind, stream_->Tell(), value);
    return true;
  }
  bool Literal(DataVisitor::Scalar kind, size_t length) {
    visitor_.Value(kind, stream_->Tell() - length, {});
    return true;
  }

  const rapidjson::StringStream* stream_;
  DataVisitor& visitor_;
};

std::optional<AirbyteType> TypeFromName(absl::string_view name) {
  if (name == "RECORD") return AirbyteType::kRecord;
  if (name == "STATE") return AirbyteType::kState;
  if (name == "LOG") return AirbyteType::kLog;
  if (name == "TRACE") return AirbyteType::kTrace;
  if (name == "SPEC") return AirbyteType::kSpec;
  if (name == "CONNECTION_STATUS") return AirbyteType::kConnectionStatus;
  if (name == "CATALOG") return AirbyteType::kCatalog;
  if (name == "CONTROL") return AirbyteType::kControl;
  return std::nullopt;
}

absl::Status CheckState(const AirbyteMessage& message) {
  const rapidjson::Value* state = message.Payload();
  if (state == nullptr || !state->IsObject()) {
    return absl::InvalidArgumentError("STATE message without a `state` object");
  }
  if (message.state_data.present || message.state_global.present) return absl::OkStatus();
  if (const rapidjson::Value* stream = FindMember(*state, "stream"); stream != nullptr && !stream->IsNull()) {
    const rapidjson::Value* descriptor = FindMember(*stream, "stream_descriptor");
    const rapidjson::Value* name = descriptor ? FindMember(*descriptor, "name") : nullptr;
    if (name == nullptr || !name->IsString()) {
      return absl::InvalidArgumentError("STREAM state without `stream.stream_descriptor.name`");
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      "STATE message with no usable payload (no `data`, `stream` or `global`); refusing to drop it");
}

}  // namespace

size_t ScalarEnd(absl::string_view text, size_t begin) {
  size_t i = begin;
  if (i < text.size() && text[i] == '"') {
    for (++i; i < text.size(); ++i) {
      if (text[i] == '\\')
        ++i;
      else if (text[i] == '"')
        return i + 1;
    }
    return text.size();
  }
  // Numbers and literals end at a delimiter.
  while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']' && text[i] != ' ' && text[i] != '\t' &&
         text[i] != '\n' && text[i] != '\r' && text[i] != '\0') {
    ++i;
  }
  return i;
}

void VisitJson(absl::string_view json, DataVisitor& visitor) {
  rapidjson::StringStream stream(json.data());
  VisitDriver driver(&stream, visitor);
  rapidjson::Reader reader;
  reader.Parse<rapidjson::kParseNumbersAsStringsFlag>(stream, driver);
}

absl::string_view AirbyteTypeName(AirbyteType type) {
  switch (type) {
    case AirbyteType::kRecord:
      return "RECORD";
    case AirbyteType::kState:
      return "STATE";
    case AirbyteType::kLog:
      return "LOG";
    case AirbyteType::kTrace:
      return "TRACE";
    case AirbyteType::kSpec:
      return "SPEC";
    case AirbyteType::kConnectionStatus:
      return "CONNECTION_STATUS";
    case AirbyteType::kCatalog:
      return "CATALOG";
    case AirbyteType::kControl:
      return "CONTROL";
  }
  return "UNKNOWN";
}

const rapidjson::Value* AirbyteMessage::Payload() const {
  const char* key = nullptr;
  switch (type) {
    case AirbyteType::kRecord:
      key = "record";
      break;
    case AirbyteType::kState:
      key = "state";
      break;
    case AirbyteType::kLog:
      key = "log";
      break;
    case AirbyteType::kTrace:
      key = "trace";
      break;
    case AirbyteType::kSpec:
      key = "spec";
      break;
    case AirbyteType::kConnectionStatus:
      key = "connectionStatus";
      break;
    case AirbyteType::kCatalog:
      key = "catalog";
      break;
    case AirbyteType::kControl:
      key = "control";
      break;
  }
  return FindMember(doc, key);
}

absl::StatusOr<AirbyteDecoder::Result> AirbyteDecoder::Decode(absl::string_view line, AirbyteMessage* message) {
  copy_.reserve(line.size() + 1 + kParsePadding);
  copy_.assign(line.data(), line.size());
  return Decode(line, copy_.data(), message);
}

// A line that is not JSON but says it is a RECORD or STATE: dropping it
// would lose data, so it is an error rather than junk.
bool LooksLikeProtocolData(absl::string_view line) {
  const size_t start = line.find_first_not_of(" \t");
  if (start == absl::string_view::npos || line[start] != '{') return false;
  for (size_t at = line.find("\"type\""); at != absl::string_view::npos; at = line.find("\"type\"", at + 1)) {
    size_t i = at + 6;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size() || line[i] != ':') continue;
    ++i;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const absl::string_view rest = line.substr(i);
    if (absl::StartsWith(rest, "\"RECORD\"") || absl::StartsWith(rest, "\"STATE\"")) return true;
  }
  return false;
}

absl::StatusOr<AirbyteDecoder::Result> AirbyteDecoder::Decode(absl::string_view line, char* scratch,
                                                              AirbyteMessage* message) {
  message->fixes.clear();
  std::string problem;
  LineParse first = Parse(line, scratch, message, &problem);
  if (first == LineParse::kParsed) return Classify(message);
  // Not JSON as it stands: maybe a token JSON cannot hold (D10).
  if (std::optional<RepairedLine> repaired = RepairLine(line)) {
    repaired_ = std::move(*repaired);
    repaired_.parse_copy.append(1 + kParsePadding, '\0');
    std::string ignored;
    if (Parse(repaired_.text, repaired_.parse_copy.data(), message, &ignored) == LineParse::kParsed) {
      message->fixes = std::move(repaired_.fixes);
      return Classify(message);
    }
  }
  if (LooksLikeProtocolData(line)) {
    return absl::InvalidArgumentError(absl::StrCat("a line that says it is a RECORD or STATE is not valid JSON (",
                                                   problem, "); refusing to drop it"));
  }
  return Result{Kind::kJunk, problem};
}

AirbyteDecoder::LineParse AirbyteDecoder::Parse(absl::string_view line, char* scratch, AirbyteMessage* message,
                                                std::string* problem) {
  message->line = line;
  message->ns.reset();
  message->stream.clear();
  message->data = message->state_data = message->state_global = message->state_stream_state = Span{};
  message->data_visited = false;
  message->record_meta = Span{};
  message->cdc_deleted_at = AirbyteMessage::CdcDeletedAt::kAbsent;
  type_.reset();
  duplicate_ = nullptr;
  shape_ = {};

  // Encoding first, at memory speed; RapidJSON's own check goes byte by byte.
  if (!IsValidUtf8(line)) {
    *problem = "not valid UTF-8";
    return LineParse::kFailed;
  }
  rapidjson::InsituStringStream stream(scratch);
  LineScanner scanner(&stream, line, message, visitors_);
  rapidjson::Reader reader;
  rapidjson::ParseResult parsed =
      reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseInsituFlag>(stream, scanner);
  if (parsed.IsError()) {
    *problem =
        absl::StrCat("not JSON (", rapidjson::GetParseError_En(parsed.Code()), " at offset ", parsed.Offset(), ")");
    return LineParse::kFailed;
  }
  if (scanner.lone_surrogate()) {
    *problem = "holds a lone UTF-16 surrogate escape";
    return LineParse::kFailed;
  }
  if (stream.Tell() != line.size()) {
    *problem = "contains a NUL byte";
    return LineParse::kFailed;
  }
  type_ = scanner.type();
  duplicate_ = scanner.duplicate();
  shape_ = Shape{scanner.root_is_object(), scanner.has_record(), scanner.record_is_object(), scanner.has_stream()};
  return LineParse::kParsed;
}

absl::StatusOr<AirbyteDecoder::Result> AirbyteDecoder::Classify(AirbyteMessage* message) {
  if (!shape_.root_is_object) return Result{Kind::kJunk, "not a JSON object"};
  if (duplicate_ != nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("a message with two `", duplicate_, "` members: which one is meant cannot be known"));
  }
  if (!type_) return Result{Kind::kJunk, "no string `type`"};
  std::optional<AirbyteType> type = TypeFromName(*type_);
  if (!type) return Result{Kind::kJunk, absl::StrCat("unknown message type `", *type_, "`")};
  message->type = *type;

  if (*type == AirbyteType::kRecord) {
    if (!shape_.has_record || !shape_.record_is_object) {
      return absl::InvalidArgumentError("RECORD message without a `record` object");
    }
    if (!shape_.has_stream) return absl::InvalidArgumentError("RECORD without a string `stream`");
    if (!message->data.present) {
      return absl::InvalidArgumentError(absl::StrCat("RECORD of stream `", message->stream, "` has no `data`"));
    }
    return Result{Kind::kMessage, {}};
  }

  // Rare messages get a DOM. The pool is emptied first: a Document never
  // frees what earlier parses allocated.
  const absl::string_view line = message->line;
  message->doc.SetNull();
  message->doc.GetAllocator().Clear();
  message->doc.Parse<rapidjson::kParseFullPrecisionFlag>(line.data(), line.size());
  if (*type == AirbyteType::kState) {
    if (message->doc.HasParseError()) {
      return absl::InvalidArgumentError(absl::StrCat("STATE message that cannot be read as JSON (",
                                                     rapidjson::GetParseError_En(message->doc.GetParseError()), ")"));
    }
    ATF_RETURN_IF_ERROR(CheckState(*message));
  }
  return Result{Kind::kMessage, {}};
}

}  // namespace atf
