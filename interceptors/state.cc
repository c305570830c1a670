#include "interceptors/state.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/status.h"

namespace atf {
namespace {

std::string StreamEntry(const StreamId& id, const rapidjson::Value& state) {
  std::string out = R"({"type":"STREAM","stream":{"stream_descriptor":{"name":)";
  AppendJsonString(&out, id.name);
  if (id.ns) {
    out.append(R"(,"namespace":)");
    AppendJsonString(&out, *id.ns);
  }
  absl::StrAppend(&out, R"(},"stream_state":)", WriteJson(state), "}}");
  return out;
}

// The STREAM list for a per-stream state object (see StateForConnector).
// `kept`/`dropped` (optional) receive the keys of the entries stored, and of
// those left out as full-refresh completion markers.
std::string StreamList(const rapidjson::Value& stored, const std::vector<StreamId>& bound,
                       const std::vector<std::string>& reset = {}, std::vector<std::string>* kept = nullptr,
                       std::vector<std::string>* dropped = nullptr) {
  auto was_reset = [&](absl::string_view key) { return std::find(reset.begin(), reset.end(), key) != reset.end(); };
  std::vector<std::pair<std::string, std::string>> entries;  // (sort key, entry)
  auto has_key = [&](const std::string& key) { return FindMember(stored, key) != nullptr; };
  auto bound_without_namespace = [&](absl::string_view name) {
    return std::any_of(bound.begin(), bound.end(), [&](const StreamId& id) { return !id.ns && id.name == name; });
  };
  std::vector<std::string> migrated;  // bare keys taken over by a namespaced binding
  for (const StreamId& id : bound) {
    if (!id.ns || has_key(id.StateKey()) || !has_key(id.name) || was_reset(id.StateKey())) continue;
    if (IsFullRefreshMarker(*FindMember(stored, id.name))) continue;
    entries.emplace_back(id.StateKey(), StreamEntry(id, *FindMember(stored, id.name)));
    migrated.push_back(id.name);
  }
  for (const auto& member : stored.GetObject()) {
    const std::string key(ViewOf(member.name));
    if (IsShimStateKey(key)) continue;
    if (std::find(migrated.begin(), migrated.end(), key) != migrated.end() && !bound_without_namespace(key)) continue;
    StreamId id{key, std::nullopt};
    auto match = std::find_if(bound.begin(), bound.end(), [&](const StreamId& b) { return b.StateKey() == key; });
    if (match != bound.end()) {
      id = *match;
    } else if (size_t slash = key.find('/'); slash != std::string::npos) {
      id = StreamId{key.substr(slash + 1), key.substr(0, slash)};
    }
    if (was_reset(id.StateKey())) continue;
    if (kept != nullptr) kept->push_back(key);
    if (IsFullRefreshMarker(member.value)) {
      if (dropped != nullptr) dropped->push_back(key);
      continue;
    }
    entries.emplace_back(key, StreamEntry(id, member.value));
  }
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "[";
  for (size_t i = 0; i < entries.size(); ++i) absl::StrAppend(&out, i ? "," : "", entries[i].second);
  out.push_back(']');
  return out;
}

}  // namespace

bool IsFullRefreshMarker(const rapidjson::Value& stream_state) {
  if (!stream_state.IsObject() || stream_state.MemberCount() != 1) return false;
  const auto& member = *stream_state.MemberBegin();
  const absl::string_view name = ViewOf(member.name);
  return (name == "__ab_full_refresh_sync_complete" || name == "__ab_no_cursor_state_message") &&
         member.value.IsBool() && member.value.GetBool();
}

bool IsShimStateKey(absl::string_view key) {
  return key == kStateFormatKey || key == kGlobalKey || key == kControlConfigKey || key == kBackfillsKey ||
         key == kRowIdsKey;
}

absl::StatusOr<std::string> StateForConnector(absl::string_view stored, const std::vector<StreamId>& bound,
                                              bool per_stream_env) {
  std::vector<BoundStream> streams;
  for (const StreamId& id : bound) streams.push_back(BoundStream{id, std::nullopt});
  ATF_ASSIGN_OR_RETURN(ConnectorState state, ConnectorStateFor(stored, streams, per_stream_env));
  return state.json;
}

namespace {

// The counters the stored state's streams belong to (absent: none recorded,
// as in a state written before the shim kept them: then nothing is reset).
std::optional<std::vector<std::pair<std::string, uint32_t>>> StoredBackfills(const rapidjson::Value& state) {
  const rapidjson::Value* map = FindMember(state, kBackfillsKey);
  if (map == nullptr || !map->IsObject()) return std::nullopt;
  std::vector<std::pair<std::string, uint32_t>> out;
  for (const auto& member : map->GetObject()) {
    if (member.value.IsUint()) out.emplace_back(std::string(ViewOf(member.name)), member.value.GetUint());
  }
  return out;
}

// Which streams a backfill resets. A stream's counter is the stored map's
// entry, 0 when absent: a state written before the shim kept counters
// counts as 0 for every stream (then nothing is reset on upgrade, for
// bindings never backfilled). The map keeps non-zero counters only.
void Decide(ConnectorState& out, const rapidjson::Value* state, const std::vector<BoundStream>& bound) {
  std::optional<std::vector<std::pair<std::string, uint32_t>>> stored =
      state != nullptr ? StoredBackfills(*state) : std::nullopt;
  std::string map = "{";
  for (const BoundStream& stream : bound) {
    if (!stream.backfill) continue;
    const std::string key = stream.id.StateKey();
    uint32_t was = 0;
    if (stored) {
      for (const auto& [name, counter] : *stored) {
        if (name == key) was = counter;
      }
    }
    if (was != *stream.backfill) {
      out.backfills_changed = true;
      out.reset_streams.push_back(key);
    }
    if (*stream.backfill == 0) continue;
    if (map.size() > 1) map.push_back(',');
    AppendJsonString(&map, key);
    absl::StrAppend(&map, ":", *stream.backfill);
  }
  map.push_back('}');
  out.backfills_json = map;
  if (const rapidjson::Value* ids = state != nullptr ? FindMember(*state, kRowIdsKey) : nullptr;
      ids != nullptr && ids->IsObject()) {
    for (const auto& member : ids->GetObject()) {
      if (member.value.IsUint64()) out.row_ids.emplace_back(std::string(ViewOf(member.name)), member.value.GetUint64());
    }
  }
}

// GLOBAL state without its shared part and the reset streams' entries.
std::string GlobalWithout(const rapidjson::Value& global, const std::vector<std::string>& reset) {
  rapidjson::Document copy;
  copy.CopyFrom(global, copy.GetAllocator());
  if (copy.IsObject()) {
    copy.RemoveMember("shared_state");
    if (auto it = copy.FindMember("stream_states"); it != copy.MemberEnd() && it->value.IsArray()) {
      rapidjson::Value kept(rapidjson::kArrayType);
      for (auto& entry : it->value.GetArray()) {
        const rapidjson::Value* descriptor = FindMember(entry, "stream_descriptor");
        const rapidjson::Value* name = descriptor ? FindMember(*descriptor, "name") : nullptr;
        const rapidjson::Value* ns = descriptor ? FindMember(*descriptor, "namespace") : nullptr;
        StreamId id{name && name->IsString() ? std::string(ViewOf(*name)) : "", std::nullopt};
        if (ns != nullptr && ns->IsString()) id.ns = std::string(ViewOf(*ns));
        if (std::find(reset.begin(), reset.end(), id.StateKey()) != reset.end()) continue;
        kept.PushBack(rapidjson::Value(entry, copy.GetAllocator()), copy.GetAllocator());
      }
      it->value = std::move(kept);
    }
  }
  return WriteJson(copy);
}

}  // namespace

absl::StatusOr<ConnectorState> ConnectorStateFor(absl::string_view stored, const std::vector<BoundStream>& bound,
                                                 bool per_stream_env) {
  ConnectorState out;
  std::vector<StreamId> ids;
  for (const BoundStream& stream : bound) ids.push_back(stream.id);
  if (absl::StripAsciiWhitespace(stored).empty()) {
    Decide(out, nullptr, bound);
    out.json = per_stream_env ? "[]" : "";
    return out;
  }
  absl::StatusOr<rapidjson::Document> parsed = ParseJson(stored, "the stored state");
  if (!parsed.ok()) {
    // Opaque bytes are the connector's business, unless per-stream was asked for.
    if (per_stream_env) return absl::InvalidArgumentError(parsed.status().message());
    Decide(out, nullptr, bound);
    out.shape = ConnectorState::Shape::kLegacy;
    out.blob_reset = !out.reset_streams.empty();  // one blob for every stream: all of it goes
    out.json = out.blob_reset ? "{}" : std::string(stored);
    return out;
  }
  rapidjson::Document& state = *parsed;
  Decide(out, state.IsObject() ? &state : nullptr, bound);
  if (state.IsObject()) {
    if (const rapidjson::Value* global = FindMember(state, kGlobalKey)) {
      out.shape = ConnectorState::Shape::kGlobal;
      out.blob_reset = !out.reset_streams.empty();
      out.json = absl::StrCat(R"([{"type":"GLOBAL","global":)",
                              out.blob_reset ? GlobalWithout(*global, out.reset_streams) : WriteJson(*global), "}]");
      return out;
    }
    const rapidjson::Value* marker = FindMember(state, kStateFormatKey);
    if (per_stream_env || (marker != nullptr && marker->IsString() && ViewOf(*marker) == "per_stream")) {
      out.shape = ConnectorState::Shape::kStream;
      out.json = StreamList(state, ids, out.reset_streams, &out.stream_keys, &out.markers_dropped);
      return out;
    }
    out.shape = ConnectorState::Shape::kLegacy;
    if (!out.reset_streams.empty()) {
      out.blob_reset = true;  // one blob for every stream: all of it goes
      out.json = "{}";
      return out;
    }
    bool has_shim_keys = false;
    for (const auto& member : state.GetObject()) has_shim_keys = has_shim_keys || IsShimStateKey(ViewOf(member.name));
    if (!has_shim_keys) {
      out.json = std::string(stored);
      return out;
    }
    rapidjson::Value kept(rapidjson::kObjectType);
    for (auto& member : state.GetObject()) {
      if (!IsShimStateKey(ViewOf(member.name))) kept.AddMember(member.name, member.value, state.GetAllocator());
    }
    out.json = WriteJson(kept);
    return out;
  }
  out.shape = ConnectorState::Shape::kLegacy;
  out.blob_reset = !out.reset_streams.empty();
  if (per_stream_env) {
    out.json = state.IsArray() && !out.blob_reset ? std::string(stored) : std::string("[]");
    return out;
  }
  out.json = out.blob_reset ? "{}" : std::string(stored);
  return out;
}

std::optional<std::string> StoredControlConfig(absl::string_view stored) {
  absl::StatusOr<rapidjson::Document> parsed = ParseJson(stored, "the stored state");
  if (!parsed.ok()) return std::nullopt;
  const rapidjson::Value* config = FindMember(*parsed, kControlConfigKey);
  if (config == nullptr || !config->IsObject()) return std::nullopt;
  return WriteJson(*config);
}

}  // namespace atf
