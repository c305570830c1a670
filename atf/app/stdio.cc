#include "atf/app/stdio.h"

#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "atf/app/session.h"
#include "atf/base/status.h"
#include "atf/base/stop.h"
#include "atf/protocol/inbox.h"
#include "atf/protocol/request_reader.h"
#include "atf/protocol/response_writer.h"
#include "atf/runner/signals.h"

namespace atf {

absl::Status ServeStdio(const ShimOptions& options, std::optional<Codec> chosen, Logger log) {
  ATF_ASSIGN_OR_RETURN(std::unique_ptr<StopSource> stop, StopSource::Create());
  ATF_ASSIGN_OR_RETURN(std::unique_ptr<Inbox> inbox, Inbox::Create());
  ATF_ASSIGN_OR_RETURN(std::unique_ptr<SignalWatcher> signals, SignalWatcher::Start([stop = stop.get()](int signal) {
                         stop->Request(StopReason::kSignal, signal);
                       }));

  // Neither --codec nor FLOW_RUNTIME_CODEC: Flow's connector-init then speaks
  // protobuf frames unless the image's label says json; the input tells (D15).
  std::string prefix;
  Codec codec = chosen.value_or(Codec::kJson);
  if (!chosen) {
    ATF_ASSIGN_OR_RETURN(SniffedInput sniffed, SniffCodec(STDIN_FILENO, *stop));
    codec = sniffed.codec;
    prefix = std::move(sniffed.prefix);
    log.Info(absl::StrCat("speaking the ", codec == Codec::kJson ? "JSON" : "protobuf",
                          " codec: no --codec or FLOW_RUNTIME_CODEC, and that is what Flow's first bytes are"));
  }
  FdResponseWriter out(STDOUT_FILENO, codec, stop.get());
  RequestReader reader(STDIN_FILENO, codec, options.max_message_size, inbox.get(), log, std::move(prefix));
  Session session(options, *inbox, out, *stop, log);
  return session.Run();
}

}  // namespace atf
