// The request/response steps Flow's runtime takes with a connector, shared
// by the commands: every session starts with the runtime's probe Spec
// (docs/protocol.md), then the real request; a unary session then closes its
// input, as Flow does.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "atf/drive/transport.h"
#include "capture.pb.h"

namespace atf::drive {

// {"spec":{"connectorType":"IMAGE","config":{}}}
capture::Request ProbeRequest();

// "spec", "discovered", "validated", "applied", "opened", "captured",
// "checkpoint", "sourcedSchema", or "an empty response".
absl::string_view ResponseKind(const capture::Response& response);

// The next response, which must be `expected` (a ResponseKind), within
// `timeout`. Any failure ends the session and is reported with the shim's
// own error when it has one.
absl::StatusOr<capture::Response> Expect(Session& session, absl::string_view expected, absl::Duration timeout);

// Sends `request` and returns Finish's error when the shim failed.
absl::Status SendOrFail(Session& session, const capture::Request& request);

// One unary session: probe, `request`, end of input; the response to
// `request` (of kind `expected`), after the session ended well.
absl::StatusOr<capture::Response> RunUnary(Transport& transport, const capture::Request& request,
                                           absl::string_view expected, absl::Duration timeout);

// A Flow response object as JSON text ({"protocol":3032023,...} for a spec).
std::string ResponseBodyJson(const capture::Response& response);

}  // namespace atf::drive
