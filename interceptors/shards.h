// Splitting one capture over several shards (docs/decisions.md, D16). Flow
// runs one shim per shard and gives each a key range of the 32-bit key space;
// every binding belongs to exactly one shard: the one whose range holds the
// binding's hash. The hash depends only on what every shard is told alike
// (the binding's identity), so shards agree without talking to each other.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "flow.pb.h"
#include "interceptors/resource.h"

namespace atf {

// What names a binding across shards and backfills: its `stateKey` without
// the `.v<backfill>` suffix, else its resource path (namespace, stream).
std::string BindingIdentity(const flow::CaptureSpec::Binding& binding, const ResourceSpec& resource);

// A stable, well-spread 32-bit hash (64-bit FNV-1a folded by MurmurHash3's
// finalizer): the same on every machine and release.
uint32_t BindingHash(absl::string_view identity);

// Whether `range` is the whole key space (or absent).
bool IsFullRange(const flow::RangeSpec& range);

// Whether the shard of `range` owns a binding of hash `hash` (inclusive bounds).
inline bool OwnsHash(const flow::RangeSpec& range, uint32_t hash) {
  return range.key_begin() <= hash && hash <= range.key_end();
}

}  // namespace atf
