#include "atf/drive/exchange.h"

#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "atf/protocol/flow_json.h"

namespace atf::drive {
namespace {

// The shim's own error explains a broken session better than what the
// driver saw of it ("no response", "stream closed").
absl::Status SessionError(Session& session, const absl::Status& seen) {
  absl::Status finished = session.Finish();
  if (!finished.ok()) return finished;
  return seen;
}

}  // namespace

capture::Request ProbeRequest() {
  capture::Request request;
  request.mutable_spec()->set_connector_type(flow::CaptureSpec::IMAGE);
  request.mutable_spec()->set_config_json("{}");
  return request;
}

absl::string_view ResponseKind(const capture::Response& response) {
  if (response.has_spec()) return "spec";
  if (response.has_discovered()) return "discovered";
  if (response.has_validated()) return "validated";
  if (response.has_applied()) return "applied";
  if (response.has_opened()) return "opened";
  if (response.has_captured()) return "captured";
  if (response.has_checkpoint()) return "checkpoint";
  if (response.has_sourced_schema()) return "sourcedSchema";
  return "an empty response";
}

absl::StatusOr<capture::Response> Expect(Session& session, absl::string_view expected, absl::Duration timeout) {
  absl::StatusOr<std::optional<capture::Response>> next = session.Next(absl::Now() + timeout);
  if (!next.ok()) {
    if (absl::IsDeadlineExceeded(next.status()) || absl::IsCancelled(next.status())) {
      session.Abort();
      session.Finish().IgnoreError();  // stopped on purpose: its error is ours
      if (absl::IsCancelled(next.status())) return WithExitCode(next.status(), 130);
      return absl::DeadlineExceededError(
          absl::StrCat("no `", expected, "` response within ", absl::FormatDuration(timeout), " (--timeout)"));
    }
    return SessionError(session, next.status());
  }
  if (!next->has_value()) {
    return SessionError(
        session, absl::FailedPreconditionError(absl::StrCat("the shim ended without a `", expected, "` response")));
  }
  capture::Response response = std::move(**next);
  if (ResponseKind(response) != expected) {
    session.Abort();
    return SessionError(session, absl::FailedPreconditionError(absl::StrCat(
                                     "expected a `", expected, "` response, got `", ResponseKind(response), "`")));
  }
  return response;
}

absl::Status SendOrFail(Session& session, const capture::Request& request) {
  absl::Status sent = session.Send(request);
  if (sent.ok()) return sent;
  return SessionError(session, sent);
}

absl::StatusOr<capture::Response> RunUnary(Transport& transport, const capture::Request& request,
                                           absl::string_view expected, absl::Duration timeout) {
  ATF_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, transport.Open());
  ATF_RETURN_IF_ERROR(SendOrFail(*session, ProbeRequest()));
  ATF_RETURN_IF_ERROR(SendOrFail(*session, request));
  session->CloseInput();
  absl::StatusOr<capture::Response> probe = Expect(*session, "spec", timeout);
  if (!probe.ok()) return Annotate(probe.status(), "the probe Spec");
  ATF_ASSIGN_OR_RETURN(capture::Response response, Expect(*session, expected, timeout));
  absl::StatusOr<std::optional<capture::Response>> extra = session->Next(absl::Now() + timeout);
  ATF_RETURN_IF_ERROR(session->Finish());
  if (extra.ok() && extra->has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the shim wrote a `", ResponseKind(**extra), "` response after `", expected, "`"));
  }
  return response;
}

std::string ResponseBodyJson(const capture::Response& response) {
  std::string json;
  const google::protobuf::Message* body = nullptr;
  if (response.has_spec()) body = &response.spec();
  if (response.has_discovered()) body = &response.discovered();
  if (response.has_validated()) body = &response.validated();
  if (response.has_applied()) body = &response.applied();
  if (response.has_opened()) body = &response.opened();
  if (body == nullptr) return "{}";
  EncodeFlowJson(*body, &json);
  return json;
}

}  // namespace atf::drive
