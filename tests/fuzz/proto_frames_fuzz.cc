// Protobuf frames on stdin: any bytes split into frames (or a clear error for
// a frame over the limit or cut at the end), each decoding or failing cleanly,
// and a decoded request re-encoding into a frame that decodes the same.
#include <cstddef>
#include <cstdint>
#include <string>

#include "atf/protocol/codec.h"
#include "atf/protocol/frame_splitter.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  atf::FrameSplitter splitter(atf::FrameSplitter::Mode::kLengthPrefixed, 1 << 16);
  // Fed in two pieces: frame boundaries must not depend on read boundaries.
  const size_t half = size / 2;
  const char* bytes = reinterpret_cast<const char*>(data);
  for (absl::string_view piece : {absl::string_view(bytes, half), absl::string_view(bytes + half, size - half)}) {
    splitter.Append(piece);
    for (;;) {
      absl::StatusOr<std::optional<absl::string_view>> frame = splitter.Next();
      if (!frame.ok() || !frame->has_value()) break;
      capture::Request request;
      if (!atf::DecodeRequest(atf::Codec::kProto, **frame, &request).ok()) continue;
      std::string encoded;
      atf::AppendRequest(atf::Codec::kProto, request, &encoded);
      FUZZ_CHECK(encoded.size() >= 4);
      capture::Request again;
      FUZZ_CHECK(atf::DecodeRequest(atf::Codec::kProto, absl::string_view(encoded).substr(4), &again).ok());
      FUZZ_CHECK(again.SerializeAsString() == request.SerializeAsString());
    }
  }
  (void)splitter.Finish();
  return 0;
}
