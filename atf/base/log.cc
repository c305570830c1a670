#include "atf/base/log.h"

#include <unistd.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "atf/base/json.h"
#include "atf/base/redact.h"
#include "spdlog/logger.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/sinks/stdout_sinks.h"

namespace atf {
namespace {

spdlog::level::level_enum SpdlogLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string RedactIf(const Redactor* redactor, absl::string_view text) {
  return redactor ? redactor->Redact(text) : std::string(text);
}

}  // namespace

std::optional<LogLevel> ParseLogLevel(absl::string_view name) {
  if (name == "trace") return LogLevel::kTrace;
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return std::nullopt;
}

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

LogFields& LogFields::Add(absl::string_view key, absl::string_view value) {
  fields_.push_back({std::string(key), std::string(value), false});
  return *this;
}
LogFields& LogFields::Add(absl::string_view key, int64_t value) {
  fields_.push_back({std::string(key), absl::StrCat(value), true});
  return *this;
}
LogFields& LogFields::Add(absl::string_view key, uint64_t value) {
  fields_.push_back({std::string(key), absl::StrCat(value), true});
  return *this;
}
LogFields& LogFields::Add(absl::string_view key, double value) {
  fields_.push_back({std::string(key), std::isfinite(value) ? absl::StrCat(value) : "null", true});
  return *this;
}
LogFields& LogFields::Add(absl::string_view key, bool value) {
  fields_.push_back({std::string(key), value ? "true" : "false", true});
  return *this;
}
LogFields& LogFields::AddJson(absl::string_view key, absl::string_view json) {
  fields_.push_back({std::string(key), std::string(json), true});
  return *this;
}

LogSink::LogSink(LogLevel min_level, Format format) : min_level_(min_level), format_(format) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (format == Format::kText) {
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    sink->set_pattern("%H:%M:%S.%e %^%-5l%$ %v");
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    sink->set_pattern("%v");
  }
  // Not registered in spdlog's global registry: the sink is owned here.
  logger_ = std::make_shared<spdlog::logger>("airbyte-to-flow", std::move(sink));
  logger_->set_level(SpdlogLevel(min_level));
  logger_->flush_on(spdlog::level::trace);
}

LogSink::~LogSink() { logger_->flush(); }

LogSink::Format LogSink::DetectFormat(const char* log_format_env) {
  if (log_format_env != nullptr) {
    absl::string_view value(log_format_env);
    if (value == "json") return Format::kJson;
    if (value == "text") return Format::kText;
  }
  return ::isatty(2) ? Format::kText : Format::kJson;
}

void LogSink::Write(LogLevel level, absl::string_view message, const LogFields& fields, const Redactor* redactor) {
  if (!Enabled(level)) return;
  std::string line;
  if (format_ == Format::kJson) {
    line.reserve(96 + message.size());
    line.append("{\"ts\":");
    AppendJsonString(&line, absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone()));
    absl::StrAppend(&line, ",\"level\":\"", LogLevelName(level), "\",\"message\":");
    AppendJsonString(&line, RedactIf(redactor, message), /*sanitize_utf8=*/true);
    if (!fields.empty()) {
      line.append(",\"fields\":{");
      bool first = true;
      for (const auto& field : fields.fields()) {
        if (!first) line.push_back(',');
        first = false;
        AppendJsonString(&line, field.key);
        line.push_back(':');
        if (field.is_json) {
          line.append(RedactIf(redactor, field.value));
        } else {
          AppendJsonString(&line, RedactIf(redactor, field.value), /*sanitize_utf8=*/true);
        }
      }
      line.push_back('}');
    }
    line.push_back('}');
  } else {
    line = RedactIf(redactor, message);
    for (const auto& field : fields.fields()) {
      absl::StrAppend(&line, " ", field.key, "=", RedactIf(redactor, field.value));
    }
  }
  logger_->log(SpdlogLevel(level), "{}", line);
}

}  // namespace atf
