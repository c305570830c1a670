#include "atf/base/redact.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "atf/base/json.h"

namespace atf {
namespace {

bool IsTrue(const rapidjson::Value& schema, const char* key) {
  const rapidjson::Value* v = FindMember(schema, key);
  return v != nullptr && v->IsBool() && v->GetBool();
}

void CollectSecretPaths(const rapidjson::Value& schema, std::vector<std::string>& path, SecretPaths& out) {
  if (!schema.IsObject()) return;
  if (IsTrue(schema, "airbyte_secret") || IsTrue(schema, "secret")) out.push_back(path);
  if (const rapidjson::Value* props = FindMember(schema, "properties"); props && props->IsObject()) {
    for (const auto& member : props->GetObject()) {
      path.emplace_back(ViewOf(member.name));
      CollectSecretPaths(member.value, path, out);
      path.pop_back();
    }
  }
  if (const rapidjson::Value* items = FindMember(schema, "items")) {
    path.emplace_back("*");
    CollectSecretPaths(*items, path, out);
    path.pop_back();
  }
  for (const char* combinator : {"oneOf", "anyOf", "allOf"}) {
    if (const rapidjson::Value* branches = FindMember(schema, combinator); branches && branches->IsArray()) {
      for (const auto& branch : branches->GetArray()) CollectSecretPaths(branch, path, out);
    }
  }
}

bool PathMatches(const std::vector<std::string>& pattern, const std::vector<std::string>& path) {
  if (pattern.size() != path.size()) return false;
  for (size_t i = 0; i < path.size(); ++i) {
    if (pattern[i] != "*" && pattern[i] != path[i]) return false;
  }
  return true;
}

}  // namespace

SecretPaths FindSecretPaths(const rapidjson::Value& config_schema) {
  SecretPaths out;
  std::vector<std::string> path;
  CollectSecretPaths(config_schema, path, out);
  return out;
}

bool IsCredentialKey(absl::string_view key) {
  std::string normalized;
  for (char c : key) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      normalized.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  // Keys such as `token_type` or `token_expiry_date` describe a credential but
  // hold no secret; redacting their values would only blank common words.
  for (const char* descriptive : {"type", "expir", "url", "uri", "date", "method"}) {
    if (absl::StrContains(normalized, descriptive)) return false;
  }
  for (const char* marker : {"password", "secret", "token", "apikey", "privatekey", "passphrase"}) {
    if (absl::StrContains(normalized, marker)) return true;
  }
  return false;
}

void Redactor::AddSecret(absl::string_view value) {
  if (value.size() < kMinSecretLength) return;
  std::vector<std::string> forms = {std::string(value)};
  std::string escaped;
  AppendJsonString(&escaped, value);
  escaped = escaped.substr(1, escaped.size() - 2);
  if (escaped != value) forms.push_back(std::move(escaped));
  absl::MutexLock lock(&mu_);
  for (std::string& form : forms) {
    if (std::find(secrets_.begin(), secrets_.end(), form) == secrets_.end()) secrets_.push_back(std::move(form));
  }
  // Longest first, so that a secret containing another is replaced whole.
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Redactor::AddConfigSecrets(const rapidjson::Value& config, const SecretPaths& secret_paths) {
  std::vector<std::string> path;
  // Walks the config; `secret` is true below a secret location.
  auto walk = [&](auto& self, const rapidjson::Value& value, bool secret) -> void {
    for (const auto& pattern : secret_paths) secret = secret || PathMatches(pattern, path);
    if (value.IsObject()) {
      for (const auto& member : value.GetObject()) {
        path.emplace_back(ViewOf(member.name));
        self(self, member.value, secret || IsCredentialKey(ViewOf(member.name)));
        path.pop_back();
      }
    } else if (value.IsArray()) {
      for (const auto& element : value.GetArray()) {
        path.emplace_back("*");
        self(self, element, secret);
        path.pop_back();
      }
    } else if (secret && value.IsString()) {
      AddSecret(ViewOf(value));
    } else if (secret && value.IsNumber()) {
      AddSecret(WriteJson(value));
    }
  };
  walk(walk, config, false);
}

std::string Redactor::Redact(absl::string_view text) const {
  absl::MutexLock lock(&mu_);
  if (secrets_.empty()) return std::string(text);
  std::string out(text);
  for (const std::string& secret : secrets_) {
    if (out.find(secret) != std::string::npos) out = absl::StrReplaceAll(out, {{secret, "***"}});
  }
  return out;
}

bool Redactor::empty() const {
  absl::MutexLock lock(&mu_);
  return secrets_.empty();
}

}  // namespace atf
