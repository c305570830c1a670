#include "atf/drive/compat.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "atf/drive/files.h"
#include "atf/drive/json_util.h"

namespace atf::drive {
namespace {

using Value = rapidjson::Value;

// Resource config members that identify what a binding reads and how: a
// change means the binding's state no longer fits it.
constexpr const char* kResourceIdentity[] = {"stream", "namespace", "syncMode", "cursorField"};
// OAuth members that existing credentials depend on.
constexpr const char* kOAuthIdentity[] = {"provider",
                                          "accessTokenUrlTemplate",
                                          "accessTokenBody",
                                          "accessTokenResponseMap",
                                          "refreshTokenUrlTemplate",
                                          "refreshTokenBody",
                                          "refreshTokenResponseMap"};

const Value& MemberOr(const Value& object, absl::string_view name, const Value& fallback) {
  const Value* value = FindMember(object, name);
  return value ? *value : fallback;
}

void Add(std::vector<CompatFinding>* out, bool breaking, std::string where, std::string pointer, std::string what) {
  out->push_back(CompatFinding{breaking, std::move(where), std::move(pointer), std::move(what)});
}

void Append(std::vector<CompatFinding>* out, std::vector<CompatFinding> more) {
  out->insert(out->end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

void CompareMembers(const Value& o, const Value& n, const std::string& where, const char* const* identity,
                    size_t identity_count, absl::string_view breaking_why, std::vector<CompatFinding>* out) {
  static const Value kEmpty(rapidjson::kObjectType);
  const Value& oo = o.IsObject() ? o : kEmpty;
  const Value& no = n.IsObject() ? n : kEmpty;
  std::set<std::string> names;
  for (const auto& m : oo.GetObject()) names.emplace(ViewOf(m.name));
  for (const auto& m : no.GetObject()) names.emplace(ViewOf(m.name));
  for (const std::string& name : names) {
    const Value* ov = FindMember(oo, name);
    const Value* nv = FindMember(no, name);
    if (ov && nv && *ov == *nv) continue;
    bool breaking = false;
    for (size_t i = 0; i < identity_count; ++i) breaking = breaking || name == identity[i];
    std::string what =
        absl::StrCat("`", name, "` ",
                     ov == nullptr   ? absl::StrCat("added: ", ShortJson(*nv))
                     : nv == nullptr ? absl::StrCat("removed (was ", ShortJson(*ov), ")")
                                     : absl::StrCat("changed from ", ShortJson(*ov), " to ", ShortJson(*nv)));
    if (breaking) absl::StrAppend(&what, " (", breaking_why, ")");
    Add(out, breaking, where, absl::StrCat("/", name), std::move(what));
  }
}

// Bindings by recommendedName, in their order.
std::vector<std::pair<std::string, const Value*>> BindingsOf(const Value& discovered) {
  std::vector<std::pair<std::string, const Value*>> out;
  const Value* bindings = FindMember(discovered, "bindings");
  if (bindings == nullptr || !bindings->IsArray()) return out;
  std::set<std::string> seen;
  for (const Value& binding : bindings->GetArray()) {
    const Value* name = FindMember(binding, "recommendedName");
    if (name == nullptr || !name->IsString() || !seen.emplace(ViewOf(*name)).second) continue;
    out.emplace_back(std::string(ViewOf(*name)), &binding);
  }
  return out;
}

void CompareBinding(const std::string& name, const Value& o, const Value& n, std::vector<CompatFinding>* out) {
  const std::string where = absl::StrCat("discover binding ", name);
  static const Value kNull;
  static const Value kFalse(false);
  static const Value kEmpty(rapidjson::kObjectType);
  const Value& old_key = MemberOr(o, "key", kNull);
  const Value& new_key = MemberOr(n, "key", kNull);
  if (!(old_key == new_key)) {
    Add(out, true, where + " key", "",
        absl::StrCat("key changed from ", ShortJson(old_key), " to ", ShortJson(new_key),
                     " (documents are keyed and reduced differently)"));
  }
  Append(out, CompareSchemas(MemberOr(o, "documentSchema", kEmpty), MemberOr(n, "documentSchema", kEmpty),
                             where + " schema"));
  CompareMembers(MemberOr(o, "resourceConfig", kEmpty), MemberOr(n, "resourceConfig", kEmpty),
                 where + " resourceConfig", kResourceIdentity, std::size(kResourceIdentity),
                 "the binding's stored state may not fit it", out);
  const bool was_disabled = MemberOr(o, "disable", kFalse).IsTrue();
  const bool is_disabled = MemberOr(n, "disable", kFalse).IsTrue();
  if (was_disabled != is_disabled) {
    Add(out, false, where, "/disable",
        is_disabled ? "now discovered disabled (existing bindings keep running)" : "now discovered enabled");
  }
  if (MemberOr(o, "isFallbackKey", kFalse).IsTrue() != MemberOr(n, "isFallbackKey", kFalse).IsTrue()) {
    Add(out, false, where, "/isFallbackKey", "isFallbackKey changed");
  }
}

absl::StatusOr<rapidjson::Document> ReadObject(const std::string& dir, absl::string_view file) {
  const std::string path = JoinPath(dir, file);
  ATF_ASSIGN_OR_RETURN(rapidjson::Document doc, ReadJsonFile(path));
  if (!doc.IsObject()) return absl::InvalidArgumentError(absl::StrCat(path, ": expected a JSON object"));
  return doc;
}

}  // namespace

std::string FormatFinding(const CompatFinding& finding) {
  return absl::StrCat(finding.breaking ? "breaking: " : "compatible: ", finding.where,
                      finding.pointer.empty() ? "" : " ", finding.pointer, ": ", finding.what);
}

std::vector<CompatFinding> ClassifySpec(const Value& old_spec, const Value& new_spec) {
  std::vector<CompatFinding> out;
  static const Value kNull;
  static const Value kEmpty(rapidjson::kObjectType);
  for (const char* schema : {"configSchema", "resourceConfigSchema"}) {
    Append(&out, CompareSchemas(MemberOr(old_spec, schema, kEmpty), MemberOr(new_spec, schema, kEmpty),
                                absl::StrCat("spec ", schema)));
  }
  const Value* old_oauth = FindMember(old_spec, "oauth2");
  const Value* new_oauth = FindMember(new_spec, "oauth2");
  if (old_oauth && !new_oauth) {
    Add(&out, true, "spec oauth2", "", "OAuth removed (configs authorized with it stop working)");
  } else if (!old_oauth && new_oauth) {
    Add(&out, false, "spec oauth2", "", "OAuth added");
  } else if (old_oauth && new_oauth) {
    CompareMembers(*old_oauth, *new_oauth, "spec oauth2", kOAuthIdentity, std::size(kOAuthIdentity),
                   "existing credentials depend on it", &out);
  }
  std::set<std::string> names;
  for (const Value* spec : {&old_spec, &new_spec}) {
    if (!spec->IsObject()) continue;
    for (const auto& m : spec->GetObject()) names.emplace(ViewOf(m.name));
  }
  for (const std::string& name : names) {
    if (name == "configSchema" || name == "resourceConfigSchema" || name == "oauth2") continue;
    const Value& ov = MemberOr(old_spec, name, kNull);
    const Value& nv = MemberOr(new_spec, name, kNull);
    if (ov == nv) continue;
    const std::string change = absl::StrCat("changed from ", ShortJson(ov), " to ", ShortJson(nv));
    if (name == "protocol") {
      Add(&out, true, "spec", "/protocol", absl::StrCat("protocol ", change));
    } else if (name == "resourcePathPointers") {
      Add(&out, true, "spec", "/resourcePathPointers",
          absl::StrCat("resource path pointers ", change, " (bindings' resource paths and state keys change)"));
    } else {
      Add(&out, false, "spec", absl::StrCat("/", name), absl::StrCat("`", name, "` ", change));
    }
  }
  return out;
}

std::vector<CompatFinding> ClassifyDiscover(const Value& old_discovered, const Value& new_discovered) {
  std::vector<CompatFinding> out;
  const auto old_bindings = BindingsOf(old_discovered);
  const auto new_bindings = BindingsOf(new_discovered);
  std::map<std::string, const Value*> new_by_name(new_bindings.begin(), new_bindings.end());
  std::map<std::string, const Value*> old_by_name(old_bindings.begin(), old_bindings.end());
  for (const auto& [name, binding] : old_bindings) {
    auto found = new_by_name.find(name);
    if (found == new_by_name.end()) {
      Add(&out, true, absl::StrCat("discover binding ", name), "", "removed binding (no longer discovered)");
    } else {
      CompareBinding(name, *binding, *found->second, &out);
    }
  }
  for (const auto& [name, binding] : new_bindings) {
    if (!old_by_name.count(name)) Add(&out, false, absl::StrCat("discover binding ", name), "", "new binding");
  }
  return out;
}

absl::StatusOr<std::vector<CompatFinding>> ClassifySnapshots(const std::string& old_dir, const std::string& new_dir) {
  ATF_ASSIGN_OR_RETURN(rapidjson::Document old_spec, ReadObject(old_dir, "spec.json"));
  ATF_ASSIGN_OR_RETURN(rapidjson::Document new_spec, ReadObject(new_dir, "spec.json"));
  ATF_ASSIGN_OR_RETURN(rapidjson::Document old_discover, ReadObject(old_dir, "discover.json"));
  ATF_ASSIGN_OR_RETURN(rapidjson::Document new_discover, ReadObject(new_dir, "discover.json"));
  std::vector<CompatFinding> findings = ClassifySpec(old_spec, new_spec);
  Append(&findings, ClassifyDiscover(old_discover, new_discover));
  return findings;
}

}  // namespace atf::drive
