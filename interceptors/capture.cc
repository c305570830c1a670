#include "interceptors/capture.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "interceptors/catalog.h"
#include "interceptors/meta.h"
#include "interceptors/shards.h"
#include "patches/merge_patch.h"
#include "patches/pointer.h"

namespace atf {
namespace {

constexpr absl::string_view kSkipIntervalKey = "_atf_skip_interval";

// A routing key that cannot confuse "ns" + "a/b" with "ns/a" + "b".
std::string RouteKey(absl::string_view stream, const std::optional<std::string>& ns) {
  std::string key = ns ? absl::StrCat("+", *ns) : "-";
  key.push_back('\0');
  key.append(stream.data(), stream.size());
  return key;
}

std::string Describe(absl::string_view stream, const std::optional<std::string>& ns) {
  return ns ? absl::StrCat("`", stream, "` in namespace `", *ns, "`") : absl::StrCat("`", stream, "`");
}

}  // namespace

CaptureInterceptor::CaptureInterceptor(OperationContext context, const capture::Request::Open& open)
    : Interceptor(context), open_(open) {}

namespace {

// Whether a write schema holds the fallback key `_meta/row_id` (D16).
bool HasRowId(const flow::CollectionSpec& collection, const rapidjson::Value& schema) {
  for (const std::string& key : collection.key()) {
    if (key == kRowIdPointer) return true;
  }
  return QueryPointer(schema, "/properties/_meta/properties/row_id") != nullptr;
}

}  // namespace

absl::Status CaptureInterceptor::PrepareBindings() {
  const flow::CaptureSpec& capture = open_.capture();
  // A split capture: this shard captures only the bindings its range owns (D16).
  bool split = open_.has_range() && !IsFullRange(open_.range());
  if (split && open_.range().key_begin() > open_.range().key_end()) {
    return absl::InvalidArgumentError(absl::StrFormat("the Open's range is empty (keyBegin %08x > keyEnd %08x)",
                                                      open_.range().key_begin(), open_.range().key_end()));
  }
  if (split && open_.range().key_end() == 0) {
    // `"range":{}` (keyEnd left out) is a hand-written Open, never a split
    // Flow makes: capturing nothing would look like success.
    log_.Warn("the Open's range ends at key 0 (no keyEnd): capturing every binding, as for the whole key range");
    split = false;
  }
  bool any_collection = false;
  std::vector<std::string> owned, elsewhere;
  for (int i = 0; i < capture.bindings_size(); ++i) {
    const flow::CaptureSpec::Binding& binding = capture.bindings(i);
    const std::string where = absl::StrCat(
        "binding ", i, binding.collection().name().empty() ? "" : " (" + binding.collection().name() + ")");
    if (!binding.has_collection()) {
      log_.Debug(absl::StrCat(where, " has no collection; it is not captured"));
      continue;
    }
    any_collection = true;
    absl::StatusOr<ResourceSpec> resource = ParseResourceSpec(binding.resource_config_json());
    if (!resource.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ": ", resource.status().message()));
    const std::string name = StreamId{resource->stream, resource->ns}.StateKey();
    if (split && !OwnsHash(open_.range(), BindingHash(BindingIdentity(binding, *resource)))) {
      elsewhere.push_back(name);
      continue;
    }
    ATF_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> to_date,
                         ctx_.connector_dir.StreamNormalizations(resource->stream));
    const std::string& write_schema = binding.collection().write_schema_json();
    absl::StatusOr<rapidjson::Document> schema =
        ParseJson(write_schema.empty() ? "{}" : write_schema, absl::StrCat(where, " writeSchema"));
    if (!schema.ok()) return absl::InvalidArgumentError(schema.status().message());

