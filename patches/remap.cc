#include "patches/remap.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "patches/pointer.h"

namespace atf {

absl::Status RemapConfig(rapidjson::Document& config, const ConfigMap& map, absl::string_view file) {
  auto error = [&](auto&&... parts) { return absl::FailedPreconditionError(absl::StrCat(file, ": ", parts...)); };
  rapidjson::Document original;
  original.CopyFrom(config, original.GetAllocator());

  ConfigMap sorted = map;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [dest, source] : sorted) {
    if (!dest.empty()) {
      const rapidjson::Value* value = QueryPointer(original, source);
      if (value == nullptr) {
        return error("cannot move `", source, "` to `", dest, "`: `", source, "` is not in the endpoint config");
      }
      rapidjson::Value* slot = CreatePointer(config, dest, config.GetAllocator());
      if (slot == nullptr) {
        return error("cannot move `", source, "` to `", dest, "`: a non-object value is in the way of `", dest, "`");
      }
      slot->CopyFrom(*value, config.GetAllocator());
    }
    const size_t slash = source.rfind('/');
    if (slash == std::string::npos) {
      return error("source `", source, "` of `", dest, "` is not a JSON pointer (it has no `/`)");
    }
    const std::string parent_pointer = source.substr(0, slash);
    const std::string child = source.substr(slash + 1);
    rapidjson::Value* parent = CreatePointer(config, parent_pointer, config.GetAllocator());
    if (parent == nullptr || !parent->IsObject()) {
      return error("cannot remove `", source, "`: `", parent_pointer.empty() ? "/" : parent_pointer,
                   "` is not an object in the endpoint config");
    }
    parent->EraseMember(rapidjson::StringRef(child.data(), static_cast<rapidjson::SizeType>(child.size())));
  }
  return absl::OkStatus();
}

}  // namespace atf
