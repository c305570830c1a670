#include "atf/drive/grpc_transport.h"

#include <signal.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "atf/base/status.h"
#include "atf/base/temp_dir.h"
#include "atf/drive/files.h"
#include "capture.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace atf::drive {
namespace {

constexpr absl::Duration kListenTimeout = absl::Seconds(30);
constexpr absl::Duration kStopPatience = absl::Seconds(30);

class GrpcSession : public Session {
 public:
  GrpcSession(const TransportContext& context, capture::Connector::Stub& stub) : context_(context) {
    stream_ = stub.Capture(&client_);
    reader_ = std::thread([this] {
      capture::Response response;
      while (stream_->Read(&response)) queue_.Push(std::move(response));
      queue_.End(absl::OkStatus());
    });
  }

  ~GrpcSession() override {
    Finish().IgnoreError();  // the caller's own Finish reported the outcome
  }

  absl::Status Send(const capture::Request& request) override {
    if (writes_done_) return absl::FailedPreconditionError("the session's input is already closed");
    if (!stream_->Write(request)) return absl::FailedPreconditionError("the gRPC stream was closed by the shim");
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<capture::Response>> Next(absl::Time deadline) override {
    return queue_.Pop(deadline, *context_.stop);
  }

  // A half-close is Flow's end of input: a capture stops its connector.
  void CloseInput() override {
    if (writes_done_) return;
    writes_done_ = true;
    stream_->WritesDone();
  }

  void Abort() override {
    aborted_ = true;
    client_.TryCancel();
  }

  absl::Status Finish() override {
    if (finished_) return finish_status_;
    finished_ = true;
    CloseInput();
    queue_.Discard();
    if (reader_.joinable()) reader_.join();
    const grpc::Status status = stream_->Finish();
    if (!status.ok() && !(aborted_ && status.error_code() == grpc::StatusCode::CANCELLED)) {
      finish_status_ =
          absl::UnknownError(absl::StrCat(status.error_message(), " (gRPC status ", status.error_code(), ")"));
    }
    return finish_status_;
  }

 private:
  TransportContext context_;
  grpc::ClientContext client_;
  std::unique_ptr<grpc::ClientReaderWriter<capture::Request, capture::Response>> stream_;
  ResponseQueue queue_;
  std::thread reader_;
  bool writes_done_ = false;
  bool aborted_ = false;
  bool finished_ = false;
  absl::Status finish_status_;
};

class GrpcTransport : public Transport {
 public:
  GrpcTransport(const TransportContext& context, std::unique_ptr<TempDir> dir, std::unique_ptr<ShimProcess> shim)
      : context_(context), dir_(std::move(dir)), shim_(std::move(shim)) {}

  ~GrpcTransport() override {
    stub_.reset();
    channel_.reset();
    // SIGTERM is how the server is stopped; it exits 0 after it.
    shim_->Signal(SIGTERM);
    const ExitStatus exit = shim_->WaitOrStop(kStopPatience);
    if (!exit.success()) {
      context_.console->Err(absl::StrCat("warning: the gRPC shim ", exit.Describe(), ": ", shim_->LastError()));
    }
  }

  absl::Status Connect() {
    const std::string port_file = absl::StrCat(dir_->path(), "/port");
    const absl::Time deadline = absl::Now() + kListenTimeout;
    int port = 0;
    while (port == 0) {
      if (shim_->WaitUntil(absl::Now())) {
        return absl::FailedPreconditionError(absl::StrCat("the shim exited before serving gRPC: ", shim_->LastError()));
      }
      // Missing or still empty until the server has bound its port.
      absl::StatusOr<std::string> text = ReadTextFile(port_file);
      if (!text.ok() || !absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &port) || port <= 0) port = 0;
      if (port != 0) break;
      if (absl::Now() >= deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("the shim did not report its gRPC port within ", absl::FormatDuration(kListenTimeout)));
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);
    args.SetMaxSendMessageSize(-1);
    channel_ = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(), args);
    stub_ = capture::Connector::NewStub(channel_);
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<Session>> Open() override {
    return std::unique_ptr<Session>(new GrpcSession(context_, *stub_));
  }

 private:
  TransportContext context_;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<ShimProcess> shim_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<capture::Connector::Stub> stub_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Transport>> StartGrpcTransport(const TransportContext& context) {
  ATF_ASSIGN_OR_RETURN(std::unique_ptr<TempDir> dir, TempDir::Create());
  ShimCommand command = MakeShimCommand(
      *context.options, {"--grpc-listen", "127.0.0.1:0", "--grpc-port-file", absl::StrCat(dir->path(), "/port")});
  ATF_ASSIGN_OR_RETURN(std::unique_ptr<ShimProcess> shim, ShimProcess::Start(command, context.console));
  auto transport = std::make_unique<GrpcTransport>(context, std::move(dir), std::move(shim));
  ATF_RETURN_IF_ERROR(transport->Connect());
  return std::unique_ptr<Transport>(std::move(transport));
}

}  // namespace atf::drive
