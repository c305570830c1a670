#include "atf/app/cli.h"

#include <sched.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "atf/protocol/codec.h"
#include "atf_commit.h"

namespace atf {
namespace {

// A size in bytes: a number with an optional K/KiB, M/MiB or G/GiB suffix.
absl::Status ParseByteSize(absl::string_view text, size_t* out) {
  const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  absl::string_view s = lower;
  uint64_t multiplier = 1;
  for (const auto& [suffix, factor] : std::array<std::pair<const char*, uint64_t>, 6>{{{"kib", 1ull << 10},
                                                                                       {"k", 1ull << 10},
                                                                                       {"mib", 1ull << 20},
                                                                                       {"m", 1ull << 20},
                                                                                       {"gib", 1ull << 30},
                                                                                       {"g", 1ull << 30}}}) {
    if (absl::EndsWith(s, suffix)) {
      s.remove_suffix(absl::string_view(suffix).size());
      multiplier = factor;
      break;
    }
  }
  uint64_t value;
  if (!absl::SimpleAtoi(s, &value) || value == 0 || value > (uint64_t{1} << 40) / multiplier) {
    return absl::InvalidArgumentError("expected a positive size in bytes, optionally with a KiB, MiB or GiB suffix");
  }
  *out = static_cast<size_t>(value * multiplier);
  return absl::OkStatus();
}

// Positivity is checked once every flag is read (one message for all).
absl::Status ParseDurationFlag(absl::string_view text, absl::Duration* out) {
  if (!absl::ParseDuration(std::string(text), out)) {
    return absl::InvalidArgumentError("expected a duration such as 30s, 10m or 1h");
  }
  return absl::OkStatus();
}

// Worker threads for --parse-threads=auto: one per CPU this process may use
// but one, which the session thread and the connector need.
int AutoParseThreads() {
  cpu_set_t cpus;
  const int count = ::sched_getaffinity(0, sizeof(cpus), &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
  return std::clamp(count - 1, 0, 4);
}

// One flag: its name as written on the command line (dashes), the default
// (parsed like any value, and shown by --help), its help and its parser.
struct Flag {
  const char* name;
  const char* default_value;
  const char* help;
  absl::Status (*parse)(absl::string_view value, CliOptions* options);
  // A switch takes no separate value: `--flag` means true, `--flag=false` false.
  bool is_switch = false;
};

absl::Status ParseSwitch(absl::string_view text, bool* out) {
  if (text == "true" || text == "1") {
    *out = true;
  } else if (text == "false" || text == "0") {
    *out = false;
  } else {
    return absl::InvalidArgumentError("expected true or false");
  }
  return absl::OkStatus();
}

constexpr Flag kFlags[] = {
    {"connector-entrypoint", "",
     "The Airbyte connector's command, run with /bin/sh, e.g. \"python /airbyte/integration_code/main.py\" "
     "(required).",
     [](absl::string_view v, CliOptions* o) {
       o->shim.connector_entrypoint = std::string(v);
       return absl::OkStatus();
     }},
    {"connector-dir", ".", "The folder holding the connector's patch files (spec.patch.json, streams/, ...).",
     [](absl::string_view v, CliOptions* o) {
       o->shim.connector_dir = std::string(v);
       return absl::OkStatus();
     }},
    {"codec", "",
     "Codec of the Flow protocol on stdin/stdout: json or proto. Default: FLOW_RUNTIME_CODEC "
     "(`json` means JSON, any other value proto), else the codec of Flow's first bytes.",
     [](absl::string_view v, CliOptions* o) {
       o->codec = std::string(v);  // checked with the environment in mind, below
       return absl::OkStatus();
     }},
    {"max-message-size", "256MiB",
     "Largest connector output line or Flow message accepted (bytes; K/M/G suffixes allowed).",
     [](absl::string_view v, CliOptions* o) { return ParseByteSize(v, &o->shim.max_message_size); }},
    {"idle-timeout", "1h",
     "Stop a connector that writes no record, state or response for this long "
     "(also AIRBYTE_TO_FLOW_IDLE_TIMEOUT).",
     [](absl::string_view v, CliOptions* o) { return ParseDurationFlag(v, &o->shim.idle_timeout); }},
    {"grace-period", "5s", "Time a stopping connector gets between SIGTERM and SIGKILL.",
     [](absl::string_view v, CliOptions* o) { return ParseDurationFlag(v, &o->shim.grace_period); }},
    {"progress-interval", "1m", "How often a capture logs its per-stream progress.",
     [](absl::string_view v, CliOptions* o) { return ParseDurationFlag(v, &o->shim.progress_interval); }},
    {"parse-threads", "auto",
     "Worker threads decoding a capture's records: a number (0 decodes on the session thread), or auto: one "
     "per available CPU but one (left to the session thread and the connector), at most 4.",
     [](absl::string_view v, CliOptions* o) {
       if (v == "auto") {
         o->shim.parse_threads = AutoParseThreads();
         return absl::OkStatus();
       }
       if (!absl::SimpleAtoi(v, &o->shim.parse_threads) || o->shim.parse_threads < 0 || o->shim.parse_threads > 64) {
         return absl::InvalidArgumentError("expected auto or 0 to 64");
       }
       return absl::OkStatus();
     }},
    {"strict-records", "false",
     "Fail the capture on a record that is not valid JSON as written (NaN, Infinity, a number beyond double "
     "range, a lone surrogate, bytes that are not UTF-8) instead of repairing it and warning.",
     [](absl::string_view v, CliOptions* o) { return ParseSwitch(v, &o->shim.strict_records); }, true},
    {"grpc-listen", "",
     "Serve capture.Connector/Capture over gRPC on HOST:PORT instead of stdio (port 0 picks a free port).",
     [](absl::string_view v, CliOptions* o) {
       o->grpc_listen = std::string(v);
       return absl::OkStatus();
     }},
    {"grpc-port-file", "", "With --grpc-listen, write the port actually bound to this file.",
     [](absl::string_view v, CliOptions* o) {
       o->grpc_port_file = std::string(v);
       return absl::OkStatus();
     }},
};

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

const Flag* FindFlag(absl::string_view name) {
  for (const Flag& flag : kFlags) {
    if (name == flag.name) return &flag;
  }
  return nullptr;
}

absl::Status UsageError(absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(problem, "\n\n", UsageText()));
}

}  // namespace

std::string VersionLine() { return absl::StrCat("airbyte-to-flow ", ATF_VERSION, " (", ATF_COMMIT, ")"); }

std::string UsageText() {
  std::string out =
      "airbyte-to-flow runs an Airbyte source connector as an Estuary Flow capture connector.\n"
      "It reads Flow capture requests on stdin, runs the connector once per request, and writes\n"
      "Flow responses on stdout; logs go to stderr.\n\n"
      "Usage: airbyte-to-flow --connector-entrypoint \"python /airbyte/integration_code/main.py\" [flags]\n"
      "       airbyte-to-flow drive COMMAND [flags]   the local driver: plays Flow against a connector\n"
      "       (spec, discover, validate, capture, snapshot, compat; see airbyte-to-flow drive --help)\n\n"
      "Flags (also written with underscores, as --flag=VALUE or --flag VALUE):\n";
  for (const Flag& flag : kFlags) {
    std::string head = absl::StrCat("  --", flag.name);
    if (*flag.default_value != '\0' && !flag.is_switch) absl::StrAppend(&head, "=", flag.default_value);
    if (head.size() < 32)
      head.resize(32, ' ');
    else
      absl::StrAppend(&head, "\n", std::string(32, ' '));
    absl::StrAppend(&out, head, flag.help, "\n");
  }
  absl::StrAppend(&out, "  --help                        Print this help.\n",
                  "  --version                     Print the version.\n\n", kEnvironment);
  return out;
}

absl::StatusOr<CliOutcome> ParseCommandLine(int argc, char** argv,
                                            const std::function<const char*(const char*)>& getenv) {
  CliOptions options;
  for (const Flag& flag : kFlags) {
    if (absl::Status status = flag.parse(flag.default_value, &options); !status.ok()) {
      return absl::InternalError(absl::StrCat("default of --", flag.name, ": ", status.message()));
    }
  }
  std::vector<const Flag*> specified;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') return UsageError(absl::StrCat("unexpected argument `", arg, "`"));
    const absl::string_view body = arg.substr(arg[1] == '-' ? 2 : 1);
    const size_t eq = body.find('=');
    const std::string name = absl::StrReplaceAll(body.substr(0, eq), {{"_", "-"}});
    if (name == "help" || name == "h" || name == "helpfull" || name == "helpshort") {
      return CliOutcome{CliOutcome::Action::kPrintAndExit, {}, UsageText()};
    }
    if (name == "version") {
      return CliOutcome{CliOutcome::Action::kPrintAndExit, {}, absl::StrCat(VersionLine(), "\n")};
    }
    const Flag* flag = FindFlag(name);
    if (flag == nullptr) return UsageError(absl::StrCat("unknown flag `--", name, "`"));
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(body.substr(eq + 1));
    } else if (flag->is_switch) {
      value = "true";
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return UsageError(absl::StrCat("flag `--", name, "` needs a value"));
    }
    if (absl::Status status = flag->parse(value, &options); !status.ok()) {
      return UsageError(absl::StrCat("invalid value `", value, "` for `--", name, "`: ", status.message()));
    }
    specified.push_back(flag);
  }
  auto given = [&](absl::string_view name) {
    return std::any_of(specified.begin(), specified.end(), [&](const Flag* f) { return name == f->name; });
  };
  ShimOptions& shim = options.shim;
  if (shim.connector_entrypoint.empty()) return UsageError("missing required flag `--connector-entrypoint`");
  if (absl::StatusOr<std::optional<Codec>> codec = ChooseCodec(options.codec, nullptr); !codec.ok()) {
    return UsageError(codec.status().message());
  }
  for (absl::Duration d : {shim.idle_timeout, shim.grace_period, shim.progress_interval}) {
    if (d <= absl::ZeroDuration()) return UsageError("durations must be positive (e.g. 30s, 10m, 1h)");
  }

  const char* level = getenv("LOG_LEVEL");
  shim.log_level = ParseLogLevel(level ? level : "").value_or(LogLevel::kInfo);
  const char* state_format = getenv("AIRBYTE_TO_FLOW_STATE_FORMAT");
  shim.per_stream_state = state_format != nullptr && absl::string_view(state_format) == "per_stream";
  const char* persist = getenv("AIRBYTE_TO_FLOW_PERSIST_CONTROL_CONFIG");
  shim.persist_control_config =
      persist != nullptr && (absl::string_view(persist) == "1" || absl::string_view(persist) == "true");
  const char* idle = getenv("AIRBYTE_TO_FLOW_IDLE_TIMEOUT");
  if (idle != nullptr && *idle != '\0' && !given("idle-timeout")) {
    if (!ParseDurationFlag(idle, &shim.idle_timeout).ok() || shim.idle_timeout <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("AIRBYTE_TO_FLOW_IDLE_TIMEOUT=`", idle, "` is not a positive duration (e.g. 30m, 2h)"));
    }
  }
  return CliOutcome{CliOutcome::Action::kRun, std::move(options), {}};
}

}  // namespace atf
