// The command line of `airbyte-to-flow drive COMMAND [flags]`: the local
// driver that plays Flow's runtime against a connector (docs/design.md,
// "The local driver"). One table of flags, each valid for some commands.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "atf/protocol/codec.h"

namespace atf::drive {

enum class Command { kHelp, kSpec, kDiscover, kValidate, kCapture, kSnapshot, kCompat };

struct DriveOptions {
  Command command = Command::kHelp;

  // How the second copy of the shim is started and spoken to.
  std::string connector_entrypoint;
  std::string connector_dir = ".";
  Codec codec = Codec::kJson;
  bool grpc = false;
  std::string shim_binary;                     // empty: this very binary
  std::vector<std::string> shim_args;          // extra flags for the shim
  std::string log_level = "warn";              // LOG_LEVEL of the shim (and its connector)
  absl::Duration timeout = absl::Minutes(10);  // for each unary response

  bool pretty = false;
  bool config_schema = false;

  // discover
  std::string config;     // --config FILE
  std::string write_dir;  // --write DIR
  std::string prefix;     // empty: acmeCo/<connector folder name>
  std::string image;      // empty: ghcr.io/estuary/<connector folder name>:local

  // validate, capture
  std::string from_dir;
  std::string state_file;
  bool fresh = false;
  std::string state_out;
  int sessions = 1;
  absl::Duration duration = absl::InfiniteDuration();  // per session
  uint64_t documents = 0;                              // per session; 0: no limit
  bool quiet = false;
  bool output_state = false;
  absl::Duration progress_interval = absl::Seconds(10);

  // snapshot
  std::string snapshot_dir;  // --dir (write) or --check (compare)
  bool check = false;
  bool compat = false;
  bool no_capture = false;
  std::vector<std::string> masks;        // document pointers
  std::vector<std::string> state_masks;  // state pointers

  // compat
  std::string old_dir;
  std::string new_dir;
};

// Parses the arguments after `drive`. A usage problem is an InvalidArgument
// error with exit code 2 whose one-line message names the flag or argument.
absl::StatusOr<DriveOptions> ParseDriveCommandLine(const std::vector<std::string>& args);

// The `drive --help` text: commands and flags.
std::string DriveUsageText();

}  // namespace atf::drive
