// CompareSchemas: the schema rules of the compatibility classifier (compat.h).
#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "atf/base/json.h"
#include "atf/drive/compat.h"
#include "atf/drive/json_util.h"
#include "patches/pointer.h"

namespace atf::drive {
namespace {

using Value = rapidjson::Value;
using TypeSet = std::set<std::string>;

// Keywords that only ever restrict what a schema accepts, beyond those with
// their own rules below: adding or changing one is breaking, removing it is
// compatible.
constexpr const char* kConstraints[] = {"const",
                                        "pattern",
                                        "multipleOf",
                                        "not",
                                        "dependencies",
                                        "contains",
                                        "propertyNames",
                                        "if",
                                        "then",
                                        "else",
                                        "dependentRequired",
                                        "dependentSchemas",
                                        "prefixItems",
                                        "minContains",
                                        "maxContains",
                                        "unevaluatedProperties",
                                        "unevaluatedItems",
                                        "format",
                                        "allOf",
                                        "reduce"};
constexpr const char* kLowerBounds[] = {"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"};
constexpr const char* kUpperBounds[] = {"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"};
// Keywords compared by their own rules (everything else is an annotation).
constexpr const char* kRuled[] = {
    "type",        "properties", "required",    "additionalProperties", "items", "enum", "anyOf", "oneOf", "$ref",
    "uniqueItems", "$defs",      "definitions", "patternProperties"};

TypeSet AllTypes() { return {"array", "boolean", "integer", "null", "number", "object", "string"}; }

// The types a schema accepts; "number" includes "integer".
TypeSet TypesOf(const Value& schema) {
  const Value* type = FindMember(schema, "type");
  if (type == nullptr) return AllTypes();
  TypeSet types;
  auto add = [&](const Value& t) {
    if (!t.IsString()) return;
    types.insert(std::string(ViewOf(t)));
    if (ViewOf(t) == "number") types.insert("integer");
  };
  if (type->IsArray()) {
    for (const Value& t : type->GetArray()) add(t);
  } else {
    add(*type);
  }
  return types;
}

std::string ShowTypes(const Value& schema) {
  const Value* type = FindMember(schema, "type");
  return type ? ShortJson(*type) : "any";
}

bool Listed(const char* const* begin, const char* const* end, absl::string_view name) {
  return std::any_of(begin, end, [&](const char* k) { return name == k; });
}

std::set<std::string> Names(const Value* list) {
  std::set<std::string> names;
  if (list == nullptr || !list->IsArray()) return names;
  for (const Value& item : list->GetArray()) {
    if (item.IsString()) names.emplace(ViewOf(item));
  }
  return names;
}

class Comparer {
 public:
  Comparer(const Value& old_root, const Value& new_root, const std::string& where, std::vector<CompatFinding>* out)
      : old_root_(old_root), new_root_(new_root), where_(where), out_(out) {}

  void Compare(const Value& old_in, const Value& new_in, const std::string& at, int depth) {
    if (depth > 32) return;
    const Value& o = Resolve(old_root_, old_in);
    const Value& n = Resolve(new_root_, new_in);
    if (o == n) return;
    if (!o.IsObject() || !n.IsObject()) {
      // Boolean schemas: `true` accepts anything, `false` nothing.
      const bool o_all = !o.IsBool() || o.GetBool(), n_all = !n.IsBool() || n.GetBool();
      if (o_all && !n_all) return Note(true, at, "now accepts nothing (false schema)");
      if (!o_all && n_all) return Note(false, at, "now accepts anything");
      if (!o.IsObject() && n.IsObject()) return Note(true, at, "constraints added to a schema that accepted anything");
      if (o.IsObject() && !n.IsObject()) return Note(false, at, "constraints removed");
      return;
    }
    CompareTypes(o, n, at);
    CompareProperties(o, n, at, depth);
    CompareAdditional(o, n, at, depth);
    CompareItems(o, n, at, depth);
    CompareEnum(o, n, at);
    CompareOptions(o, n, at, depth, "anyOf");
    CompareOptions(o, n, at, depth, "oneOf");
    CompareBounds(o, n, at);
    CompareRest(o, n, at);
  }

