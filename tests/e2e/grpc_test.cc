// End to end: the shim as a gRPC server (--grpc-listen), driven by a real
// gRPC client built from our capture.proto.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "atf/protocol/codec.h"
#include "capture.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace atf::testing {
namespace {

using Clock = std::chrono::steady_clock;

bool WaitFor(const std::function<bool()>& condition, double seconds) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

// The shim serving gRPC on a port it picks, with the fake connector.
class GrpcShim {
 public:
  GrpcShim(const TestDir& dir, absl::string_view script, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = ShimArgs(dir, script);
    args.push_back("--grpc-listen=127.0.0.1:0");
    args.push_back(absl::StrCat("--grpc-port-file=", dir.Path("port")));
    args.insert(args.end(), extra.begin(), extra.end());
    process_ = Process::Start(ShimBinary(), args, ShimEnv(dir));
    EXPECT_TRUE(WaitFor([&] { return dir.Exists("port"); }, 10)) << "no port file";
    port_ = std::stoi(dir.Read("port"));
    grpc::ChannelArguments channel_args;
    channel_args.SetMaxReceiveMessageSize(-1);
    channel_ =
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials(), channel_args);
    stub_ = capture::Connector::NewStub(channel_);
  }

  capture::Connector::Stub& stub() { return *stub_; }
  grpc::Channel& channel() { return *channel_; }
  Process& process() { return *process_; }
  int port() const { return port_; }

  // Stops the server (SIGTERM) and returns how it ended.
  RunResult Stop() {
    process_->Signal(SIGTERM);
    return process_->Wait(20);
  }

 private:
  std::unique_ptr<Process> process_;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<capture::Connector::Stub> stub_;
};

capture::Request Req(absl::string_view json) {
  capture::Request request;
  EXPECT_TRUE(DecodeRequest(Codec::kJson, json, &request).ok()) << json;
  return request;
}

std::string Json(const capture::Response& response) {
  std::string out;
  AppendResponse(Codec::kJson, response, &out);
  out.pop_back();
  return out;
}

struct Rpc {
  std::vector<std::string> responses;  // as JSON
  grpc::Status status;
};

// One Capture RPC: sends `requests` and reads until the server ends it. The
// stream is half-closed at once, except for a capture, which that would stop
// (as stdin EOF does): there it is half-closed after the server's end.
Rpc Call(capture::Connector::Stub& stub, const std::vector<std::string>& requests, bool capture = false) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto stream = stub.Capture(&context);
  for (const std::string& request : requests) stream->Write(Req(request));
  if (!capture) stream->WritesDone();
  Rpc rpc;
  capture::Response response;
  while (stream->Read(&response)) rpc.responses.push_back(Json(response));
  if (capture) stream->WritesDone();
  rpc.status = stream->Finish();
  return rpc;
}

constexpr const char* kProbe = R"({"spec":{"connectorType":"IMAGE","config":{}}})";
constexpr const char* kScript = R"([spec]
out {"type":"SPEC","spec":{"documentationUrl":"https://docs/x","connectionSpecification":{"type":"object"}}}
[check]
out {"type":"CONNECTION_STATUS","connectionStatus":{"status":"SUCCEEDED"}}
[discover]
out {"type":"CATALOG","catalog":{"streams":[{"name":"users","json_schema":{"properties":{"id":{}}},"source_defined_primary_key":[["id"]]}]}}
)";
constexpr const char* kBinding =
    R"({"resourceConfig":{"stream":"users","syncMode":"incremental"},"collection":{"name":"a/users","key":["/id"]}})";

std::string Open(absl::string_view config = R"({"k":"v"})") {
  return absl::StrCat(R"({"open":{"capture":{"config":)", config, R"(,"bindings":[)", kBinding, R"(]},"state":{}}})");
}

