// Document normalization (docs/decisions.md, D7). Each binding's write schema is
// compiled once, at Open, into a plan: a tree of the document locations whose
// schema says `format: date-time` (through properties, additionalProperties,
// array items at any depth, tuple items, anyOf/oneOf/allOf and local $refs),
// plus the `datetime_to_date` pointers of streams/<stream>.normalize.json.
// A record is normalized while its line is parsed: the plan is walked along
// with the JSON events and the values to rewrite are replaced by span, so
// there is no schema walk and no re-serialization per record.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "atf/protocol/airbyte.h"
#include "rapidjson/document.h"

namespace atf {

class NormalizationPlan {
 public:
  // `to_date_pointers` are the pointers given `datetime_to_date`.
  static NormalizationPlan Compile(const rapidjson::Value& write_schema,
                                   const std::vector<std::string>& to_date_pointers);

  bool empty() const { return locations_ == 0; }
  // Number of locations that normalize (for logs).
  size_t locations() const { return locations_; }

  struct Node {
    bool date_time = false;  // values here are date-times
    bool to_date = false;    // datetime_to_date applies here
    // A property mapped to kNone normalizes nothing (and is not governed by
    // additionalProperties). Looked up linearly: nodes hold a few keys.
    std::vector<std::pair<std::string, int>> properties;
    // Built only for nodes with many properties.
    absl::flat_hash_map<std::string, int> property_index;
    int other_properties = -1;                  // additionalProperties
    int items = -1;                             // every array element
    std::vector<std::pair<size_t, int>> tuple;  // specific array elements
  };
  static constexpr int kNone = -1;
  static constexpr int kRoot = 0;

  const Node& node(int index) const { return nodes_[static_cast<size_t>(index)]; }
  int PropertyChild(int node, absl::string_view key) const;
  int ElementChild(int node, size_t index) const;

 private:
  NormalizationPlan() : nodes_(1) {}
  int AddNode();
  // A copy of the subtree at `node`.
  int Clone(int node);
  int Child(int node, absl::string_view key);
  int ElementSlot(int node, std::optional<size_t> index);
  void AddSchema(const rapidjson::Value& root, const rapidjson::Value& schema, int node, int depth,
                 std::vector<const rapidjson::Value*>& refs);
  // Unlinks the branches that normalize nothing; true when `node` is kept.
  bool Prune(int node);
  size_t CountLocations(int node) const;

  std::vector<Node> nodes_;
  size_t locations_ = 0;
};

// Follows a plan along the JSON events of one document and collects the
// replacements; Apply then writes the normalized document.
class DocumentNormalizer : public DataVisitor {
 public:
  void Reset(const NormalizationPlan* plan);

  void StartObject() override;
  void Key(absl::string_view key) override;
  void EndObject() override { stack_.pop_back(); }
  void StartArray() override;
  void EndArray() override { stack_.pop_back(); }
  void Value(Scalar kind, size_t begin, absl::string_view value) override;

  bool changed() const { return !replacements_.empty(); }
  // The document with the replacements applied. `text` is the document as
  // written and `base` the offset of its first byte in the spans given to
  // Value. Returns `text` itself when nothing changed.
  absl::string_view Apply(absl::string_view text, size_t base, std::string* scratch) const;

 private:
  struct Frame {
    int node;
    bool array;
    size_t index = 0;                        // arrays: the next element
    int pending = NormalizationPlan::kNone;  // objects: the node of the next value
  };
  // The plan node of the value that starts now.
  int NodeOfNextValue();

  const NormalizationPlan* plan_ = nullptr;
  std::vector<Frame> stack_;
  struct Replacement {
    size_t begin;  // where the value as written starts
    std::string text;
  };
  std::vector<Replacement> replacements_;
};

}  // namespace atf
