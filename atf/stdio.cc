#include "atf/stdio.h"

#include <unistd.h>

#include "atf/inbox.h"
#include "atf/request_reader.h"
#include "atf/response_writer.h"
#include "atf/session.h"
#include "atf/signals.h"
#include "atf/stop.h"

namespace atf {

absl::Status ServeStdio(const ShimOptions& options, Codec codec, Logger log) {
  absl::StatusOr<std::unique_ptr<StopSource>> stop = StopSource::Create();
  if (!stop.ok()) return stop.status();
  absl::StatusOr<std::unique_ptr<Inbox>> inbox = Inbox::Create();
  if (!inbox.ok()) return inbox.status();
  absl::StatusOr<std::unique_ptr<SignalWatcher>> signals =
      SignalWatcher::Start([stop = stop->get()](int signal) { stop->Request(StopReason::kSignal, signal); });
  if (!signals.ok()) return signals.status();

  FdResponseWriter out(STDOUT_FILENO, codec, stop->get());
  RequestReader reader(STDIN_FILENO, codec, options.max_message_size, inbox->get(), log);
  Session session(options, **inbox, out, **stop, log);
  return session.Run();
}

}  // namespace atf
