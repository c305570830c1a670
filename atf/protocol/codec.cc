#include "atf/protocol/codec.h"

#include "absl/strings/str_cat.h"

namespace atf {
namespace {

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

size_t VarintSize(uint64_t value) {
  size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

void AppendLittleEndian32(uint32_t value, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void AppendProtoFrame(const google::protobuf::Message& message, std::string* out) {
  const size_t size = message.ByteSizeLong();
  AppendLittleEndian32(static_cast<uint32_t>(size), out);
  const size_t offset = out->size();
  out->resize(offset + size);
  message.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(out->data() + offset));
}

template <typename M>
absl::Status ParseProto(absl::string_view frame, M* message, absl::string_view what) {
  if (!message->ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    return absl::InvalidArgumentError(absl::StrCat("invalid protobuf ", what, " frame (", frame.size(), " bytes)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view CodecName(Codec codec) { return codec == Codec::kJson ? "json" : "proto"; }

absl::StatusOr<std::optional<Codec>> ChooseCodec(absl::string_view flag_value, const char* env_value) {
  if (flag_value == "json") return Codec::kJson;
  if (flag_value == "proto") return Codec::kProto;
  if (!flag_value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--codec must be `json` or `proto`, got `", flag_value, "`"));
  }
  if (env_value == nullptr) return std::nullopt;
  return absl::string_view(env_value) == "json" ? Codec::kJson : Codec::kProto;
}

std::optional<Codec> CodecOfPrefix(absl::string_view bytes, bool at_end) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  auto is_text = [&](char c) { return is_space(c) || (c >= 0x20 && c <= 0x7e); };
  // A frame's length is below --max-message-size (at most 4 GiB, 256 MiB by
  // default), so one of its four bytes is a control byte unless the length is
  // 144 MiB or more: JSON needs its first four bytes to be text. (`{}` alone
  // would also be a 32 KiB frame's length: 7B 7D 00 00.)
  for (size_t k = 0; k < bytes.size() && k < 4; ++k) {
    if (!is_text(bytes[k])) return Codec::kProto;
  }
  if (bytes.size() < 4 && !at_end) return std::nullopt;
  size_t i = 0;
  while (i < bytes.size() && is_space(bytes[i])) ++i;
  if (i == bytes.size()) return at_end ? std::optional<Codec>(Codec::kJson) : std::nullopt;
  if (bytes[i] == '{') {
    for (++i; i < bytes.size() && is_space(bytes[i]); ++i) {}
    if (i == bytes.size()) return at_end ? std::optional<Codec>(Codec::kJson) : std::nullopt;
    if (bytes[i] == '}') return Codec::kJson;
    if (bytes[i] == '"') {
      for (++i; i < bytes.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(bytes[i]);
        if (c == '"') return Codec::kJson;
        if (c < 0x20 || c > 0x7e) return Codec::kProto;
      }
      return at_end ? std::optional<Codec>(Codec::kJson) : std::nullopt;
    }
  }
  // Four bytes of text that are not a JSON object: a line that is not JSON,
  // best reported as one.
  return Codec::kJson;
}

FrameSplitter::Mode FramingOf(Codec codec) {
  return codec == Codec::kJson ? FrameSplitter::Mode::kLines : FrameSplitter::Mode::kLengthPrefixed;
}

absl::Status DecodeRequest(Codec codec, absl::string_view frame, capture::Request* request,
                           const FlowJsonOptions& options) {
  if (codec == Codec::kProto) return ParseProto(frame, request, "request");
  return DecodeFlowJson(frame, request, options);
}

absl::Status DecodeResponse(Codec codec, absl::string_view frame, capture::Response* response) {
  if (codec == Codec::kProto) return ParseProto(frame, response, "response");
  return DecodeFlowJson(frame, response);
}

void AppendResponse(Codec codec, const capture::Response& response, std::string* out) {
  if (codec == Codec::kProto) {
    AppendProtoFrame(response, out);
    return;
  }
  EncodeFlowJson(response, out);
  out->push_back('\n');
}

void AppendRequest(Codec codec, const capture::Request& request, std::string* out) {
  if (codec == Codec::kProto) {
    AppendProtoFrame(request, out);
    return;
  }
  EncodeFlowJson(request, out);
  out->push_back('\n');
}

void AppendCapturedHeader(Codec codec, uint32_t binding, size_t doc_size, std::string* out) {
  if (codec == Codec::kJson) {
    out->append("{\"captured\":{");
    if (binding != 0) absl::StrAppend(out, "\"binding\":", binding, ",");
    out->append("\"doc\":");
    return;
  }
  // capture.Response { captured = 6 { binding = 1 (varint); doc_json = 2 (bytes) } }
  constexpr char kCapturedTag = (6 << 3) | 2, kBindingTag = (1 << 3) | 0, kDocTag = (2 << 3) | 2;
  const size_t inner =
      (binding != 0 ? 1 + VarintSize(binding) : 0) + (doc_size == 0 ? 0 : 1 + VarintSize(doc_size) + doc_size);
  const size_t outer = 1 + VarintSize(inner) + inner;
  AppendLittleEndian32(static_cast<uint32_t>(outer), out);
  out->push_back(kCapturedTag);
  AppendVarint(inner, out);
  if (binding != 0) {
    out->push_back(kBindingTag);
    AppendVarint(binding, out);
  }
  if (doc_size != 0) {
    out->push_back(kDocTag);
    AppendVarint(doc_size, out);
  }
}

absl::string_view CapturedTrailer(Codec codec) { return codec == Codec::kJson ? "}}\n" : ""; }

void AppendCaptured(Codec codec, uint32_t binding, absl::string_view doc_json, std::string* out) {
  AppendCapturedHeader(codec, binding, doc_json.size(), out);
  out->append(doc_json.data(), doc_json.size());
  const absl::string_view trailer = CapturedTrailer(codec);
  out->append(trailer.data(), trailer.size());
}

std::optional<absl::string_view> OperationOf(const capture::Request& request) {
  if (request.has_spec()) return "spec";
  if (request.has_discover()) return "discover";
  if (request.has_validate()) return "validate";
  if (request.has_apply()) return "apply";
  if (request.has_open()) return "open";
  if (request.has_acknowledge()) return "acknowledge";
  return std::nullopt;
}

}  // namespace atf