    CaptureRoutes::Binding compiled{static_cast<uint32_t>(i),
                                    *resource,
                                    NormalizationPlan::Compile(*schema, to_date.value_or(std::vector<std::string>{})),
                                    binding.backfill(),
                                    HasRowId(binding.collection(), *schema),
                                    IsCdcSchema(*schema)};
    ATF_RETURN_IF_ERROR(routes_.Add(std::move(compiled), where));
    owned.push_back(name);
  }
  if (!any_collection) {
    return absl::InvalidArgumentError("the Open has no binding with a collection: there is nothing to capture");
  }
  if (split) {
    auto list = [](const std::vector<std::string>& names) {
      std::string json = "[";
      for (size_t i = 0; i < names.size(); ++i) {
        if (i > 0) json.push_back(',');
        AppendJsonString(&json, names[i]);
      }
      return json + "]";
    };
    log_.Info(absl::StrCat("this shard captures ", owned.size(), " of ", owned.size() + elsewhere.size(),
                           " bindings; the other shards of the capture take the rest"),
              LogFields()
                  .AddJson("streams", list(owned))
                  .Add("key_begin", absl::StrFormat("%08x", open_.range().key_begin()))
                  .Add("key_end", absl::StrFormat("%08x", open_.range().key_end())));
  }
  owns_no_binding_ = routes_.bindings().empty();
  return absl::OkStatus();
}

absl::StatusOr<std::string> CaptureInterceptor::PrepareState(std::vector<CatalogStream>& catalog_streams) {
  std::vector<BoundStream> bound;
  for (const CaptureRoutes::Binding& binding : routes_.bindings()) {
    bound.push_back(BoundStream{StreamId{binding.resource.stream, binding.resource.ns}, binding.backfill});
  }
  absl::StatusOr<ConnectorState> state = ConnectorStateFor(open_.state_json(), bound, ctx_.options.per_stream_state);
  if (!state.ok()) return Annotate(state.status(), "the Open's state");
  std::string reset;
  for (const std::string& stream : state->reset_streams)
    absl::StrAppend(&reset, reset.empty() ? "`" : ", `", stream, "`");
  if (state->blob_reset && state->shape == ConnectorState::Shape::kLegacy) {
    log_.Warn(absl::StrCat("backfilling ", reset,
                           ": the connector keeps one LEGACY state for all its streams, which "
                           "cannot be split, so all of it is reset and every stream starts over"));
  } else if (state->blob_reset) {
    log_.Warn(absl::StrCat("backfilling ", reset,
                           ": the connector's GLOBAL state is shared by its streams, so its "
                           "shared part (such as a CDC position) is dropped with the stream's own entry; the other "
                           "streams keep theirs"));
  } else if (!reset.empty()) {
    log_.Info(absl::StrCat("backfilling ", reset,
                           " from the start (the binding's backfill counter changed); the "
                           "other streams resume"));
  }
  checkpoints_.SetBackfills(*state);
  stream_shaped_ = state->shape == ConnectorState::Shape::kStream;
  for (const CaptureRoutes::Binding& binding : routes_.bindings()) {
    const std::string key = StreamId{binding.resource.stream, binding.resource.ns}.StateKey();
    if (binding.resource.sync_mode == "full_refresh" &&
        std::find(state->stream_keys.begin(), state->stream_keys.end(), key) != state->stream_keys.end()) {
      full_refresh_with_state_.push_back(key);
    }
  }
  if (!state->markers_dropped.empty()) {
    log_.Info(absl::StrCat("not handing back the completed full-refresh pass of `",
                           absl::StrJoin(state->markers_dropped, "`, `"),
                           "`: the connector reads them again from the start"));
  }
  // Refresh fields for connectors that read them, and the row counters.
  const uint64_t sync_id = static_cast<uint64_t>(absl::ToUnixSeconds(absl::Now()));
  next_row_id_.assign(routes_.bindings().size(), 0);
  for (size_t slot = 0; slot < routes_.bindings().size(); ++slot) {
    const CaptureRoutes::Binding& binding = routes_.bindings()[slot];
    const std::string key = StreamId{binding.resource.stream, binding.resource.ns}.StateKey();
    const bool restarted =
        std::find(state->reset_streams.begin(), state->reset_streams.end(), key) != state->reset_streams.end() ||
        (state->blob_reset && state->shape == ConnectorState::Shape::kLegacy);
    catalog_streams[slot].generation_id = binding.backfill;
    catalog_streams[slot].minimum_generation_id = restarted ? binding.backfill : 0;
    catalog_streams[slot].sync_id = sync_id;
    if (binding.fills_row_id && binding.resource.sync_mode == "incremental" && !restarted) {
      for (const auto& [stream, next] : state->row_ids) {
        if (stream == key) next_row_id_[slot] = next;
      }
    }
  }
  checkpoints_.SetRowIds(RowIdsJson());
  return state->json;
}

