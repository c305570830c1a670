#include "atf/protocol/flow_json.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "atf/base/json.h"
#include "google/protobuf/descriptor.h"
#include "rapidjson/encodedstream.h"
#include "rapidjson/error/en.h"
#include "rapidjson/memorystream.h"
#include "rapidjson/reader.h"

namespace atf {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

using InputStream = rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream>;

enum class Token { kNull, kBool, kNumber, kString };

absl::string_view TokenName(Token token) {
  switch (token) {
    case Token::kNull:
      return "null";
    case Token::kBool:
      return "a boolean";
    case Token::kNumber:
      return "a number";
    case Token::kString:
      return "a string";
  }
  return "a value";
}

const FieldDescriptor* FindField(const Descriptor* descriptor, absl::string_view key) {
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->json_name() == key || field->name() == key) return field;
  }
  return nullptr;
}

template <typename T>
bool ParseInteger(absl::string_view text, T* out) {
  if (absl::SimpleAtoi(text, out)) return true;
  // Proto3 JSON allows integral values written as floats (`1.0`, `1e3`). The
  // range is checked before any conversion: casting an out-of-range double
  // to an integer is undefined behaviour.
  double d;
  if (!absl::SimpleAtod(text, &d) || !std::isfinite(d) || d != std::trunc(d)) return false;
  if (d < static_cast<double>(std::numeric_limits<T>::min()) || d >= std::ldexp(1.0, std::numeric_limits<T>::digits)) {
    return false;
  }
  *out = static_cast<T>(d);
  return true;
}

// The decoder is a SAX handler over a stack of frames, one per open JSON
// container. Raw JSON values are located by stream offsets: a value starts
// after the end of the previous token, past whitespace and one ':' or ','.
class Decoder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Decoder> {
 public:
  Decoder(absl::string_view text, const InputStream* stream, Message* root, const FlowJsonOptions& options)
      : text_(text), stream_(stream), root_(root), options_(options) {}

  const absl::Status& status() const { return status_; }

  bool Null() { return Scalar(Token::kNull, "null"); }
  bool Bool(bool b) { return Scalar(Token::kBool, b ? "true" : "false"); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) { return Scalar(Token::kNumber, {s, n}); }
  bool String(const char* s, rapidjson::SizeType n, bool) { return Scalar(Token::kString, {s, n}); }
  bool StartObject() { return Start(/*object=*/true); }
  bool StartArray() { return Start(/*object=*/false); }
  bool EndObject(rapidjson::SizeType) { return End(); }
  bool EndArray(rapidjson::SizeType) { return End(); }
  bool Key(const char* s, rapidjson::SizeType n, bool) { return OnKey({s, n}); }

 private:
  enum class Kind { kMessage, kRepeated, kMap, kSkip, kRaw };

  // Where a value goes: a singular field, a new element of a repeated field,
  // or a new entry of a map field.
  struct Target {
    Message* message = nullptr;
    const FieldDescriptor* field = nullptr;
    bool skip = false;
    std::string map_key;
    bool has_map_key = false;
  };

  struct Frame {
    Kind kind;
    Message* message = nullptr;
    const FieldDescriptor* field = nullptr;  // kRepeated, kMap: the container field
    std::string path;
    Target pending;  // kMessage, kMap: target of the next value
    bool has_pending = false;
    int depth = 0;         // kSkip, kRaw
    size_t raw_begin = 0;  // kRaw
    Target raw_target;     // kRaw
  };

  size_t Tell() const { return stream_->Tell(); }

  bool Fail(std::string message) {
    if (status_.ok()) status_ = absl::InvalidArgumentError(std::move(message));
    return false;
  }

  // Finishes an event: remembers where it ended.
  bool Done(bool ok) {
    last_end_ = Tell();
    return ok;
  }

  absl::string_view ScalarText() const {
    absl::string_view span = text_.substr(last_end_, Tell() - last_end_);
    size_t start = span.find_first_not_of(" \t\r\n:,");
    return start == absl::string_view::npos ? span : span.substr(start);
  }

