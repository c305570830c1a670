// The command line (one table of flags, no global state) and the environment variables of the shim.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "interceptors/options.h"

namespace atf {

struct CliOptions {
  ShimOptions shim;
  std::string codec;           // --codec (empty: decided by FLOW_RUNTIME_CODEC)
  std::string grpc_listen;     // --grpc-listen
  std::string grpc_port_file;  // --grpc-port-file
};

// What parsing the command line asks the caller to do.
struct CliOutcome {
  enum class Action { kRun, kPrintAndExit };
  Action action = Action::kRun;
  CliOptions options;  // kRun
  std::string output;  // kPrintAndExit: --help or --version text, for stdout
};

// Parses argv (flags may be written `--connector-entrypoint` or
// `--connector_entrypoint`, with `=VALUE` or a separate VALUE) and reads the
// environment through `getenv`. A usage problem is an InvalidArgument error
// whose message ends with the usage text; exit with 2 for it.
absl::StatusOr<CliOutcome> ParseCommandLine(int argc, char** argv,
                                            const std::function<const char*(const char*)>& getenv);

// "airbyte-to-flow 0.1.0 (<commit>)", what --version prints.
std::string VersionLine();

// The --help text: flags, their defaults and the environment variables.
std::string UsageText();

}  // namespace atf
