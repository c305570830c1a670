#include "atf/runner/connector_log.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/redact.h"

namespace atf {
namespace {

// Junk lines warned about one by one before switching to a count.
constexpr uint64_t kJunkWarnings = 10;
constexpr size_t kExcerpt = 200;
// A stderr line longer than this is logged in pieces.
constexpr size_t kMaxStderrLine = 64 * 1024;

std::string Excerpt(absl::string_view line) {
  if (line.size() <= kExcerpt) return std::string(line);
  size_t cut = kExcerpt;  // not inside a UTF-8 sequence
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(line.substr(0, cut), "… (", line.size(), " bytes)");
}

std::string StringMember(const rapidjson::Value& object, absl::string_view name) {
  const rapidjson::Value* v = FindMember(object, name);
  if (v == nullptr || v->IsNull()) return "";
  return v->IsString() ? std::string(ViewOf(*v)) : WriteJson(*v);
}

LogLevel AirbyteLogLevel(absl::string_view level) {
  std::string upper = absl::AsciiStrToUpper(level);
  if (upper == "TRACE") return LogLevel::kTrace;
  if (upper == "DEBUG") return LogLevel::kDebug;
  if (upper == "WARN" || upper == "WARNING") return LogLevel::kWarn;
  if (upper == "ERROR" || upper == "FATAL" || upper == "CRITICAL") return LogLevel::kError;
  return LogLevel::kInfo;
}

// Stderr is unstructured: its level is guessed from its words, as Flow's own
// log decoder does.
LogLevel StderrLevel(absl::string_view line) {
  std::string lower = absl::AsciiStrToLower(line);
  for (const char* word : {"error", "exception", "traceback", "fatal", "failed", "panic", "not found", "denied"}) {
    if (absl::StrContains(lower, word)) return LogLevel::kError;
  }
  if (absl::StrContains(lower, "warn")) return LogLevel::kWarn;
  return LogLevel::kInfo;
}

}  // namespace

void ConnectorLogRelay::OnLog(const AirbyteMessage& message) {
  const rapidjson::Value* log = message.Payload();
  if (log == nullptr || !log->IsObject()) {
    OnJunk(0, message.line, "LOG message without a `log` object");
    return;
  }
  const LogLevel level = AirbyteLogLevel(StringMember(*log, "level"));
  std::string text = StringMember(*log, "message");
  if (level == LogLevel::kError) {
    MutexLock lock(&mu_);
    error_log_ = text;
  }
  log_.Log(level, text, LogFields().Add("source", "connector"));
}

void ConnectorLogRelay::OnTrace(const AirbyteMessage& message) {
  const rapidjson::Value* trace = message.Payload();
  if (trace == nullptr || !trace->IsObject()) {
    OnJunk(0, message.line, "TRACE message without a `trace` object");
    return;
  }
  const std::string type = StringMember(*trace, "type");
  if (type == "ERROR") {
    const rapidjson::Value* error = FindMember(*trace, "error");
    const rapidjson::Value empty(rapidjson::kObjectType);
    const rapidjson::Value& e = error && error->IsObject() ? *error : empty;
    std::string text = StringMember(e, "message");
    std::string internal = StringMember(e, "internal_message");
    if (text.empty()) text = internal.empty() ? "connector reported an error" : internal;
    {
      MutexLock lock(&mu_);
      trace_error_ = text;
    }
    LogFields fields;
    fields.Add("source", "connector");
    if (!internal.empty()) fields.Add("internal_message", internal);
    if (std::string failure = StringMember(e, "failure_type"); !failure.empty()) fields.Add("failure_type", failure);
    if (std::string stack = StringMember(e, "stack_trace"); !stack.empty()) fields.Add("stack_trace", stack);
    log_.Error(text, fields);
  } else if (type == "ESTIMATE") {
    const rapidjson::Value* estimate = FindMember(*trace, "estimate");
    LogFields fields;
    if (estimate != nullptr) {
      for (const char* key : {"name", "namespace", "type", "row_estimate", "byte_estimate"}) {
        if (std::string v = StringMember(*estimate, key); !v.empty())
          fields.Add(key == absl::string_view("name") ? "stream" : key, v);
      }
    }
    log_.Info("stream estimate", fields);
  } else if (type == "STREAM_STATUS") {
    const rapidjson::Value* status = FindMember(*trace, "stream_status");
    LogFields fields;
    if (status != nullptr) {
      if (const rapidjson::Value* descriptor = FindMember(*status, "stream_descriptor")) {
        fields.Add("stream", StringMember(*descriptor, "name"));
        if (std::string ns = StringMember(*descriptor, "namespace"); !ns.empty()) fields.Add("namespace", ns);
      }
      fields.Add("status", StringMember(*status, "status"));
    }
    log_.Info("stream status", fields);
  } else if (log_.Enabled(LogLevel::kDebug)) {
    log_.Debug(absl::StrCat(type.empty() ? "untyped" : type, " trace"),
               LogFields().AddJson("trace", WriteJson(*trace)));
  }
}

void ConnectorLogRelay::OnJunk(size_t line_number, absl::string_view line, absl::string_view why) {
  ++junk_lines_;
  if (junk_lines_ > kJunkWarnings && junk_lines_ % 1000 != 0) return;
  LogFields fields;
  if (line_number > 0) fields.Add("line_number", static_cast<uint64_t>(line_number));
  // Redacted whole before it is cut: a cut could split a secret in two.
  const Redactor* redactor = log_.redactor();
  fields.Add("reason", why).Add("line", Excerpt(redactor ? redactor->Redact(line) : std::string(line)));
  if (junk_lines_ > kJunkWarnings) fields.Add("junk_lines_so_far", junk_lines_);
  log_.Warn("ignoring connector output that is not an Airbyte message", fields);
}

void ConnectorLogRelay::FinishJunk() {
  if (junk_lines_ > kJunkWarnings) {
    log_.Warn("connector wrote lines that are not Airbyte messages", LogFields().Add("junk_lines", junk_lines_));
  }
}

void ConnectorLogRelay::OnStderrLine(absl::string_view line) {
  const LogLevel level = StderrLevel(line);
  if (level == LogLevel::kError) {
    MutexLock lock(&mu_);
    error_log_ = std::string(line);
  }
  log_.Log(level, line, LogFields().Add("source", "stderr"));
}

std::string ConnectorLogRelay::FailureMessage() const {
  MutexLock lock(&mu_);
  return trace_error_.empty() ? error_log_ : trace_error_;
}

void OutputWatermark::BeginRead() {
  MutexLock lock(&mu_);
  reading_ = true;
}

void OutputWatermark::SetRead(uint64_t bytes) {
  MutexLock lock(&mu_);
  read_ = bytes;
  reading_ = false;
}

void OutputWatermark::SetHandled(uint64_t bytes) {
  MutexLock lock(&mu_);
  handled_ = bytes;
}

void OutputWatermark::StdoutClosed() {
  MutexLock lock(&mu_);
  stdout_fd_ = -1;
}

void OutputWatermark::Release() {
  MutexLock lock(&mu_);
  released_ = true;
}

void OutputWatermark::WaitForStdout(absl::Duration timeout) {
  MutexLock lock(&mu_);
  const absl::Time deadline = absl::Now() + timeout;
  // Bytes the session thread is taking from the pipe right now are neither in
  // the pipe nor counted yet: wait until they are.
  auto settled = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return released_ || !reading_; };
  mu_.AwaitWithDeadline(Condition(&settled), deadline);
  if (released_) return;
  int in_pipe = 0;  // under the lock: the descriptor cannot close meanwhile
  if (stdout_fd_ < 0 || ::ioctl(stdout_fd_, FIONREAD, &in_pipe) != 0) in_pipe = 0;
  const uint64_t target = read_ + static_cast<uint64_t>(in_pipe);
  auto caught_up = [this, target]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return released_ || handled_ >= target; };
  mu_.AwaitWithDeadline(Condition(&caught_up), deadline);
}

