// Files the driver reads and writes (catalog files, state, snapshots). Every
// error names the file; writes replace a file atomically, so that an
// interrupted run never leaves half a state.json behind.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace atf::drive {

absl::StatusOr<std::string> ReadTextFile(const std::string& path);
// Parsed JSON; errors name the file, line and column.
absl::StatusOr<rapidjson::Document> ReadJsonFile(const std::string& path);
// Writes `contents` to a temporary file next to `path`, then renames it.
absl::Status WriteTextFile(const std::string& path, absl::string_view contents);
// Creates `path` and its missing parents (mode 0755).
absl::Status MakeDirectories(const std::string& path);
bool PathExists(const std::string& path);
// `dir/name`, or `name` alone when it is absolute.
std::string JoinPath(absl::string_view dir, absl::string_view name);
// The last component of `path` ("connectors/source-demo/" -> "source-demo").
std::string BaseName(absl::string_view path);

}  // namespace atf::drive
