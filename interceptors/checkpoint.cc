// The outbound half of interceptors/state.h: STATE messages to checkpoints.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "interceptors/state.h"

namespace atf {

void CheckpointBuilder::SetControlConfig(std::string config_json) {
  control_config_ = std::move(config_json);
  control_pending_ = true;
}

void CheckpointBuilder::SetBackfills(const ConnectorState& state) {
  backfills_json_ = state.backfills_json;
  backfills_pending_ = state.backfills_changed && !backfills_json_.empty();
  // A blob reset (LEGACY, GLOBAL's shared state) replaces the whole stored
  // state at the next checkpoint; a per-stream reset deletes just its entries.
  replace_next_ = state.blob_reset;
  if (state.shape == ConnectorState::Shape::kStream && !state.blob_reset) deletions_ = state.reset_streams;
}

void CheckpointBuilder::SetRowIds(std::string map_json) {
  if (map_json == row_ids_json_) return;
  row_ids_json_ = std::move(map_json);
  row_ids_pending_ = true;
}

std::string CheckpointBuilder::DueMembers(bool replacing, absl::string_view updated_stream) {
  std::string out;
  auto add = [&](absl::string_view key, absl::string_view json) {
    if (!out.empty()) out.push_back(',');
    AppendJsonString(&out, key);
    absl::StrAppend(&out, ":", json);
  };
  if (control_config_ && (control_pending_ || replacing)) {
    add(kControlConfigKey, *control_config_);
    control_pending_ = false;
  }
  if (!backfills_json_.empty() && (backfills_pending_ || (replacing && backfills_json_ != "{}"))) {
    add(kBackfillsKey, backfills_json_);
    backfills_pending_ = false;
  }
  if (!row_ids_json_.empty() && (row_ids_pending_ || replacing)) {
    add(kRowIdsKey, row_ids_json_);
    row_ids_pending_ = false;
  }
  if (!replacing) {
    for (const std::string& stream : deletions_) {
      if (stream != updated_stream) add(stream, "null");
    }
  }
  deletions_.clear();
  return out;
}

std::string CheckpointBuilder::Inject(absl::string_view object_json, const std::string& members) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(object_json);
  if (members.empty() || trimmed.empty() || trimmed.front() != '{') return std::string(object_json);
  absl::string_view rest = absl::StripLeadingAsciiWhitespace(trimmed.substr(1));
  return absl::StrCat("{", members, rest.front() == '}' ? "" : ",", rest);
}

absl::StatusOr<capture::Response> CheckpointBuilder::FromState(const AirbyteMessage& message) {
  const rapidjson::Value& state = *message.Payload();
  const rapidjson::Value* merge = FindMember(state, "merge");
  const rapidjson::Value* alias = FindMember(state, "estuary.dev/merge");
  if (merge != nullptr && alias != nullptr && !(*merge == *alias)) {
    return absl::InvalidArgumentError("STATE has both `merge` and `estuary.dev/merge`, with different values");
  }
  if (merge == nullptr) merge = alias;
  bool merge_patch = merge != nullptr && merge->IsBool() && merge->GetBool();
  // After a blob reset, the first checkpoint replaces what was stored.
  const bool replace = replace_next_;
  replace_next_ = false;

  capture::Response response;
  flow::ConnectorState* checkpoint = response.mutable_checkpoint()->mutable_state();
  if (message.state_data.present) {
    merge_patch = merge_patch && !replace;
    checkpoint->set_updated_json(Inject(message.state_data.Of(message.line), DueMembers(!merge_patch, "")));
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
    const std::string key = id.StateKey();
    std::string updated = "{";
    AppendJsonString(&updated, key);
    absl::StrAppend(&updated, ":", stream_state, ",\"", kStateFormatKey, "\":\"per_stream\"}");
    checkpoint->set_updated_json(Inject(updated, DueMembers(replace, key)));
    checkpoint->set_merge_patch(!replace);
    return response;
  }
  checkpoint->set_updated_json(
      Inject(absl::StrCat("{\"", kGlobalKey, "\":", message.state_global.Of(message.line), "}"), DueMembers(true, "")));
  checkpoint->set_merge_patch(false);
  return response;
}

capture::Response CheckpointBuilder::Synthetic() {
  const bool replace = replace_next_;
  replace_next_ = false;
  capture::Response response;
  flow::ConnectorState* checkpoint = response.mutable_checkpoint()->mutable_state();
  checkpoint->set_updated_json(Inject("{}", DueMembers(replace, "")));
  checkpoint->set_merge_patch(!replace);
  return response;
}

capture::Response CheckpointBuilder::Completion(const std::vector<std::string>& full_refresh_streams) {
  for (const std::string& stream : full_refresh_streams) {
    if (std::find(deletions_.begin(), deletions_.end(), stream) == deletions_.end()) deletions_.push_back(stream);
  }
  const bool replace = replace_next_;
  replace_next_ = false;
  capture::Response response;
  flow::ConnectorState* checkpoint = response.mutable_checkpoint()->mutable_state();
  checkpoint->set_updated_json(
      Inject(absl::StrCat("{\"", kStateFormatKey, "\":\"per_stream\"}"), DueMembers(replace, "")));
  checkpoint->set_merge_patch(!replace);
  return response;
}

}  // namespace atf
