#include "interceptors/meta.h"

#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "rapidjson/reader.h"

namespace atf {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// `"row_id":1,"op":"d"`: the members to add, without braces.
std::string Members(const DocumentMeta& meta) {
  std::string out;
  auto add = [&](absl::string_view key, absl::string_view json) {
    absl::StrAppend(&out, out.empty() ? "" : ",", "\"", key, "\":", json);
  };
  if (meta.row_id) add("row_id", absl::StrCat(*meta.row_id));
  if (meta.op) {
    std::string op;
    AppendJsonString(&op, *meta.op);
    add("op", op);
  }
  if (meta.changes_json) add("airbyteChanges", *meta.changes_json);
  return out;
}

// Finds the value of the top-level member `_meta`: where it starts and ends
// (RapidJSON's SAX positions, as the line scanner uses them).
class MetaFinder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, MetaFinder> {
 public:
  explicit MetaFinder(const rapidjson::StringStream* stream) : stream_(stream) {}
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == 1) pending_ = absl::string_view(s, n) == "_meta";
    return true;
  }
  bool StartObject() { return Start(); }
  bool StartArray() { return Start(); }
  bool EndObject(rapidjson::SizeType) { return End(); }
  bool EndArray(rapidjson::SizeType) { return End(); }
  bool Default() {
    if (depth_ == 1 && pending_) {
      found_ = true;
      is_object_ = false;
      pending_ = false;
    }
    return true;
  }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return Default(); }
  bool String(const char*, rapidjson::SizeType, bool) { return Default(); }

  bool found() const { return found_; }
  bool is_object() const { return is_object_; }
  size_t begin() const { return begin_; }  // the `{` of `_meta`'s object
  size_t end() const { return end_; }      // one past its `}`

 private:
  bool Start() {
    if (depth_ == 1 && pending_) {
      found_ = true;
      is_object_ = true;
      begin_ = stream_->Tell() - 1;
      meta_depth_ = depth_ + 1;
      pending_ = false;
    }
    ++depth_;
    return true;
  }
  bool End() {
    if (found_ && is_object_ && depth_ == meta_depth_ && end_ == 0) end_ = stream_->Tell();
    --depth_;
    return true;
  }

  const rapidjson::StringStream* stream_;
  int depth_ = 0;
  int meta_depth_ = -1;
  bool pending_ = false;
  bool found_ = false;
  bool is_object_ = false;
  size_t begin_ = 0, end_ = 0;
};

}  // namespace

absl::Status AppendWithMeta(absl::string_view doc, const DocumentMeta& meta, std::string* out) {
  size_t open = 0;
  while (open < doc.size() && IsSpace(doc[open])) ++open;
  if (open == doc.size() || doc[open] != '{') {
    return absl::InvalidArgumentError("the record's data is not a JSON object, so `_meta` cannot be added to it");
  }
  const std::string members = Members(meta);
  // Fast path: no `_meta` anywhere in the text, so none at the top.
  if (doc.find("\"_meta\"") == absl::string_view::npos) {
    size_t next = open + 1;
    while (next < doc.size() && IsSpace(doc[next])) ++next;
    const bool empty = next < doc.size() && doc[next] == '}';
    out->append(doc.data(), open + 1);
    absl::StrAppend(out, "\"_meta\":{", members, "}", empty ? "" : ",");
    out->append(doc.data() + open + 1, doc.size() - open - 1);
    return absl::OkStatus();
  }
  // A `_meta` somewhere: find it at the top level, and merge into it.
  // RapidJSON reads up to a NUL, and its SSE2 string scan up to 15 bytes past it.
  std::string copy(doc);
  copy.append(1 + kParsePadding, '\0');
  rapidjson::StringStream stream(copy.c_str());
  MetaFinder finder(&stream);
  rapidjson::Reader reader;
  if (reader.Parse<rapidjson::kParseNumbersAsStringsFlag>(stream, finder).IsError()) {
    return absl::InvalidArgumentError("the record's data is not valid JSON, so `_meta` cannot be added to it");
  }
  if (!finder.found()) {
    out->append(doc.data(), open + 1);
    absl::StrAppend(out, "\"_meta\":{", members, "},");
    out->append(doc.data() + open + 1, doc.size() - open - 1);
    return absl::OkStatus();
  }
  if (!finder.is_object()) {
    return absl::InvalidArgumentError("the record's data has a `_meta` that is not an object");
  }
  absl::StatusOr<rapidjson::Document> existing =
      ParseJson(doc.substr(finder.begin(), finder.end() - finder.begin()), "the record's `_meta`");
  if (!existing.ok()) return existing.status();
  absl::StatusOr<rapidjson::Document> added = ParseJson(absl::StrCat("{", members, "}"), "`_meta`");
  if (!added.ok()) return added.status();
  for (auto& member : added->GetObject()) {
    existing->RemoveMember(member.name);
    existing->AddMember(rapidjson::Value(member.name, existing->GetAllocator()),
                        rapidjson::Value(member.value, existing->GetAllocator()), existing->GetAllocator());
  }
  out->append(doc.data(), finder.begin());
  out->append(WriteJson(*existing));
  out->append(doc.data() + finder.end(), doc.size() - finder.end());
  return absl::OkStatus();
}