 private:
  // Follows a local $ref ("#/..."), so that a moved definition is no change.
  static const Value& Resolve(const Value& root, const Value& schema) {
    const Value* s = &schema;
    for (int hops = 0; hops < 8 && s->IsObject(); ++hops) {
      const Value* ref = FindMember(*s, "$ref");
      if (ref == nullptr || !ref->IsString() || !absl::StartsWith(ViewOf(*ref), "#")) break;
      const Value* target = QueryPointer(root, ViewOf(*ref).substr(1));
      if (target == nullptr) break;
      s = target;
    }
    return *s;
  }

  void Note(bool breaking, const std::string& at, std::string what) {
    out_->push_back(CompatFinding{breaking, where_, at, std::move(what)});
  }

  void CompareTypes(const Value& o, const Value& n, const std::string& at) {
    const TypeSet ot = TypesOf(o), nt = TypesOf(n);
    if (ot == nt) return;
    TypeSet added, removed;
    std::set_difference(nt.begin(), nt.end(), ot.begin(), ot.end(), std::inserter(added, added.end()));
    std::set_difference(ot.begin(), ot.end(), nt.begin(), nt.end(), std::inserter(removed, removed.end()));
    const std::string change = absl::StrCat(" from ", ShowTypes(o), " to ", ShowTypes(n));
    if (!removed.empty()) {
      if (removed == TypeSet{"null"} && added.empty()) return Note(true, at, "removed nullability" + change);
      return Note(true, at, absl::StrCat(added.empty() ? "narrowed" : "changed", " type", change));
    }
    if (added == TypeSet{"null"}) return Note(false, at, "added nullability" + change);
    Note(false, at, "widened type" + change);
  }

  void CompareProperties(const Value& o, const Value& n, const std::string& at, int depth) {
    const Value* op = FindMember(o, "properties");
    const Value* np = FindMember(n, "properties");
    const std::set<std::string> old_required = Names(FindMember(o, "required"));
    const std::set<std::string> new_required = Names(FindMember(n, "required"));
    static const Value kEmpty(rapidjson::kObjectType);
    const Value& old_props = op && op->IsObject() ? *op : kEmpty;
    const Value& new_props = np && np->IsObject() ? *np : kEmpty;
    for (const auto& property : old_props.GetObject()) {
      const std::string name(ViewOf(property.name));
      const std::string sub = absl::StrCat(at, "/properties/", EscapePointerToken(name));
      if (const Value* other = FindMember(new_props, name)) {
        Compare(property.value, *other, sub, depth + 1);
      } else {
        Note(true, sub, absl::StrCat("removed property `", name, "`"));
      }
    }
    for (const auto& property : new_props.GetObject()) {
      const std::string name(ViewOf(property.name));
      if (FindMember(old_props, name)) continue;
      const std::string sub = absl::StrCat(at, "/properties/", EscapePointerToken(name));
      if (new_required.count(name)) {
        Note(true, sub, absl::StrCat("new required property `", name, "`"));
      } else {
        Note(false, sub, absl::StrCat("new optional property `", name, "`"));
      }
    }
    for (const std::string& name : new_required) {
      const bool new_property = FindMember(new_props, name) && !FindMember(old_props, name);
      if (!old_required.count(name) && !new_property) {
        Note(true, absl::StrCat(at, "/required"), absl::StrCat("property `", name, "` became required"));
      }
    }
    for (const std::string& name : old_required) {
      if (!new_required.count(name) && FindMember(new_props, name)) {
        Note(false, absl::StrCat(at, "/required"), absl::StrCat("property `", name, "` is no longer required"));
      }
    }
  }

