#include "atf/drive/json_util.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "atf/base/json.h"
#include "patches/pointer.h"
#include "rapidjson/prettywriter.h"
#include "rapidjson/stringbuffer.h"

namespace atf::drive {
namespace {

int TypeRank(const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return 0;
    case rapidjson::kFalseType:
      return 1;
    case rapidjson::kTrueType:
      return 2;
    case rapidjson::kNumberType:
      return 3;
    case rapidjson::kStringType:
      return 4;
    case rapidjson::kArrayType:
      return 5;
    case rapidjson::kObjectType:
      return 6;
  }
  return 7;
}

int CompareNumbers(const rapidjson::Value& a, const rapidjson::Value& b) {
  // Exact for integers (large ids must not collide as doubles).
  if (a.IsInt64() && b.IsInt64()) return a.GetInt64() < b.GetInt64() ? -1 : a.GetInt64() > b.GetInt64() ? 1 : 0;
  if (a.IsUint64() && b.IsUint64()) {
    return a.GetUint64() < b.GetUint64() ? -1 : a.GetUint64() > b.GetUint64() ? 1 : 0;
  }
  const double x = a.GetDouble(), y = b.GetDouble();
  return x < y ? -1 : x > y ? 1 : 0;
}

int CompareStrings(const rapidjson::Value& a, const rapidjson::Value& b) {
  const int c = ViewOf(a).compare(ViewOf(b));
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

}  // namespace

std::string PrettyJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  value.Accept(writer);
  std::string out(buffer.GetString(), buffer.GetSize());
  out.push_back('\n');
  return out;
}

rapidjson::Value SortedCopy(const rapidjson::Value& value, rapidjson::Document::AllocatorType& allocator) {
  if (value.IsArray()) {
    rapidjson::Value out(rapidjson::kArrayType);
    for (const rapidjson::Value& item : value.GetArray()) out.PushBack(SortedCopy(item, allocator), allocator);
    return out;
  }
  if (!value.IsObject()) return rapidjson::Value(value, allocator);
  std::vector<const rapidjson::Value::Member*> members;
  for (const auto& member : value.GetObject()) members.push_back(&member);
  std::stable_sort(members.begin(), members.end(),
                   [](const auto* a, const auto* b) { return ViewOf(a->name) < ViewOf(b->name); });
  rapidjson::Value out(rapidjson::kObjectType);
  for (const auto* member : members) {
    out.AddMember(rapidjson::Value(member->name, allocator), SortedCopy(member->value, allocator), allocator);
  }
  return out;
}

std::string PrettySortedJson(const rapidjson::Value& value) {
  rapidjson::Document doc;
  rapidjson::Value sorted = SortedCopy(value, doc.GetAllocator());
  return PrettyJson(sorted);
}

int CompareJson(const rapidjson::Value& a, const rapidjson::Value& b) {
  const int ra = TypeRank(a), rb = TypeRank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (a.IsNumber()) return CompareNumbers(a, b);
  if (a.IsString()) return CompareStrings(a, b);
  if (a.IsArray()) {
    const rapidjson::SizeType n = std::min(a.Size(), b.Size());
    for (rapidjson::SizeType i = 0; i < n; ++i) {
      if (int c = CompareJson(a[i], b[i]); c != 0) return c;
    }
    return a.Size() < b.Size() ? -1 : a.Size() > b.Size() ? 1 : 0;
  }
  if (a.IsObject()) {
    // Objects compare as their sorted member lists.
    rapidjson::Document scratch;
    rapidjson::Value sa = SortedCopy(a, scratch.GetAllocator()), sb = SortedCopy(b, scratch.GetAllocator());
    auto ia = sa.MemberBegin(), ib = sb.MemberBegin();
    for (; ia != sa.MemberEnd() && ib != sb.MemberEnd(); ++ia, ++ib) {
      if (int c = CompareStrings(ia->name, ib->name); c != 0) return c;
      if (int c = CompareJson(ia->value, ib->value); c != 0) return c;
    }
    if (ia == sa.MemberEnd() && ib == sb.MemberEnd()) return 0;
    return ia == sa.MemberEnd() ? -1 : 1;
  }
  return 0;  // null, or the same boolean
}

std::string ShortJson(const rapidjson::Value& value, size_t max) {
  std::string text = WriteJson(value);
  if (text.size() <= max) return text;
  size_t cut = max;
  // Never cut inside a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  text.append("\xE2\x80\xA6");
  return text;
}

std::string KeyOf(const rapidjson::Value& doc, const std::vector<std::string>& key) {
  std::string out = "[";
  for (size_t i = 0; i < key.size(); ++i) {
    if (i > 0) out.push_back(',');
    const rapidjson::Value* value = QueryPointer(doc, key[i]);
    out += value ? ShortJson(*value, 80) : "null";
  }
  out.push_back(']');
  return out;
}

}  // namespace atf::drive
