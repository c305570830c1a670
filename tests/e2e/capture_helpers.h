// Building blocks of capture tests: an Open request, a fake connector script
// of RECORD and STATE lines, and running the shim with stdin kept open (Flow
// closing it would end the capture).
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "tests/e2e/harness.h"

namespace atf::testing {

inline constexpr const char* kUsersBinding =
    R"({"resourceConfig":{"stream":"users","syncMode":"incremental","cursorField":["updated"]},"collection":{"name":"acmeCo/users","key":["/id"],"writeSchema":{"type":"object","properties":{"id":{"type":"integer"},"updated":{"type":"string","format":"date-time"}},"required":["id"]},"projections":[{"ptr":"/id","field":"id"},{"ptr":"/updated","field":"updated"}]}})";

inline std::string Open(absl::string_view bindings, absl::string_view state = "{}",
                        absl::string_view config = R"({"api_key":"k"})") {
  return absl::StrCat(
      R"({"open":{"capture":{"name":"acmeCo/cap","connectorType":"IMAGE","config":)", config, R"(,"bindings":[)",
      bindings, R"(]},"version":"v1","range":{"keyEnd":4294967295,"rClockEnd":4294967295},"state":)", state, "}}\n");
}

// Runs a capture: stdin stays open (Flow closing it would stop the capture).
inline RunResult Capture(const TestDir& dir, absl::string_view script_body, const std::string& open,
                         ShimOptions options = {}) {
  dir.Write("script", absl::StrCat("[read]\n", script_body));
  options.keep_stdin_open = true;
  return RunShim(dir, "script", open, options);
}

inline std::string Rec(absl::string_view stream, absl::string_view data, absl::string_view extra = "") {
  return absl::StrCat(R"(out {"type":"RECORD","record":{"stream":")", stream, R"(","data":)", data, extra,
                      R"(,"emitted_at":1700000000000}})", "\n");
}

inline std::string State(absl::string_view state) {
  return absl::StrCat(R"(out {"type":"STATE","state":)", state, "}\n");
}

}  // namespace atf::testing
