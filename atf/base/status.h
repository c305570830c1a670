// Errors are absl::Status values. This header adds what the shim needs on top:
// the process exit code an error should end with, and the one-line form of an
// error message that becomes the last line on stderr (Flow shows it to users).
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"

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

// Errors travel as values up to the one place that ends the process (main).
// These two keep that from costing an `if` per call:
//   ATF_RETURN_IF_ERROR(WriteFile(...));
//   ATF_ASSIGN_OR_RETURN(std::string path, WriteInputFile(...));
#define ATF_RETURN_IF_ERROR(expr)                                 \
  do {                                                            \
    if (::absl::Status atf_status_ = (expr); !atf_status_.ok()) { \
      return atf_status_;                                         \
    }                                                             \
  } while (false)

#define ATF_STATUS_CONCAT_INNER(a, b) a##b
#define ATF_STATUS_CONCAT(a, b) ATF_STATUS_CONCAT_INNER(a, b)
#define ATF_ASSIGN_OR_RETURN(lhs, expr) ATF_ASSIGN_OR_RETURN_IMPL(ATF_STATUS_CONCAT(atf_or_, __LINE__), lhs, expr)
#define ATF_ASSIGN_OR_RETURN_IMPL(result, lhs, expr)   \
  auto result = (expr);                                \
  if (!result.ok()) return std::move(result).status(); \
  lhs = std::move(*result)
