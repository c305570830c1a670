// End-to-end test harness: real processes, real pipes. Runs the built
// airbyte-to-flow binary with a scripted fake connector (fake_connector.cc)
// in a private folder, and collects exit status, stdout and stderr.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "tests/testing/process.h"
#include "tests/testing/test_util.h"

namespace atf::testing {

struct ShimOptions {
  std::vector<std::string> extra_args;
  std::vector<std::pair<std::string, std::string>> env;
  // Keep stdin open until the shim exits (a capture ends on stdin EOF).
  bool keep_stdin_open = false;
  double timeout_seconds = 30;
};

// Runs the shim with the fake connector running `script` (a file in `dir`),
// `dir` as the connector folder and `dir/tmp` as TMPDIR, feeding `input`.
RunResult RunShim(const TestDir& dir, absl::string_view script, absl::string_view input,
                  const ShimOptions& options = {});

// The arguments RunShim passes, for tests that drive a Process themselves.
std::vector<std::string> ShimArgs(const TestDir& dir, absl::string_view script);
std::vector<std::pair<std::string, std::string>> ShimEnv(const TestDir& dir);

std::string ShimBinary();
std::string FakeConnector();
std::string SourceDir();

}  // namespace atf::testing
