// Secret redaction (docs/decisions.md, D9): every log line the shim writes passes
// through a Redactor, which replaces known secret values with `***`.
#pragma once

#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rapidjson/document.h"

namespace atf {

// Locations in a config that a config schema marks secret (`airbyte_secret`
// or `secret` true): property-name paths, with "*" standing for array items.
using SecretPaths = std::vector<std::vector<std::string>>;

SecretPaths FindSecretPaths(const rapidjson::Value& config_schema);

// Whether a config key is named like a credential (password, secret, token,
// api_key, private_key, ...), ignoring case, `_` and `-`.
bool IsCredentialKey(absl::string_view key);

class Redactor {
 public:
  // Values shorter than this are not redacted: they would mangle every line.
  static constexpr size_t kMinSecretLength = 3;

  // Registers a secret value (and its JSON-escaped form, when different).
  void AddSecret(absl::string_view value);

  // Registers each config value at a location in `secret_paths` and each value
  // under a credential-like key. Nested objects and arrays are registered leaf by leaf.
  void AddConfigSecrets(const rapidjson::Value& config, const SecretPaths& secret_paths);

  // `text` with every registered secret replaced by `***`.
  std::string Redact(absl::string_view text) const;

  bool empty() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> secrets_ ABSL_GUARDED_BY(mu_);  // longest first
};

}  // namespace atf
