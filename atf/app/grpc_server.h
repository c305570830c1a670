// gRPC server mode (docs/decisions.md, D1): serves capture.Connector/Capture, one
// independent session per RPC (its own connector runs and temp dir) with the
// stdio semantics, and the standard grpc.health.v1.Health service.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "atf/base/log.h"
#include "interceptors/options.h"

namespace grpc {
class Status;
}

namespace atf {

// Listens on `listen` (HOST:PORT; port 0 picks a free port, logged and
// written to `port_file` when given) until SIGTERM or SIGINT, then stops the
// running sessions' connectors (grace period) and returns OK.
absl::Status ServeGrpc(const ShimOptions& options, const std::string& listen, const std::string& port_file, Logger log);

// The RPC status for a session's result: bad requests are INVALID_ARGUMENT,
// stops are CANCELLED, anything else (connector failures) INTERNAL; the
// message is the one-line error.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace atf
