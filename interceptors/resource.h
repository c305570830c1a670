// A binding's resource config, as the shim writes it in Discover and reads it
// in Validate and Open (docs/reference.md, Resource config):
//   {"stream": "...", "namespace": "...", "syncMode": "incremental"|"full_refresh", "cursorField": [...]}
#pragma once

#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace atf {

struct ResourceSpec {
  std::string stream;
  std::optional<std::string> ns;
  std::string sync_mode;  // "incremental" or "full_refresh"
  std::optional<std::vector<std::string>> cursor_field;

  // Keys in the order stream, namespace, syncMode, cursorField; absent ones omitted.
  std::string ToJson() const;
  // [namespace, stream], or [stream] without a namespace.
  std::vector<std::string> ResourcePath() const;
};

// Parses a resource config (JSON text); unknown keys are ignored.
absl::StatusOr<ResourceSpec> ParseResourceSpec(absl::string_view json);

// The JSON schema of ResourceSpec sent as Spec's `resourceConfigSchema`.
absl::string_view ResourceSpecSchema();

}  // namespace atf