  // The target of the value that starts now, or nullopt at the root.
  bool TakeTarget(Target* target, std::string* path) {
    Frame& top = frames_.back();
    switch (top.kind) {
      case Kind::kMessage:
      case Kind::kMap:
        if (!top.has_pending) return Fail("internal: value without a key");
        *target = std::move(top.pending);
        top.has_pending = false;
        *path = top.kind == Kind::kMap ? absl::StrCat(top.path, "[\"", target->map_key, "\"]")
                                       : absl::StrCat(top.path, top.path.empty() ? "" : ".",
                                                      target->field ? target->field->json_name() : "");
        return true;
      case Kind::kRepeated:
        target->message = top.message;
        target->field = top.field;
        *path = absl::StrCat(top.path, "[", top.message->GetReflection()->FieldSize(*top.message, top.field), "]");
        return true;
      default:
        return Fail("internal: unexpected frame");
    }
  }

  // The field whose value type applies to a target: a map's value field.
  static const FieldDescriptor* ValueField(const Target& target) {
    if (target.field->is_map()) return target.field->message_type()->map_value();
    return target.field;
  }

  // Returns the message to fill for an object value at `target`.
  Message* NewMessageAt(const Target& target) {
    const Reflection* reflection = target.message->GetReflection();
    if (target.field->is_map()) {
      Message* entry = reflection->AddMessage(target.message, target.field);
      const FieldDescriptor* key_field = entry->GetDescriptor()->map_key();
      entry->GetReflection()->SetString(entry, key_field, target.map_key);
      const FieldDescriptor* value_field = entry->GetDescriptor()->map_value();
      return entry->GetReflection()->MutableMessage(entry, value_field);
    }
    if (target.field->is_repeated()) return reflection->AddMessage(target.message, target.field);
    return reflection->MutableMessage(target.message, target.field);
  }

  void StoreString(const Target& target, std::string value) {
    const Reflection* reflection = target.message->GetReflection();
    if (target.field->is_map()) {
      Message* entry = reflection->AddMessage(target.message, target.field);
      const Reflection* entry_reflection = entry->GetReflection();
      entry_reflection->SetString(entry, entry->GetDescriptor()->map_key(), target.map_key);
      entry_reflection->SetString(entry, entry->GetDescriptor()->map_value(), std::move(value));
    } else if (target.field->is_repeated()) {
      reflection->AddString(target.message, target.field, std::move(value));
    } else {
      reflection->SetString(target.message, target.field, std::move(value));
    }
  }

