#include "interceptors/normalize.h"

#include <algorithm>
#include <cstring>

#include "atf/base/json.h"
#include "interceptors/datetime.h"
#include "interceptors/schema.h"
#include "patches/pointer.h"

namespace atf {
namespace {

// Deeper schemas are not compiled further (recursive $refs are cut earlier).
constexpr int kMaxDepth = 64;
// Nodes with more properties than this get a hash index.
constexpr size_t kLinearLookup = 16;

int FindProperty(const std::vector<std::pair<std::string, int>>& properties, absl::string_view key) {
  for (const auto& [name, child] : properties) {
    if (name.size() == key.size() && std::memcmp(name.data(), key.data(), key.size()) == 0) return child;
  }
  return -2;  // absent
}

}  // namespace

int NormalizationPlan::AddNode() {
  nodes_.emplace_back();
  return static_cast<int>(nodes_.size() - 1);
}

int NormalizationPlan::Clone(int node) {
  Node copy = nodes_[node];
  for (auto& [key, child] : copy.properties) child = Clone(child);
  if (copy.other_properties != kNone) copy.other_properties = Clone(copy.other_properties);
  if (copy.items != kNone) copy.items = Clone(copy.items);
  for (auto& [index, child] : copy.tuple) child = Clone(child);
  nodes_.push_back(std::move(copy));
  return static_cast<int>(nodes_.size() - 1);
}

// The node of property `key`. A new one starts as a copy of what
// additionalProperties says, since that governed the property until now.
int NormalizationPlan::Child(int node, absl::string_view key) {
  if (int existing = FindProperty(nodes_[node].properties, key); existing != -2) return existing;
  const int other = nodes_[node].other_properties;
  int child = other != kNone ? Clone(other) : AddNode();
  nodes_[node].properties.emplace_back(std::string(key), child);
  return child;
}

// The node for array elements: all of them, or the one at `index`.
int NormalizationPlan::ElementSlot(int node, std::optional<size_t> index) {
  if (!index) {
    if (nodes_[node].items == kNone) {
      int child = AddNode();
      nodes_[node].items = child;
    }
    return nodes_[node].items;
  }
  for (const auto& [i, child] : nodes_[node].tuple) {
    if (i == *index) return child;
  }
  // Like Child: a new element slot starts as a copy of what `items` says.
  const int items = nodes_[node].items;
  int child = items != kNone ? Clone(items) : AddNode();
  nodes_[node].tuple.emplace_back(*index, child);
  return child;
}

void NormalizationPlan::AddSchema(const rapidjson::Value& root, const rapidjson::Value& schema, int node, int depth,
                                  std::vector<const rapidjson::Value*>& refs) {
  if (!schema.IsObject() || depth > kMaxDepth) return;
  if (const rapidjson::Value* ref = FindMember(schema, "$ref"); ref != nullptr && ref->IsString()) {
    const rapidjson::Value* target = ResolveRef(root, ViewOf(*ref));
    if (target != nullptr && std::find(refs.begin(), refs.end(), target) == refs.end()) {
      refs.push_back(target);
      AddSchema(root, *target, node, depth + 1, refs);
      refs.pop_back();
    }
  }
  if (const rapidjson::Value* format = FindMember(schema, "format");
      format != nullptr && format->IsString() && ViewOf(*format) == "date-time") {
    nodes_[node].date_time = true;
  }
  if (const rapidjson::Value* properties = FindMember(schema, "properties"); properties && properties->IsObject()) {
    for (const auto& member : properties->GetObject()) {
      int child = Child(node, ViewOf(member.name));
      AddSchema(root, member.value, child, depth + 1, refs);
    }
  }
  if (const rapidjson::Value* other = FindMember(schema, "additionalProperties"); other && other->IsObject()) {
    if (nodes_[node].other_properties == kNone) {
      int child = AddNode();
      nodes_[node].other_properties = child;
    }
    AddSchema(root, *other, nodes_[node].other_properties, depth + 1, refs);
  }
  if (const rapidjson::Value* items = FindMember(schema, "items")) {
    if (items->IsObject()) {
      int child = ElementSlot(node, std::nullopt);
      AddSchema(root, *items, child, depth + 1, refs);
    } else if (items->IsArray()) {
      for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
        int child = ElementSlot(node, i);
        AddSchema(root, (*items)[i], child, depth + 1, refs);
      }
    }
  }
  for (const char* combinator : {"anyOf", "oneOf", "allOf"}) {
    if (const rapidjson::Value* branches = FindMember(schema, combinator); branches && branches->IsArray()) {
      for (const rapidjson::Value& branch : branches->GetArray()) AddSchema(root, branch, node, depth + 1, refs);
    }
  }
}

