// State both ways: any stored state gives the connector a state.json that is
// valid JSON (or is the stored bytes verbatim, or a clear error), and any
// STATE payload gives a checkpoint whose `updated` is valid JSON, or an error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/protocol/airbyte.h"
#include "interceptors/state.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::vector<atf::StreamId> bound = {{"users", std::nullopt}, {"orders", std::string("public")}};
  for (bool per_stream : {false, true}) {
    absl::StatusOr<std::string> state = atf::StateForConnector(text, bound, per_stream);
    if (!state.ok()) continue;
    FUZZ_CHECK(*state == text || state->empty() || atf::IsValidJson(*state));
    if (per_stream) FUZZ_CHECK(atf::IsValidJson(*state));
  }
  if (text.find('\n') != std::string::npos) return 0;
  const std::string line = absl::StrCat(R"({"type":"STATE","state":)", text, "}");
  atf::AirbyteDecoder decoder;
  atf::AirbyteMessage message;
  absl::StatusOr<atf::AirbyteDecoder::Result> decoded = decoder.Decode(line, &message);
  if (!decoded.ok() || decoded->kind != atf::AirbyteDecoder::Kind::kMessage ||
      message.type != atf::AirbyteType::kState) {
    return 0;
  }
  atf::CheckpointBuilder builder(std::string(R"({"token":"x"})"));
  absl::StatusOr<capture::Response> checkpoint = builder.FromState(message);
  if (!checkpoint.ok()) return 0;
  FUZZ_CHECK(atf::IsValidJson(checkpoint->checkpoint().state().updated_json()));
  return 0;
}