  void CompareAdditional(const Value& o, const Value& n, const std::string& at, int depth) {
    for (const char* keyword : {"additionalProperties", "additionalItems"}) {
      const Value* oa = FindMember(o, keyword);
      const Value* na = FindMember(n, keyword);
      static const Value kTrue(true);
      Compare(oa ? *oa : kTrue, na ? *na : kTrue, absl::StrCat(at, "/", keyword), depth + 1);
    }
    const Value* op = FindMember(o, "patternProperties");
    const Value* np = FindMember(n, "patternProperties");
    if (op && op->IsObject() && np && np->IsObject()) {
      for (const auto& entry : op->GetObject()) {
        const std::string sub = absl::StrCat(at, "/patternProperties/", EscapePointerToken(ViewOf(entry.name)));
        const Value* other = FindMember(*np, ViewOf(entry.name));
        if (other == nullptr) {
          Note(false, sub, "pattern property removed");
        } else {
          Compare(entry.value, *other, sub, depth + 1);
        }
      }
      for (const auto& entry : np->GetObject()) {
        if (FindMember(*op, ViewOf(entry.name)) == nullptr) {
          Note(true, absl::StrCat(at, "/patternProperties/", EscapePointerToken(ViewOf(entry.name))),
               "pattern property added");
        }
      }
    } else if (op == nullptr && np != nullptr) {
      Note(true, at + "/patternProperties", "patternProperties added");
    } else if (op != nullptr && np == nullptr) {
      Note(false, at + "/patternProperties", "patternProperties removed");
    }
  }

  void CompareItems(const Value& o, const Value& n, const std::string& at, int depth) {
    const Value* oi = FindMember(o, "items");
    const Value* ni = FindMember(n, "items");
    static const Value kTrue(true);
    if (oi && ni && oi->IsArray() && ni->IsArray()) {
      const rapidjson::SizeType common = std::min(oi->Size(), ni->Size());
      for (rapidjson::SizeType i = 0; i < common; ++i) {
        Compare((*oi)[i], (*ni)[i], absl::StrCat(at, "/items/", i), depth + 1);
      }
      if (oi->Size() != ni->Size()) Note(true, at + "/items", "tuple length changed");
      return;
    }
    if ((oi && oi->IsArray()) || (ni && ni->IsArray())) {
      if (!(*(oi ? oi : &kTrue) == *(ni ? ni : &kTrue))) Note(true, at + "/items", "items changed shape");
      return;
    }
    Compare(oi ? *oi : kTrue, ni ? *ni : kTrue, at + "/items", depth + 1);
    const Value* ou = FindMember(o, "uniqueItems");
    const Value* nu = FindMember(n, "uniqueItems");
    const bool was = ou && ou->IsBool() && ou->GetBool(), is = nu && nu->IsBool() && nu->GetBool();
    if (!was && is) Note(true, at + "/uniqueItems", "items must now be unique");
    if (was && !is) Note(false, at + "/uniqueItems", "items need no longer be unique");
  }

  void CompareEnum(const Value& o, const Value& n, const std::string& at) {
    const Value* oe = FindMember(o, "enum");
    const Value* ne = FindMember(n, "enum");
    if (oe == nullptr && ne == nullptr) return;
    if (oe == nullptr) return Note(true, at + "/enum", absl::StrCat("enum added: only ", ShortJson(*ne)));
    if (ne == nullptr) return Note(false, at + "/enum", "enum removed");
    if (!oe->IsArray() || !ne->IsArray()) return;
    auto contains = [](const Value& list, const Value& item) {
      return std::any_of(list.Begin(), list.End(), [&](const Value& v) { return v == item; });
    };
    std::vector<std::string> added, removed;
    for (const Value& v : oe->GetArray()) {
      if (!contains(*ne, v)) removed.push_back(ShortJson(v));
    }
    for (const Value& v : ne->GetArray()) {
      if (!contains(*oe, v)) added.push_back(ShortJson(v));
    }
    if (!removed.empty()) Note(true, at + "/enum", absl::StrCat("enum values removed: ", absl::StrJoin(removed, ", ")));
    if (!added.empty()) Note(false, at + "/enum", absl::StrCat("enum values added: ", absl::StrJoin(added, ", ")));
  }

  // anyOf/oneOf options by position: one more accepts more, one fewer less.
  void CompareOptions(const Value& o, const Value& n, const std::string& at, int depth, const char* keyword) {
    const Value* oo = FindMember(o, keyword);
    const Value* no = FindMember(n, keyword);
    const std::string sub = absl::StrCat(at, "/", keyword);
    if (oo == nullptr && no == nullptr) return;
    if (oo == nullptr) return Note(true, sub, absl::StrCat(keyword, " added"));
    if (no == nullptr) return Note(false, sub, absl::StrCat(keyword, " removed"));
    if (!oo->IsArray() || !no->IsArray()) return;
    const rapidjson::SizeType common = std::min(oo->Size(), no->Size());
    for (rapidjson::SizeType i = 0; i < common; ++i) {
      Compare((*oo)[i], (*no)[i], absl::StrCat(sub, "/", i), depth + 1);
    }
    for (rapidjson::SizeType i = common; i < no->Size(); ++i) {
      Note(false, absl::StrCat(sub, "/", i), absl::StrCat("new ", keyword, " option"));
    }
    for (rapidjson::SizeType i = common; i < oo->Size(); ++i) {
      Note(true, absl::StrCat(sub, "/", i), absl::StrCat("removed ", keyword, " option"));
    }
  }

