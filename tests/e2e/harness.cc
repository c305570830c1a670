#include "tests/e2e/harness.h"

#include "absl/strings/str_cat.h"

namespace atf::testing {

std::string ShimBinary() { return ATF_BINARY; }
std::string FakeConnector() { return FAKE_CONNECTOR; }
std::string SourceDir() { return ATF_SOURCE_DIR; }

std::vector<std::string> ShimArgs(const TestDir& dir, absl::string_view script) {
  return {"--connector-entrypoint", absl::StrCat(FakeConnector(), " --script ", dir.Path(script)), "--connector-dir",
          dir.path()};
}

std::vector<std::pair<std::string, std::string>> ShimEnv(const TestDir& dir) {
  dir.Write("tmp/.keep", "");
  return {{"TMPDIR", dir.Path("tmp")}, {"LOG_FORMAT", "json"}};
}

RunResult RunShim(const TestDir& dir, absl::string_view script, absl::string_view input, const ShimOptions& options) {
  std::vector<std::string> args = ShimArgs(dir, script);
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<std::pair<std::string, std::string>> env = ShimEnv(dir);
  env.insert(env.end(), options.env.begin(), options.env.end());
  std::unique_ptr<Process> process = Process::Start(ShimBinary(), args, env);
  if (!process) return RunResult{};
  process->Write(input);
  if (!options.keep_stdin_open) process->CloseStdin();
  RunResult result = process->Wait(options.timeout_seconds);
  if (result.timed_out) ADD_FAILURE() << "the shim did not exit within " << options.timeout_seconds << "s";
  return result;
}

}  // namespace atf::testing
