#include "atf/app/grpc_server.h"

#include <poll.h>
#include <stdio.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "atf/app/session.h"
#include "atf/base/mutex.h"
#include "atf/base/status.h"
#include "atf/base/stop.h"
#include "atf/protocol/inbox.h"
#include "atf/protocol/response_writer.h"
#include "atf/runner/signals.h"
#include "capture.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"

namespace atf {
namespace {

// Every session in flight, so that a shutdown can stop them all.
class SessionRegistry {
 public:
  // False once the server is shutting down.
  bool Add(StopSource* stop) {
    MutexLock lock(&mu_);
    if (closed_) return false;
    live_.insert(stop);
    return true;
  }
  void Remove(StopSource* stop) {
    MutexLock lock(&mu_);
    live_.erase(stop);
  }
  void StopAll() {
    MutexLock lock(&mu_);
    closed_ = true;
    for (StopSource* stop : live_) stop->Request(StopReason::kShutdown);
  }
  // Waits until no session is in flight, at most until `deadline`.
  void WaitEmpty(absl::Time deadline) {
    MutexLock lock(&mu_);
    auto empty = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return live_.empty(); };
    mu_.AwaitWithDeadline(Condition(&empty), deadline);
  }

 private:
  Mutex mu_;
  std::set<StopSource*> live_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

// One Capture RPC: the session runs on its own thread; reads feed its inbox
// and its writes wait for the stream.
class CaptureReactor : public grpc::ServerBidiReactor<capture::Request, capture::Response>, public ResponseWriter {
 public:
  CaptureReactor(const ShimOptions& options, Logger log, SessionRegistry& registry)
      : options_(options), log_(log), registry_(registry) {
    absl::StatusOr<std::unique_ptr<Inbox>> inbox = Inbox::Create();
    absl::StatusOr<std::unique_ptr<StopSource>> stop = StopSource::Create();
    if (!inbox.ok() || !stop.ok()) {
      Finish(grpc::Status(grpc::StatusCode::INTERNAL, "cannot set up a session"));
      return;
    }
    inbox_ = std::move(*inbox);
    stop_ = std::move(*stop);
    if (!registry_.Add(stop_.get())) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down"));
      return;
    }
    registered_ = true;
    StartRead(&request_);
    session_ = std::thread([this] { RunSession(); });
  }

  void OnReadDone(bool ok) override {
    if (ok && inbox_->Push(InboxItem::Request(std::move(request_)))) {
      request_.Clear();
      StartRead(&request_);
      return;
    }
    // Half-close or cancellation: Flow's end of input, as stdin EOF.
    inbox_->Push(InboxItem::End());
  }

  void OnWriteDone(bool ok) override {
    MutexLock lock(&write_mu_);
    writing_ = false;
    write_ok_ = ok;
  }

  void OnCancel() override { stop_->Request(StopReason::kFlowClosed); }

  void OnDone() override {
    if (session_.joinable()) session_.join();
    if (registered_) registry_.Remove(stop_.get());
    delete this;
  }

  // ResponseWriter, on the session thread.
  absl::Status Write(const capture::Response& response) override {
    MutexLock lock(&write_mu_);
    if (!write_ok_) return absl::UnavailableError("the client is gone");
    pending_ = response;
    writing_ = true;
    StartWrite(&pending_);
    auto written = [this]() ABSL_SHARED_LOCKS_REQUIRED(write_mu_) { return !writing_; };
    write_mu_.Await(Condition(&written));
    return write_ok_ ? absl::OkStatus() : absl::UnavailableError("the client is gone");
  }

  absl::Status WriteCaptured(uint32_t binding, absl::string_view doc_json) override {
    capture::Response response;
    response.mutable_captured()->set_binding(binding);
    response.mutable_captured()->set_doc_json(std::string(doc_json));
    return Write(response);
  }

  absl::Status Flush() override { return absl::OkStatus(); }

