// The date-time normalizer: whatever it returns is canonical RFC 3339 UTC,
// normalizing that again changes nothing, and nothing is undefined behaviour
// (clang's UBSan runs with the fuzzer).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "interceptors/datetime.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  for (const std::optional<std::string>& out : {atf::NormalizeDateTimeString(text), atf::NormalizeEpochNumber(text)}) {
    if (!out) continue;
    FUZZ_CHECK(atf::IsRfc3339DateTime(*out));
    FUZZ_CHECK(out->back() == 'Z');
    FUZZ_CHECK(!atf::NormalizeDateTimeString(*out).has_value());
  }
  if (std::optional<std::string> date = atf::DatetimeToDate(text)) {
    FUZZ_CHECK(date->size() == 10);
  }
  (void)atf::IsValidDate(text);
  return 0;
}
