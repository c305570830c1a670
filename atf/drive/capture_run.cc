#include "atf/drive/capture_run.h"

#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "atf/drive/exchange.h"
#include "atf/drive/json_util.h"
#include "atf/drive/requests.h"
#include "atf/drive/schema_check.h"
#include "atf/protocol/flow_json.h"
#include "patches/merge_patch.h"
#include "patches/pointer.h"

namespace atf::drive {
namespace {

// How often a terminal's live line is redrawn.
constexpr absl::Duration kLiveRefresh = absl::Milliseconds(250);

struct BindingCheck {
  std::string name;
  std::vector<std::string> key;
  std::unique_ptr<SchemaChecker> checker;  // null when the schema could not be compiled
};

class SessionRun {
 public:
  SessionRun(int number, const CaptureSettings& settings, std::vector<BindingCheck>& checks, CaptureResult& result,
             rapidjson::Document& state, Console& console, const StopSource& stop)
      : number_(number),
        settings_(settings),
        checks_(checks),
        result_(result),
        state_(state),
        console_(console),
        stop_(stop) {}

  absl::Status Run(Transport& transport, const flow::CaptureSpec& spec) {
    ATF_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, transport.Open());
    ATF_RETURN_IF_ERROR(SendOrFail(*session, ProbeRequest()));
    ATF_RETURN_IF_ERROR(SendOrFail(*session, BuildApply(spec)));
    ATF_RETURN_IF_ERROR(SendOrFail(*session, BuildOpen(spec, WriteJson(state_))));
    absl::StatusOr<capture::Response> probe = Expect(*session, "spec", settings_.timeout);
    if (!probe.ok()) return Annotate(probe.status(), "the probe Spec");
    ATF_RETURN_IF_ERROR(Expect(*session, "applied", settings_.timeout).status());
    ATF_ASSIGN_OR_RETURN(capture::Response opened, Expect(*session, "opened", settings_.timeout));
    explicit_acks_ = opened.opened().explicit_acknowledgements();
    start_ = absl::Now();
    next_progress_ = start_ + settings_.progress_interval;
    absl::Status loop = Loop(*session);
    console_.ClearLive();
    if (!loop.ok()) {
      session->Abort();
      session->Finish().IgnoreError();  // the loop's error says more
      return loop;
    }
    absl::Status finished = session->Finish();
    if (!finished.ok()) return Annotate(finished, absl::StrCat("capture session ", number_));
    Report();
    return absl::OkStatus();
  }

 private:
  absl::Status Loop(Session& session) {
    const absl::Time end = start_ + settings_.duration;
    for (;;) {
      if (stop_.requested()) return Ended("interrupted (" + stop_.Describe() + ")", true);
      const absl::Time deadline =
          std::min(end, console_.err_is_terminal() ? absl::Now() + kLiveRefresh : next_progress_);
      absl::StatusOr<std::optional<capture::Response>> next = session.Next(deadline);
      if (!next.ok()) {
        if (absl::IsCancelled(next.status())) return Ended("interrupted (" + stop_.Describe() + ")", true);
        if (!absl::IsDeadlineExceeded(next.status())) return next.status();
        if (absl::Now() >= end) return Ended(absl::StrCat("--duration ", absl::FormatDuration(settings_.duration)));
        Progress();
        continue;
      }
      if (!next->has_value()) return Ended("the connector ended", false, /*by_connector=*/true);
      capture::Response& response = **next;
      if (response.has_captured()) {
        absl::Status handled = OnCaptured(response.captured());
        if (absl::IsAborted(handled)) return Ended("stdout was closed");
        ATF_RETURN_IF_ERROR(handled);
        if (settings_.documents != 0 && documents_ >= settings_.documents) {
          return Ended(absl::StrCat("--documents ", settings_.documents));
        }
      } else if (response.has_checkpoint()) {
        absl::Status handled = OnCheckpoint(session, response.checkpoint());
        if (absl::IsAborted(handled)) return Ended("stdout was closed");
        ATF_RETURN_IF_ERROR(handled);
      } else if (response.has_sourced_schema()) {
        console_.Err(absl::StrCat("note: the connector sent a sourcedSchema for binding ",
                                  response.sourced_schema().binding(), " (Flow would widen the collection schema)"));
      } else {
        return absl::FailedPreconditionError(
            absl::StrCat("unexpected `", ResponseKind(response), "` response during capture session ", number_));
      }
      Progress();
    }
  }