  bool StoreScalar(const Target& target, Token token, absl::string_view text, const std::string& path) {
    const FieldDescriptor* field = ValueField(target);
    const Reflection* reflection = target.message->GetReflection();
    Message* message = target.message;
    const bool repeated = field->is_repeated();
    auto mismatch = [&](absl::string_view expected) {
      return Fail(absl::StrCat(path, ": expected ", expected, ", got ", TokenName(token)));
    };
    auto numeric = token == Token::kNumber || token == Token::kString;

    if (target.field->is_map()) {
      // Only string-valued maps exist in Flow's capture protocol.
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) return mismatch("an object");
      if (token != Token::kString) return mismatch("a string");
      StoreString(target, std::string(text));
      return true;
    }
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        if (token != Token::kString) return mismatch("a string");
        std::string value(text);
        if (field->type() == FieldDescriptor::TYPE_BYTES) {
          std::string decoded;
          if (!absl::Base64Unescape(text, &decoded) && !absl::WebSafeBase64Unescape(text, &decoded)) {
            return Fail(absl::StrCat(path, ": expected base64 bytes"));
          }
          value = std::move(decoded);
        }
        StoreString(target, std::move(value));
        return true;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        if (token != Token::kBool) return mismatch("a boolean");
        bool b = text == "true";
        repeated ? reflection->AddBool(message, field, b) : reflection->SetBool(message, field, b);
        return true;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        if (token == Token::kString) {
          const EnumValueDescriptor* value = field->enum_type()->FindValueByName(std::string(text));
          if (value == nullptr) {
            // Newer Flow versions add enum values; an unknown name is skipped.
            if (options_.on_unknown_field) options_.on_unknown_field(absl::StrCat(path, "=", text));
            return true;
          }
          repeated ? reflection->AddEnum(message, field, value) : reflection->SetEnum(message, field, value);
          return true;
        }
        int32_t number;
        if (token != Token::kNumber || !ParseInteger(text, &number)) return mismatch("an enum name or number");
        repeated ? reflection->AddEnumValue(message, field, number) : reflection->SetEnumValue(message, field, number);
        return true;
      }
      case FieldDescriptor::CPPTYPE_INT32: {
        int32_t v;
        if (!numeric || !ParseInteger(text, &v)) return mismatch("a 32-bit integer");
        repeated ? reflection->AddInt32(message, field, v) : reflection->SetInt32(message, field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t v;
        if (!numeric || !ParseInteger(text, &v)) return mismatch("an unsigned 32-bit integer");
        repeated ? reflection->AddUInt32(message, field, v) : reflection->SetUInt32(message, field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t v;
        if (!numeric || !ParseInteger(text, &v)) return mismatch("a 64-bit integer");
        repeated ? reflection->AddInt64(message, field, v) : reflection->SetInt64(message, field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v;
        if (!numeric || !ParseInteger(text, &v)) return mismatch("an unsigned 64-bit integer");
        repeated ? reflection->AddUInt64(message, field, v) : reflection->SetUInt64(message, field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        double v;
        if (!numeric || !absl::SimpleAtod(text, &v)) return mismatch("a number");
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
          repeated ? reflection->AddFloat(message, field, static_cast<float>(v))
                   : reflection->SetFloat(message, field, static_cast<float>(v));
        } else {
          repeated ? reflection->AddDouble(message, field, v) : reflection->SetDouble(message, field, v);
        }
        return true;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return mismatch("an object");
    }
    return mismatch("a value");
  }

  // Whether the value at `target` is JSON text to capture verbatim: a singular
  // `_json` field, or an element of a `_json_vec` / value of a `_json_map`.
  static bool IsRawValue(const Target& target, Kind container) {
    if (!IsRawJsonField(target.field)) return false;
    if (target.field->is_map()) return container == Kind::kMap;
    if (target.field->is_repeated()) return container == Kind::kRepeated;
    return true;
  }

  bool Scalar(Token token, absl::string_view text) {
    if (frames_.empty()) return Fail("expected a JSON object");
    const Kind container = frames_.back().kind;
    if (container == Kind::kSkip || container == Kind::kRaw) return Done(true);
    Target target;
    std::string path;
    if (!TakeTarget(&target, &path)) return false;
    if (target.skip || token == Token::kNull) return Done(true);  // null means absent
    if (container == Kind::kMessage && target.field->is_map()) {
      return Fail(absl::StrCat(path, ": expected an object, got ", TokenName(token)));
    }
    if (container == Kind::kMessage && target.field->is_repeated()) {
      return Fail(absl::StrCat(path, ": expected an array, got ", TokenName(token)));
    }
    if (IsRawValue(target, container)) {
      StoreString(target, std::string(ScalarText()));
      return Done(true);
    }
    return Done(StoreScalar(target, token, text, path));
  }

  bool Start(bool object) {
    if (frames_.empty()) {
      if (!object) return Fail("expected a JSON object, got an array");
      frames_.push_back(Frame{.kind = Kind::kMessage, .message = root_});
      return Done(true);
    }
    Frame& top = frames_.back();
    if (top.kind == Kind::kSkip || top.kind == Kind::kRaw) {
      ++top.depth;
      return Done(true);
    }
    Target target;
    std::string path;
    if (!TakeTarget(&target, &path)) return false;
    if (target.skip) {
      frames_.push_back(Frame{.kind = Kind::kSkip, .depth = 1});
      return Done(true);
    }
    if (IsRawValue(target, top.kind)) {
      Frame raw{.kind = Kind::kRaw, .depth = 1, .raw_begin = Tell() - 1};
      raw.raw_target = std::move(target);
      frames_.push_back(std::move(raw));
      return Done(true);
    }
    const bool in_container = top.kind == Kind::kRepeated || top.kind == Kind::kMap;
    const FieldDescriptor* field = target.field;
    if (object) {
      if (field->is_map() && !in_container) {
        frames_.push_back(Frame{.kind = Kind::kMap, .message = target.message, .field = field, .path = path});
        return Done(true);
      }
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && (in_container || !field->is_repeated())) {
        frames_.push_back(Frame{.kind = Kind::kMessage, .message = NewMessageAt(target), .path = path});
        return Done(true);
      }
      return Fail(absl::StrCat(path, ": expected ", field->is_repeated() ? "an array" : "a scalar", ", got an object"));
    }
    if (field->is_repeated() && !field->is_map() && !in_container) {
      frames_.push_back(Frame{.kind = Kind::kRepeated, .message = target.message, .field = field, .path = path});
      return Done(true);
    }
    return Fail(absl::StrCat(path, ": unexpected array"));
  }

  bool End() {
    Frame& top = frames_.back();
    if (top.kind == Kind::kSkip || top.kind == Kind::kRaw) {
      if (--top.depth > 0) return Done(true);
      if (top.kind == Kind::kRaw) {
        StoreString(top.raw_target, std::string(text_.substr(top.raw_begin, Tell() - top.raw_begin)));
      }
    }
    frames_.pop_back();
    return Done(true);
  }

  bool OnKey(absl::string_view key) {
    Frame& top = frames_.back();
    if (top.kind == Kind::kSkip || top.kind == Kind::kRaw) return Done(true);
    top.has_pending = true;
    if (top.kind == Kind::kMap) {
      top.pending =
          Target{.message = top.message, .field = top.field, .map_key = std::string(key), .has_map_key = true};
      return Done(true);
    }
    const FieldDescriptor* field = FindField(top.message->GetDescriptor(), key);
    top.pending = Target{.message = top.message, .field = field, .skip = field == nullptr};
    if (field == nullptr) {
      std::string path = absl::StrCat(top.path, top.path.empty() ? "" : ".", key);
      if (options_.strict) return Fail(absl::StrCat(path, ": unknown field"));
      if (options_.on_unknown_field) options_.on_unknown_field(path);
    }
    return Done(true);
  }

  absl::string_view text_;
  const InputStream* stream_;
  Message* root_;
  const FlowJsonOptions& options_;
  std::vector<Frame> frames_;
  size_t last_end_ = 0;
  absl::Status status_;
};

