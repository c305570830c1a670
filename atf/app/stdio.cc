#include "atf/app/stdio.h"

#include <unistd.h>

#include "atf/app/session.h"
#include "atf/base/status.h"
#include "atf/base/stop.h"
#include "atf/protocol/inbox.h"
#include "atf/protocol/request_reader.h"
#include "atf/protocol/response_writer.h"
#include "atf/runner/signals.h"

namespace atf {

absl::Status ServeStdio(const ShimOptions& options, Codec codec, Logger log) {
  ATF_ASSIGN_OR_RETURN(std::unique_ptr<StopSource> stop, StopSource::Create());
  ATF_ASSIGN_OR_RETURN(std::unique_ptr<Inbox> inbox, Inbox::Create());
  ATF_ASSIGN_OR_RETURN(std::unique_ptr<SignalWatcher> signals, SignalWatcher::Start([stop = stop.get()](int signal) {
                         stop->Request(StopReason::kSignal, signal);
                       }));

  FdResponseWriter out(STDOUT_FILENO, codec, stop.get());
  RequestReader reader(STDIN_FILENO, codec, options.max_message_size, inbox.get(), log);
  Session session(options, *inbox, out, *stop, log);
  return session.Run();
}

}  // namespace atf