  absl::Status Ended(std::string why, bool interrupted = false, bool by_connector = false) {
    ending_ = std::move(why);
    result_.interrupted = result_.interrupted || interrupted;
    if (by_connector && uncommitted_ > 0) {
      console_.Err(absl::StrCat("warning: session ", number_, " ended after ", uncommitted_,
                                " documents without a checkpoint: Flow fails a task whose connector does that"));
    }
    console_.Flush().IgnoreError();  // a closed stdout ends the session the same way
    return absl::OkStatus();
  }

  absl::Status OnCaptured(const capture::Response::Captured& captured) {
    if (captured.binding() >= checks_.size()) {
      return absl::FailedPreconditionError(
          absl::StrCat("a document for binding ", captured.binding(), " of ", checks_.size(), " bindings"));
    }
    BindingCheck& check = checks_[captured.binding()];
    CollectionTally& tally = result_.collections[captured.binding()];
    const std::string& doc = captured.doc_json();
    ++documents_;
    ++uncommitted_;
    ++tally.documents;
    tally.bytes += doc.size();
    absl::StatusOr<rapidjson::Document> parsed = ParseJson(doc, "document");
    if (!parsed.ok()) {
      Violate(check, tally,
              absl::StrCat("document ", tally.documents, " is not valid JSON: ", parsed.status().message()));
    } else if (check.checker) {
      if (std::optional<Violation> violation = check.checker->Check(*parsed)) {
        Violate(check, tally,
                absl::StrCat("#", tally.documents, " key ", KeyOf(*parsed, check.key), ": ",
                             violation->document_pointer.empty() ? "the root" : violation->document_pointer, ": ",
                             violation->keyword, violation->detail.empty() ? "" : " (" + violation->detail + ")",
                             ", value ", violation->value, " (schema ",
                             violation->schema_pointer.empty() ? "root" : violation->schema_pointer, ")"));
      }
    }
    if (settings_.collect_documents) tally.collected.push_back(doc);
    if (!settings_.print_documents) return absl::OkStatus();
    std::string line = "[";
    AppendJsonString(&line, check.name);
    absl::StrAppend(&line, ",", doc, "]\n");
    return console_.Out(line);
  }

  void Violate(const BindingCheck& check, CollectionTally& tally, const std::string& what) {
    ++tally.violations;
    ++result_.violations;
    console_.Err(absl::StrCat("schema violation: ", check.name, " ", what));
  }

  absl::Status OnCheckpoint(Session& session, const capture::Response::Checkpoint& checkpoint) {
    if (!checkpoint.has_state()) {
      return absl::FailedPreconditionError("a checkpoint without `state` (Flow's runtime rejects it)");
    }
    const flow::ConnectorState& update = checkpoint.state();
    absl::StatusOr<rapidjson::Document> patch = ParseJson(update.updated_json(), "checkpoint state");
    if (!patch.ok()) return patch.status();
    if (update.merge_patch()) {
      ApplyMergePatch(state_, *patch, state_.GetAllocator());
    } else {
      state_.CopyFrom(*patch, state_.GetAllocator());
    }
    ++checkpoints_;
    ++result_.checkpoints;
    uncommitted_ = 0;
    result_.state_json = WriteJson(state_);
    if (explicit_acks_) {
      capture::Request ack;
      ack.mutable_acknowledge()->set_checkpoints(1);
      ATF_RETURN_IF_ERROR(SendOrFail(session, ack));
    }
    if (!settings_.print_state) return console_.Flush();
    std::string line = "[\"connectorState\",";
    EncodeFlowJson(update, &line);
    line += "]\n";
    ATF_RETURN_IF_ERROR(console_.Out(line));
    return console_.Flush();
  }

  std::string Figures() const {
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
    return absl::StrFormat("session %d/%d: %d documents (%.0f/s), %d checkpoints, %.1fs", number_, settings_.sessions,
                           documents_, seconds > 0 ? static_cast<double>(documents_) / seconds : 0.0, checkpoints_,
                           seconds);
  }

