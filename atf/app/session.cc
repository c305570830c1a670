#include "atf/app/session.h"

#include <poll.h>

#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "atf/protocol/codec.h"
#include "interceptors/capture.h"
#include "interceptors/discover.h"
#include "interceptors/spec.h"
#include "interceptors/validate.h"

namespace atf {

Session::Session(const ShimOptions& options, Inbox& inbox, ResponseWriter& out, StopSource& stop, Logger log)
    : options_(options),
      inbox_(inbox),
      out_(out),
      stop_(stop),
      log_(log.WithRedactor(&memory_.redactor)),
      connector_dir_(options.connector_dir) {}

absl::Status Session::Run() {
  absl::Status status = Serve();
  if (status.ok()) return status;
  // Flow ending the session (stdin EOF during a capture, SIGTERM) while a
  // response waited for Flow to read is that end, not a failure (D11).
  if (IsOutputAbandoned(status) && stop_.requested() && stop_.reason() != StopReason::kShutdown) {
    log_.Info(absl::StrCat("stopped while Flow was not reading the output: ", stop_.Describe()));
    return absl::OkStatus();
  }
  absl::Status redacted(status.code(), memory_.redactor.Redact(status.message()));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) { redacted.SetPayload(url, payload); });
  return redacted;
}

absl::Status Session::Serve() {
  for (;;) {
    std::optional<InboxItem> item = NextItem();
    if (!item) {
      log_.Info(absl::StrCat("stopping between requests: ", stop_.Describe()));
      return absl::OkStatus();
    }
    if (item->kind == InboxItem::Kind::kEnd) return absl::OkStatus();
    if (item->kind == InboxItem::Kind::kError) return item->error;
    ATF_ASSIGN_OR_RETURN(bool done, Handle(item->request));
    if (done) return absl::OkStatus();
  }
}

std::optional<InboxItem> Session::NextItem() {
  for (;;) {
    if (std::optional<InboxItem> item = inbox_.TryPop()) return item;
    if (stop_.requested()) return std::nullopt;
    pollfd fds[2] = {{inbox_.ready_fd(), POLLIN, 0}, {stop_.fd(), POLLIN, 0}};
    ::poll(fds, 2, -1);
  }
}

OperationContext Session::Context() {
  return OperationContext{options_, connector_dir_, log_, out_, memory_, [this] { return GetTempDir(); }, stop_};
}

absl::StatusOr<const TempDir*> Session::GetTempDir() {
  if (!temp_dir_) {
    ATF_ASSIGN_OR_RETURN(std::unique_ptr<TempDir> created, TempDir::Create());
    temp_dir_ = std::move(created);
  }
  return temp_dir_.get();
}

void Session::LearnSecrets(const capture::Request& request) {
  const std::string* config = nullptr;
  if (request.has_spec()) config = &request.spec().config_json();
  if (request.has_discover()) config = &request.discover().config_json();
  if (request.has_validate()) config = &request.validate().config_json();
  if (request.has_open() && request.open().has_capture()) config = &request.open().capture().config_json();
  if (config == nullptr || config->empty()) return;
  absl::StatusOr<rapidjson::Document> parsed = ParseJson(*config, "endpoint config");
  if (parsed.ok()) memory_.redactor.AddConfigSecrets(*parsed, memory_.secret_paths);
}

absl::StatusOr<bool> Session::Handle(const capture::Request& request) {
  std::optional<absl::string_view> operation = OperationOf(request);
  if (!operation) {
    return absl::InvalidArgumentError(
        "request names no operation (expected one of spec, discover, validate, apply or open)");
  }
  log_.Debug("request", LogFields().Add("operation", *operation));
  // Which config fields are secret comes from the spec. Flow always asks for
  // it first; a client that did not gets it asked for on its behalf (D12).
  if ((request.has_discover() || request.has_validate() || request.has_open()) && !memory_.spec_learned) {
    LearnSpec();
  }
  LearnSecrets(request);

  if (request.has_spec()) {
    SpecInterceptor spec(Context());
    ATF_RETURN_IF_ERROR(RunUnary(spec));
    return false;
  }
  if (request.has_discover()) {
    DiscoverInterceptor discover(Context(), request.discover());
    ATF_RETURN_IF_ERROR(RunUnary(discover));
    return false;
  }
  if (request.has_validate()) {
    ValidateInterceptor validate(Context(), request.validate());
    ATF_RETURN_IF_ERROR(RunUnary(validate));
    return false;
  }
  if (request.has_open()) {
    ATF_RETURN_IF_ERROR(RunCapture(request.open()));
    return true;  // a capture ends the session
  }
  if (request.has_apply()) {
    // Nothing to apply for an Airbyte source: answered without the connector.
    capture::Response response;
    response.mutable_applied();
    ATF_RETURN_IF_ERROR(out_.Write(response));
    ATF_RETURN_IF_ERROR(out_.Flush());
    return false;
  }
  if (request.has_acknowledge()) {
    return absl::InvalidArgumentError("`acknowledge` request outside a capture session");
  }
  return absl::InvalidArgumentError(absl::StrCat("unsupported operation `", *operation, "`"));
}

