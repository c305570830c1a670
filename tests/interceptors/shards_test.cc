// Splitting a capture over shards (docs/decisions.md, D16): every binding
// belongs to exactly one shard of any split, and a backfill never moves it.
#include "interceptors/shards.h"

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace atf {
namespace {

flow::CaptureSpec::Binding WithStateKey(const std::string& state_key) {
  flow::CaptureSpec::Binding binding;
  binding.set_state_key(state_key);
  return binding;
}

flow::RangeSpec Range(uint32_t begin, uint32_t end) {
  flow::RangeSpec range;
  range.set_key_begin(begin);
  range.set_key_end(end);
  return range;
}

// Flow's ranges of a split: contiguous, inclusive, covering [0, 2^32-1].
std::vector<flow::RangeSpec> SplitAt(std::vector<uint32_t> cuts) {
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<flow::RangeSpec> ranges;
  uint64_t begin = 0;
  for (uint32_t cut : cuts) {
    if (cut == 0) continue;
    ranges.push_back(Range(static_cast<uint32_t>(begin), cut - 1));
    begin = cut;
  }
  ranges.push_back(Range(static_cast<uint32_t>(begin), 0xFFFFFFFFu));
  return ranges;
}

TEST(Shards, EveryBindingHasExactlyOneShardInRandomSplits) {
  std::mt19937_64 random(20261207);
  std::uniform_int_distribution<uint32_t> key;
  std::uniform_int_distribution<int> length(1, 40), letter(0x21, 0x7e), shards(2, 16), bindings(1, 60);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<uint32_t> cuts(shards(random) - 1);
    for (uint32_t& cut : cuts) cut = key(random);
    const std::vector<flow::RangeSpec> ranges = SplitAt(cuts);
    std::set<std::string> names;
    const int count = bindings(random);
    while (static_cast<int>(names.size()) < count) {
      std::string name(length(random), ' ');
      for (char& c : name) c = static_cast<char>(letter(random));
      names.insert(name);
    }
    std::set<std::string> captured;
    for (const flow::RangeSpec& range : ranges) {
      for (const std::string& name : names) {
        if (!OwnsHash(range, BindingHash(BindingIdentity(WithStateKey(name), ResourceSpec{})))) continue;
        EXPECT_TRUE(captured.insert(name).second) << "binding " << name << " is owned by two shards";
      }
    }
    EXPECT_EQ(captured, names) << "trial " << trial << ": a binding no shard owns";
  }
}

TEST(Shards, TheHashSpreadsBindingsOverTheKeySpace) {
  int low = 0;
  for (int i = 0; i < 4000; ++i) low += BindingHash(absl::StrCat("stream_", i)) <= 0x7FFFFFFFu;
  EXPECT_GT(low, 1800);
  EXPECT_LT(low, 2200);
}

TEST(Shards, TheHashIsFixedAcrossReleases) {
  // Shards of one capture may run different builds during a rollout, so the
  // hash must never change: these values pin it (computed independently).
  EXPECT_EQ(BindingHash(""), 0xefd01f60u);
  EXPECT_EQ(BindingHash("users"), 0x0522fd2du);
  EXPECT_EQ(BindingHash("public\x1fusers"), 0xa1f625b1u);
  EXPECT_EQ(BindingHash("stream_00"), 0x7c737b91u);
}

TEST(Shards, IdentityIgnoresTheBackfillSuffixAndFallsBackToTheResourcePath) {
  EXPECT_EQ(BindingIdentity(WithStateKey("public%2Fusers.v3"), ResourceSpec{}), "public%2Fusers");
  EXPECT_EQ(BindingIdentity(WithStateKey("public%2Fusers"), ResourceSpec{}), "public%2Fusers");
  EXPECT_EQ(BindingIdentity(WithStateKey("a.very.long.name"), ResourceSpec{}), "a.very.long.name");
  EXPECT_EQ(BindingIdentity(WithStateKey("x.v"), ResourceSpec{}), "x.v");
  ResourceSpec resource;
  resource.stream = "users";
  EXPECT_EQ(BindingIdentity(WithStateKey(""), resource), "users");
  resource.ns = "public";
  EXPECT_EQ(BindingIdentity(WithStateKey(""), resource), "public\x1fusers");
}

TEST(Shards, FullRangeAndBounds) {
  EXPECT_TRUE(IsFullRange(Range(0, 0xFFFFFFFFu)));
  EXPECT_FALSE(IsFullRange(Range(0, 0x7FFFFFFFu)));
  EXPECT_TRUE(OwnsHash(Range(5, 9), 5));
  EXPECT_TRUE(OwnsHash(Range(5, 9), 9));
  EXPECT_FALSE(OwnsHash(Range(5, 9), 10));
  EXPECT_FALSE(OwnsHash(Range(5, 9), 4));
}

}  // namespace
}  // namespace atf
