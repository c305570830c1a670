// The gRPC transport: one shim serving capture.Connector/Capture
// (--grpc-listen 127.0.0.1:0 --grpc-port-file F) for the whole command, one
// Capture RPC per session, as Flow's connector-init serves a container.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "atf/drive/transport.h"

namespace atf::drive {

// Starts the server and waits until it listens.
absl::StatusOr<std::unique_ptr<Transport>> StartGrpcTransport(const TransportContext& context);

}  // namespace atf::drive
