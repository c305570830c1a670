#include "atf/drive/transport.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "atf/base/status.h"
#include "atf/protocol/codec.h"
#include "atf/protocol/frame_splitter.h"

namespace atf::drive {
namespace {

// Responses can hold large documents; the shim bounds its own frames.
constexpr size_t kMaxFrame = size_t{1} << 30;
// How long a finishing shim gets before SIGTERM, and then before SIGKILL. A
// capture stops its connector within its grace period (5s by default).
constexpr absl::Duration kFinishPatience = absl::Seconds(30);
// How often a waiting Pop looks at the stop signal.
constexpr absl::Duration kStopPoll = absl::Milliseconds(100);

class StdioSession : public Session {
 public:
  StdioSession(const TransportContext& context, std::unique_ptr<ShimProcess> shim)
      : context_(context), shim_(std::move(shim)), stdin_(shim_->TakeStdin()) {
    reader_ = std::thread([this, fd = shim_->TakeStdout()]() mutable { Read(std::move(fd)); });
  }

  ~StdioSession() override {
    Finish().IgnoreError();  // the caller's own Finish reported the outcome
  }

  absl::Status Send(const capture::Request& request) override {
    if (!stdin_.valid()) return absl::FailedPreconditionError("the session's input is already closed");
    std::string frame;
    AppendRequest(context_.options->codec, request, &frame);
    absl::string_view rest = frame;
    while (!rest.empty()) {
      const ssize_t n = ::write(stdin_.get(), rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        return absl::FailedPreconditionError(
            absl::StrCat("the shim stopped reading its input (", ::strerror(errno), ")"));
      }
      rest.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<capture::Response>> Next(absl::Time deadline) override {
    return queue_.Pop(deadline, *context_.stop);
  }

  void CloseInput() override { stdin_.reset(); }

  void Abort() override {
    CloseInput();
    shim_->Signal(SIGTERM);
  }

  absl::Status Finish() override {
    if (finished_) return finish_status_;
    finished_ = true;
    CloseInput();
    queue_.Discard();
    const ExitStatus exit = shim_->WaitOrStop(kFinishPatience);
    if (reader_.joinable()) reader_.join();
    if (!exit.success()) {
      std::string error = shim_->LastError();
      if (error.empty()) error = "no error message";
      finish_status_ = absl::UnknownError(absl::StrCat(error, " (the shim ", exit.Describe(), ")"));
    }
    return finish_status_;
  }

 private:
  void Read(UniqueFd fd) {
    const Codec codec = context_.options->codec;
    FrameSplitter splitter(FramingOf(codec), kMaxFrame);
    auto deliver = [&](absl::string_view frame) -> absl::Status {
      if (codec == Codec::kJson && frame.empty()) return absl::OkStatus();
      capture::Response response;
      absl::Status status = DecodeResponse(codec, frame, &response);
      if (!status.ok()) return Annotate(status, absl::StrCat("response ", splitter.frame_number(), " of the shim"));
      queue_.Push(std::move(response));
      return absl::OkStatus();
    };
    for (;;) {
      absl::StatusOr<size_t> n = splitter.ReadFrom(fd.get());
      if (!n.ok()) return queue_.End(n.status());
      for (;;) {
        absl::StatusOr<std::optional<absl::string_view>> frame = *n == 0 ? splitter.Finish() : splitter.Next();
        if (!frame.ok()) return queue_.End(Annotate(frame.status(), "the shim's output"));
        if (!frame->has_value()) break;
        if (absl::Status status = deliver(**frame); !status.ok()) return queue_.End(status);
        if (*n == 0) break;  // Finish returns the final frame once
      }
      if (*n == 0) return queue_.End(absl::OkStatus());
    }
  }

  TransportContext context_;
  std::unique_ptr<ShimProcess> shim_;
  UniqueFd stdin_;
  ResponseQueue queue_;
  std::thread reader_;
  bool finished_ = false;
  absl::Status finish_status_;
};

class StdioTransport : public Transport {
 public:
  explicit StdioTransport(const TransportContext& context) : context_(context) {}

  absl::StatusOr<std::unique_ptr<Session>> Open() override {
    ShimCommand command = MakeShimCommand(*context_.options, {});
    ATF_ASSIGN_OR_RETURN(std::unique_ptr<ShimProcess> shim, ShimProcess::Start(command, context_.console));
    return std::unique_ptr<Session>(new StdioSession(context_, std::move(shim)));
  }

 private:
  TransportContext context_;
};

}  // namespace

ShimCommand MakeShimCommand(const DriveOptions& options, std::vector<std::string> extra_args) {
  ShimCommand command;
  command.binary = options.shim_binary.empty() ? SelfBinary() : options.shim_binary;
  command.args = {"--connector-entrypoint", options.connector_entrypoint, "--connector-dir", options.connector_dir};
  if (!options.grpc) {
    command.args.push_back("--codec");
    command.args.push_back(std::string(CodecName(options.codec)));
  }
  command.args.insert(command.args.end(), options.shim_args.begin(), options.shim_args.end());
  command.args.insert(command.args.end(), extra_args.begin(), extra_args.end());
  // JSON logs, so that the relay can tell the final error line.
  command.env = {{"LOG_FORMAT", "json"}, {"LOG_LEVEL", options.log_level}};
  command.stdio = !options.grpc;
  return command;
}

void ResponseQueue::Push(capture::Response response) {
  absl::MutexLock lock(&mu_);
  auto room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return discarding_ || items_.size() < capacity_; };
  mu_.Await(absl::Condition(&room));
  if (!discarding_) items_.push_back(std::move(response));
}

void ResponseQueue::End(absl::Status status) {
  absl::MutexLock lock(&mu_);
  ended_ = true;
  end_status_ = std::move(status);
}

void ResponseQueue::Discard() {
  absl::MutexLock lock(&mu_);
  discarding_ = true;
  items_.clear();
}

absl::StatusOr<std::optional<capture::Response>> ResponseQueue::Pop(absl::Time deadline, const StopSource& stop) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !items_.empty() || ended_; };
  for (;;) {
    if (mu_.AwaitWithDeadline(absl::Condition(&ready), std::min(deadline, absl::Now() + kStopPoll))) break;
    if (stop.requested()) return absl::CancelledError(absl::StrCat("interrupted (", stop.Describe(), ")"));
    if (absl::Now() >= deadline) return absl::DeadlineExceededError("no response in time");
  }
  if (!items_.empty()) {
    capture::Response response = std::move(items_.front());
    items_.pop_front();
    return std::optional<capture::Response>(std::move(response));
  }
  if (!end_status_.ok()) return end_status_;
  return std::optional<capture::Response>();
}

std::unique_ptr<Transport> MakeStdioTransport(const TransportContext& context) {
  return std::make_unique<StdioTransport>(context);
}

}  // namespace atf::drive
