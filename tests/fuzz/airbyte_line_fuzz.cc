// Airbyte lines: every line is a message, junk, or a clear error. A RECORD's
// document is checked against a reference parse: as written it is the line's
// own `record.data`; repaired, it is valid JSON and the repairs are named.
#include <cstddef>
#include <cstdint>
#include <string>

#include "atf/base/json.h"
#include "atf/protocol/airbyte.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string line(reinterpret_cast<const char*>(data), size);
  if (line.find('\n') != std::string::npos) return 0;  // the splitter never hands over a newline
  atf::AirbyteDecoder decoder;
  atf::AirbyteMessage message;
  absl::StatusOr<atf::AirbyteDecoder::Result> result = decoder.Decode(line, &message);
  if (!result.ok()) {
    FUZZ_CHECK(!result.status().message().empty());
    return 0;
  }
  if (result->kind != atf::AirbyteDecoder::Kind::kMessage || message.type != atf::AirbyteType::kRecord) return 0;
  const absl::string_view doc = message.data.Of(message.line);
  rapidjson::Document ours = atf::fuzz::ReferenceParse(doc);
  if (message.fixes.empty()) {
    // Passed through as written: the reference parse of the whole line agrees.
    rapidjson::Document whole = atf::fuzz::ReferenceParse(line);
    FUZZ_CHECK(!whole.HasParseError());
    FUZZ_CHECK(!ours.HasParseError());
    const rapidjson::Value* record = atf::FindMember(whole, "record");
    FUZZ_CHECK(record != nullptr);
    const rapidjson::Value* data_value = atf::FindMember(*record, "data");
    FUZZ_CHECK(data_value != nullptr);
    FUZZ_CHECK(*data_value == ours);
  } else {
    // Repaired: still one JSON value (a huge number is kept as written, which
    // RapidJSON's DOM cannot hold: only then may the reference parse fail).
    bool huge = false;
    for (const atf::LineFix& fix : message.fixes) huge = huge || fix.kind == atf::LineFix::Kind::kHugeNumber;
    FUZZ_CHECK(huge || !ours.HasParseError());
    FUZZ_CHECK(atf::IsValidUtf8(doc));
  }
  return 0;
}
