// Capture (docs/reference.md, Capture; docs/decisions.md, D3, D6-D8): Open writes
// state.json, config.json and catalog.json and starts `read`; records are
// routed by (namespace, stream), normalized by their binding's compiled plan
// and written as they come; STATE messages become checkpoints in order.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "atf/runner/record_pipeline.h"
#include "interceptors/catalog.h"
#include "interceptors/interceptor.h"
#include "interceptors/normalize.h"
#include "interceptors/progress.h"
#include "interceptors/record_counts.h"
#include "interceptors/resource.h"
#include "interceptors/state.h"

namespace atf {

// The capture's bindings and how records find theirs: by (namespace,
// stream), or by the stream name alone when that is unambiguous and one side
// has no namespace (D3). Read-only once the Open is prepared, so worker
// threads share it.
class CaptureRoutes {
 public:
  struct Binding {
    uint32_t index;  // position in the Open's bindings
    ResourceSpec resource;
    NormalizationPlan plan;
    uint32_t backfill = 0;  // the binding's backfill counter
    // The collection's schema has the fallback key `_meta/row_id`, which the
    // shim fills (docs/decisions.md, D16).
    bool fills_row_id = false;
    // The schema has `_ab_cdc_deleted_at`: records get `_meta/op` (D17).
    bool cdc = false;
  };

  // An error when a (namespace, stream) is bound twice.
  absl::Status Add(Binding binding, absl::string_view where);
  // The position in bindings() of the record's binding, or nullopt.
  std::optional<uint32_t> Find(absl::string_view stream, const std::optional<std::string>& ns) const;
  const std::vector<Binding>& bindings() const { return bindings_; }

 private:
  std::vector<Binding> bindings_;
  absl::flat_hash_map<std::string, uint32_t> by_id_;                 // routing key -> binding
  absl::flat_hash_map<std::string, std::vector<uint32_t>> by_name_;  // stream name -> bindings
};

// Turns RECORD messages into documents: routing, and normalization during the
// line's parse. One per thread.
class CaptureWorker : public RecordWorker {
 public:
  explicit CaptureWorker(const CaptureRoutes& routes) : routes_(routes) {}
  DataVisitor* ForRecord(absl::string_view stream, const std::optional<std::string>& ns) override;
  std::optional<Encoded> Encode(const AirbyteMessage& message, std::string* arena) override;

 private:
  std::optional<uint32_t> Route(absl::string_view stream, const std::optional<std::string>& ns);

  const CaptureRoutes& routes_;
  // Records come in runs of one stream: the last route is remembered.
  std::string last_stream_;
  std::optional<std::string> last_ns_;
  std::optional<uint32_t> last_route_;
  std::optional<uint32_t> visited_;  // whose plan the normalizer saw during the parse
  DocumentNormalizer normalizer_;
  std::string scratch_in_, scratch_out_;
  std::string changes_, with_meta_;  // record.meta.changes; a document with its `_meta`
};

class CaptureInterceptor : public Interceptor, public RecordEncoder {
 public:
  CaptureInterceptor(OperationContext context, const capture::Request::Open& open);

  absl::string_view name() const override { return "capture"; }
  // Checks the Open, writes the input files and answers `opened`.
  absl::StatusOr<std::vector<std::string>> Prepare() override;
  absl::Status OnMessage(AirbyteMessage& message) override;
  absl::Status OnRepaired(const AirbyteMessage& message, size_t line_number) override;
  absl::Status OnControlConfig(absl::string_view config_json) override;
  void OnTick() override { progress_->LogInterval(log_); }
  DataVisitorFactory* data_visitors() override { return &inline_worker_; }
  RecordEncoder* record_encoder() override { return this; }
  std::unique_ptr<RecordWorker> NewWorker() override { return std::make_unique<CaptureWorker>(routes_); }
  absl::Status WriteEncoded(uint32_t slot, absl::string_view doc, uint8_t marks) override;
  // The connector exited 0: the final checkpoint when one is missing.
  absl::Status Finish(const RunOutcome& outcome) override;

  // True once Prepare found that this shard owns no binding (D16): there is
  // no connector to run, and the session idles until Flow ends it.
  bool owns_no_binding() const { return owns_no_binding_; }

  // Logs the summary of the capture.
  void LogSummary(const RunOutcome& outcome);
  // After a capture that ended well, waits until run_interval_minutes.json
  // minutes have passed since the connector started, unless the config says
  // `_atf_skip_interval`, Flow ends the session or a signal arrives (D8).
  void Linger();

 private:
  absl::Status PrepareBindings();
  absl::StatusOr<std::string> PrepareConfig();
  absl::Status OnRecord(const AirbyteMessage& message);
  absl::Status OnState(const AirbyteMessage& message);
  // The record-count check of a STATE (D17): warns, or fails with --strict-records.
  absl::Status CheckRecordCount(const AirbyteMessage& message, std::optional<uint32_t> slot, absl::string_view stream);
  // Counts and warns about what a worker added to a document (D17).
  void NoteMarks(uint32_t slot, uint8_t marks);
  // The session's state.json, after backfill resets (logged).
  absl::StatusOr<std::string> PrepareState(std::vector<CatalogStream>& catalog_streams);
  // The row ids of fallback-key bindings, as the checkpoint records them.
  std::string RowIdsJson() const;

  const capture::Request::Open& open_;
  CaptureRoutes routes_;
  CaptureWorker inline_worker_{routes_};  // records handled on the session thread
  std::string inline_arena_;
  CheckpointBuilder checkpoints_;
  bool last_was_checkpoint_ = false;
  std::optional<uint64_t> interval_minutes_;
  bool skip_interval_ = false;
  std::optional<CaptureProgress> progress_;
  std::chrono::steady_clock::time_point started_;
  bool owns_no_binding_ = false;
  // Next fallback-key row id, per binding slot (D16): a session position for
  // full-refresh streams, a counter carried in the state for incremental ones.
  std::vector<uint64_t> next_row_id_;
  std::string with_meta_;  // a document with its `_meta` added
  std::optional<RecordCounts> record_counts_;
  std::vector<char> count_warned_;  // per slot, and one more for GLOBAL/LEGACY (bool)
  // Per-stream state: whether the session's state has that shape, and the
  // full-refresh streams holding state, which a completed session clears (D17).
  bool stream_shaped_ = false;
  std::vector<std::string> full_refresh_with_state_;
  // The text of each stream's last STATE (key "" for GLOBAL/LEGACY): an
  // identical STATE with nothing new before it adds no checkpoint.
  absl::flat_hash_map<std::string, std::string> last_state_;
};

}  // namespace atf
