#include "atf/base/redact.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

namespace {

// The words of a key: split at `_`, `-`, other punctuation and camelCase.
std::vector<std::string> KeyWords(absl::string_view key) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i < key.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(key[i]);
    if (!std::isalnum(c)) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      continue;
    }
    const bool upper = std::isupper(c) != 0;
    const bool after_lower = i > 0 && std::islower(static_cast<unsigned char>(key[i - 1]));
    if (upper && after_lower && !word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
    word.push_back(static_cast<char>(std::tolower(c)));
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

bool AnyWordStartsWith(const std::vector<std::string>& words, std::initializer_list<const char*> prefixes) {
  for (const std::string& word : words) {
    for (const char* prefix : prefixes) {
      if (absl::StartsWith(word, prefix)) return true;
    }
  }
  return false;
}

void AppendHex(std::string* out, unsigned char c, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  out->push_back(digits[c >> 4]);
  out->push_back(digits[c & 0xF]);
}

// JSON string body with every non-ASCII code point as \uXXXX (surrogate pairs
// beyond the BMP), as Python's json.dumps writes by default.
std::string AsciiJsonEscape(absl::string_view s, bool upper) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : Utf8SequenceLength(s, i);
    if (c < 0x80 || n == 0) {
      std::string one;
      AppendJsonString(&one, s.substr(i, 1));
      out.append(one.substr(1, one.size() - 2));
      ++i;
      continue;
    }
    uint32_t cp = c & (0xFF >> (n + 1));
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    auto unit = [&](uint32_t u) {
      out.append("\\u");
      AppendHex(&out, static_cast<unsigned char>(u >> 8), upper);
      AppendHex(&out, static_cast<unsigned char>(u & 0xFF), upper);
    };
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(0xD800 + (cp >> 10));
      unit(0xDC00 + (cp & 0x3FF));
    } else {
      unit(cp);
    }
    i += n;
  }
  return out;
}

std::string MinimalJsonEscape(absl::string_view s) {
  std::string quoted;
  AppendJsonString(&quoted, s);
  return quoted.substr(1, quoted.size() - 2);
}

// The body of Python's repr of a str (single-quoted form).
std::string PythonRepr(absl::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
        out.append("\\\\");
        break;
      case '\'':
        out.append("\\'");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out.append("\\x");
          AppendHex(&out, c, false);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

std::string UrlEncode(absl::string_view s, bool upper, bool plus_for_space) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ' && plus_for_space) {
      out.push_back('+');
    } else {
      out.push_back('%');
      AppendHex(&out, c, upper);
    }
  }
  return out;
}

constexpr size_t kMinCore = 8;

bool IsBase64Char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '-' || c == '_' || c == '=';
}

}  // namespace

bool IsCredentialKey(absl::string_view key) {
  const std::vector<std::string> words = KeyWords(key);
  // Words such as `token_type` or `token_expiry_date` describe a credential
  // but hold no secret; redacting their values would only blank common words.
  for (const std::string& word : words) {
    for (const char* descriptive : {"type", "url", "uri", "date", "method", "name", "id"}) {
      if (word == descriptive) return false;
    }
  }
  if (AnyWordStartsWith(words, {"expir"})) return false;
  std::string joined;
  for (const std::string& word : words) joined += word;
  for (const char* marker : {"password", "passwd", "secret", "token", "apikey", "privatekey", "passphrase"}) {
    if (absl::StrContains(joined, marker)) return true;
  }
  return false;
}

bool IsUserKey(absl::string_view key) {
  const std::vector<std::string> words = KeyWords(key);
  std::string joined;
  for (const std::string& word : words) joined += word;
  for (const char* name : {"user", "username", "login", "email", "clientid", "account", "accountid", "userid"}) {
    if (joined == name) return true;
  }
  return !words.empty() && (words.back() == "user" || words.back() == "username" || words.back() == "email");
}

std::vector<std::string> SecretForms(absl::string_view secret) {
  const std::string json = MinimalJsonEscape(secret);
  std::vector<std::string> forms = {std::string(secret),
                                    json,
                                    AsciiJsonEscape(secret, false),
                                    AsciiJsonEscape(secret, true),
                                    MinimalJsonEscape(json),
                                    MinimalJsonEscape(AsciiJsonEscape(secret, false)),
                                    PythonRepr(secret),
                                    UrlEncode(secret, true, false),
                                    UrlEncode(secret, false, false),
                                    UrlEncode(secret, true, true)};
  std::sort(forms.begin(), forms.end());
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
  return forms;
}

