// The two stdio codecs of the Flow capture protocol: JSON lines and protobuf
// frames (4-byte little-endian length + message). One model (the generated
// capture.Request / capture.Response) serves both.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "atf/protocol/flow_json.h"
#include "atf/protocol/frame_splitter.h"
#include "capture.pb.h"

namespace atf {

enum class Codec { kJson, kProto };

absl::string_view CodecName(Codec codec);

// The codec named by --codec when given, else by FLOW_RUNTIME_CODEC (`json`
// means JSON, any other value means proto), else nullopt: the first bytes of
// Flow's input decide (CodecOfPrefix, docs/decisions.md, D15).
absl::StatusOr<std::optional<Codec>> ChooseCodec(absl::string_view flag_value, const char* env_value);

// The codec of Flow's input from its first bytes, or nullopt when more bytes
// are needed (with `at_end`, a decision is always made). JSON is a `{`, then
// a quoted key of printable ASCII, after optional whitespace; anything else is
// a protobuf frame, whose 4-byte little-endian length (< 16 MiB has a zero
// fourth byte) and field tag cannot look like that.
std::optional<Codec> CodecOfPrefix(absl::string_view bytes, bool at_end);

FrameSplitter::Mode FramingOf(Codec codec);

// Decodes one frame (a JSON line or a protobuf payload) into `request`.
absl::Status DecodeRequest(Codec codec, absl::string_view frame, capture::Request* request,
                           const FlowJsonOptions& options = {});

// Decodes one response frame; used by tests and clients of the shim.
absl::Status DecodeResponse(Codec codec, absl::string_view frame, capture::Response* response);

// Appends `response` as one frame: a JSON line ending in "\n", or a
// length-prefixed protobuf message.
void AppendResponse(Codec codec, const capture::Response& response, std::string* out);

// The record hot path: appends a Captured response for `doc_json` (valid JSON
// text) without building a message, byte-identical to AppendResponse.
void AppendCaptured(Codec codec, uint32_t binding, absl::string_view doc_json, std::string* out);

// The bytes of a Captured frame before and after a document of `doc_size`
// bytes, so that a large document can be written from where it is.
void AppendCapturedHeader(Codec codec, uint32_t binding, size_t doc_size, std::string* out);
absl::string_view CapturedTrailer(Codec codec);

// Appends a request frame; used by tests and clients of the shim.
void AppendRequest(Codec codec, const capture::Request& request, std::string* out);

// Name of the operation a request carries ("spec", "open", ...), or nullopt.
std::optional<absl::string_view> OperationOf(const capture::Request& request);

}  // namespace atf