std::string CaptureInterceptor::RowIdsJson() const {
  std::string out;
  for (size_t slot = 0; slot < routes_.bindings().size(); ++slot) {
    const CaptureRoutes::Binding& binding = routes_.bindings()[slot];
    // Full-refresh positions restart with each run: only incremental ones are kept.
    if (!binding.fills_row_id || binding.resource.sync_mode != "incremental") continue;
    absl::StrAppend(&out, out.empty() ? "{" : ",");
    AppendJsonString(&out, StreamId{binding.resource.stream, binding.resource.ns}.StateKey());
    absl::StrAppend(&out, ":", next_row_id_[slot]);
  }
  return out.empty() ? out : out + "}";
}

absl::StatusOr<std::string> CaptureInterceptor::PrepareConfig() {
  ATF_ASSIGN_OR_RETURN(rapidjson::Document config, ConnectorConfig(ctx_, open_.capture().config_json()));
  // `_atf_skip_interval` is the shim's, read before remapping and never
  // handed to the connector.
  absl::StatusOr<rapidjson::Document> original =
      ParseJson(open_.capture().config_json().empty() ? "{}" : open_.capture().config_json(), "endpoint config");
  const rapidjson::Value* skip = original.ok() ? FindMember(*original, kSkipIntervalKey) : nullptr;
  skip_interval_ = skip != nullptr && skip->IsBool() && skip->GetBool();
  if (config.IsObject()) config.EraseMember(rapidjson::StringRef(kSkipIntervalKey.data(), kSkipIntervalKey.size()));

  if (ctx_.options.persist_control_config) {
    if (std::optional<std::string> stored = StoredControlConfig(open_.state_json())) {
      absl::StatusOr<rapidjson::Document> control = ParseJson(*stored, "persisted connector config");
      if (control.ok()) {
        ApplyMergePatch(config, *control, config.GetAllocator());
        ctx_.memory.redactor.AddConfigSecrets(*control, ctx_.memory.secret_paths);
        checkpoints_ = CheckpointBuilder(*stored);
        log_.Info("using the connector config persisted by an earlier CONTROL message");
      }
    }
  }
  return WriteJson(config);
}

absl::StatusOr<std::vector<std::string>> CaptureInterceptor::Prepare() {
  if (!open_.has_capture()) return absl::InvalidArgumentError("the Open request has no `capture`");
  ATF_RETURN_IF_ERROR(PrepareBindings());
  ATF_ASSIGN_OR_RETURN(std::optional<uint64_t> interval, ctx_.connector_dir.RunIntervalMinutes());
  interval_minutes_ = interval;
  if (owns_no_binding_) {
    // Nothing to run here: answer, then idle until Flow ends the session.
    progress_.emplace(std::vector<std::string>{});
    capture::Response opened;
    opened.mutable_opened();
    ATF_RETURN_IF_ERROR(ctx_.out.Write(opened));
    ATF_RETURN_IF_ERROR(ctx_.out.Flush());
    return std::vector<std::string>{};
  }

  ATF_ASSIGN_OR_RETURN(std::string config, PrepareConfig());
  std::vector<StreamId> bound;
  std::vector<CatalogStream> catalog_streams;
  std::vector<std::string> names;
  for (const CaptureRoutes::Binding& binding : routes_.bindings()) {
    bound.push_back(StreamId{binding.resource.stream, binding.resource.ns});
    catalog_streams.push_back(CatalogStream{&open_.capture().bindings(binding.index), &binding.resource});
    names.push_back(bound.back().StateKey());
  }
  ATF_ASSIGN_OR_RETURN(std::string state, PrepareState(catalog_streams));

  ATF_ASSIGN_OR_RETURN(std::string config_path, WriteInputFile(ctx_, "config.json", config));
  ATF_ASSIGN_OR_RETURN(std::string catalog_path,
                       WriteInputFile(ctx_, "catalog.json", ConfiguredCatalog(open_, catalog_streams)));
  ATF_ASSIGN_OR_RETURN(std::string state_path, WriteInputFile(ctx_, "state.json", state));

  progress_.emplace(std::move(names));
  record_counts_.emplace(routes_.bindings().size());
  count_warned_.assign(routes_.bindings().size() + 1, false);
  capture::Response opened;
  opened.mutable_opened();
  ATF_RETURN_IF_ERROR(ctx_.out.Write(opened));
  ATF_RETURN_IF_ERROR(ctx_.out.Flush());
  started_ = std::chrono::steady_clock::now();
  return std::vector<std::string>{"read", "--config", config_path, "--catalog", catalog_path, "--state", state_path};
}