namespace {

// `holder[member]`, created as an empty object where it is missing; null when
// it exists and is not an object.
rapidjson::Value* ObjectMember(rapidjson::Value& holder, absl::string_view member,
                               rapidjson::Document::AllocatorType& alloc) {
  auto it = holder.FindMember(rapidjson::StringRef(member.data(), member.size()));
  if (it == holder.MemberEnd()) {
    holder.AddMember(rapidjson::Value(member.data(), static_cast<rapidjson::SizeType>(member.size()), alloc),
                     rapidjson::Value(rapidjson::kObjectType), alloc);
    return &(holder.MemberEnd() - 1)->value;
  }
  return it->value.IsObject() ? &it->value : nullptr;
}

// Adds `name` to `holder.required` unless it is listed already.
void Require(rapidjson::Value& holder, absl::string_view name, rapidjson::Document::AllocatorType& alloc) {
  auto it = holder.FindMember("required");
  if (it == holder.MemberEnd()) {
    holder.AddMember("required", rapidjson::Value(rapidjson::kArrayType), alloc);
    it = holder.FindMember("required");
  }
  if (!it->value.IsArray()) return;
  for (const rapidjson::Value& listed : it->value.GetArray()) {
    if (listed.IsString() && ViewOf(listed) == name) return;
  }
  it->value.PushBack(rapidjson::Value(name.data(), static_cast<rapidjson::SizeType>(name.size()), alloc), alloc);
}

}  // namespace

bool AddMetaProperty(rapidjson::Document& schema, absl::string_view name, const rapidjson::Value& property,
                     bool required) {
  auto& alloc = schema.GetAllocator();
  if (!schema.IsObject()) return false;
  rapidjson::Value* properties = ObjectMember(schema, "properties", alloc);
  if (properties == nullptr) return false;
  const bool had_meta = properties->HasMember("_meta");
  rapidjson::Value* meta = ObjectMember(*properties, "_meta", alloc);
  if (meta == nullptr) return false;
  if (!had_meta) meta->AddMember("type", "object", alloc);
  rapidjson::Value* meta_properties = ObjectMember(*meta, "properties", alloc);
  if (meta_properties == nullptr) return false;
  rapidjson::Value copy(property, alloc);
  if (auto it = meta_properties->FindMember(rapidjson::StringRef(name.data(), name.size()));
      it != meta_properties->MemberEnd()) {
    it->value = std::move(copy);
  } else {
    meta_properties->AddMember(rapidjson::Value(name.data(), static_cast<rapidjson::SizeType>(name.size()), alloc),
                               copy, alloc);
  }
  if (required) {
    Require(schema, "_meta", alloc);
    Require(*meta, name, alloc);
  }
  return true;
}

rapidjson::Document RowIdSchema() {
  rapidjson::Document doc;
  constexpr absl::string_view kSchema =
      R"({"type":"integer","description":"The fallback key airbyte-to-flow adds: the stream has no primary key."})";
  doc.Parse(kSchema.data(), kSchema.size());
  return doc;
}

bool IsCdcSchema(const rapidjson::Value& schema) {
  const rapidjson::Value* properties = FindMember(schema, "properties");
  return properties != nullptr && properties->IsObject() && properties->HasMember("_ab_cdc_deleted_at");
}

rapidjson::Document OpSchema() {
  rapidjson::Document doc;
  constexpr absl::string_view kSchema =
      R"({"type":"string","enum":["c","u","d"],"description":"The change of a CDC source: d when it deleted the row (its _ab_cdc_deleted_at is set), else u."})";
  doc.Parse(kSchema.data(), kSchema.size());
  return doc;
}

DocumentMeta EnvelopeMeta(const AirbyteMessage& message, bool cdc_stream, std::string* storage, uint8_t* marks) {
  DocumentMeta meta;
  *marks = 0;
  using Cdc = AirbyteMessage::CdcDeletedAt;
  if (cdc_stream || message.cdc_deleted_at != Cdc::kAbsent) {
    const bool deleted = message.cdc_deleted_at == Cdc::kSet;
    meta.op = deleted ? "d" : "u";
    if (deleted) *marks |= kMarkDeleted;
  }
  if (message.record_meta.present) {
    rapidjson::Document envelope;
    const absl::string_view text = message.record_meta.Of(message.line);
    envelope.Parse(text.data(), text.size());
    const rapidjson::Value* changes = envelope.HasParseError() ? nullptr : FindMember(envelope, "changes");
    if (changes != nullptr && changes->IsArray() && !changes->Empty()) {
      *storage = WriteJson(*changes);
      meta.changes_json = *storage;
      *marks |= kMarkSourceChanges;
    }
  }
  return meta;
}

}  // namespace atf