TEST(Grpc, HealthServiceReportsServing) {
  TestDir dir;
  dir.Write("script", kScript);
  GrpcShim shim(dir, "script");
  grpc::GenericStub generic(shim.channel().shared_from_this());
  grpc::ClientContext context;
  grpc::Slice empty_slice("", 0);
  grpc::ByteBuffer request(&empty_slice, 1);  // an empty HealthCheckRequest: the whole server
  grpc::ByteBuffer response;
  grpc::Status status;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  generic.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = s;
                      done = true;
                      cv.notify_all();
                    });
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return done; }));
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));  // status: SERVING
  EXPECT_EQ(shim.Stop().exit_code, 0);
}

TEST(Grpc, SpecDiscoverValidateApply) {
  TestDir dir;
  dir.Write("script", kScript);
  dir.Write("documentation_url.patch.json", R"({"documentation_url":"https://go.estuary.dev/x"})");
  GrpcShim shim(dir, "script");

  Rpc spec = Call(shim.stub(), {kProbe, kProbe});
  ASSERT_TRUE(spec.status.ok()) << spec.status.error_message();
  ASSERT_EQ(spec.responses.size(), 2u);
  EXPECT_TRUE(absl::StrContains(spec.responses[1], R"("documentationUrl":"https://go.estuary.dev/x")"))
      << spec.responses[1];

  Rpc discover = Call(shim.stub(), {kProbe, R"({"discover":{"config":{}}})"});
  ASSERT_TRUE(discover.status.ok()) << discover.status.error_message();
  ASSERT_EQ(discover.responses.size(), 2u);
  EXPECT_JSON_EQ(
      discover.responses[1],
      R"({"discovered":{"bindings":[{"recommendedName":"users","resourceConfig":{"stream":"users","syncMode":"full_refresh","cursorField":["id"]},"documentSchema":{"properties":{"id":{}},"required":["id"]},"key":["/id"]}]}})");

  Rpc validate = Call(shim.stub(), {kProbe, absl::StrCat(R"({"validate":{"config":{},"bindings":[)", kBinding, "]}}")});
  ASSERT_TRUE(validate.status.ok()) << validate.status.error_message();
  EXPECT_EQ(validate.responses.back(), R"({"validated":{"bindings":[{"resourcePath":["users"]}]}})");

  Rpc apply = Call(shim.stub(), {kProbe, R"({"apply":{"version":"v1"}})"});
  ASSERT_TRUE(apply.status.ok());
  EXPECT_EQ(apply.responses.back(), R"({"applied":{}})");
  EXPECT_EQ(shim.Stop().exit_code, 0);
}

TEST(Grpc, CaptureSessionWithAcknowledgements) {
  TestDir dir;
  dir.Write("script",
            absl::StrCat(kScript, "[read]\n", R"(out {"type":"RECORD","record":{"stream":"users","data":{"id":1}}})",
                         "\n", R"(out {"type":"STATE","state":{"data":{"c":1}}})", "\nwait-for ", dir.Path("acked"),
                         "\n", R"(out {"type":"RECORD","record":{"stream":"users","data":{"id":2}}})", "\n",
                         R"(out {"type":"STATE","state":{"data":{"c":2}}})", "\n"));
  GrpcShim shim(dir, "script");
  grpc::ClientContext context;
  auto stream = shim.stub().Capture(&context);
  stream->Write(Req(kProbe));
  stream->Write(Req(Open()));
  capture::Response response;
  std::vector<std::string> seen;
  for (int i = 0; i < 4 && stream->Read(&response); ++i) seen.push_back(Json(response));
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[1], R"({"opened":{}})");
  EXPECT_EQ(seen[2], R"({"captured":{"doc":{"id":1}}})");
  EXPECT_EQ(seen[3], R"({"checkpoint":{"state":{"updated":{"c":1}}}})");
  stream->Write(Req(R"({"acknowledge":{"checkpoints":1}})"));
  dir.Write("acked", "");
  while (stream->Read(&response)) seen.push_back(Json(response));
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[4], R"({"captured":{"doc":{"id":2}}})");
  EXPECT_EQ(seen[5], R"({"checkpoint":{"state":{"updated":{"c":2}}}})");
  RunResult server = shim.Stop();
  EXPECT_EQ(server.exit_code, 0);
  EXPECT_TRUE(server.ErrContains(R"("acknowledgements":1)")) << server.err;
}

TEST(Grpc, ConcurrentSessionsAreIndependent) {
  TestDir dir;
  // Each session saves its config; the two configs differ and both
  // sessions wait for each other, so they surely overlap.
  dir.Write("script", absl::StrCat(kScript, "[read]\nsave-input --config ", dir.Path("config-$N.json"), "\n"));
  dir.Write("run.sh",
            absl::StrCat("#!/bin/sh\n", "[ \"$1\" = spec ] && exit 0\n",
                         "n=$(sed -n 's/.*\"n\":\\([0-9]\\).*/\\1/p' \"$3\")\n", "touch ", dir.Path("started-"), "$n\n",
                         "while [ ! -e ", dir.Path("started-1"), " ] || [ ! -e ", dir.Path("started-2"),
                         " ]; do sleep 0.01; done\n", "cp \"$3\" ", dir.Path("config-"), "$n.json\n",
                         R"(echo '{"type":"STATE","state":{"data":{"session":'$n'}}}')", "\n"));
  GrpcShim shim(dir, "script", {"--connector-entrypoint", absl::StrCat("sh ", dir.Path("run.sh"))});
  Rpc first, second;
  std::thread a([&] { first = Call(shim.stub(), {Open(R"({"n":1})")}, /*capture=*/true); });
  std::thread b([&] { second = Call(shim.stub(), {Open(R"({"n":2})")}, /*capture=*/true); });
  a.join();
  b.join();
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  ASSERT_EQ(first.responses.size(), 2u);  // opened, checkpoint
  ASSERT_EQ(second.responses.size(), 2u);
  EXPECT_EQ(first.responses.back(), R"({"checkpoint":{"state":{"updated":{"session":1}}}})");
  EXPECT_EQ(second.responses.back(), R"({"checkpoint":{"state":{"updated":{"session":2}}}})");
  EXPECT_JSON_EQ(dir.Read("config-1.json"), R"({"n":1})");
  EXPECT_JSON_EQ(dir.Read("config-2.json"), R"({"n":2})");
  EXPECT_EQ(shim.Stop().exit_code, 0);
  EXPECT_EQ(dir.List("tmp"), std::vector<std::string>{".keep"});  // both temp dirs removed
}

TEST(Grpc, CancellationMidCaptureStopsTheConnector) {
  TestDir dir;
  dir.Write("script", absl::StrCat(kScript, "[read]\npid ", dir.Path("pid"), "\nhang\n"));
  GrpcShim shim(dir, "script", {"--grace-period=500ms"});
  grpc::ClientContext context;
  auto stream = shim.stub().Capture(&context);
  stream->Write(Req(kProbe));
  stream->Write(Req(Open()));
  capture::Response response;
  ASSERT_TRUE(stream->Read(&response));  // spec
  ASSERT_TRUE(stream->Read(&response));  // opened
  ASSERT_TRUE(WaitFor([&] { return dir.Exists("pid"); }, 10));
  const pid_t pid = std::stoi(dir.Read("pid"));
  context.TryCancel();
  EXPECT_TRUE(WaitFor([&] { return ::kill(pid, 0) != 0; }, 5)) << "the connector still runs";
  stream->Finish();
  EXPECT_EQ(shim.Stop().exit_code, 0);
}

TEST(Grpc, HalfCloseMidCaptureStopsTheConnectorLikeStdinEof) {
  TestDir dir;
  dir.Write("script", absl::StrCat(kScript, "[read]\npid ", dir.Path("pid"), "\nhang\n"));
  GrpcShim shim(dir, "script", {"--grace-period=500ms"});
  grpc::ClientContext context;
  auto stream = shim.stub().Capture(&context);
  stream->Write(Req(kProbe));
  stream->Write(Req(Open()));
  capture::Response response;
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(WaitFor([&] { return dir.Exists("pid"); }, 10));
  stream->WritesDone();
  EXPECT_FALSE(stream->Read(&response));  // nothing more is written
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_TRUE(WaitFor([&] { return ::kill(std::stoi(dir.Read("pid")), 0) != 0; }, 5));
  EXPECT_EQ(shim.Stop().exit_code, 0);
}

TEST(Grpc, ConnectorFailureIsInternalWithTheErrorLine) {
  TestDir dir;
  dir.Write("script", R"([discover]
out {"type":"TRACE","trace":{"type":"ERROR","error":{"message":"Invalid API key.\nCheck it."}}}
exit 3
)");
  GrpcShim shim(dir, "script");
  Rpc rpc = Call(shim.stub(), {R"({"discover":{"config":{}}})"});
  EXPECT_EQ(rpc.status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(rpc.status.error_message(), "Invalid API key. Check it.");
  EXPECT_TRUE(rpc.responses.empty());
  EXPECT_EQ(shim.Stop().exit_code, 0);  // the server survives a failed session
}

TEST(Grpc, BadRequestsAreInvalidArgument) {
  TestDir dir;
  dir.Write("script", kScript);
  GrpcShim shim(dir, "script");
  Rpc empty = Call(shim.stub(), {"{}"});
  EXPECT_EQ(empty.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(empty.status.error_message(),
            "request names no operation (expected one of spec, discover, validate, apply or open)");
  Rpc ack = Call(shim.stub(), {R"({"acknowledge":{"checkpoints":1}})"});
  EXPECT_EQ(ack.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  Rpc bad_binding = Call(shim.stub(), {R"({"validate":{"bindings":[{"resourceConfig":{"stream":"s"}}]}})"});
  EXPECT_EQ(bad_binding.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(bad_binding.status.error_message(), "binding 0: "))
      << bad_binding.status.error_message();
  EXPECT_EQ(shim.Stop().exit_code, 0);
}

TEST(Grpc, SigtermStopsRunningSessionsAndExitsZero) {
  TestDir dir;
  dir.Write("script", absl::StrCat(kScript, "[read]\npid ", dir.Path("pid"), "\nhang\n"));
  GrpcShim shim(dir, "script", {"--grace-period=500ms"});
  grpc::ClientContext context;
  auto stream = shim.stub().Capture(&context);
  stream->Write(Req(Open()));
  capture::Response response;
  ASSERT_TRUE(stream->Read(&response));  // opened
  ASSERT_TRUE(WaitFor([&] { return dir.Exists("pid"); }, 10));
  const auto start = Clock::now();
  RunResult server = shim.Stop();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(server.exit_code, 0) << server.err;
  EXPECT_NE(::kill(std::stoi(dir.Read("pid")), 0), 0);
  EXPECT_TRUE(server.ErrContains("shutting down the gRPC server: SIGTERM")) << server.err;
  stream->Finish();
}

TEST(Grpc, ChosenPortIsLoggedAsAField) {
  TestDir dir;
  dir.Write("script", kScript);
  GrpcShim shim(dir, "script");
  RunResult server = shim.Stop();
  EXPECT_TRUE(server.ErrContains(
      absl::StrCat(R"("message":"gRPC server listening","fields":{"address":"127.0.0.1:0","port":)", shim.port(), "}")))
      << server.err;
}

TEST(Grpc, UnusableAddressIsAClearError) {
  TestDir dir;
  dir.Write("script", kScript);
  std::vector<std::string> args = ShimArgs(dir, "script");
  args.push_back("--grpc-listen=256.1.2.3:1");
  RunResult run = Process::Start(ShimBinary(), args, ShimEnv(dir))->Wait(20);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.LastErrMessage(), "cannot listen for gRPC on `256.1.2.3:1`");
}

}  // namespace
}  // namespace atf::testing