absl::Status CaptureRoutes::Add(Binding binding, absl::string_view where) {
  const std::string key = RouteKey(binding.resource.stream, binding.resource.ns);
  if (by_id_.contains(key)) {
    return absl::InvalidArgumentError(absl::StrCat(where, " captures stream ",
                                                   Describe(binding.resource.stream, binding.resource.ns),
                                                   ", which an earlier binding captures already"));
  }
  const uint32_t position = static_cast<uint32_t>(bindings_.size());
  by_id_.emplace(key, position);
  by_name_[binding.resource.stream].push_back(position);
  bindings_.push_back(std::move(binding));
  return absl::OkStatus();
}

std::optional<uint32_t> CaptureRoutes::Find(absl::string_view stream, const std::optional<std::string>& ns) const {
  if (auto it = by_id_.find(RouteKey(stream, ns)); it != by_id_.end()) return it->second;
  if (auto named = by_name_.find(stream); named != by_name_.end() && named->second.size() == 1) {
    const Binding& only = bindings_[named->second[0]];
    if (!ns || !only.resource.ns) return named->second[0];
  }
  return std::nullopt;
}

std::optional<uint32_t> CaptureWorker::Route(absl::string_view stream, const std::optional<std::string>& ns) {
  if (last_route_ && last_stream_ == stream && last_ns_ == ns) return last_route_;
  std::optional<uint32_t> found = routes_.Find(stream, ns);
  if (found) {
    last_stream_.assign(stream.data(), stream.size());
    last_ns_ = ns;
    last_route_ = found;
  }
  return found;
}

DataVisitor* CaptureWorker::ForRecord(absl::string_view stream, const std::optional<std::string>& ns) {
  visited_ = Route(stream, ns);
  if (!visited_ || routes_.bindings()[*visited_].plan.empty()) return nullptr;
  normalizer_.Reset(&routes_.bindings()[*visited_].plan);
  return &normalizer_;
}

std::optional<RecordWorker::Encoded> CaptureWorker::Encode(const AirbyteMessage& message, std::string* arena) {
  std::optional<uint32_t> route = Route(message.stream, message.ns);
  if (!route) return std::nullopt;
  const NormalizationPlan& plan = routes_.bindings()[*route].plan;
  const absl::string_view data = message.data.Of(message.line);
  absl::string_view doc = data;
  if (!plan.empty()) {
    if (message.data_visited && visited_ == route) {
      doc = normalizer_.Apply(data, message.data.begin, &scratch_out_);
    } else {
      // The stream came after the data in the line: a second, data-only pass.
      scratch_in_.reserve(data.size() + 1 + kParsePadding);
      scratch_in_.assign(data.data(), data.size());
      normalizer_.Reset(&plan);
      VisitJson(scratch_in_, normalizer_);
      doc = normalizer_.Apply(scratch_in_, 0, &scratch_out_);
    }
  }
  // `_meta` from the envelope: CDC deletes and the source's changes (D17).
  uint8_t marks = 0;
  const DocumentMeta meta = EnvelopeMeta(message, routes_.bindings()[*route].cdc, &changes_, &marks);
  if (!meta.empty()) {
    with_meta_.clear();
    if (AppendWithMeta(doc, meta, &with_meta_).ok()) {
      doc = with_meta_;
    } else {
      marks = 0;  // not an object: WriteEncoded reports it when it adds the row id, else it passes as written
    }
  }
  if (doc.data() == data.data()) return Encoded{*route, false, message.data.begin, data.size(), marks};
  const size_t offset = arena->size();
  arena->append(doc.data(), doc.size());
  return Encoded{*route, true, offset, doc.size(), marks};
}

