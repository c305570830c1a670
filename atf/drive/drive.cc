#include "atf/drive/drive.h"

#include <unistd.h>

#include <cstdio>
#include <memory>

#include "atf/base/status.h"
#include "atf/base/stop.h"
#include "atf/drive/cli.h"
#include "atf/drive/commands.h"
#include "atf/drive/console.h"
#include "atf/drive/grpc_transport.h"
#include "atf/drive/transport.h"
#include "atf/runner/signals.h"

namespace atf::drive {

absl::Status RunDrive(const std::vector<std::string>& args) {
  ATF_ASSIGN_OR_RETURN(DriveOptions options, ParseDriveCommandLine(args));
  Console console(STDOUT_FILENO, STDERR_FILENO);
  if (options.command == Command::kHelp) {
    ATF_RETURN_IF_ERROR(console.Out(DriveUsageText()));
    return console.Flush();
  }
  if (options.command == Command::kCompat) return RunCompat(options, console);

  // Ctrl-C or SIGTERM ends the current session the way Flow ends one.
  ATF_ASSIGN_OR_RETURN(std::unique_ptr<StopSource> stop, StopSource::Create());
  ATF_ASSIGN_OR_RETURN(std::unique_ptr<SignalWatcher> signals, SignalWatcher::Start([stop = stop.get()](int signal) {
                         stop->Request(StopReason::kSignal, signal);
                       }));
  const TransportContext transport_context{&options, &console, stop.get()};
  std::unique_ptr<Transport> transport;
  if (options.grpc) {
    ATF_ASSIGN_OR_RETURN(transport, StartGrpcTransport(transport_context));
  } else {
    transport = MakeStdioTransport(transport_context);
  }
  const DriveContext ctx{options, console, *stop, *transport};
  switch (options.command) {
    case Command::kSpec:
      return RunSpec(ctx);
    case Command::kDiscover:
      return RunDiscover(ctx);
    case Command::kValidate:
      return RunValidate(ctx);
    case Command::kCapture:
      return RunCapture(ctx);
    case Command::kSnapshot:
      return RunSnapshot(ctx);
    case Command::kHelp:
    case Command::kCompat:
      break;
  }
  return absl::OkStatus();
}

}  // namespace atf::drive
