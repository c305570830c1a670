#include "interceptors/progress.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "atf/base/json.h"

namespace atf {

CaptureProgress::CaptureProgress(std::vector<std::string> streams)
    : names_(std::move(streams)),
      counts_(names_.size()),
      at_last_report_(names_.size()),
      start_(Clock::now()),
      last_report_(start_) {}

std::string CaptureProgress::StreamsJson(const std::vector<Counts>& since, double seconds) const {
  std::string out = "{";
  bool first = true;
  for (size_t i = 0; i < names_.size(); ++i) {
    const uint64_t records = counts_[i].records - since[i].records;
    const uint64_t bytes = counts_[i].bytes - since[i].bytes;
    if (records == 0 && counts_[i].records == 0) continue;
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(&out, names_[i]);
    absl::StrAppendFormat(&out, R"(:{"records":%d,"bytes":%d,"records_per_second":%.1f,"bytes_per_second":%.0f)",
                          records, bytes, seconds > 0 ? records / seconds : 0.0, seconds > 0 ? bytes / seconds : 0.0);
    // Repairs are totals since the start, in every report.
    std::string repairs;
    for (size_t kind = 0; kind < counts_[i].repairs.size(); ++kind) {
      if (counts_[i].repairs[kind] == 0) continue;
      absl::StrAppend(&repairs, repairs.empty() ? "" : ",", "\"", FixKindName(static_cast<LineFix::Kind>(kind)),
                      "\":", counts_[i].repairs[kind]);
    }
    if (!repairs.empty()) absl::StrAppend(&out, R"(,"repaired":{)", repairs, "}");
    // Totals since the start, as repairs.
    const Counts& c = counts_[i];
    if (c.deletes != 0) absl::StrAppend(&out, R"(,"deletes":)", c.deletes);
    if (c.source_changes != 0) absl::StrAppend(&out, R"(,"source_changes":)", c.source_changes);
    if (c.count_checks != 0) {
      absl::StrAppend(&out, R"(,"record_count_checks":)", c.count_checks, R"(,"record_count_mismatches":)",
                      c.count_mismatches);
    }
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

void CaptureProgress::CountChecked(std::optional<size_t> stream, bool mismatch) {
  ++count_checks_;
  count_mismatches_ += mismatch;
  if (stream) {
    ++counts_[*stream].count_checks;
    counts_[*stream].count_mismatches += mismatch;
  }
}

uint64_t CaptureProgress::repaired_records(size_t stream) const {
  uint64_t total = 0;
  for (uint64_t n : counts_[stream].repairs) total += n;
  return total;
}

void CaptureProgress::LogInterval(Logger log) {
  const auto now = Clock::now();
  const double seconds = std::chrono::duration<double>(now - last_report_).count();
  log.Info("capture progress", LogFields()
                                   .AddJson("streams", StreamsJson(at_last_report_, seconds))
                                   .Add("checkpoints", checkpoints_)
                                   .Add("elapsed_seconds", std::chrono::duration<double>(now - start_).count()));
  at_last_report_ = counts_;
  last_report_ = now;
}

void CaptureProgress::LogSummary(Logger log, absl::string_view ending, uint64_t acknowledgements) {
  const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  uint64_t records = 0, bytes = 0;
  for (const Counts& c : counts_) {
    records += c.records;
    bytes += c.bytes;
  }
  log.Info("capture finished", LogFields()
                                   .Add("ending", ending)
                                   .Add("records", records)
                                   .Add("bytes", bytes)
                                   .Add("checkpoints", checkpoints_)
                                   .Add("acknowledgements", acknowledgements)
                                   .Add("record_count_checks", count_checks_)
                                   .Add("record_count_mismatches", count_mismatches_)
                                   .Add("elapsed_seconds", seconds)
                                   .AddJson("streams", StreamsJson(std::vector<Counts>(counts_.size()), seconds)));
}

}  // namespace atf