absl::Status CaptureInterceptor::OnRecord(const AirbyteMessage& message) {
  inline_arena_.clear();
  std::optional<RecordWorker::Encoded> encoded = inline_worker_.Encode(message, &inline_arena_);
  if (!encoded) {
    return absl::InvalidArgumentError(absl::StrCat("the connector wrote a record for stream ",
                                                   Describe(message.stream, message.ns),
                                                   ", which no binding of this capture captures"));
  }
  const absl::string_view source = encoded->in_arena ? absl::string_view(inline_arena_) : message.line;
  return WriteEncoded(encoded->slot, source.substr(encoded->offset, encoded->size), encoded->marks);
}

absl::Status CaptureInterceptor::WriteEncoded(uint32_t slot, absl::string_view doc, uint8_t marks) {
  if (marks != 0) NoteMarks(slot, marks);
  if (routes_.bindings()[slot].fills_row_id) {
    // The fallback key, in the connector's order (on the session thread).
    DocumentMeta meta;
    meta.row_id = next_row_id_[slot]++;
    with_meta_.clear();
    ATF_RETURN_IF_ERROR(AppendWithMeta(doc, meta, &with_meta_));
    doc = with_meta_;
  }
  ATF_RETURN_IF_ERROR(ctx_.out.WriteCaptured(routes_.bindings()[slot].index, doc));
  progress_->Record(slot, doc.size());
  record_counts_->Record(slot);
  last_was_checkpoint_ = false;
  return absl::OkStatus();
}

void CaptureInterceptor::NoteMarks(uint32_t slot, uint8_t marks) {
  if (marks & kMarkDeleted) progress_->Deleted(slot);
  if (marks & kMarkSourceChanges) {
    progress_->SourceChanges(slot);
    const uint64_t n = progress_->source_changes(slot);
    // The first few, then once per thousand (the summary has them all).
    if (n <= 3 || n % 1000 == 0) {
      const CaptureRoutes::Binding& binding = routes_.bindings()[slot];
      log_.Warn(absl::StrCat("the source changed values of a record of stream ",
                             Describe(binding.resource.stream, binding.resource.ns),
                             " (nulled or truncated): see the document's /_meta/airbyteChanges"),
                LogFields().Add("records_with_changes", n));
    }
  }
}

absl::Status CaptureInterceptor::CheckRecordCount(const AirbyteMessage& message, std::optional<uint32_t> slot,
                                                  absl::string_view stream) {
  std::optional<double> reported;
  const rapidjson::Value* stats = FindMember(*message.Payload(), "sourceStats");
  if (const rapidjson::Value* count = stats != nullptr ? FindMember(*stats, "recordCount") : nullptr;
      count != nullptr && count->IsNumber()) {
    reported = count->GetDouble();
  }
  const RecordCounts::Check check = record_counts_->OnState(slot, reported);
  if (!check.checked) return absl::OkStatus();
  progress_->CountChecked(slot, check.mismatch);
  if (!check.mismatch) return absl::OkStatus();
  const std::string what = absl::StrCat(
      slot ? absl::StrCat("stream ", stream, ": the connector's STATE") : std::string("the connector's STATE"),
      " says ", absl::StrFormat("%.17g", check.reported), " records were emitted since ",
      slot ? "its previous state" : "the previous state", ", and the shim received ", check.forwarded);
  if (ctx_.options.strict_records) {
    return absl::DataLossError(absl::StrCat(what, " (--strict-records stops before this checkpoint)"));
  }
  char& warned = count_warned_[slot ? *slot : count_warned_.size() - 1];
  if (!warned) {
    warned = true;
    log_.Warn(absl::StrCat(what, "; records may have been lost before they reached the shim (further mismatches ",
                           "are counted in the summary)"));
  }
  return absl::OkStatus();
}