  // The live line at most every kLiveRefresh (a terminal is slow to write
  // to), plain lines every --progress-interval.
  void Progress() {
    const absl::Time now = absl::Now();
    if (console_.err_is_terminal()) {
      if (now < next_live_) return;
      console_.Live(Figures());
      next_live_ = now + kLiveRefresh;
      return;
    }
    if (now < next_progress_) return;
    console_.Err(absl::StrCat("progress: ", Figures()));
    while (next_progress_ <= now) next_progress_ += settings_.progress_interval;
  }

  void Report() {
    std::string line = absl::StrCat(Figures(), "; ended: ", ending_);
    if (uncommitted_ > 0 && ending_ != "the connector ended") {
      absl::StrAppend(&line, " (", uncommitted_, " documents after the last checkpoint are not committed)");
    }
    console_.Err(line);
  }

  const int number_;
  const CaptureSettings& settings_;
  std::vector<BindingCheck>& checks_;
  CaptureResult& result_;
  rapidjson::Document& state_;
  Console& console_;
  const StopSource& stop_;
  bool explicit_acks_ = false;
  absl::Time start_;
  absl::Time next_progress_;
  absl::Time next_live_ = absl::InfinitePast();
  uint64_t documents_ = 0;
  uint64_t checkpoints_ = 0;
  uint64_t uncommitted_ = 0;
  std::string ending_;
};

}  // namespace

absl::StatusOr<CaptureResult> RunCaptureSessions(Transport& transport, const flow::CaptureSpec& spec,
                                                 std::string initial_state, const CaptureSettings& settings,
                                                 Console& console, const StopSource& stop,
                                                 const SessionEnded& on_session_end) {
  CaptureResult result;
  std::vector<BindingCheck> checks;
  for (const auto& binding : spec.bindings()) {
    const flow::CollectionSpec& collection = binding.collection();
    BindingCheck check{collection.name(), {collection.key().begin(), collection.key().end()}, nullptr};
    absl::StatusOr<std::unique_ptr<SchemaChecker>> checker = SchemaChecker::Create(collection.write_schema_json());
    if (!checker.ok()) {
      console.Err(
          absl::StrCat("warning: ", collection.name(), ": documents are not checked: ", checker.status().message()));
    } else {
      check.checker = std::move(*checker);
      if (!check.checker->unchecked().empty()) {
        console.Err(absl::StrCat("warning: ", collection.name(), ": schema keywords RapidJSON's validator does not ",
                                 "check: ", absl::StrJoin(check.checker->unchecked(), "; ")));
      }
    }
    checks.push_back(std::move(check));
    result.collections.push_back(CollectionTally{collection.name()});
  }
  absl::StatusOr<rapidjson::Document> state = ParseJson(initial_state, "the initial state");
  if (!state.ok()) return state.status();
  if (!state->IsObject()) return absl::InvalidArgumentError("the initial state is not a JSON object");
  result.state_json = WriteJson(*state);
  for (int session = 1; session <= settings.sessions && !result.interrupted; ++session) {
    SessionRun run(session, settings, checks, result, *state, console, stop);
    ATF_RETURN_IF_ERROR(run.Run(transport, spec));
    if (on_session_end) ATF_RETURN_IF_ERROR(on_session_end(session, result.state_json));
  }
  return result;
}

void PrintCaptureTable(const CaptureResult& result, Console& console) {
  size_t width = 10;
  for (const CollectionTally& tally : result.collections) width = std::max(width, tally.name.size());
  auto row = [&](std::string name, const std::string& documents, const std::string& violations,
                 const std::string& bytes) {
    name.resize(width, ' ');
    console.Err(absl::StrFormat("%s  %10s  %10s  %12s", name, documents, violations, bytes));
  };
  row("collection", "documents", "violations", "bytes");
  CollectionTally total{"total"};
  for (const CollectionTally& tally : result.collections) {
    row(tally.name, absl::StrCat(tally.documents), absl::StrCat(tally.violations), absl::StrCat(tally.bytes));
    total.documents += tally.documents;
    total.violations += tally.violations;
    total.bytes += tally.bytes;
  }
  row("total", absl::StrCat(total.documents), absl::StrCat(total.violations), absl::StrCat(total.bytes));
}

}  // namespace atf::drive