 private:
  void RunSession() {
    Session session(options_, *inbox_, *this, *stop_, log_);
    absl::Status status = session.Run();
    inbox_->Shutdown();  // reads after the end are dropped, never block
    if (!status.ok()) log_.Error(OneLine(status.message()));
    Finish(ToGrpcStatus(status));
  }

  const ShimOptions& options_;
  Logger log_;
  SessionRegistry& registry_;
  bool registered_ = false;
  std::unique_ptr<Inbox> inbox_;
  std::unique_ptr<StopSource> stop_;
  capture::Request request_;
  std::thread session_;

  // One write in flight at a time: the session thread waits for gRPC's
  // OnWriteDone, which runs on a gRPC thread.
  Mutex write_mu_;
  capture::Response pending_ ABSL_GUARDED_BY(write_mu_);
  bool writing_ ABSL_GUARDED_BY(write_mu_) = false;
  bool write_ok_ ABSL_GUARDED_BY(write_mu_) = true;
};

class ConnectorService : public capture::Connector::CallbackService {
 public:
  ConnectorService(const ShimOptions& options, Logger log) : options_(options), log_(log) {}

  grpc::ServerBidiReactor<capture::Request, capture::Response>* Capture(grpc::CallbackServerContext*) override {
    return new CaptureReactor(options_, log_, registry_);
  }

  SessionRegistry& registry() { return registry_; }

 private:
  const ShimOptions& options_;
  Logger log_;
  SessionRegistry registry_;
};

absl::Status WritePortFile(const std::string& path, int port) {
  const std::string temporary = path + ".tmp";
  FILE* file = std::fopen(temporary.c_str(), "w");
  if (file == nullptr) return absl::FailedPreconditionError(absl::StrCat("cannot write --grpc-port-file ", path));
  std::fprintf(file, "%d\n", port);
  const bool written = std::fclose(file) == 0 && std::rename(temporary.c_str(), path.c_str()) == 0;
  if (!written) return absl::FailedPreconditionError(absl::StrCat("cannot write --grpc-port-file ", path));
  return absl::OkStatus();
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  grpc::StatusCode code = grpc::StatusCode::INTERNAL;
  if (status.code() == absl::StatusCode::kInvalidArgument) code = grpc::StatusCode::INVALID_ARGUMENT;
  if (status.code() == absl::StatusCode::kCancelled) code = grpc::StatusCode::CANCELLED;
  return grpc::Status(code, OneLine(status.message()));
}

absl::Status ServeGrpc(const ShimOptions& options, const std::string& listen, const std::string& port_file,
                       Logger log) {
  ATF_ASSIGN_OR_RETURN(std::unique_ptr<StopSource> shutdown, StopSource::Create());
  ATF_ASSIGN_OR_RETURN(
      std::unique_ptr<SignalWatcher> signals,
      SignalWatcher::Start([stop = shutdown.get()](int signal) { stop->Request(StopReason::kSignal, signal); }));

  grpc::EnableDefaultHealthCheckService(true);
  ConnectorService service(options, log);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(static_cast<int>(std::min<size_t>(options.max_message_size, INT32_MAX)));
  builder.SetMaxSendMessageSize(-1);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot listen for gRPC on `", listen, "`"));
  }
  log.Info("gRPC server listening", LogFields().Add("address", listen).Add("port", port));
  if (!port_file.empty()) {
    ATF_RETURN_IF_ERROR(WritePortFile(port_file, port));
  }

  pollfd fd = {shutdown->fd(), POLLIN, 0};
  while (!shutdown->requested()) ::poll(&fd, 1, -1);
  log.Info(absl::StrCat("shutting down the gRPC server: ", shutdown->Describe()));
  server->GetHealthCheckService()->SetServingStatus(false);
  service.registry().StopAll();
  // Sessions get the grace period to stop their connectors and finish; then
  // whatever is left is cancelled. Waiting here rather than in Shutdown's
  // deadline keeps idle client connections from holding the exit.
  service.registry().WaitEmpty(absl::Now() + options.grace_period + absl::Seconds(2));
  server->Shutdown(std::chrono::system_clock::now());
  server->Wait();
  return absl::OkStatus();
}

}  // namespace atf
