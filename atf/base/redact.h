// Secret redaction (docs/decisions.md, D9): every log line the shim writes passes
// through a Redactor, which replaces known secret values with `***`.
#pragma once

#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/base/thread_annotations.h"
#include "atf/base/mutex.h"
#include "rapidjson/document.h"

namespace atf {

// Locations in a config that a config schema marks secret (`airbyte_secret`
// or `secret` true): property-name paths, with "*" standing for array items.
using SecretPaths = std::vector<std::vector<std::string>>;

SecretPaths FindSecretPaths(const rapidjson::Value& config_schema);

// Whether a config key is named like a credential (password, secret, token,
// api_key, private_key, passphrase, ...). The name is split into words (`_`,
// `-`, camelCase): a word that only describes a credential (type, expiry,
// url, date, method) makes it no secret, `update_password` still is one.
bool IsCredentialKey(absl::string_view key);

// Whether a config key names a user that may pair with a secret in HTTP basic
// auth (`user`, `username`, `login`, `email`, `client_id`, `account`).
bool IsUserKey(absl::string_view key);

// The forms a secret takes in what connectors print (docs/decisions.md, D12):
// as is, JSON-escaped (minimally, ASCII-only with \uXXXX in either case, and
// escaped twice), as Python's repr shows it, and URL-encoded (both hex cases,
// `+` or %20 for a space).
std::vector<std::string> SecretForms(absl::string_view secret);

// The base64 text that encodes `secret` wherever it sits in a longer value
// (basic auth's `user:secret`, a token blob): for each of the three byte
// alignments, the characters that depend on the secret's bytes alone, in the
// standard and URL-safe alphabets. Empty for secrets too short for a core of
// 8 characters.
std::vector<std::string> Base64Cores(absl::string_view secret);

class Redactor {
 public:
  // Values shorter than this are not redacted: they would mangle every line.
  static constexpr size_t kMinSecretLength = 3;

  // Registers a secret value in every form of SecretForms and Base64Cores.
  void AddSecret(absl::string_view value);

  // Registers each config value at a location in `secret_paths` and each value
  // under a credential-like key, leaf by leaf, and the base64 of
  // `user:secret` for every user-like value of the config.
  void AddConfigSecrets(const rapidjson::Value& config, const SecretPaths& secret_paths);

  // `text` with every registered secret replaced by `***`. A base64 core also
  // takes the base64 characters next to it, which carry bits of the secret.
  std::string Redact(absl::string_view text) const;

  // The longest registered form: text cut into pieces keeps this much minus
  // one from a piece to the next, so no secret straddles a cut unredacted.
  size_t longest_form() const;

  bool empty() const;

 private:
  void AddForm(std::string form) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable Mutex mu_;
  std::vector<std::string> forms_ ABSL_GUARDED_BY(mu_);    // longest first
  std::vector<std::string> cores_ ABSL_GUARDED_BY(mu_);    // base64 cores, longest first
  std::vector<std::string> secrets_ ABSL_GUARDED_BY(mu_);  // as registered
  std::vector<std::string> users_ ABSL_GUARDED_BY(mu_);
};

}  // namespace atf