// JSON text embedded as a value. A line break in valid JSON can only be
// whitespace between tokens (inside a string it must be escaped), so it is
// dropped: every JSON response stays one line whatever a patch file looked
// like (a pretty-printed oauth2.patch.json, say).
void AppendRawJson(std::string* out, const std::string& json) {
  if (json.find_first_of("\r\n") == std::string::npos) {
    out->append(json);
    return;
  }
  for (char c : json) {
    if (c != '\n' && c != '\r') out->push_back(c);
  }
}

void EncodeScalar(const Message& message, const FieldDescriptor* field, int index, std::string* out) {
  const Reflection* reflection = message.GetReflection();
  const bool repeated = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& value = repeated ? reflection->GetRepeatedStringReference(message, field, index, &scratch)
                                          : reflection->GetStringReference(message, field, &scratch);
      if (IsRawJsonField(field)) {
        AppendRawJson(out, value);
      } else if (field->type() == FieldDescriptor::TYPE_BYTES) {
        AppendJsonString(out, absl::Base64Escape(value));
      } else {
        AppendJsonString(out, value);
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v = repeated ? reflection->GetRepeatedBool(message, field, index) : reflection->GetBool(message, field);
      out->append(v ? "true" : "false");
      return;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number =
          repeated ? reflection->GetRepeatedEnumValue(message, field, index) : reflection->GetEnumValue(message, field);
      const EnumValueDescriptor* value = field->enum_type()->FindValueByNumber(number);
      if (value)
        AppendJsonString(out, value->name());
      else
        absl::StrAppend(out, number);
      return;
    }
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(
          out, repeated ? reflection->GetRepeatedInt32(message, field, index) : reflection->GetInt32(message, field));
      return;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(
          out, repeated ? reflection->GetRepeatedUInt32(message, field, index) : reflection->GetUInt32(message, field));
      return;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(
          out, "\"",
          repeated ? reflection->GetRepeatedInt64(message, field, index) : reflection->GetInt64(message, field), "\"");
      return;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(
          out, "\"",
          repeated ? reflection->GetRepeatedUInt64(message, field, index) : reflection->GetUInt64(message, field),
          "\"");
      return;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      absl::StrAppend(out, absl::StrFormat("%.17g", repeated ? reflection->GetRepeatedDouble(message, field, index)
                                                             : reflection->GetDouble(message, field)));
      return;
    case FieldDescriptor::CPPTYPE_FLOAT:
      absl::StrAppend(out, absl::StrFormat("%.9g", repeated ? reflection->GetRepeatedFloat(message, field, index)
                                                            : reflection->GetFloat(message, field)));
      return;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      EncodeFlowJson(
          repeated ? reflection->GetRepeatedMessage(message, field, index) : reflection->GetMessage(message, field),
          out);
      return;
  }
}

