// Just enough of the Dockerfile language to check a derived connector's
// Dockerfile without Docker: instructions with their line numbers (comments
// and `\` continuations handled), shell-like words, the JSON exec form,
// LABEL pairs and ${VAR} substitution.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace atf::images {

struct DockerInstruction {
  std::string keyword;    // upper-cased: FROM, ARG, COPY, ...
  std::string arguments;  // the rest, continuation lines joined by a space
  int line = 0;           // where the instruction starts (1-based)
};

// Errors name `file_name` and the line.
absl::StatusOr<std::vector<DockerInstruction>> ParseDockerfile(absl::string_view text, absl::string_view file_name);

// Whitespace-separated words; "double" and 'single' quotes group, a backslash
// escapes the next character outside single quotes.
absl::StatusOr<std::vector<std::string>> SplitWords(absl::string_view arguments);

// The exec form (a JSON array of strings), or nullopt for the shell form.
// Arguments that start with `[` but are not such an array are an error, as
// Docker would silently run them through a shell instead.
absl::StatusOr<std::optional<std::vector<std::string>>> ExecForm(absl::string_view arguments);

// LABEL key=value pairs, in order.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseLabels(absl::string_view arguments);

// ${NAME}, ${NAME:-default} and $NAME replaced by `values` (unknown names by "").
std::string Substitute(absl::string_view text, const std::map<std::string, std::string>& values);

}  // namespace atf::images
