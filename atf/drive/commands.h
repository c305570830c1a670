// The driver's commands (docs/design.md, "The local driver"), each given the
// options, the console and a transport to the shim.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "atf/base/stop.h"
#include "atf/drive/capture_run.h"
#include "atf/drive/catalog.h"
#include "atf/drive/cli.h"
#include "atf/drive/console.h"
#include "atf/drive/transport.h"

namespace atf::drive {

struct DriveContext {
  const DriveOptions& options;
  Console& console;
  const StopSource& stop;
  Transport& transport;
};

absl::Status RunSpec(const DriveContext& ctx);
absl::Status RunDiscover(const DriveContext& ctx);
absl::Status RunValidate(const DriveContext& ctx);
absl::Status RunCapture(const DriveContext& ctx);
absl::Status RunSnapshot(const DriveContext& ctx);
// Needs no shim: compares two snapshot folders.
absl::Status RunCompat(const DriveOptions& options, Console& console);

// Shared by the commands: the Spec response for `config_json`, and Discover.
absl::StatusOr<capture::Response> FetchSpec(const DriveContext& ctx, const std::string& config_json);
absl::StatusOr<capture::Response> FetchDiscovered(const DriveContext& ctx, const Catalog& catalog);
// Validates the catalog's enabled bindings and builds the capture spec.
absl::StatusOr<flow::CaptureSpec> ValidateAndBuild(const DriveContext& ctx, const Catalog& catalog);
CaptureSettings SettingsFrom(const DriveOptions& options);

// The endpoint config in `path` as compact JSON; errors name the flag.
absl::StatusOr<std::string> ReadConfig(const std::string& path, absl::string_view flag);

}  // namespace atf::drive