StderrPump::StderrPump(UniqueFd fd, ConnectorLogRelay* relay, OutputWatermark* watermark)
    : fd_(std::move(fd)), relay_(relay), watermark_(watermark) {
  thread_ = std::thread([this] { Run(); });
}

StderrPump::~StderrPump() { Join(); }

void StderrPump::Join() {
  if (thread_.joinable()) thread_.join();
}

void StderrPump::Run() {
  std::string pending;
  char buffer[16384];
  auto emit = [&](absl::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) relay_->OnStderrLine(line);
  };
  for (;;) {
    ssize_t n = ::read(fd_.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (watermark_ != nullptr) watermark_->WaitForStdout(absl::Seconds(2));
    pending.append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      emit(absl::string_view(pending).substr(start, nl - start));
    }
    pending.erase(0, start);
    if (pending.size() > kMaxStderrLine) {
      // A very long line goes out in pieces, redacted before it is cut; the
      // tail stays, so that a secret straddling the cut is caught whole next time.
      const Redactor* redactor = relay_->redactor();
      std::string redacted = redactor ? redactor->Redact(pending) : pending;
      const size_t keep = std::min(redacted.size(), redactor ? redactor->longest_form() : size_t{0});
      emit(absl::string_view(redacted).substr(0, redacted.size() - keep));
      pending = redacted.substr(redacted.size() - keep);
    }
  }
  emit(pending);
  fd_.reset();
}

}  // namespace atf