bool IsDefaultScalar(const Message& message, const FieldDescriptor* field) {
  const Reflection* reflection = message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      return reflection->GetStringReference(message, field, &scratch).empty();
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      return !reflection->GetBool(message, field);
    case FieldDescriptor::CPPTYPE_ENUM:
      return reflection->GetEnumValue(message, field) == 0;
    case FieldDescriptor::CPPTYPE_INT32:
      return reflection->GetInt32(message, field) == 0;
    case FieldDescriptor::CPPTYPE_UINT32:
      return reflection->GetUInt32(message, field) == 0;
    case FieldDescriptor::CPPTYPE_INT64:
      return reflection->GetInt64(message, field) == 0;
    case FieldDescriptor::CPPTYPE_UINT64:
      return reflection->GetUInt64(message, field) == 0;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return reflection->GetDouble(message, field) == 0;
    case FieldDescriptor::CPPTYPE_FLOAT:
      return reflection->GetFloat(message, field) == 0;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return !reflection->HasField(message, field);
  }
  return true;
}

void EncodeMap(const Message& message, const FieldDescriptor* field, std::string* out) {
  const Reflection* reflection = message.GetReflection();
  const int size = reflection->FieldSize(message, field);
  std::vector<const Message*> entries;
  entries.reserve(size);
  for (int i = 0; i < size; ++i) entries.push_back(&reflection->GetRepeatedMessage(message, field, i));
  const FieldDescriptor* key_field = field->message_type()->map_key();
  const FieldDescriptor* value_field = field->message_type()->map_value();
  auto key_of = [&](const Message* entry) { return entry->GetReflection()->GetString(*entry, key_field); };
  std::stable_sort(entries.begin(), entries.end(),
                   [&](const Message* a, const Message* b) { return key_of(a) < key_of(b); });
  out->push_back('{');
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, key_of(entries[i]));
    out->push_back(':');
    if (IsRawJsonField(field)) {
      AppendRawJson(out, entries[i]->GetReflection()->GetString(*entries[i], value_field));
    } else {
      EncodeScalar(*entries[i], value_field, -1, out);
    }
  }
  out->push_back('}');
}

}  // namespace

bool IsRawJsonField(const FieldDescriptor* field) {
  const std::string& name = field->name();
  if (field->is_map()) return absl::EndsWith(name, "_json_map");
  return field->type() == FieldDescriptor::TYPE_BYTES &&
         (absl::EndsWith(name, "_json") || absl::EndsWith(name, "_json_vec"));
}

absl::Status DecodeFlowJson(absl::string_view json, Message* message, const FlowJsonOptions& options) {
  message->Clear();
  rapidjson::MemoryStream memory(json.data(), json.size());
  InputStream stream(memory);
  Decoder decoder(json, &stream, message, options);
  rapidjson::Reader reader;
  rapidjson::ParseResult result =
      reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag>(stream, decoder);
  if (!decoder.status().ok()) return decoder.status();
  if (result.IsError()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid JSON at offset ", result.Offset(), ": ", rapidjson::GetParseError_En(result.Code())));
  }
  return absl::OkStatus();
}

void EncodeFlowJson(const Message& message, std::string* out) {
  const Descriptor* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  out->push_back('{');
  bool first = true;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->is_repeated() ? reflection->FieldSize(message, field) == 0 : IsDefaultScalar(message, field)) {
      continue;
    }
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, field->json_name());
    out->push_back(':');
    if (field->is_map()) {
      EncodeMap(message, field, out);
    } else if (field->is_repeated()) {
      out->push_back('[');
      for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
        if (j > 0) out->push_back(',');
        EncodeScalar(message, field, j, out);
      }
      out->push_back(']');
    } else {
      EncodeScalar(message, field, -1, out);
    }
  }
  out->push_back('}');
}

}  // namespace atf
