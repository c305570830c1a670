// Serving one session over stdin/stdout, the way Flow runs the connector.
#pragma once

#include <optional>

#include "absl/status/status.h"
#include "atf/base/log.h"
#include "atf/protocol/codec.h"
#include "interceptors/options.h"

namespace atf {

// Reads requests from stdin and writes responses to stdout in `codec` (when
// nullopt, the codec of stdin's first bytes, logged) until the session is
// over. SIGTERM and SIGINT stop it cleanly (they must be blocked in every
// thread, see SignalWatcher::BlockWatchedSignals).
absl::Status ServeStdio(const ShimOptions& options, std::optional<Codec> codec, Logger log);

}  // namespace atf
