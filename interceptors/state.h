// Connector state (docs/decisions.md, D6): Flow's stored state to the connector's
// state.json at Open, and the connector's STATE messages to Flow checkpoints.
//
// Flow keeps one JSON document per capture and applies each checkpoint to it
// (merge patch or replace). The shim keeps these shapes in it:
//   LEGACY  the connector's `data`, as written;
//   STREAM  {"<stream>" or "<namespace>/<stream>": state, ...,
//            "_airbyte_state_format": "per_stream"}   (merge patches)
//   GLOBAL  {"_airbyte_global": <global state>}       (replaced whole)
// and the shim's own bookkeeping, never handed to the connector:
//   "_airbyte_control_config"  the connector's latest config (when enabled)
//   "_airbyte_backfills"       {"<stream key>": backfill counter its state belongs to}
//   "_airbyte_row_ids"         {"<stream key>": next fallback-key row id}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "atf/protocol/airbyte.h"
#include "capture.pb.h"
#include "rapidjson/document.h"

namespace atf {

inline constexpr absl::string_view kStateFormatKey = "_airbyte_state_format";
inline constexpr absl::string_view kGlobalKey = "_airbyte_global";
inline constexpr absl::string_view kControlConfigKey = "_airbyte_control_config";
inline constexpr absl::string_view kBackfillsKey = "_airbyte_backfills";
inline constexpr absl::string_view kRowIdsKey = "_airbyte_row_ids";

// Whether a top-level key of the stored state is the shim's own.
bool IsShimStateKey(absl::string_view key);

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

// A bound stream and the backfill counter Flow gives its binding.
struct BoundStream {
  StreamId id;
  std::optional<uint32_t> backfill;  // nullopt: unknown, never a reset
};

// The state the connector gets at Open, and what a backfill reset in it
// (docs/decisions.md, D16): a stream whose binding's backfill counter is not
// the one its stored state belongs to starts over without state. A state that
// is one blob (LEGACY, or GLOBAL's shared part) is reset whole.
struct ConnectorState {
  enum class Shape { kEmpty, kLegacy, kStream, kGlobal };
  std::string json;  // state.json
  Shape shape = Shape::kEmpty;
  std::vector<std::string> reset_streams;  // state keys of the backfilled streams
  bool blob_reset = false;                 // a LEGACY blob, or GLOBAL's shared state, was dropped
  // {"<stream key>": counter, ...} of the bound streams' non-zero counters,
  // and whether a counter changed (then the next checkpoint records them).
  std::string backfills_json;
  bool backfills_changed = false;
  // {"<stream key>": next row id} as stored, for fallback keys.
  std::vector<std::pair<std::string, uint64_t>> row_ids;
  // STREAM shape: the keys of the stored per-stream entries, and those left
  // out because they hold only a full-refresh completion marker (D17).
  std::vector<std::string> stream_keys, markers_dropped;
};

// Whether a stream state is only the marker Airbyte's CDK writes after a
// completed full-refresh pass (`__ab_full_refresh_sync_complete`) or for a
// stream that cannot resume (`__ab_no_cursor_state_message`): handed back, the
// CDK would read nothing.
bool IsFullRefreshMarker(const rapidjson::Value& stream_state);
absl::StatusOr<ConnectorState> ConnectorStateFor(absl::string_view stored, const std::vector<BoundStream>& bound,
                                                 bool per_stream_env);

// The connector config persisted by an earlier CONTROL message, if any.
std::optional<std::string> StoredControlConfig(absl::string_view stored);

// Turns STATE messages into checkpoints, in D6 precedence: LEGACY `data`
// (exact bytes, `merge` flag), then STREAM (merge patch per stream, `null`
// deletes), then GLOBAL (replaces the whole state). The shim's own keys ride
// along: in every checkpoint that replaces the state, and in the next merge
// patch after they changed (docs/decisions.md, D16).
class CheckpointBuilder {
 public:
  // `control_config`: the persisted connector config known at Open, which
  // replacing checkpoints must carry along.
  explicit CheckpointBuilder(std::optional<std::string> control_config = std::nullopt)
      : control_config_(std::move(control_config)) {}

  // What the Open decided about backfills (ConnectorStateFor): the counters
  // to record, the streams whose old state the next checkpoint deletes, and
  // whether the next checkpoint must replace the whole state.
  void SetBackfills(const ConnectorState& state);
  // The fallback-key row counters after the records written so far.
  void SetRowIds(std::string map_json);

  absl::StatusOr<capture::Response> FromState(const AirbyteMessage& message);

  // A CONTROL config update, persisted with the next checkpoint.
  void SetControlConfig(std::string config_json);
  // Whether something of the shim's waits for a checkpoint.
  bool control_config_pending() const {
    return control_pending_ || backfills_pending_ || !deletions_.empty() || replace_next_ || row_ids_pending_;
  }

  // The synthetic final checkpoint (an empty merge patch, plus what is pending).
  capture::Response Synthetic();
  // The final checkpoint of a completed session (D17): the state of every
  // full-refresh stream is deleted, so the next session reads them again.
  capture::Response Completion(const std::vector<std::string>& full_refresh_streams);

 private:
  // `"key":value,...` of the shim's members due in this checkpoint
  // (`replacing`: it replaces the whole state); `updated_stream`: a stream
  // key this checkpoint sets, not to be deleted.
  std::string DueMembers(bool replacing, absl::string_view updated_stream);
  // `object_json` with `members` added first (when it is an object).
  static std::string Inject(absl::string_view object_json, const std::string& members);

  std::optional<std::string> control_config_;
  bool control_pending_ = false;
  std::string backfills_json_;
  bool backfills_pending_ = false;
  std::vector<std::string> deletions_;
  bool replace_next_ = false;
  std::string row_ids_json_;
  bool row_ids_pending_ = false;
};

}  // namespace atf
