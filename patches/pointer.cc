#include "patches/pointer.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "atf/base/json.h"

namespace atf {
namespace {

std::optional<size_t> CanonicalIndex(absl::string_view token) {
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return std::nullopt;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  size_t index;
  if (!absl::SimpleAtoi(token, &index)) return std::nullopt;
  return index;
}

template <typename V>
V* Query(V& root, absl::string_view pointer) {
  V* current = &root;
  for (const PointerToken& token : ParsePointer(pointer)) {
    if (current->IsObject()) {
      auto it = current->FindMember(
          rapidjson::StringRef(token.property.data(), static_cast<rapidjson::SizeType>(token.property.size())));
      if (it == current->MemberEnd()) return nullptr;
      current = &it->value;
    } else if (current->IsArray() && token.index && *token.index < current->Size()) {
      current = &(*current)[static_cast<rapidjson::SizeType>(*token.index)];
    } else {
      return nullptr;
    }
  }
  return current;
}

}  // namespace

std::vector<PointerToken> ParsePointer(absl::string_view pointer) {
  std::vector<PointerToken> tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() == '/') pointer.remove_prefix(1);
  for (absl::string_view raw : absl::StrSplit(pointer, '/')) {
    PointerToken token;
    token.property = absl::StrReplaceAll(raw, {{"~1", "/"}, {"~0", "~"}});
    token.index = CanonicalIndex(token.property);
    tokens.push_back(std::move(token));
  }
  return tokens;
}

std::vector<std::string> PointerTokens(absl::string_view pointer) {
  std::vector<std::string> out;
  for (PointerToken& token : ParsePointer(pointer)) out.push_back(std::move(token.property));
  return out;
}

std::string EscapePointerToken(absl::string_view token) {
  return absl::StrReplaceAll(token, {{"~", "~0"}, {"/", "~1"}});
}

std::string PointerFromTokens(const std::vector<std::string>& tokens) {
  std::string out;
  for (const std::string& token : tokens) {
    out.push_back('/');
    out += EscapePointerToken(token);
  }
  return out;
}

const rapidjson::Value* QueryPointer(const rapidjson::Value& root, absl::string_view pointer) {
  return Query(root, pointer);
}

rapidjson::Value* QueryPointer(rapidjson::Value& root, absl::string_view pointer) { return Query(root, pointer); }

rapidjson::Value* CreatePointer(rapidjson::Value& root, absl::string_view pointer,
                                rapidjson::Document::AllocatorType& allocator) {
  rapidjson::Value* current = &root;
  for (const PointerToken& token : ParsePointer(pointer)) {
    const bool append = token.property == "-";
    if (current->IsNull()) {
      if (token.index || append)
        current->SetArray();
      else
        current->SetObject();
    }
    if (current->IsObject()) {
      auto it = current->FindMember(
          rapidjson::StringRef(token.property.data(), static_cast<rapidjson::SizeType>(token.property.size())));
      if (it == current->MemberEnd()) {
        current->AddMember(StringValue(token.property, allocator), rapidjson::Value(), allocator);
        current = &(current->MemberEnd() - 1)->value;
      } else {
        current = &it->value;
      }
    } else if (current->IsArray() && (token.index || append)) {
      size_t index = append ? current->Size() : *token.index;
      while (current->Size() <= index) current->PushBack(rapidjson::Value(), allocator);
      current = &(*current)[static_cast<rapidjson::SizeType>(index)];
    } else {
      return nullptr;
    }
  }
  return current;
}

}  // namespace atf