  void CompareBounds(const Value& o, const Value& n, const std::string& at) {
    auto bound = [&](const char* keyword, bool lower) {
      const Value* ob = FindMember(o, keyword);
      const Value* nb = FindMember(n, keyword);
      // Draft-04 boolean exclusive bounds fall to the generic rule.
      if ((ob && !ob->IsNumber()) || (nb && !nb->IsNumber()) || (ob == nullptr && nb == nullptr)) {
        if ((ob || nb) && !(ob && nb && *ob == *nb)) Constraint(keyword, ob, nb, at);
        return;
      }
      const std::string sub = absl::StrCat(at, "/", keyword);
      if (ob == nullptr) return Note(true, sub, absl::StrCat(keyword, " added: ", ShortJson(*nb)));
      if (nb == nullptr) return Note(false, sub, absl::StrCat(keyword, " removed"));
      const double x = ob->GetDouble(), y = nb->GetDouble();
      if (x == y) return;
      const bool tighter = lower ? y > x : y < x;
      Note(
          tighter, sub,
          absl::StrCat(keyword, tighter ? " tightened" : " relaxed", " from ", ShortJson(*ob), " to ", ShortJson(*nb)));
    };
    for (const char* keyword : kLowerBounds) bound(keyword, true);
    for (const char* keyword : kUpperBounds) bound(keyword, false);
  }

  void Constraint(const char* keyword, const Value* ob, const Value* nb, const std::string& at) {
    const std::string sub = absl::StrCat(at, "/", keyword);
    if (ob == nullptr) return Note(true, sub, absl::StrCat("`", keyword, "` added: ", ShortJson(*nb)));
    if (nb == nullptr) return Note(false, sub, absl::StrCat("`", keyword, "` removed"));
    Note(true, sub, absl::StrCat("`", keyword, "` changed from ", ShortJson(*ob), " to ", ShortJson(*nb)));
  }

  // Constraints without a rule of their own, and annotations.
  void CompareRest(const Value& o, const Value& n, const std::string& at) {
    auto handled = [](absl::string_view name) {
      return Listed(std::begin(kRuled), std::end(kRuled), name) ||
             Listed(std::begin(kLowerBounds), std::end(kLowerBounds), name) ||
             Listed(std::begin(kUpperBounds), std::end(kUpperBounds), name) || name == "additionalItems";
    };
    std::set<std::string> names;
    for (const auto& m : o.GetObject()) names.emplace(ViewOf(m.name));
    for (const auto& m : n.GetObject()) names.emplace(ViewOf(m.name));
    for (const std::string& name : names) {
      if (handled(name)) continue;
      const Value* ov = FindMember(o, name);
      const Value* nv = FindMember(n, name);
      if (ov && nv && *ov == *nv) continue;
      if (Listed(std::begin(kConstraints), std::end(kConstraints), name)) {
        Constraint(name.c_str(), ov, nv, at);
      } else {
        Note(false, absl::StrCat(at, "/", EscapePointerToken(name)),
             absl::StrCat("annotation `", name, "` ",
                          ov == nullptr   ? "added"
                          : nv == nullptr ? "removed"
                                          : "changed"));
      }
    }
  }

  const Value& old_root_;
  const Value& new_root_;
  const std::string where_;
  std::vector<CompatFinding>* out_;
};

}  // namespace

std::vector<CompatFinding> CompareSchemas(const Value& old_schema, const Value& new_schema, const std::string& where) {
  std::vector<CompatFinding> findings;
  Comparer(old_schema, new_schema, where, &findings).Compare(old_schema, new_schema, "", 0);
  return findings;
}

}  // namespace atf::drive
