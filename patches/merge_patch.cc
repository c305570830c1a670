#include "patches/merge_patch.h"

namespace atf {

void ApplyMergePatch(rapidjson::Value& target, const rapidjson::Value& patch,
                     rapidjson::Document::AllocatorType& allocator) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, allocator);
    return;
  }
  if (!target.IsObject()) target.SetObject();
  for (const auto& member : patch.GetObject()) {
    auto existing = target.FindMember(member.name);
    if (member.value.IsNull()) {
      if (existing != target.MemberEnd()) target.EraseMember(existing);
      continue;
    }
    if (existing == target.MemberEnd()) {
      rapidjson::Value name(member.name, allocator);
      rapidjson::Value value;
      ApplyMergePatch(value, member.value, allocator);
      target.AddMember(name, value, allocator);
    } else {
      ApplyMergePatch(existing->value, member.value, allocator);
    }
  }
}

}  // namespace atf