absl::Status CaptureInterceptor::OnState(const AirbyteMessage& message) {
  // Which stream the STATE is of (none: GLOBAL or LEGACY).
  std::optional<uint32_t> slot;
  std::string key, stream_name;
  absl::string_view text =
      message.state_data.present ? message.state_data.Of(message.line) : message.state_global.Of(message.line);
  const rapidjson::Value* stream = message.state_data.present ? nullptr : FindMember(*message.Payload(), "stream");
  if (stream != nullptr && !stream->IsNull()) {
    const rapidjson::Value* descriptor = FindMember(*stream, "stream_descriptor");
    const rapidjson::Value* name = descriptor != nullptr ? FindMember(*descriptor, "name") : nullptr;
    const rapidjson::Value* ns = descriptor != nullptr ? FindMember(*descriptor, "namespace") : nullptr;
    StreamId id{name != nullptr && name->IsString() ? std::string(ViewOf(*name)) : "", std::nullopt};
    if (ns != nullptr && ns->IsString()) id.ns = std::string(ViewOf(*ns));
    key = id.StateKey();
    stream_name = Describe(id.name, id.ns);
    slot = routes_.Find(id.name, id.ns);
    text = message.state_stream_state.present ? message.state_stream_state.Of(message.line) : "{}";
    stream_shaped_ = true;
    if (slot && routes_.bindings()[*slot].resource.sync_mode == "full_refresh" &&
        std::find(full_refresh_with_state_.begin(), full_refresh_with_state_.end(), key) ==
            full_refresh_with_state_.end()) {
      full_refresh_with_state_.push_back(key);
    }
  }
  ATF_RETURN_IF_ERROR(CheckRecordCount(message, slot, stream_name));
  // The same STATE again, with no document since the last checkpoint, says nothing new.
  auto [last, inserted] = last_state_.try_emplace(key, text);
  if (!inserted) {
    if (last->second == text && last_was_checkpoint_ && !checkpoints_.control_config_pending()) {
      return absl::OkStatus();
    }
    last->second.assign(text.data(), text.size());
  }
  checkpoints_.SetRowIds(RowIdsJson());
  ATF_ASSIGN_OR_RETURN(capture::Response checkpoint, checkpoints_.FromState(message));
  ATF_RETURN_IF_ERROR(ctx_.out.Write(checkpoint));
  progress_->Checkpoint();
  last_was_checkpoint_ = true;
  return absl::OkStatus();
}

absl::Status CaptureInterceptor::OnMessage(AirbyteMessage& message) {
  switch (message.type) {
    case AirbyteType::kRecord:
      return OnRecord(message);
    case AirbyteType::kState:
      return OnState(message);
    default:
      return absl::FailedPreconditionError(absl::StrCat("unexpected ", AirbyteTypeName(message.type),
                                                        " message during a capture (expected RECORD or STATE)"));
  }
}

