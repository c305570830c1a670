#include "interceptors/shards.h"

#include <cctype>

#include "absl/strings/str_cat.h"

namespace atf {

std::string BindingIdentity(const flow::CaptureSpec::Binding& binding, const ResourceSpec& resource) {
  absl::string_view key = binding.state_key();
  // "users.v3": the suffix counts backfills, which must not move a binding.
  if (const size_t dot = key.rfind(".v"); dot != absl::string_view::npos && dot + 2 < key.size()) {
    bool digits = true;
    for (char c : key.substr(dot + 2)) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (digits) key = key.substr(0, dot);
  }
  if (!key.empty()) return std::string(key);
  // No state key: the resource path, with a separator no name holds.
  return resource.ns ? absl::StrCat(*resource.ns, "\x1f", resource.stream) : resource.stream;
}

uint32_t BindingHash(absl::string_view identity) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : identity) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return static_cast<uint32_t>(h >> 32);
}

bool IsFullRange(const flow::RangeSpec& range) { return range.key_begin() == 0 && range.key_end() == 0xFFFFFFFFu; }

}  // namespace atf
