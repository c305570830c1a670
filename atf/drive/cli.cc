#include "atf/drive/cli.h"

#include <algorithm>
#include <array>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "atf/base/log.h"
#include "atf/base/status.h"

namespace atf::drive {
namespace {

// Commands as bits, so that each flag lists the commands it belongs to.
constexpr unsigned Bit(Command c) { return 1u << static_cast<unsigned>(c); }
constexpr unsigned kSpec = Bit(Command::kSpec), kDiscover = Bit(Command::kDiscover),
                   kValidate = Bit(Command::kValidate), kCapture = Bit(Command::kCapture),
                   kSnapshot = Bit(Command::kSnapshot);
// The commands that start the shim and its connector.
constexpr unsigned kRunning = kSpec | kDiscover | kValidate | kCapture | kSnapshot;

struct CommandInfo {
  const char* name;
  Command command;
  const char* synopsis;
};

constexpr std::array<CommandInfo, 6> kCommands{{
    {"spec", Command::kSpec,
     "spec [--config-schema] [--config FILE]\n"
     "      Print the Spec response (with --config-schema only its config schema)."},
    {"discover", Command::kDiscover,
     "discover --config FILE [--write DIR]\n"
     "      Print the Discovered response, or write Flow catalog files into DIR.\n"
     "      Without --config, --write DIR writes DIR/config.json: a stub to fill in."},
    {"validate", Command::kValidate,
     "validate --from DIR\n"
     "      Validate the enabled bindings of DIR's catalog; print the resource paths."},
    {"capture", Command::kCapture,
     "capture --from DIR [--sessions N] [--duration D] [--documents N] [--quiet]\n"
     "      Capture as Flow does, check every document against its collection's schema."},
    {"snapshot", Command::kSnapshot,
     "snapshot --dir DIR --config FILE [--mask PTR]...\n"
     "      Write spec.json, discover.json and capture.json into DIR.\n"
     "      snapshot --check DIR [--compat]: take it again and compare with DIR."},
    {"compat", Command::kCompat,
     "compat OLD_DIR NEW_DIR\n"
     "      Classify every Spec/Discover difference of two snapshots: compatible or breaking."},
}};

absl::Status Usage(absl::string_view problem) {
  return WithExitCode(
      absl::InvalidArgumentError(absl::StrCat(problem, " (airbyte-to-flow drive --help lists commands and flags)")), 2);
}

absl::Status ParseBool(absl::string_view v, bool* out) {
  if (v == "true" || v == "1" || v.empty()) {
    *out = true;
  } else if (v == "false" || v == "0") {
    *out = false;
  } else {
    return absl::InvalidArgumentError("expected true or false");
  }
  return absl::OkStatus();
}

absl::Status ParseDurationFlag(absl::string_view v, absl::Duration* out) {
  if (!absl::ParseDuration(std::string(v), out) || *out <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("expected a positive duration such as 500ms, 30s or 10m");
  }
  return absl::OkStatus();
}

absl::Status SetString(absl::string_view v, std::string* out) {
  if (v.empty()) return absl::InvalidArgumentError("expected a non-empty value");
  *out = std::string(v);
  return absl::OkStatus();
}

struct Flag {
  const char* name;
  const char* value;  // the value's name in --help; nullptr for a switch
  unsigned commands;
  const char* help;
  absl::Status (*parse)(absl::string_view value, DriveOptions* o);
};

constexpr Flag kFlags[] = {
    {"connector-entrypoint", "CMD", kRunning, "The connector's command, as for the shim (required).",
     [](absl::string_view v, DriveOptions* o) { return SetString(v, &o->connector_entrypoint); }},
    {"connector-dir", "DIR", kRunning, "The connector folder with its patch files (default: .).",
     [](absl::string_view v, DriveOptions* o) { return SetString(v, &o->connector_dir); }},
    {"codec", "json|proto", kRunning, "Codec spoken to the shim on its stdin/stdout (default json).",
     [](absl::string_view v, DriveOptions* o) -> absl::Status {
       if (v == "json") {
         o->codec = Codec::kJson;
       } else if (v == "proto") {
         o->codec = Codec::kProto;
       } else {
         return absl::InvalidArgumentError("expected json or proto");
       }
       return absl::OkStatus();
     }},
    {"grpc", nullptr, kRunning, "Serve the shim with --grpc-listen and speak gRPC to it instead of stdio.",
     [](absl::string_view v, DriveOptions* o) { return ParseBool(v, &o->grpc); }},
    {"shim-binary", "PATH", kRunning, "The shim to drive (default: this binary).",
     [](absl::string_view v, DriveOptions* o) { return SetString(v, &o->shim_binary); }},
    {"shim-arg", "ARG", kRunning, "One more argument for the shim, e.g. --shim-arg=--grace-period=1s (repeatable).",
     [](absl::string_view v, DriveOptions* o) {
       o->shim_args.emplace_back(v);
       return absl::OkStatus();
     }},
    {"log-level", "LEVEL", kRunning, "LOG_LEVEL of the shim and its connector; their logs are relayed (default warn).",
     [](absl::string_view v, DriveOptions* o) -> absl::Status {
       if (!ParseLogLevel(v)) return absl::InvalidArgumentError("expected trace, debug, info, warn or error");
       o->log_level = std::string(v);
       return absl::OkStatus();
     }},
    {"timeout", "D", kRunning, "Longest wait for each unary response (spec, discover, validated, ...; default 10m).",
     [](absl::string_view v, DriveOptions* o) { return ParseDurationFlag(v, &o->timeout); }},
    {"config", "FILE", kSpec | kDiscover | kSnapshot, "The endpoint config (JSON).",
     [](absl::string_view v, DriveOptions* o) { return SetString(v, &o->config); }},
    {"config-schema", nullptr, kSpec, "Print only the config schema.",
     [](absl::string_view v, DriveOptions* o) { return ParseBool(v, &o->config_schema); }},
    {"pretty", nullptr, kSpec | kDiscover | kValidate, "Pretty-print the JSON printed on stdout.",
     [](absl::string_view v, DriveOptions* o) { return ParseBool(v, &o->pretty); }},
    {"write", "DIR", kDiscover, "Write the Flow catalog files into DIR (created when missing).",
     [](absl::string_view v, DriveOptions* o) { return SetString(v, &o->write_dir); }},
    {"prefix", "PREFIX", kDiscover | kSnapshot,
     "Catalog name prefix of the capture and its collections (default acmeCo/<connector folder name>).",
     [](absl::string_view v, DriveOptions* o) { return SetString(v, &o->prefix); }},
    {"image", "IMAGE", kDiscover, "The capture's connector image (default ghcr.io/estuary/<connector folder>:local).",
     [](absl::string_view v, DriveOptions* o) { return SetString(v, &o->image); }},
    {"from", "DIR", kValidate | kCapture, "The folder `discover --write` wrote.",
     [](absl::string_view v, DriveOptions* o) { return SetString(v, &o->from_dir); }},
    {"state", "FILE", kCapture, "Start from this state (default: DIR/state.json when it exists, else {}).",
     [](absl::string_view v, DriveOptions* o) { return SetString(v, &o->state_file); }},
    {"fresh", nullptr, kCapture, "Start from the empty state {}, ignoring DIR/state.json.",
     [](absl::string_view v, DriveOptions* o) { return ParseBool(v, &o->fresh); }},
    {"state-out", "FILE", kCapture, "Also write the final state to FILE.",
     [](absl::string_view v, DriveOptions* o) { return SetString(v, &o->state_out); }},
    {"sessions", "N", kCapture, "Run N sessions in a row, carrying the state forward (default 1).",
     [](absl::string_view v, DriveOptions* o) -> absl::Status {
       if (!absl::SimpleAtoi(v, &o->sessions) || o->sessions < 1 || o->sessions > 10000) {
         return absl::InvalidArgumentError("expected 1 to 10000");
       }
       return absl::OkStatus();
     }},
    {"duration", "D", kCapture | kSnapshot, "End each session after D (default: when the connector ends).",
     [](absl::string_view v, DriveOptions* o) { return ParseDurationFlag(v, &o->duration); }},
    {"documents", "N", kCapture | kSnapshot, "End each session after N documents.",
     [](absl::string_view v, DriveOptions* o) -> absl::Status {
       if (!absl::SimpleAtoi(v, &o->documents) || o->documents == 0) {
         return absl::InvalidArgumentError("expected a positive number");
       }
       return absl::OkStatus();
     }},
    {"quiet", nullptr, kCapture, "Do not print documents on stdout.",
     [](absl::string_view v, DriveOptions* o) { return ParseBool(v, &o->quiet); }},
    {"output-state", nullptr, kCapture, "Print each checkpoint on stdout as [\"connectorState\",{...}].",
     [](absl::string_view v, DriveOptions* o) { return ParseBool(v, &o->output_state); }},
    {"progress-interval", "D", kCapture | kSnapshot,
     "How often progress is printed when stderr is not a terminal (default 10s).",
     [](absl::string_view v, DriveOptions* o) { return ParseDurationFlag(v, &o->progress_interval); }},
    {"dir", "DIR", kSnapshot, "Write the snapshot into DIR.",
     [](absl::string_view v, DriveOptions* o) { return SetString(v, &o->snapshot_dir); }},
    {"check", "DIR", kSnapshot, "Re-run and compare with the snapshot in DIR; exit 1 on differences.",
     [](absl::string_view v, DriveOptions* o) {
       o->check = true;
       return SetString(v, &o->snapshot_dir);
     }},
    {"compat", nullptr, kSnapshot, "With --check: classify Spec/Discover differences; exit 1 only on breaking ones.",
     [](absl::string_view v, DriveOptions* o) { return ParseBool(v, &o->compat); }},
    {"no-capture", nullptr, kSnapshot, "Snapshot only spec.json and discover.json.",
     [](absl::string_view v, DriveOptions* o) { return ParseBool(v, &o->no_capture); }},
    {"mask", "PTR", kSnapshot,
     "Replace the value at this JSON pointer of every document by \"<masked>\" (repeatable; * matches any "
     "array index or member).",
     [](absl::string_view v, DriveOptions* o) {
       o->masks.emplace_back(v);
       return absl::OkStatus();
     }},
    {"mask-state", "PTR", kSnapshot, "Mask this JSON pointer of the captured state (repeatable).",
     [](absl::string_view v, DriveOptions* o) {
       o->state_masks.emplace_back(v);
       return absl::OkStatus();
     }},
};

const Flag* FindFlag(absl::string_view name) {
  for (const Flag& flag : kFlags) {
    if (name == flag.name) return &flag;
  }
  return nullptr;
}

const CommandInfo* FindCommand(absl::string_view name) {
  for (const CommandInfo& info : kCommands) {
    if (name == info.name) return &info;
  }
  return nullptr;
}

absl::string_view NameOf(Command command) {
  for (const CommandInfo& info : kCommands) {
    if (info.command == command) return info.name;
  }
  return "help";
}

// Rules that involve more than one flag, once every flag is read.
absl::Status CheckCombination(const DriveOptions& o, const std::vector<std::string>& positional) {
  const bool running = (Bit(o.command) & kRunning) != 0;
  if (running && o.connector_entrypoint.empty()) return Usage("missing required flag --connector-entrypoint");
  if (o.command == Command::kCompat) {
    if (positional.size() != 2) return Usage("compat takes two folders: compat OLD_DIR NEW_DIR");
  } else if (!positional.empty()) {
    return Usage(absl::StrCat("unexpected argument `", positional.front(), "`"));
  }
  if ((o.command == Command::kValidate || o.command == Command::kCapture) && o.from_dir.empty()) {
    return Usage(absl::StrCat(NameOf(o.command), " needs --from DIR (the folder `discover --write` wrote)"));
  }
  if (o.command == Command::kCapture && o.fresh && !o.state_file.empty()) {
    return Usage("--state and --fresh exclude each other");
  }
  if (o.command == Command::kSnapshot) {
    if (o.snapshot_dir.empty()) return Usage("snapshot needs --dir DIR (write) or --check DIR (compare)");
    if (!o.check && o.config.empty()) return Usage("snapshot --dir needs --config FILE");
    if (o.compat && !o.check) return Usage("--compat goes with --check");
  }
  return absl::OkStatus();
}

}  // namespace

std::string DriveUsageText() {
  std::string out =
      "airbyte-to-flow drive plays Estuary Flow's runtime against a connector: it starts a second copy of\n"
      "the shim exactly as a connector image runs it (first Flow's probe Spec, then the real request) and\n"
      "speaks Flow's protocol to it over stdio (JSON lines or --codec proto) or gRPC (--grpc).\n\n"
      "Usage: airbyte-to-flow drive COMMAND --connector-entrypoint CMD [--connector-dir DIR] [flags]\n\n"
      "Commands:\n";
  for (const CommandInfo& info : kCommands) absl::StrAppend(&out, "  ", info.synopsis, "\n");
  absl::StrAppend(&out, "\nFlags (also written with underscores, as --flag=VALUE or --flag VALUE):\n");
  for (const Flag& flag : kFlags) {
    std::string head = absl::StrCat("  --", flag.name, flag.value ? absl::StrCat(" ", flag.value) : "");
    if (head.size() < 28) {
      head.resize(28, ' ');
    } else {
      absl::StrAppend(&head, "\n", std::string(28, ' '));
    }
    std::string commands;
    for (const CommandInfo& info : kCommands) {
      if (flag.commands & Bit(info.command)) absl::StrAppend(&commands, commands.empty() ? "" : ",", info.name);
    }
    if (flag.commands == kRunning) commands = "all but compat";
    absl::StrAppend(&out, head, flag.help, " [", commands, "]\n");
  }
  absl::StrAppend(&out,
                  "  --help                    Print this help.\n\n"
                  "Catalog files written by discover --write DIR (JSON, which is also YAML, for flowctl):\n"
                  "  DIR/flow.json             imports the two files below\n"
                  "  DIR/capture.flow.json     the capture: endpoint (image, config: config.json) and bindings\n"
                  "  DIR/collections.flow.json one collection per binding: schema and key\n"
                  "  DIR/config.json           the endpoint config (or the stub to fill in)\n"
                  "  DIR/state.json            written by capture: the state after the last session\n\n"
                  "Exit codes: 0 success; 1 a failure, a schema violation or (snapshot --check) a difference;\n"
                  "2 a usage error; 130 after Ctrl-C (the committed state is saved). compat and\n"
                  "snapshot --check --compat exit 1 only on breaking differences (compat: 2 when a folder\n"
                  "cannot be read).\n");
  return out;
}

absl::StatusOr<DriveOptions> ParseDriveCommandLine(const std::vector<std::string>& args) {
  DriveOptions options;
  std::vector<std::string> positional;
  bool have_command = false;
  std::vector<std::pair<const Flag*, std::string>> given;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      if (!have_command) {
        const CommandInfo* info = FindCommand(arg);
        if (info == nullptr) {
          return Usage(absl::StrCat("unknown command `", arg,
                                    "` (expected spec, discover, validate, capture, snapshot or compat)"));
        }
        options.command = info->command;
        have_command = true;
      } else {
        positional.push_back(arg);
      }
      continue;
    }
    const absl::string_view body = absl::string_view(arg).substr(arg[1] == '-' ? 2 : 1);
    const size_t eq = body.find('=');
    const std::string name = absl::StrReplaceAll(body.substr(0, eq), {{"_", "-"}});
    if (name == "help" || name == "h") {
      options.command = Command::kHelp;
      return options;
    }
    const Flag* flag = FindFlag(name);
    if (flag == nullptr) return Usage(absl::StrCat("unknown flag --", name));
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(body.substr(eq + 1));
    } else if (flag->value == nullptr) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Usage(absl::StrCat("flag --", name, " needs a value (", flag->value, ")"));
    }
    given.emplace_back(flag, std::move(value));
  }
  if (!have_command) return Usage("missing command");
  for (const auto& [flag, value] : given) {
    if ((flag->commands & Bit(options.command)) == 0) {
      return Usage(absl::StrCat("flag --", flag->name, " does not apply to ", NameOf(options.command)));
    }
    if (absl::Status status = flag->parse(value, &options); !status.ok()) {
      return Usage(absl::StrCat("invalid value `", value, "` for --", flag->name, ": ", status.message()));
    }
  }
  if (options.grpc && std::any_of(given.begin(), given.end(),
                                  [](const auto& g) { return absl::string_view(g.first->name) == "codec"; })) {
    return Usage("--codec and --grpc exclude each other (gRPC has its own framing)");
  }
  ATF_RETURN_IF_ERROR(CheckCombination(options, positional));
  if (options.command == Command::kCompat) {
    options.old_dir = positional[0];
    options.new_dir = positional[1];
  }
  return options;
}

}  // namespace atf::drive
