#include "atf/protocol/repair.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "atf/base/json.h"

namespace atf {
namespace {

constexpr absl::string_view kReplacementEscape = "\\ufffd";
constexpr absl::string_view kReplacementCharacter = "\xEF\xBF\xBD";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of a `\uXXXX` escape at line[i] (i at the backslash), or -1.
int EscapedUnit(absl::string_view line, size_t i) {
  if (i + 6 > line.size() || line[i] != '\\' || line[i + 1] != 'u') return -1;
  int unit = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    const int v = HexValue(line[k]);
    if (v < 0) return -1;
    unit = unit * 16 + v;
  }
  return unit;
}

bool IsNumberByte(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }

// A valid JSON number of `length` bytes, for the parser's copy.
std::string NeutralNumber(size_t length) {
  if (length == 1) return "0";
  if (length == 2) return "-0";
  return absl::StrCat("0.", std::string(length - 2, '0'));
}

class Scanner {
 public:
  explicit Scanner(absl::string_view line) : line_(line) {
    out_.text.reserve(line.size() + 16);
    out_.parse_copy.reserve(line.size() + 16);
  }

  std::optional<RepairedLine> Run() {
    while (i_ < line_.size()) {
      const char c = line_[i_];
      if (c == '"') {
        String();
      } else if (c == 'N' && Literal("NaN")) {
        NonFinite(3);
      } else if (c == 'I' && Literal("Infinity")) {
        NonFinite(8);
      } else if (c == '-' && line_.substr(i_, 9) == "-Infinity") {
        NonFinite(9);
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        Number();
      } else {
        Copy(1);
      }
    }
    if (out_.fixes.empty()) return std::nullopt;
    return std::move(out_);
  }

 private:
  bool Literal(absl::string_view word) const { return line_.substr(i_, word.size()) == word; }

  void Copy(size_t n) {
    out_.text.append(line_.data() + i_, n);
    out_.parse_copy.append(line_.data() + i_, n);
    i_ += n;
  }
  void Emit(absl::string_view both) {
    out_.text.append(both.data(), both.size());
    out_.parse_copy.append(both.data(), both.size());
  }
  void Fix(LineFix::Kind kind, size_t length) {
    std::string token;
    for (size_t k = i_; k < i_ + length && k < line_.size(); ++k) {
      const unsigned char b = static_cast<unsigned char>(line_[k]);
      if (kind == LineFix::Kind::kInvalidUtf8) {
        absl::StrAppendFormat(&token, "\\x%02x", b);
      } else {
        token.push_back(static_cast<char>(b));
      }
    }
    out_.fixes.push_back(LineFix{kind, i_, std::move(token)});
  }

  void NonFinite(size_t length) {
    Fix(LineFix::Kind::kNonFinite, length);
    Emit("null");
    i_ += length;
  }

  void Number() {
    size_t end = i_;
    while (end < line_.size() && IsNumberByte(line_[end])) ++end;
    const std::string token(line_.substr(i_, end - i_));
    errno = 0;
    char* parsed_end = nullptr;
    const double value = std::strtod(token.c_str(), &parsed_end);
    if (parsed_end == token.c_str() + token.size() && std::isinf(value)) {
      Fix(LineFix::Kind::kHugeNumber, token.size());
      out_.text.append(token);
      out_.parse_copy.append(NeutralNumber(token.size()));
      i_ = end;
      return;
    }
    Copy(end - i_);
  }

  void String() {
    Copy(1);  // the opening quote
    while (i_ < line_.size()) {
      const unsigned char c = static_cast<unsigned char>(line_[i_]);
      if (c == '"') {
        Copy(1);
        return;
      }
      if (c == '\\') {
        Escape();
        continue;
      }
      if (c < 0x80) {
        Copy(1);
        continue;
      }
      const size_t n = Utf8SequenceLength(line_, i_);
      if (n == 0) {
        Fix(LineFix::Kind::kInvalidUtf8, 1);
        Emit(kReplacementCharacter);
        ++i_;
      } else {
        Copy(n);
      }
    }
  }

  void Escape() {
    const int unit = EscapedUnit(line_, i_);
    if (unit < 0xD800 || unit > 0xDFFF) {
      Copy(i_ + 1 < line_.size() ? 2 : 1);
      return;
    }
    if (unit <= 0xDBFF) {
      const int next = EscapedUnit(line_, i_ + 6);
      if (next >= 0xDC00 && next <= 0xDFFF) {
        Copy(12);  // a proper pair
        return;
      }
    }
    Fix(LineFix::Kind::kLoneSurrogate, 6);
    Emit(kReplacementEscape);
    i_ += 6;
  }

  absl::string_view line_;
  size_t i_ = 0;
  RepairedLine out_;
};

}  // namespace

absl::string_view FixKindName(LineFix::Kind kind) {
  switch (kind) {
    case LineFix::Kind::kNonFinite:
      return "non_finite_number";
    case LineFix::Kind::kHugeNumber:
      return "huge_number";
    case LineFix::Kind::kLoneSurrogate:
      return "lone_surrogate";
    case LineFix::Kind::kInvalidUtf8:
      return "invalid_utf8";
  }
  return "unknown";
}

std::string DescribeFix(const LineFix& fix) {
  switch (fix.kind) {
    case LineFix::Kind::kNonFinite:
      return absl::StrCat("`", fix.token, "` at byte ", fix.offset, " became null");
    case LineFix::Kind::kHugeNumber:
      return absl::StrCat("the number `", fix.token.substr(0, 40), fix.token.size() > 40 ? "…" : "", "` at byte ",
                          fix.offset, " is beyond double range; passed through as written");
    case LineFix::Kind::kLoneSurrogate:
      return absl::StrCat("the lone surrogate `", fix.token, "` at byte ", fix.offset, " became U+FFFD");
    case LineFix::Kind::kInvalidUtf8:
      return absl::StrCat("the byte `", fix.token, "` at byte ", fix.offset, " is not UTF-8; it became U+FFFD");
  }
  return "";
}

std::optional<RepairedLine> RepairLine(absl::string_view line) { return Scanner(line).Run(); }

bool HoldsLoneSurrogate(absl::string_view decoded) {
  // A surrogate code point encodes as ED A0..BF xx; real UTF-8 never holds it.
  for (size_t i = 0; i + 1 < decoded.size(); ++i) {
    const void* found = std::memchr(decoded.data() + i, 0xED, decoded.size() - i - 1);
    if (found == nullptr) return false;
    i = static_cast<size_t>(static_cast<const char*>(found) - decoded.data());
    if (static_cast<unsigned char>(decoded[i + 1]) >= 0xA0) return true;
  }
  return false;
}

}  // namespace atf