bool NormalizationPlan::Prune(int node) {
  bool keep = nodes_[node].date_time || nodes_[node].to_date;
  for (int* child : {&nodes_[node].other_properties, &nodes_[node].items}) {
    if (*child != kNone) {
      if (Prune(*child))
        keep = true;
      else
        *child = kNone;
    }
  }
  // Properties that normalize nothing stay as kNone only where
  // additionalProperties would otherwise claim them.
  Node& n = nodes_[node];
  for (auto& [name, child] : n.properties) {
    if (child != kNone && Prune(child))
      keep = true;
    else
      child = kNone;
  }
  if (n.other_properties == kNone) {
    n.properties.erase(
        std::remove_if(n.properties.begin(), n.properties.end(), [](const auto& p) { return p.second == kNone; }),
        n.properties.end());
  }
  if (n.properties.size() > kLinearLookup) {
    for (const auto& [name, child] : n.properties) n.property_index.emplace(name, child);
  }
  for (auto& [index, child] : n.tuple) {
    if (child != kNone && Prune(child))
      keep = true;
    else
      child = kNone;
  }
  if (n.items == kNone) {
    n.tuple.erase(std::remove_if(n.tuple.begin(), n.tuple.end(), [](const auto& e) { return e.second == kNone; }),
                  n.tuple.end());
  }
  return keep;
}

NormalizationPlan NormalizationPlan::Compile(const rapidjson::Value& write_schema,
                                             const std::vector<std::string>& to_date_pointers) {
  NormalizationPlan plan;
  std::vector<const rapidjson::Value*> refs;
  plan.AddSchema(write_schema, write_schema, kRoot, 0, refs);
  for (const std::string& pointer : to_date_pointers) {
    // A numeric token names an array element as well as a property.
    std::vector<int> nodes = {kRoot};
    for (const PointerToken& token : ParsePointer(pointer)) {
      std::vector<int> next;
      for (int node : nodes) {
        next.push_back(plan.Child(node, token.property));
        if (token.index) next.push_back(plan.ElementSlot(node, token.index));
      }
      nodes = std::move(next);
    }
    for (int node : nodes) plan.nodes_[node].to_date = true;
  }
  plan.Prune(kRoot);
  plan.locations_ = plan.CountLocations(kRoot);
  return plan;
}

size_t NormalizationPlan::CountLocations(int node) const {
  if (node == kNone) return 0;
  const Node& n = nodes_[node];
  size_t count = (n.date_time || n.to_date) ? 1 : 0;
  for (const auto& [key, child] : n.properties) count += CountLocations(child);
  count += CountLocations(n.other_properties) + CountLocations(n.items);
  for (const auto& [index, child] : n.tuple) count += CountLocations(child);
  return count;
}

int NormalizationPlan::PropertyChild(int node, absl::string_view key) const {
  if (node == kNone) return kNone;
  const Node& n = nodes_[node];
  if (!n.property_index.empty()) {
    auto it = n.property_index.find(key);
    return it != n.property_index.end() ? it->second : n.other_properties;
  }
  const int child = FindProperty(n.properties, key);
  return child != -2 ? child : n.other_properties;
}

int NormalizationPlan::ElementChild(int node, size_t index) const {
  if (node == kNone) return kNone;
  const Node& n = nodes_[node];
  for (const auto& [i, child] : n.tuple) {
    if (i == index) return child;
  }
  return n.items;
}

void DocumentNormalizer::Reset(const NormalizationPlan* plan) {
  plan_ = plan;
  stack_.clear();
  replacements_.clear();
}

int DocumentNormalizer::NodeOfNextValue() {
  if (stack_.empty()) return NormalizationPlan::kRoot;
  Frame& top = stack_.back();
  if (top.array) return plan_->ElementChild(top.node, top.index++);
  return top.pending;
}

void DocumentNormalizer::StartObject() { stack_.push_back(Frame{NodeOfNextValue(), false}); }
void DocumentNormalizer::StartArray() { stack_.push_back(Frame{NodeOfNextValue(), true}); }

void DocumentNormalizer::Key(absl::string_view key) {
  Frame& top = stack_.back();
  top.pending = plan_->PropertyChild(top.node, key);
}

void DocumentNormalizer::Value(Scalar kind, size_t begin, absl::string_view value) {
  const int node = NodeOfNextValue();
  if (node == NormalizationPlan::kNone) return;
  const NormalizationPlan::Node& n = plan_->node(node);
  std::optional<std::string> replaced;
  if (n.date_time && kind == Scalar::kString) replaced = NormalizeDateTimeString(value);
  if (n.date_time && kind == Scalar::kNumber) replaced = NormalizeEpochNumber(value);
  if (n.to_date && (kind == Scalar::kString || replaced)) {
    if (std::optional<std::string> date = DatetimeToDate(replaced ? *replaced : std::string(value))) replaced = date;
  }
  if (!replaced) return;
  std::string json;
  AppendJsonString(&json, *replaced);
  replacements_.push_back(Replacement{begin, std::move(json)});
}

absl::string_view DocumentNormalizer::Apply(absl::string_view text, size_t base, std::string* scratch) const {
  if (replacements_.empty()) return text;
  scratch->clear();
  size_t at = 0;
  for (const Replacement& r : replacements_) {
    const size_t begin = r.begin - base;
    scratch->append(text.data() + at, begin - at);
    scratch->append(r.text);
    at = ScalarEnd(text, begin);
  }
  scratch->append(text.data() + at, text.size() - at);
  return *scratch;
}

}  // namespace atf