void Session::LearnSpec() {
  SpecInterceptor spec(Context(), /*answer=*/false);
  absl::Status learned = RunUnary(spec);
  if (!learned.ok() || !memory_.spec_learned) {
    log_.Warn(
        "could not read the connector's spec to learn which config fields are secret; only fields named "
        "like credentials are redacted",
        LogFields().Add("reason", learned.ok() ? "no SPEC message" : std::string(learned.message())));
    memory_.spec_learned = true;  // asked once
  }
}

absl::StatusOr<RunOutcome> Session::RunConnectorFor(Interceptor& interceptor, bool capture) {
  ATF_ASSIGN_OR_RETURN(std::vector<std::string> args, interceptor.Prepare());
  return RunPrepared(interceptor, std::move(args), capture);
}

absl::StatusOr<RunOutcome> Session::RunPrepared(Interceptor& interceptor, std::vector<std::string> args, bool capture) {
  ConnectorCommand command{
      options_.connector_entrypoint, std::move(args), {{"LOG_LEVEL", std::string(LogLevelName(options_.log_level))}}};
  RunSettings settings{
      .idle_timeout = options_.idle_timeout,
      .grace_period = options_.grace_period,
      .max_message_size = options_.max_message_size,
      .tick_interval = capture ? options_.progress_interval : absl::InfiniteDuration(),
      .inbox = capture ? &inbox_ : nullptr,
      .parse_threads = capture ? options_.parse_threads : 0,
  };
  return RunConnector(command, interceptor, out_, settings, stop_, log_);
}

absl::Status Session::ConnectorFailed(Interceptor& interceptor, const RunOutcome& outcome) {
  if (!outcome.failure_message.empty()) {
    log_.Error(absl::StrCat("connector ", outcome.exit.Describe(), " during ", interceptor.name()));
  }
  return ConnectorFailure(interceptor.name(), outcome);
}

absl::Status Session::RunUnary(Interceptor& interceptor) {
  ATF_ASSIGN_OR_RETURN(RunOutcome outcome, RunConnectorFor(interceptor, /*capture=*/false));
  switch (outcome.ending) {
    case RunOutcome::Ending::kStopped: {
      const std::string what =
          absl::StrCat("stopped before the ", interceptor.name(), " response was written: ", stop_.Describe());
      // A server shutting down tells its client; SIGTERM to the stdio shim is Flow's normal end (D11).
      if (stop_.reason() == StopReason::kShutdown) return absl::CancelledError(what);
      log_.Info(what);
      return absl::OkStatus();
    }
    case RunOutcome::Ending::kIdle:
      return absl::DeadlineExceededError(absl::StrCat("connector was idle for ",
                                                      absl::FormatDuration(options_.idle_timeout),
                                                      " without answering ", interceptor.name()));
    case RunOutcome::Ending::kExited:
      break;
  }
  if (!outcome.exit.success()) return ConnectorFailed(interceptor, outcome);
  ATF_RETURN_IF_ERROR(interceptor.Finish(outcome));
  return out_.Flush();
}

absl::Status Session::IdleUntilStopped() {
  while (!stop_.requested()) {
    pollfd fds[2] = {{inbox_.ready_fd(), POLLIN, 0}, {stop_.fd(), POLLIN, 0}};
    ::poll(fds, 2, -1);
    while (std::optional<InboxItem> item = inbox_.TryPop()) {
      if (item->kind == InboxItem::Kind::kError) return item->error;
      if (item->kind == InboxItem::Kind::kRequest && !item->request.has_acknowledge()) {
        return absl::InvalidArgumentError(
            absl::StrCat("unexpected `", OperationOf(item->request).value_or("empty"),
                         "` request during a capture session (only `acknowledge` is allowed)"));
      }
    }
  }
  log_.Info(absl::StrCat("the idle shard stops: ", stop_.Describe()));
  return absl::OkStatus();
}

absl::Status Session::RunCapture(const capture::Request::Open& open) {
  // The inbox may outlive this session's stop source (gRPC): unhook it on every path.
  struct Unhook {
    Inbox& inbox;
    ~Unhook() { inbox.StopOnEnd(nullptr); }
  } unhook{inbox_};
  // From now on the end of Flow's input ends the session (D1), even while
  // the shim is blocked writing or waiting out the run interval.
  inbox_.StopOnEnd(&stop_);
  if (stop_.requested()) {
    log_.Info(absl::StrCat("not starting the capture: ", stop_.Describe()));
    return absl::OkStatus();
  }
  CaptureInterceptor capture(Context(), open);
  ATF_ASSIGN_OR_RETURN(std::vector<std::string> args, capture.Prepare());
  if (capture.owns_no_binding()) {
    log_.Info("this shard of the split capture owns no binding: idling until Flow ends the session");
    return IdleUntilStopped();
  }
  ATF_ASSIGN_OR_RETURN(RunOutcome outcome, RunPrepared(capture, std::move(args), /*capture=*/true));
  capture.LogSummary(outcome);
  switch (outcome.ending) {
    case RunOutcome::Ending::kStopped:
      return absl::OkStatus();  // Flow ended the session, or a signal: nothing more is written
    case RunOutcome::Ending::kIdle:
      break;  // stopped after a warning; Flow restarts the capture
    case RunOutcome::Ending::kExited:
      if (!outcome.exit.success()) return ConnectorFailed(capture, outcome);
      ATF_RETURN_IF_ERROR(capture.Finish(outcome));
      ATF_RETURN_IF_ERROR(out_.Flush());
      break;
  }
  capture.Linger();
  return absl::OkStatus();
}

}  // namespace atf
