// `airbyte-to-flow drive COMMAND [flags]`: the local driver, which plays
// Flow's runtime against a connector by starting a second copy of the shim.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace atf::drive {

// Runs the driver with the arguments after `drive`. The status is what the
// process ends with (main prints its message as the last stderr line and
// exits with ExitCodeOf it).
absl::Status RunDrive(const std::vector<std::string>& args);

}  // namespace atf::drive
