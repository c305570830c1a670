#include "atf/drive/json_diff.h"

#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/drive/json_util.h"
#include "patches/pointer.h"

namespace atf::drive {
namespace {

bool AllScalars(const rapidjson::Value& array) {
  for (const rapidjson::Value& item : array.GetArray()) {
    if (item.IsObject() || item.IsArray()) return false;
  }
  return true;
}

void Diff(const rapidjson::Value& a, const rapidjson::Value& b, const std::string& at, std::vector<JsonChange>* out) {
  if (a == b) return;
  if (a.IsObject() && b.IsObject()) {
    for (const auto& member : a.GetObject()) {
      const std::string sub = absl::StrCat(at, "/", EscapePointerToken(ViewOf(member.name)));
      const rapidjson::Value* other = FindMember(b, ViewOf(member.name));
      if (other == nullptr) {
        out->push_back({JsonChange::Kind::kRemoved, sub, ShortJson(member.value), ""});
      } else {
        Diff(member.value, *other, sub, out);
      }
    }
    for (const auto& member : b.GetObject()) {
      if (FindMember(a, ViewOf(member.name)) == nullptr) {
        out->push_back({JsonChange::Kind::kAdded, absl::StrCat(at, "/", EscapePointerToken(ViewOf(member.name))), "",
                        ShortJson(member.value)});
      }
    }
    return;
  }
  if (a.IsArray() && b.IsArray() && !(AllScalars(a) && AllScalars(b))) {
    const rapidjson::SizeType common = std::min(a.Size(), b.Size());
    for (rapidjson::SizeType i = 0; i < common; ++i) Diff(a[i], b[i], absl::StrCat(at, "/", i), out);
    for (rapidjson::SizeType i = common; i < a.Size(); ++i) {
      out->push_back({JsonChange::Kind::kRemoved, absl::StrCat(at, "/", i), ShortJson(a[i]), ""});
    }
    for (rapidjson::SizeType i = common; i < b.Size(); ++i) {
      out->push_back({JsonChange::Kind::kAdded, absl::StrCat(at, "/", i), "", ShortJson(b[i])});
    }
    return;
  }
  out->push_back({JsonChange::Kind::kChanged, at, ShortJson(a), ShortJson(b)});
}

}  // namespace

std::vector<JsonChange> DiffJson(const rapidjson::Value& before, const rapidjson::Value& after) {
  std::vector<JsonChange> changes;
  Diff(before, after, "", &changes);
  return changes;
}

std::string DescribeChange(const JsonChange& change) {
  const std::string where = change.pointer.empty() ? "(root)" : change.pointer;
  switch (change.kind) {
    case JsonChange::Kind::kAdded:
      return absl::StrCat(where, ": added ", change.after);
    case JsonChange::Kind::kRemoved:
      return absl::StrCat(where, ": removed ", change.before);
    case JsonChange::Kind::kChanged:
      break;
  }
  return absl::StrCat(where, ": changed ", change.before, " -> ", change.after);
}

}  // namespace atf::drive
