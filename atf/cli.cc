#include "atf/cli.h"

#include <sched.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "atf/codec.h"

namespace atf {

// A size in bytes, written as a number with an optional K/KiB, M/MiB or G/GiB suffix.
struct ByteSize {
  uint64_t bytes = 0;
};

bool AbslParseFlag(absl::string_view text, ByteSize* out, std::string* error) {
  const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  absl::string_view s = lower;
  uint64_t multiplier = 1;
  for (const auto& [suffix, factor] : std::array<std::pair<const char*, uint64_t>, 6>{
           {{"kib", 1ull << 10}, {"k", 1ull << 10}, {"mib", 1ull << 20}, {"m", 1ull << 20},
            {"gib", 1ull << 30}, {"g", 1ull << 30}}}) {
    if (absl::EndsWith(s, suffix)) {
      s.remove_suffix(absl::string_view(suffix).size());
      multiplier = factor;
      break;
    }
  }
  uint64_t value;
  if (!absl::SimpleAtoi(s, &value) || value == 0 || value > (uint64_t{1} << 40) / multiplier) {
    *error = "expected a positive size in bytes, optionally with a KiB, MiB or GiB suffix";
    return false;
  }
  out->bytes = value * multiplier;
  return true;
}

std::string AbslUnparseFlag(ByteSize size) {
  if (size.bytes % (1 << 20) == 0) return absl::StrCat(size.bytes >> 20, "MiB");
  return absl::StrCat(size.bytes);
}

}  // namespace atf

ABSL_FLAG(std::string, connector_entrypoint, "",
          "The Airbyte connector's command, run with /bin/sh, e.g. \"python /airbyte/integration_code/main.py\" "
          "(required).");
ABSL_FLAG(std::string, connector_dir, ".",
          "The folder holding the connector's patch files (spec.patch.json, streams/, ...).");
ABSL_FLAG(std::string, codec, "",
          "Codec of the Flow protocol on stdin/stdout: json or proto. Default: FLOW_RUNTIME_CODEC "
          "(`json` means JSON, any other value proto), else json.");
ABSL_FLAG(atf::ByteSize, max_message_size, atf::ByteSize{uint64_t{256} << 20},
          "Largest connector output line or Flow message accepted (bytes; K/M/G suffixes allowed).");
ABSL_FLAG(absl::Duration, idle_timeout, absl::Hours(1),
          "Stop a connector that writes no record, state or response for this long "
          "(also AIRBYTE_TO_FLOW_IDLE_TIMEOUT).");
ABSL_FLAG(absl::Duration, grace_period, absl::Seconds(5),
          "Time a stopping connector gets between SIGTERM and SIGKILL.");
ABSL_FLAG(absl::Duration, progress_interval, absl::Seconds(60),
          "How often a capture logs its per-stream progress.");
ABSL_FLAG(std::string, parse_threads, "auto",
          "Worker threads decoding a capture's records: a number (0 decodes on the session thread), or auto: one "
          "per available CPU but one (left to the session thread and the connector), at most 4.");
ABSL_FLAG(std::string, grpc_listen, "",
          "Serve capture.Connector/Capture over gRPC on HOST:PORT instead of stdio (port 0 picks a free port).");
ABSL_FLAG(std::string, grpc_port_file, "",
          "With --grpc-listen, write the port actually bound to this file.");

namespace atf {
namespace {

// Our flags, in the order --help lists them.
constexpr std::array<const char*, 10> kFlags = {
    "connector_entrypoint", "connector_dir", "codec", "max_message_size", "idle_timeout",
    "grace_period", "progress_interval", "parse_threads", "grpc_listen", "grpc_port_file"};

// Worker threads for --parse-threads=auto: one per CPU this process may use
// but one, which the session thread and the connector need.
int AutoParseThreads() {
  cpu_set_t cpus;
  const int count = ::sched_getaffinity(0, sizeof(cpus), &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
  return std::clamp(count - 1, 0, 4);
}

constexpr const char* kEnvironment = R"(Environment:
  LOG_LEVEL                     trace|debug|info|warn|error (default info); also passed to the connector.
  LOG_FORMAT                    json|text: log format on stderr (default: text on a terminal, else json).
  FLOW_RUNTIME_CODEC            Codec when --codec is not given (`json`, anything else means proto).
  AIRBYTE_TO_FLOW_STATE_FORMAT  `per_stream`: hand stored state to the connector as a STREAM list.
  AIRBYTE_TO_FLOW_IDLE_TIMEOUT  Idle timeout when --idle-timeout is not given (e.g. 30m).
  AIRBYTE_TO_FLOW_PERSIST_CONTROL_CONFIG
                                `1`: persist connector config updates (CONTROL messages) in the state.
  TMPDIR                        Where the private temp dir is made (default /var/tmp).
)";

bool IsOurs(absl::string_view name) {
  for (const char* flag : kFlags) {
    if (name == flag) return true;
  }
  return false;
}

std::string Dashed(absl::string_view name) { return absl::StrReplaceAll(name, {{"_", "-"}}); }

absl::Status UsageError(absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(problem, "\n\n", UsageText()));
}

}  // namespace

