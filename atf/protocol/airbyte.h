// Decoding of the Airbyte protocol lines a connector writes on stdout
// (docs/decisions.md, D3). One SAX pass per line validates the JSON and finds the
// message type; a RECORD is never turned into a DOM: its `data` is located as
// a span of the line so the document can be passed through as written. Other
// message types (rare) are parsed into a DOM as well.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "atf/protocol/repair.h"
#include "rapidjson/document.h"

namespace atf {

enum class AirbyteType { kRecord, kState, kLog, kTrace, kSpec, kConnectionStatus, kCatalog, kControl };

absl::string_view AirbyteTypeName(AirbyteType type);

// A byte range of a line holding one JSON value, exactly as written.
struct Span {
  size_t begin = 0;
  size_t end = 0;
  bool present = false;
  absl::string_view Of(absl::string_view text) const { return text.substr(begin, end - begin); }
};

// Receives the JSON events of a record's `data` while the line is parsed, with
// the byte range of each scalar (used by normalization to rewrite values in
// the same single pass). Keys and container events keep it aware of the path.
class DataVisitor {
 public:
  virtual ~DataVisitor() = default;
  virtual void StartObject() = 0;
  virtual void Key(absl::string_view key) = 0;
  virtual void EndObject() = 0;
  virtual void StartArray() = 0;
  virtual void EndArray() = 0;
  enum class Scalar { kNull, kBool, kNumber, kString };
  // `begin` is where the value starts in the text (a string at its opening
  // quote; ScalarEnd finds its end, should it be needed); `value` is the
  // unescaped string for kString, the number text for kNumber.
  virtual void Value(Scalar kind, size_t begin, absl::string_view value) = 0;
};

// Chooses a visitor for a record's data once its stream is known; returning
// nullptr means the record needs no rewriting.
class DataVisitorFactory {
 public:
  virtual ~DataVisitorFactory() = default;
  virtual DataVisitor* ForRecord(absl::string_view stream, const std::optional<std::string>& ns) = 0;
};

// RapidJSON's SSE2 scans load aligned 16-byte blocks, which may reach up to
// 15 bytes past a NUL terminator: buffers parsed in place keep this much
// addressable room after their NUL.
inline constexpr size_t kParsePadding = 16;

// One past the end of the JSON string, number or literal starting at `begin`.
size_t ScalarEnd(absl::string_view text, size_t begin);

// Feeds the events of `json` (one valid JSON value followed by a NUL byte and
// kParsePadding more bytes) to `visitor`, with spans relative to `json`: the second pass over a
// record's data when its stream was only known after the data.
void VisitJson(absl::string_view json, DataVisitor& visitor);

struct AirbyteMessage {
  AirbyteType type = AirbyteType::kLog;
  absl::string_view line;  // the whole line; valid until the next line is read

  // RECORD
  std::string stream;
  std::optional<std::string> ns;  // the record's namespace
  Span data;                      // record.data as written
  // Whether `data` was already fed to the factory's visitor during the parse
  // (the stream came before the data in the line).
  bool data_visited = false;
  // record.meta as written (Airbyte's `changes` live there), if an object.
  Span record_meta;
  // The top-level `_ab_cdc_deleted_at` of `data`: CDC sources set it on a
  // deleted row (docs/decisions.md, D17).
  enum class CdcDeletedAt : uint8_t { kAbsent, kNull, kSet };
  CdcDeletedAt cdc_deleted_at = CdcDeletedAt::kAbsent;

  // STATE: exact text of the payload members that are present.
  Span state_data, state_global, state_stream_state;

  // What was repaired to make the line JSON (docs/decisions.md, D10); `line`
  // is then the repaired text, owned by the decoder.
  std::vector<LineFix> fixes;

  // Every type but RECORD: the line as a DOM.
  rapidjson::Document doc;

  // The type's payload object in `doc` (`log`, `trace`, `state`, `spec`,
  // `connectionStatus`, `catalog`, `control`), or nullptr.
  const rapidjson::Value* Payload() const;
};

class AirbyteDecoder {
 public:
  explicit AirbyteDecoder(DataVisitorFactory* visitors = nullptr) : visitors_(visitors) {}

  enum class Kind { kMessage, kJunk };
  struct Result {
    Kind kind;
    std::string junk_reason;  // kJunk: why the line is not a protocol message
  };

  // Decodes one line. A line that is not JSON, not an object or has no known
  // `type` is junk (to be warned about). A line that is almost JSON (NaN, a
  // lone surrogate, bytes that are not UTF-8, a huge number) is repaired and
  // says so in `fixes`. A RECORD or STATE that cannot be understood, or a line
  // that says it is one but is not JSON, is an error: dropping it would lose
  // data.
  absl::StatusOr<Result> Decode(absl::string_view line, AirbyteMessage* message);

  // The same, parsing in place on `scratch`: a copy of `line` followed by a
  // NUL byte and kParsePadding more bytes, which the parse overwrites (a
  // caller that copies many lines at once saves a copy per line).
  absl::StatusOr<Result> Decode(absl::string_view line, char* scratch, AirbyteMessage* message);

 private:
  enum class LineParse { kParsed, kFailed };
  struct Shape {
    bool root_is_object = false, has_record = false, record_is_object = false, has_stream = false;
  };
  LineParse Parse(absl::string_view line, char* scratch, AirbyteMessage* message, std::string* problem);
  absl::StatusOr<Result> Classify(AirbyteMessage* message);

  DataVisitorFactory* visitors_;
  std::optional<std::string> type_;  // of the line last parsed
  const char* duplicate_ = nullptr;  // a member it has twice
  Shape shape_;
  RepairedLine repaired_;  // the line last repaired; messages point into it
  std::string copy_;       // the line, parsed in place (the line itself stays as written)
};

}  // namespace atf
