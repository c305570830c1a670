// The readable diff of `snapshot --check` and the masks of snapshots (snapshot.h).
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/drive/json_diff.h"
#include "atf/drive/json_util.h"
#include "atf/drive/snapshot.h"
#include "patches/pointer.h"

namespace atf::drive {
namespace {

using Value = rapidjson::Value;

void Mask(Value& value, const std::vector<std::string>& tokens, size_t i, rapidjson::Document::AllocatorType& alloc) {
  if (i == tokens.size()) {
    value.SetString(kMasked, alloc);
    return;
  }
  const std::string& token = tokens[i];
  if (value.IsObject()) {
    for (auto& member : value.GetObject()) {
      if (token == "*" || ViewOf(member.name) == token) Mask(member.value, tokens, i + 1, alloc);
    }
  } else if (value.IsArray()) {
    size_t index;
    const bool numeric = absl::SimpleAtoi(token, &index);
    for (rapidjson::SizeType k = 0; k < value.Size(); ++k) {
      if (token == "*" || (numeric && index == k)) Mask(value[k], tokens, i + 1, alloc);
    }
  }
}

std::map<std::string, const Value*> ByName(const Value& discovered) {
  std::map<std::string, const Value*> out;
  const Value* bindings = FindMember(discovered, "bindings");
  if (bindings == nullptr || !bindings->IsArray()) return out;
  for (const Value& binding : bindings->GetArray()) {
    const Value* name = FindMember(binding, "recommendedName");
    if (name && name->IsString()) out.emplace(std::string(ViewOf(*name)), &binding);
  }
  return out;
}

std::vector<std::string> KeyPointers(const Value& discovered, const std::string& name) {
  std::vector<std::string> key;
  auto bindings = ByName(discovered);
  auto found = bindings.find(name);
  if (found == bindings.end()) return key;
  const Value* pointers = FindMember(*found->second, "key");
  if (pointers == nullptr || !pointers->IsArray()) return key;
  for (const Value& p : pointers->GetArray()) {
    if (p.IsString()) key.emplace_back(ViewOf(p));
  }
  return key;
}

// Documents grouped by key; documents with the same key keep their order.
std::map<std::string, std::vector<const Value*>> ByKey(const Value& docs, const std::vector<std::string>& key) {
  std::map<std::string, std::vector<const Value*>> out;
  if (!docs.IsArray()) return out;
  for (const Value& doc : docs.GetArray()) out[KeyOf(doc, key)].push_back(&doc);
  return out;
}

void DiffCollection(const std::string& name, const Value& before, const Value& after,
                    const std::vector<std::string>& key, std::vector<std::string>* out) {
  const auto old_docs = ByKey(before, key), new_docs = ByKey(after, key);
  const std::string label = absl::StrCat("capture ", name, " document ");
  static const std::vector<const Value*> kNone;
  std::map<std::string, bool> keys;
  for (const auto& [k, docs] : old_docs) keys[k] = true;
  for (const auto& [k, docs] : new_docs) keys[k] = true;
  for (const auto& [k, unused] : keys) {
    auto o = old_docs.find(k);
    auto n = new_docs.find(k);
    const auto& od = o == old_docs.end() ? kNone : o->second;
    const auto& nd = n == new_docs.end() ? kNone : n->second;
    for (size_t i = 0; i < od.size() || i < nd.size(); ++i) {
      const std::string which = od.size() > 1 || nd.size() > 1 ? absl::StrCat(k, "#", i + 1) : k;
      if (i >= nd.size()) {
        out->push_back(absl::StrCat(label, which, ": removed ", ShortJson(*od[i])));
      } else if (i >= od.size()) {
        out->push_back(absl::StrCat(label, which, ": added ", ShortJson(*nd[i])));
      } else {
        for (const JsonChange& change : DiffJson(*od[i], *nd[i])) {
          out->push_back(absl::StrCat(label, which, " ", DescribeChange(change)));
        }
      }
    }
  }
}

}  // namespace

void ApplyMask(Value& value, const std::string& pointer, rapidjson::Document::AllocatorType& allocator) {
  Mask(value, PointerTokens(pointer), 0, allocator);
}

std::vector<std::string> DiffSpec(const Value& before, const Value& after) {
  std::vector<std::string> out;
  for (const JsonChange& change : DiffJson(before, after)) out.push_back("spec " + DescribeChange(change));
  return out;
}

std::vector<std::string> DiffDiscover(const Value& before, const Value& after) {
  std::vector<std::string> out;
  const auto old_bindings = ByName(before), new_bindings = ByName(after);
  for (const auto& [name, binding] : old_bindings) {
    const std::string label = absl::StrCat("discover binding ", name);
    auto found = new_bindings.find(name);
    if (found == new_bindings.end()) {
      out.push_back(label + ": removed");
      continue;
    }
    for (const JsonChange& change : DiffJson(*binding, *found->second)) {
      JsonChange shown = change;
      std::string part;
      for (const char* member : {"/documentSchema", "/resourceConfig"}) {
        if (change.pointer.rfind(member, 0) == 0) {
          part = member[1] == 'd' ? " schema" : " resourceConfig";
          shown.pointer = change.pointer.substr(std::string(member).size());
        }
      }
      if (change.pointer == "/key") {
        out.push_back(absl::StrCat(label, ": key changed ", change.before, " -> ", change.after));
        continue;
      }
      out.push_back(absl::StrCat(label, part, " ", DescribeChange(shown)));
    }
  }
  for (const auto& [name, binding] : new_bindings) {
    if (!old_bindings.count(name)) {
      const Value* key = FindMember(*binding, "key");
      out.push_back(
          absl::StrCat("discover binding ", name, ": added", key ? absl::StrCat(" (key ", ShortJson(*key), ")") : ""));
    }
  }
  return out;
}

std::vector<std::string> DiffCapture(const Value& before, const Value& after, const Value& discovered) {
  std::vector<std::string> out;
  static const Value kEmpty(rapidjson::kObjectType);
  static const Value kNoDocs(rapidjson::kArrayType);
  const Value* oc = FindMember(before, "collections");
  const Value* nc = FindMember(after, "collections");
  const Value& old_collections = oc && oc->IsObject() ? *oc : kEmpty;
  const Value& new_collections = nc && nc->IsObject() ? *nc : kEmpty;
  for (const auto& member : old_collections.GetObject()) {
    const std::string name(ViewOf(member.name));
    const Value* other = FindMember(new_collections, name);
    if (other == nullptr) {
      out.push_back(absl::StrCat("capture ", name, ": removed (", member.value.IsArray() ? member.value.Size() : 0,
                                 " documents)"));
      continue;
    }
    DiffCollection(name, member.value, *other, KeyPointers(discovered, name), &out);
  }
  for (const auto& member : new_collections.GetObject()) {
    if (FindMember(old_collections, ViewOf(member.name)) == nullptr) {
      out.push_back(absl::StrCat("capture ", ViewOf(member.name), ": added (",
                                 member.value.IsArray() ? member.value.Size() : 0, " documents)"));
    }
  }
  static const Value kNull;
  const Value* os = FindMember(before, "state");
  const Value* ns = FindMember(after, "state");
  for (const JsonChange& change : DiffJson(os ? *os : kNull, ns ? *ns : kNull)) {
    out.push_back("capture state " + DescribeChange(change));
  }
  return out;
}

}  // namespace atf::drive
