// Errors are absl::Status values. This header adds what the shim needs on top:
// the process exit code an error should end with, and the one-line form of an
// error message that becomes the last line on stderr (Flow shows it to users).
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace atf {

// Attaches the exit code the process should end with (for example the
// connector's own non-zero exit code). Without it an error exits with 1.
absl::Status WithExitCode(absl::Status status, int exit_code);

// 0 for OK, the attached exit code when present, else 1.
int ExitCodeOf(const absl::Status& status);

// Collapses line breaks and runs of whitespace into single spaces, so that an
// error is exactly one human-readable line.
std::string OneLine(absl::string_view message);

// Prefixes the message of a non-OK status, keeping its code and payloads.
absl::Status Annotate(const absl::Status& status, absl::string_view prefix);

}  // namespace atf
