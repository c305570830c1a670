// Connector state (docs/decisions.md, D6): Flow's stored state to the connector's
// state.json at Open, and the connector's STATE messages to Flow checkpoints.
//
// Flow keeps one JSON document per capture and applies each checkpoint to it
// (merge patch or replace). The shim keeps these shapes in it:
//   LEGACY  the connector's `data`, as written;
//   STREAM  {"<stream>" or "<namespace>/<stream>": state, ...,
//            "_airbyte_state_format": "per_stream"}   (merge patches)
//   GLOBAL  {"_airbyte_global": <global state>}       (replaced whole)
// and, when enabled, "_airbyte_control_config": the connector's latest config.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "atf/protocol/airbyte.h"
#include "capture.pb.h"
#include "rapidjson/document.h"

namespace atf {

inline constexpr absl::string_view kStateFormatKey = "_airbyte_state_format";
inline constexpr absl::string_view kGlobalKey = "_airbyte_global";
inline constexpr absl::string_view kControlConfigKey = "_airbyte_control_config";

struct StreamId {
  std::string name;
  std::optional<std::string> ns;
  // The key of the stream's entry in STREAM state: "ns/name" or "name".
  std::string StateKey() const { return ns ? *ns + "/" + name : name; }
};

// The state.json for the connector from Flow's stored state (D6):
//   holds _airbyte_global        -> [{"type":"GLOBAL","global":...}]
//   per-stream marker, or `per_stream_env` -> a STREAM list; a bound
//        namespaced stream without an "ns/name" entry takes a bare "name"
//        entry (the Rust binary's shape), so migrated captures resume
//   otherwise                    -> the stored bytes verbatim (LEGACY)
// The shim's own keys are never handed to the connector.
absl::StatusOr<std::string> StateForConnector(absl::string_view stored, const std::vector<StreamId>& bound,
                                              bool per_stream_env);

// The connector config persisted by an earlier CONTROL message, if any.
std::optional<std::string> StoredControlConfig(absl::string_view stored);

// Turns STATE messages into checkpoints, in D6 precedence: LEGACY `data`
// (exact bytes, `merge` flag), then STREAM (merge patch per stream, `null`
// deletes), then GLOBAL (replaces the whole state).
class CheckpointBuilder {
 public:
  // `control_config`: the persisted connector config known at Open, which
  // replacing checkpoints must carry along.
  explicit CheckpointBuilder(std::optional<std::string> control_config = std::nullopt)
      : control_config_(std::move(control_config)) {}

  absl::StatusOr<capture::Response> FromState(const AirbyteMessage& message);

  // A CONTROL config update, persisted with the next checkpoint.
  void SetControlConfig(std::string config_json);
  // Whether a control config waits for a checkpoint.
  bool control_config_pending() const { return control_pending_; }

  // The synthetic final checkpoint (an empty merge patch, plus a pending control config).
  capture::Response Synthetic();

 private:
  // Adds `_airbyte_control_config` to an object's JSON text when it must be carried.
  std::string WithControlConfig(absl::string_view object_json, bool replacing);

  std::optional<std::string> control_config_;
  bool control_pending_ = false;
};

}  // namespace atf
