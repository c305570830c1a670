// Flow JSON requests: decoding any bytes either fails with a status or gives a
// request that encodes to JSON which decodes to the same request.
#include <cstddef>
#include <cstdint>
#include <string>

#include "atf/protocol/codec.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  capture::Request request;
  if (!atf::DecodeRequest(atf::Codec::kJson, text, &request).ok()) return 0;
  std::string encoded;
  atf::AppendRequest(atf::Codec::kJson, request, &encoded);
  capture::Request again;
  FUZZ_CHECK(
      atf::DecodeRequest(atf::Codec::kJson, absl::string_view(encoded).substr(0, encoded.size() - 1), &again).ok());
  FUZZ_CHECK(again.SerializeAsString() == request.SerializeAsString());
  return 0;
}
