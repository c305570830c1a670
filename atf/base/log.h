// Logging (docs/decisions.md, D9). Lines go to stderr in Flow's ops.Log shape,
//   {"ts":"<RFC 3339>","level":"info","message":"…","fields":{…}}
// or as compact text when stderr is a terminal. Every message and field
// passes through the logger's Redactor first.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

namespace spdlog {
class logger;
}

namespace atf {

class Redactor;

enum class LogLevel { kTrace = 0, kDebug, kInfo, kWarn, kError };

// `trace|debug|info|warn|error` (exactly, as the reference); else nullopt.
std::optional<LogLevel> ParseLogLevel(absl::string_view name);
absl::string_view LogLevelName(LogLevel level);

// Structured fields of one log line, in insertion order.
class LogFields {
 public:
  LogFields& Add(absl::string_view key, absl::string_view value);
  LogFields& Add(absl::string_view key, const char* value) { return Add(key, absl::string_view(value)); }
  LogFields& Add(absl::string_view key, const std::string& value) { return Add(key, absl::string_view(value)); }
  LogFields& Add(absl::string_view key, int64_t value);
  LogFields& Add(absl::string_view key, int value) { return Add(key, static_cast<int64_t>(value)); }
  LogFields& Add(absl::string_view key, uint64_t value);
  LogFields& Add(absl::string_view key, double value);
  LogFields& Add(absl::string_view key, bool value);
  // `json` must be valid JSON text; it is embedded as is (after redaction).
  LogFields& AddJson(absl::string_view key, absl::string_view json);

  bool empty() const { return fields_.empty(); }

  struct Field {
    std::string key;
    std::string value;  // string value, or JSON text when `is_json`
    bool is_json;
  };
  const std::vector<Field>& fields() const { return fields_; }

 private:
  std::vector<Field> fields_;
};

// The process-wide destination of log lines. Thread-safe.
class LogSink {
 public:
  enum class Format { kJson, kText };

  // Writes to stderr (fd 2).
  LogSink(LogLevel min_level, Format format);
  ~LogSink();

  // JSON unless stderr is a terminal; LOG_FORMAT=json|text overrides.
  static Format DetectFormat(const char* log_format_env);

  bool Enabled(LogLevel level) const { return level >= min_level_; }
  LogLevel min_level() const { return min_level_; }
  void Write(LogLevel level, absl::string_view message, const LogFields& fields, const Redactor* redactor);

 private:
  LogLevel min_level_;
  Format format_;
  std::shared_ptr<spdlog::logger> logger_;
};

// A cheap handle that logs to a sink through an optional redactor. Each
// session has its own, carrying the secrets of its own config.
class Logger {
 public:
  explicit Logger(LogSink* sink, const Redactor* redactor = nullptr) : sink_(sink), redactor_(redactor) {}

  Logger WithRedactor(const Redactor* redactor) const { return Logger(sink_, redactor); }
  const Redactor* redactor() const { return redactor_; }
  LogLevel min_level() const { return sink_->min_level(); }

  bool Enabled(LogLevel level) const { return sink_->Enabled(level); }
  void Log(LogLevel level, absl::string_view message, const LogFields& fields = {}) const {
    if (Enabled(level)) sink_->Write(level, message, fields, redactor_);
  }
  void Trace(absl::string_view m, const LogFields& f = {}) const { Log(LogLevel::kTrace, m, f); }
  void Debug(absl::string_view m, const LogFields& f = {}) const { Log(LogLevel::kDebug, m, f); }
  void Info(absl::string_view m, const LogFields& f = {}) const { Log(LogLevel::kInfo, m, f); }
  void Warn(absl::string_view m, const LogFields& f = {}) const { Log(LogLevel::kWarn, m, f); }
  void Error(absl::string_view m, const LogFields& f = {}) const { Log(LogLevel::kError, m, f); }

 private:
  LogSink* sink_;
  const Redactor* redactor_;
};

}  // namespace atf