absl::Status CaptureInterceptor::OnRepaired(const AirbyteMessage& message, size_t line_number) {
  if (message.type != AirbyteType::kRecord) return Interceptor::OnRepaired(message, line_number);
  const std::optional<uint32_t> slot = routes_.Find(message.stream, message.ns);
  if (!slot) return absl::OkStatus();  // OnRecord reports the unbound stream
  const std::string stream = Describe(message.stream, message.ns);
  if (ctx_.options.strict_records) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the record of stream ", stream, " is not valid JSON as written: ", DescribeFix(message.fixes.front()),
        " (--strict-records refuses repaired records)"));
  }
  const uint64_t before = progress_->repaired_records(*slot);
  for (const LineFix& fix : message.fixes) progress_->Repaired(*slot, fix.kind);
  // Warned one by one at first, then once per thousand (the summary has them all).
  constexpr uint64_t kWarnEach = 5, kThen = 1000;
  const uint64_t after = progress_->repaired_records(*slot);
  const bool warn = before < kWarnEach || after / kThen != before / kThen;
  if (warn) {
    std::vector<std::string> what;
    for (const LineFix& fix : message.fixes) what.push_back(DescribeFix(fix));
    log_.Warn(absl::StrCat("repaired a record of stream ", stream, " that was not valid JSON"),
              LogFields()
                  .Add("line_number", static_cast<uint64_t>(line_number))
                  .Add("fixes", absl::StrJoin(what, "; "))
                  .Add("repairs_so_far", after));
  }
  return absl::OkStatus();
}

absl::Status CaptureInterceptor::OnControlConfig(absl::string_view config_json) {
  if (absl::StatusOr<rapidjson::Document> config = ParseJson(config_json, "connector config"); config.ok()) {
    ctx_.memory.redactor.AddConfigSecrets(*config, ctx_.memory.secret_paths);  // rotated credentials
  }
  if (!ctx_.options.persist_control_config) {
    log_.Warn(
        "the connector updated its config (CONTROL message), which is not persisted; set "
        "AIRBYTE_TO_FLOW_PERSIST_CONTROL_CONFIG=1 in the image to keep such updates");
    return absl::OkStatus();
  }
  checkpoints_.SetControlConfig(std::string(config_json));
  log_.Info("the connector updated its config; it is persisted with the next checkpoint");
  return absl::OkStatus();
}

absl::Status CaptureInterceptor::Finish(const RunOutcome&) {
  // A completed session ends each full-refresh pass: its state goes, so the
  // next session reads the stream again instead of resuming a finished pass.
  if (stream_shaped_ && !full_refresh_with_state_.empty()) {
    log_.Info(absl::StrCat("the connector completed: clearing the state of full-refresh `",
                           absl::StrJoin(full_refresh_with_state_, "`, `"), "` for the next session"));
    checkpoints_.SetRowIds(RowIdsJson());
    last_was_checkpoint_ = true;
    progress_->Checkpoint();
    return ctx_.out.Write(checkpoints_.Completion(full_refresh_with_state_));
  }
  if (last_was_checkpoint_ && !checkpoints_.control_config_pending()) return absl::OkStatus();
  if (!last_was_checkpoint_) {
    log_.Warn(
        "go.estuary.dev/W001: connector exited without writing a final state checkpoint, writing an empty "
        "object {} merge patch driver checkpoint.");
  }
  last_was_checkpoint_ = true;
  progress_->Checkpoint();
  checkpoints_.SetRowIds(RowIdsJson());
  return ctx_.out.Write(checkpoints_.Synthetic());
}

void CaptureInterceptor::LogSummary(const RunOutcome& outcome) {
  if (!progress_) return;
  absl::string_view ending = outcome.ending == RunOutcome::Ending::kStopped ? "stopped"
                             : outcome.ending == RunOutcome::Ending::kIdle  ? "idle"
                             : outcome.exit.success()                       ? "completed"
                                                                            : "failed";
  progress_->LogSummary(log_, ending, outcome.acknowledgements);
}

void CaptureInterceptor::Linger() {
  if (!interval_minutes_ || *interval_minutes_ == 0) return;
  if (skip_interval_) {
    log_.Info("atf: skipping interval");
    return;
  }
  const auto until = started_ + std::chrono::minutes(*interval_minutes_);
  if (std::chrono::steady_clock::now() >= until) return;
  log_.Info("waiting before exiting, as run_interval_minutes.json asks",
            LogFields().Add("run_interval_minutes", *interval_minutes_));
  while (!ctx_.stop.requested()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd fd = {ctx_.stop.fd(), POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(std::min<int64_t>(left.count(), 60'000)));
  }
  log_.Info(absl::StrCat("stopped waiting: ", ctx_.stop.Describe()));
}

}  // namespace atf