std::vector<std::string> Base64Cores(absl::string_view secret) {
  std::vector<std::string> cores;
  const size_t n = secret.size();
  for (size_t k = 0; k < 3; ++k) {
    // Groups of three bytes made of the secret's bytes only.
    const size_t first = (k + 2) / 3;
    if (k + n < 3) continue;
    const size_t last = (k + n) / 3;  // one past the last whole group
    if (last <= first || 4 * (last - first) < kMinCore) continue;
    std::string padded(k, '\0');
    padded.append(secret.data(), n);
    padded.append(2, '\0');
    const std::string encoded = absl::Base64Escape(padded);
    const std::string core = encoded.substr(4 * first, 4 * (last - first));
    cores.push_back(core);
    std::string web = core;
    for (char& c : web) c = c == '+' ? '-' : c == '/' ? '_' : c;
    if (web != core) cores.push_back(web);
  }
  return cores;
}

void Redactor::AddForm(std::string form) {
  if (form.size() < kMinSecretLength) return;
  if (std::find(forms_.begin(), forms_.end(), form) != forms_.end()) return;
  forms_.push_back(std::move(form));
  // Longest first, so that a secret containing another is replaced whole.
  std::stable_sort(forms_.begin(), forms_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Redactor::AddSecret(absl::string_view value) {
  if (value.size() < kMinSecretLength) return;
  MutexLock lock(&mu_);
  if (std::find(secrets_.begin(), secrets_.end(), value) != secrets_.end()) return;
  secrets_.emplace_back(value);
  for (std::string& form : SecretForms(value)) AddForm(std::move(form));
  for (const std::string& user : users_) {
    const std::string pair = absl::StrCat(user, ":", value);
    AddForm(absl::Base64Escape(pair));
    AddForm(absl::WebSafeBase64Escape(pair));
  }
  for (std::string& core : Base64Cores(value)) {
    if (std::find(cores_.begin(), cores_.end(), core) == cores_.end()) cores_.push_back(std::move(core));
  }
  std::stable_sort(cores_.begin(), cores_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Redactor::AddConfigSecrets(const rapidjson::Value& config, const SecretPaths& secret_paths) {
  std::vector<std::string> path;
  std::vector<std::string> found;
  std::vector<std::string> users;
  // Walks the config; `secret` is true below a secret location.
  auto walk = [&](auto& self, const rapidjson::Value& value, bool secret, bool user) -> void {
    for (const auto& pattern : secret_paths) secret = secret || PathMatches(pattern, path);
    if (value.IsObject()) {
      for (const auto& member : value.GetObject()) {
        path.emplace_back(ViewOf(member.name));
        self(self, member.value, secret || IsCredentialKey(ViewOf(member.name)), IsUserKey(ViewOf(member.name)));
        path.pop_back();
      }
    } else if (value.IsArray()) {
      for (const auto& element : value.GetArray()) {
        path.emplace_back("*");
        self(self, element, secret, false);
        path.pop_back();
      }
    } else if (secret && value.IsString()) {
      found.emplace_back(ViewOf(value));
    } else if (secret && value.IsNumber()) {
      found.push_back(WriteJson(value));
    } else if (user && value.IsString() && value.GetStringLength() > 0) {
      users.emplace_back(ViewOf(value));
    }
  };
  walk(walk, config, false, false);
  {
    MutexLock lock(&mu_);
    for (std::string& user : users) {
      if (std::find(users_.begin(), users_.end(), user) != users_.end()) continue;
      for (const std::string& secret : secrets_) {  // secrets known before this user
        const std::string pair = absl::StrCat(user, ":", secret);
        AddForm(absl::Base64Escape(pair));
        AddForm(absl::WebSafeBase64Escape(pair));
      }
      users_.push_back(std::move(user));
    }
  }
  for (const std::string& secret : found) AddSecret(secret);
}

std::string Redactor::Redact(absl::string_view text) const {
  MutexLock lock(&mu_);
  if (forms_.empty()) return std::string(text);
  std::string out(text);
  for (const std::string& form : forms_) {
    if (out.find(form) != std::string::npos) out = absl::StrReplaceAll(out, {{form, "***"}});
  }
  // A core's neighbours hold the secret's first and last bits: they go too.
  for (const std::string& core : cores_) {
    for (size_t at = out.find(core); at != std::string::npos; at = out.find(core, at)) {
      size_t begin = at, end = at + core.size();
      for (int k = 0; k < 3 && begin > 0 && IsBase64Char(out[begin - 1]); ++k) --begin;
      for (int k = 0; k < 3 && end < out.size() && IsBase64Char(out[end]); ++k) ++end;
      while (end < out.size() && out[end] == '=') ++end;
      out.replace(begin, end - begin, "***");
      at = begin + 3;
    }
  }
  return out;
}

size_t Redactor::longest_form() const {
  MutexLock lock(&mu_);
  size_t longest = 0;
  for (const std::string& form : forms_) longest = std::max(longest, form.size());
  for (const std::string& core : cores_) longest = std::max(longest, core.size() + 8);
  return longest;
}

bool Redactor::empty() const {
  MutexLock lock(&mu_);
  return forms_.empty();
}

}  // namespace atf