std::string UsageText() {
  std::string out =
      "airbyte-to-flow runs an Airbyte source connector as an Estuary Flow capture connector.\n"
      "It reads Flow capture requests on stdin, runs the connector once per request, and writes\n"
      "Flow responses on stdout; logs go to stderr.\n\n"
      "Usage: airbyte-to-flow --connector-entrypoint \"python /airbyte/integration_code/main.py\" [flags]\n\n"
      "Flags:\n";
  for (const char* name : kFlags) {
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::string head = absl::StrCat("  --", Dashed(name));
    std::string def = flag->DefaultValue();
    if (!def.empty()) absl::StrAppend(&head, "=", def);
    if (head.size() < 32) head.resize(32, ' '); else absl::StrAppend(&head, "\n", std::string(32, ' '));
    absl::StrAppend(&out, head, flag->Help(), "\n");
  }
  absl::StrAppend(&out, "  --help                        Print this help.\n",
                  "  --version                     Print the version.\n\n", kEnvironment);
  return out;
}

absl::StatusOr<CliOutcome> ParseCommandLine(int argc, char** argv,
                                            const std::function<const char*(const char*)>& getenv) {
  for (const char* name : kFlags) {  // parses may repeat (tests): start from the defaults
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::string error;
    flag->ParseFrom(flag->DefaultValue(), &error);
  }

  // Route argv: absl names flags with underscores, the reference's CLI (and
  // every Dockerfile) uses dashes. Unknown flags and stray words are errors.
  std::vector<std::string> normalized = {argc > 0 ? argv[0] : "airbyte-to-flow"};
  std::vector<std::string> specified;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') return UsageError(absl::StrCat("unexpected argument `", arg, "`"));
    absl::string_view body = arg.substr(arg[1] == '-' ? 2 : 1);
    size_t eq = body.find('=');
    std::string name = absl::StrReplaceAll(body.substr(0, eq), {{"-", "_"}});
    if (name == "help" || name == "h" || name == "helpfull" || name == "helpshort") {
      return CliOutcome{CliOutcome::Action::kPrintAndExit, {}, UsageText()};
    }
    if (name == "version") {
      return CliOutcome{CliOutcome::Action::kPrintAndExit, {}, absl::StrCat("airbyte-to-flow ", ATF_VERSION, "\n")};
    }
    if (!IsOurs(name)) return UsageError(absl::StrCat("unknown flag `--", Dashed(name), "`"));
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(body.substr(eq + 1));
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return UsageError(absl::StrCat("flag `--", Dashed(name), "` needs a value"));
    }
    std::string error;
    if (!absl::FindCommandLineFlag(name)->ParseFrom(value, &error)) {
      return UsageError(absl::StrCat("invalid value `", value, "` for `--", Dashed(name), "`: ", error));
    }
    normalized.push_back(absl::StrCat("--", name, "=", value));
    specified.push_back(name);
  }
  std::vector<char*> normalized_argv;
  for (std::string& s : normalized) normalized_argv.push_back(s.data());
  absl::ParseCommandLine(static_cast<int>(normalized_argv.size()), normalized_argv.data());

  CliOptions options;
  ShimOptions& shim = options.shim;
  shim.connector_entrypoint = absl::GetFlag(FLAGS_connector_entrypoint);
  if (shim.connector_entrypoint.empty()) return UsageError("missing required flag `--connector-entrypoint`");
  shim.connector_dir = absl::GetFlag(FLAGS_connector_dir);
  shim.max_message_size = absl::GetFlag(FLAGS_max_message_size).bytes;
  shim.idle_timeout = absl::GetFlag(FLAGS_idle_timeout);
  shim.grace_period = absl::GetFlag(FLAGS_grace_period);
  shim.progress_interval = absl::GetFlag(FLAGS_progress_interval);
  const std::string threads = absl::GetFlag(FLAGS_parse_threads);
  if (threads == "auto") {
    shim.parse_threads = AutoParseThreads();
  } else if (!absl::SimpleAtoi(threads, &shim.parse_threads) || shim.parse_threads < 0 || shim.parse_threads > 64) {
    return UsageError(absl::StrCat("invalid value `", threads, "` for `--parse-threads`: expected auto or 0 to 64"));
  }
  options.codec = absl::GetFlag(FLAGS_codec);
  options.grpc_listen = absl::GetFlag(FLAGS_grpc_listen);
  options.grpc_port_file = absl::GetFlag(FLAGS_grpc_port_file);
  if (absl::StatusOr<Codec> codec = ChooseCodec(options.codec, nullptr); !codec.ok()) {
    return UsageError(codec.status().message());
  }
  for (absl::Duration* d : {&shim.idle_timeout, &shim.grace_period, &shim.progress_interval}) {
    if (*d <= absl::ZeroDuration()) return UsageError("durations must be positive (e.g. 30s, 10m, 1h)");
  }

  const char* level = getenv("LOG_LEVEL");
  shim.log_level = ParseLogLevel(level ? level : "").value_or(LogLevel::kInfo);
  const char* state_format = getenv("AIRBYTE_TO_FLOW_STATE_FORMAT");
  shim.per_stream_state = state_format != nullptr && absl::string_view(state_format) == "per_stream";
  const char* persist = getenv("AIRBYTE_TO_FLOW_PERSIST_CONTROL_CONFIG");
  shim.persist_control_config =
      persist != nullptr && (absl::string_view(persist) == "1" || absl::string_view(persist) == "true");
  const char* idle = getenv("AIRBYTE_TO_FLOW_IDLE_TIMEOUT");
  if (idle != nullptr && *idle != '\0' &&
      std::find(specified.begin(), specified.end(), "idle_timeout") == specified.end()) {
    if (!absl::ParseDuration(idle, &shim.idle_timeout) || shim.idle_timeout <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "AIRBYTE_TO_FLOW_IDLE_TIMEOUT=`", idle, "` is not a positive duration (e.g. 30m, 2h)"));
    }
  }
  return CliOutcome{CliOutcome::Action::kRun, std::move(options), {}};
}

}  // namespace atf
