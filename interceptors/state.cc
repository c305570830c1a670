#include "interceptors/state.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"

namespace atf {
namespace {

bool IsShimKey(absl::string_view key) {
  return key == kStateFormatKey || key == kGlobalKey || key == kControlConfigKey;
}

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
std::string StreamList(const rapidjson::Value& stored, const std::vector<StreamId>& bound) {
  std::vector<std::pair<std::string, std::string>> entries;  // (sort key, entry)
  auto has_key = [&](const std::string& key) { return FindMember(stored, key) != nullptr; };
  auto bound_without_namespace = [&](absl::string_view name) {
    return std::any_of(bound.begin(), bound.end(), [&](const StreamId& id) { return !id.ns && id.name == name; });
  };
  std::vector<std::string> migrated;  // bare keys taken over by a namespaced binding
  for (const StreamId& id : bound) {
    if (!id.ns || has_key(id.StateKey()) || !has_key(id.name)) continue;
    entries.emplace_back(id.StateKey(), StreamEntry(id, *FindMember(stored, id.name)));
    migrated.push_back(id.name);
  }
  for (const auto& member : stored.GetObject()) {
    const std::string key(ViewOf(member.name));
    if (IsShimKey(key)) continue;
    if (std::find(migrated.begin(), migrated.end(), key) != migrated.end() && !bound_without_namespace(key)) continue;
    StreamId id{key, std::nullopt};
    auto match = std::find_if(bound.begin(), bound.end(), [&](const StreamId& b) { return b.StateKey() == key; });
    if (match != bound.end()) {
      id = *match;
    } else if (size_t slash = key.find('/'); slash != std::string::npos) {
      id = StreamId{key.substr(slash + 1), key.substr(0, slash)};
    }
    entries.emplace_back(key, StreamEntry(id, member.value));
  }
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "[";
  for (size_t i = 0; i < entries.size(); ++i) absl::StrAppend(&out, i ? "," : "", entries[i].second);
  out.push_back(']');
  return out;
}

bool IsObjectText(absl::string_view json) {
  absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(json);
  return !trimmed.empty() && trimmed.front() == '{';
}

}  // namespace

absl::StatusOr<std::string> StateForConnector(absl::string_view stored, const std::vector<StreamId>& bound,
                                              bool per_stream_env) {
  if (absl::StripAsciiWhitespace(stored).empty()) return std::string(per_stream_env ? "[]" : "");
  absl::StatusOr<rapidjson::Document> parsed = ParseJson(stored, "the stored state");
  if (!parsed.ok()) {
    // Opaque bytes are the connector's business, unless per-stream was asked for.
    if (per_stream_env) return absl::InvalidArgumentError(parsed.status().message());
    return std::string(stored);
  }
  rapidjson::Document& state = *parsed;
  if (state.IsObject()) {
    if (const rapidjson::Value* global = FindMember(state, kGlobalKey)) {
      return absl::StrCat(R"([{"type":"GLOBAL","global":)", WriteJson(*global), "}]");
    }
    const rapidjson::Value* marker = FindMember(state, kStateFormatKey);
    if (per_stream_env || (marker != nullptr && marker->IsString() && ViewOf(*marker) == "per_stream")) {
      return StreamList(state, bound);
    }
    if (state.HasMember(rapidjson::StringRef(kControlConfigKey.data(), kControlConfigKey.size()))) {
      state.EraseMember(rapidjson::StringRef(kControlConfigKey.data(), kControlConfigKey.size()));
      return WriteJson(state);
    }
    return std::string(stored);
  }
  if (per_stream_env) return state.IsArray() ? std::string(stored) : std::string("[]");
  return std::string(stored);
}

std::optional<std::string> StoredControlConfig(absl::string_view stored) {
  absl::StatusOr<rapidjson::Document> parsed = ParseJson(stored, "the stored state");
  if (!parsed.ok()) return std::nullopt;
  const rapidjson::Value* config = FindMember(*parsed, kControlConfigKey);
  if (config == nullptr || !config->IsObject()) return std::nullopt;
  return WriteJson(*config);
}

void CheckpointBuilder::SetControlConfig(std::string config_json) {
  control_config_ = std::move(config_json);
  control_pending_ = true;
}

std::string CheckpointBuilder::WithControlConfig(absl::string_view object_json, bool replacing) {
  if (!control_config_ || !(control_pending_ || replacing) || !IsObjectText(object_json)) {
    return std::string(object_json);
  }
  control_pending_ = false;
  absl::string_view trimmed = absl::StripAsciiWhitespace(object_json);
  absl::string_view rest = absl::StripLeadingAsciiWhitespace(trimmed.substr(1));
  std::string out = absl::StrCat("{\"", kControlConfigKey, "\":", *control_config_);
  absl::StrAppend(&out, rest.front() == '}' ? "" : ",", rest);
  return out;
}

absl::StatusOr<capture::Response> CheckpointBuilder::FromState(const AirbyteMessage& message) {
  const rapidjson::Value& state = *message.Payload();
  const rapidjson::Value* merge = FindMember(state, "merge");
  const rapidjson::Value* alias = FindMember(state, "estuary.dev/merge");
  if (merge != nullptr && alias != nullptr && !(*merge == *alias)) {
    return absl::InvalidArgumentError("STATE has both `merge` and `estuary.dev/merge`, with different values");
  }
  if (merge == nullptr) merge = alias;
  const bool merge_patch = merge != nullptr && merge->IsBool() && merge->GetBool();

  capture::Response response;
  flow::ConnectorState* checkpoint = response.mutable_checkpoint()->mutable_state();
  if (message.state_data.present) {
    checkpoint->set_updated_json(WithControlConfig(message.state_data.Of(message.line), !merge_patch));
    checkpoint->set_merge_patch(merge_patch);
    return response;
  }
  if (const rapidjson::Value* stream = FindMember(state, "stream"); stream != nullptr && !stream->IsNull()) {
    const rapidjson::Value& descriptor = *FindMember(*stream, "stream_descriptor");
    StreamId id{std::string(ViewOf(*FindMember(descriptor, "name"))), std::nullopt};
    if (const rapidjson::Value* ns = FindMember(descriptor, "namespace"); ns != nullptr && ns->IsString()) {
      id.ns = std::string(ViewOf(*ns));
    }
    // An explicit null deletes the stream's entry; an absent state is {} (as the reference).
    std::string stream_state = message.state_stream_state.present
                                   ? std::string(message.state_stream_state.Of(message.line))
                               : FindMember(*stream, "stream_state") != nullptr ? "null"
                                                                                : "{}";
    std::string updated = "{";
    AppendJsonString(&updated, id.StateKey());
    absl::StrAppend(&updated, ":", stream_state, ",\"", kStateFormatKey, "\":\"per_stream\"}");
    checkpoint->set_updated_json(WithControlConfig(updated, /*replacing=*/false));
    checkpoint->set_merge_patch(true);
    return response;
  }
  checkpoint->set_updated_json(WithControlConfig(
      absl::StrCat("{\"", kGlobalKey, "\":", message.state_global.Of(message.line), "}"), /*replacing=*/true));
  checkpoint->set_merge_patch(false);
  return response;
}

capture::Response CheckpointBuilder::Synthetic() {
  capture::Response response;
  flow::ConnectorState* checkpoint = response.mutable_checkpoint()->mutable_state();
  checkpoint->set_updated_json(WithControlConfig("{}", /*replacing=*/false));
  checkpoint->set_merge_patch(true);
  return response;
}

}  // namespace atf
