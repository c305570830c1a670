// airbyte-to-flow: runs an Airbyte source connector as an Estuary Flow
// capture connector. This file is the one place where an error ends the
// process: it is logged as the last line on stderr and picks the exit code.
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "atf/app/cli.h"
#include "atf/app/grpc_server.h"
#include "atf/app/stdio.h"
#include "atf/base/log.h"
#include "atf/base/status.h"
#include "atf/drive/drive.h"
#include "atf/protocol/codec.h"
#include "atf/runner/signals.h"

int main(int argc, char** argv) {
  // Before any thread starts, so that every thread inherits the mask.
  atf::SignalWatcher::BlockWatchedSignals();

  // `airbyte-to-flow drive ...` is the local driver, not the shim: it starts
  // shims itself and reaps its own children, so it is no subreaper.
  if (argc >= 2 && std::string(argv[1]) == "drive") {
    const absl::Status status = atf::drive::RunDrive(std::vector<std::string>(argv + 2, argv + argc));
    if (status.ok()) return 0;
    std::fprintf(stderr, "airbyte-to-flow drive: %s\n", atf::OneLine(status.message()).c_str());
    return atf::ExitCodeOf(status);
  }
  // Processes the connector leaves behind are re-parented to us, to be reaped.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);

  absl::StatusOr<atf::CliOutcome> cli = atf::ParseCommandLine(argc, argv, ::getenv);
  if (!cli.ok()) {
    std::fprintf(stderr, "airbyte-to-flow: %s", std::string(cli.status().message()).c_str());
    return 2;
  }
  if (cli->action == atf::CliOutcome::Action::kPrintAndExit) {
    std::fputs(cli->output.c_str(), stdout);
    return 0;
  }
  const atf::CliOptions& options = cli->options;
  atf::LogSink sink(options.shim.log_level, atf::LogSink::DetectFormat(::getenv("LOG_FORMAT")));
  atf::Logger log(&sink);

  absl::Status status;
  if (!options.grpc_listen.empty()) {
    status = atf::ServeGrpc(options.shim, options.grpc_listen, options.grpc_port_file, log);
  } else {
    absl::StatusOr<std::optional<atf::Codec>> codec = atf::ChooseCodec(options.codec, ::getenv("FLOW_RUNTIME_CODEC"));
    status = codec.ok() ? atf::ServeStdio(options.shim, *codec, log) : codec.status();
  }
  if (!status.ok()) {
    log.Error(atf::OneLine(status.message()));
    return atf::ExitCodeOf(status);
  }
  return 0;
}
