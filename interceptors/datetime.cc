#include "interceptors/datetime.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace atf {
namespace {

struct Instant {
  int64_t seconds;  // since 1970-01-01T00:00:00Z
  int32_t nanos;    // 0..999999999
};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int64_t* m, int64_t* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp + (mp < 10 ? 3 : -9);
  *y = yoe + era * 400 + (*m <= 2);
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Appends `value` (non-negative, below 10^width) with `width` digits.
void AppendDigits(std::string* out, int64_t value, int width) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  char digits[20];
  int i = width;
  while (i >= 2) {
    const int pair = static_cast<int>(value % 100);
    value /= 100;
    digits[--i] = kPairs[2 * pair + 1];
    digits[--i] = kPairs[2 * pair];
  }
  if (i == 1) digits[0] = static_cast<char>('0' + value % 10);
  out->append(digits, static_cast<size_t>(width));
}

// UTC RFC 3339 with the shortest of 0, 3, 6 or 9 fraction digits.
std::optional<std::string> Format(Instant t) {
  int64_t days = t.seconds / 86400, rem = t.seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y, m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 0 || y > 9999) return std::nullopt;
  std::string out;
  out.reserve(30);
  AppendDigits(&out, y, 4);
  out.push_back('-');
  AppendDigits(&out, m, 2);
  out.push_back('-');
  AppendDigits(&out, d, 2);
  out.push_back('T');
  AppendDigits(&out, rem / 3600, 2);
  out.push_back(':');
  AppendDigits(&out, rem / 60 % 60, 2);
  out.push_back(':');
  AppendDigits(&out, rem % 60, 2);
  if (t.nanos != 0) {
    out.push_back('.');
    if (t.nanos % 1000000 == 0)
      AppendDigits(&out, t.nanos / 1000000, 3);
    else if (t.nanos % 1000 == 0)
      AppendDigits(&out, t.nanos / 1000, 6);
    else
      AppendDigits(&out, t.nanos, 9);
  }
  out.push_back('Z');
  return out;
}

struct Fields {
  int64_t year = 0;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int32_t nanos = 0;
  int offset_seconds = 0;  // local time minus UTC
};

std::optional<std::string> FormatFields(const Fields& f) {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > DaysInMonth(f.year, f.month) || f.hour > 23 ||
      f.minute > 59 || f.second > 59) {
    return std::nullopt;
  }
  const int64_t seconds =
      DaysFromCivil(f.year, f.month, f.day) * 86400 + f.hour * 3600 + f.minute * 60 + f.second - f.offset_seconds;
  return Format(Instant{seconds, f.nanos});
}

// A cursor over the text being parsed.
class Scanner {
 public:
  explicit Scanner(absl::string_view s) : s_(s) {}

  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool Consume(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  bool ConsumeWord(absl::string_view word) {  // case-insensitive
    if (s_.size() - i_ < word.size() || !absl::EqualsIgnoreCase(s_.substr(i_, word.size()), word)) return false;
    i_ += word.size();
    return true;
  }
  bool ConsumeText(absl::string_view text) {
    if (s_.substr(i_, text.size()) != text) return false;
    i_ += text.size();
    return true;
  }
  // Between `min` and `max` digits.
  bool Number(int min, int max, int64_t* out, int* count = nullptr) {
    int n = 0;
    int64_t v = 0;
    while (n < max && std::isdigit(static_cast<unsigned char>(peek()))) {
      v = v * 10 + (s_[i_++] - '0');
      ++n;
    }
    if (count) *count = n;
    if (n < min) return false;
    *out = v;
    return true;
  }
  bool Number(int min, int max, int* out, int* count = nullptr) {
    int64_t v;
    if (!Number(min, max, &v, count)) return false;
    *out = static_cast<int>(v);
    return true;
  }
  // Digits after a '.' or ',': the first nine make the nanoseconds.
  bool Fraction(int32_t* nanos) {
    int digits = 0;
    int64_t v = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      if (digits < 9) v = v * 10 + (s_[i_] - '0');
      ++digits;
      ++i_;
    }
    if (digits == 0) return false;
    for (int k = digits; k < 9; ++k) v *= 10;
    *nanos = static_cast<int32_t>(v);
    return true;
  }
  bool Spaces() {
    size_t start = i_;
    while (peek() == ' ' || peek() == '\t') ++i_;
    return i_ > start;
  }
  std::string Letters() {
    size_t start = i_;
    while (std::isalpha(static_cast<unsigned char>(peek()))) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }
  size_t pos() const { return i_; }
  void reset(size_t pos) { i_ = pos; }

 private:
  absl::string_view s_;
  size_t i_ = 0;
};

int Month(absl::string_view word) {
  static constexpr std::array<absl::string_view, 12> kMonths = {"january",   "february", "march",    "april",
                                                                "may",       "june",     "july",     "august",
                                                                "september", "october",  "november", "december"};
  const std::string lower = absl::AsciiStrToLower(word);
  for (int i = 0; i < 12; ++i) {
    if (lower == kMonths[i] || (lower.size() >= 3 && kMonths[i].substr(0, lower.size()) == lower &&
                                (lower.size() == 3 || (i == 8 && lower == "sept")))) {
      return i + 1;
    }
  }
  return 0;
}

int64_t FullYear(int64_t year, int digits) {
  if (digits != 2) return year;
  return year < 69 ? 2000 + year : 1900 + year;  // as chrono's %y
}

// Z, ±HH, ±HHMM, ±HH:MM, or a zone name (UTC, GMT, UT and US zones).
bool Zone(Scanner& in, int* offset) {
  if (in.Consume('Z') || in.Consume('z')) return *offset = 0, true;
  if (in.peek() == '+' || in.peek() == '-') {
    const int sign = in.peek() == '-' ? -1 : 1;
    in.Consume(in.peek());
    int hours, minutes = 0, count;
    if (!in.Number(2, 4, &hours, &count)) return false;
    if (count == 4) {
      minutes = hours % 100;
      hours /= 100;
    } else if (count == 2 && in.Consume(':')) {
      if (!in.Number(2, 2, &minutes)) return false;
    } else if (count != 2) {
      return false;
    }
    if (hours > 23 || minutes > 59) return false;
    *offset = sign * (hours * 3600 + minutes * 60);
    return true;
  }
  struct Named {
    const char* name;
    int hours;
  };
  static constexpr Named kZones[] = {{"UTC", 0},  {"GMT", 0},  {"UT", 0},   {"EDT", -4}, {"EST", -5}, {"CDT", -5},
                                     {"CST", -6}, {"MDT", -6}, {"MST", -7}, {"PDT", -7}, {"PST", -8}};
  std::string word = absl::AsciiStrToUpper(in.Letters());
  for (const Named& zone : kZones) {
    if (word == zone.name) return *offset = zone.hours * 3600, true;
  }
  return false;
}

// `am` or `pm` (any case) not followed by a letter: 1 or 2; else 0.
int Meridiem(Scanner& in) {
  const size_t start = in.pos();
  for (int which : {1, 2}) {
    if (in.ConsumeWord(which == 1 ? "am" : "pm")) {
      if (!std::isalpha(static_cast<unsigned char>(in.peek()))) return which;
      in.reset(start);
    }
  }
  return 0;
}

// HH:MM[:SS][.f], an optional am/pm, an optional zone, then the end.
bool TimeAndZone(Scanner& in, Fields* f) {
  if (!in.Number(1, 2, &f->hour) || !in.Consume(':') || !in.Number(2, 2, &f->minute)) return false;
  if (in.Consume(':')) {
    if (!in.Number(2, 2, &f->second)) return false;
    if ((in.Consume('.') || in.Consume(',')) && !in.Fraction(&f->nanos)) return false;
  }
  in.Spaces();
  if (int meridiem = Meridiem(in)) {
    if (f->hour < 1 || f->hour > 12) return false;
    f->hour = f->hour % 12 + (meridiem == 2 ? 12 : 0);
    in.Spaces();
  }
  if (in.done()) return true;
  return Zone(in, &f->offset_seconds) && in.done();
}

// The rest of the input after a date: nothing, or the time of day and zone.
bool OptionalTime(Scanner& in, Fields* f) {
  in.Consume(',');
  if (in.done()) return true;
  return in.Spaces() && TimeAndZone(in, f);
}

// YYYY-MM-DD, YYYY/MM/DD or YYYY.MM.DD, then [T or spaces] time, or a zone.
bool Ymd(Scanner& in, Fields* f) {
  if (!in.Number(4, 4, &f->year)) return false;
  const char sep = in.peek();
  if ((sep != '-' && sep != '/' && sep != '.') || !in.Consume(sep)) return false;
  if (!in.Number(1, 2, &f->month) || !in.Consume(sep) || !in.Number(1, 2, &f->day)) return false;
  if (in.done()) return true;
  if (in.Consume('T') || in.Consume('t')) return TimeAndZone(in, f);
  const size_t after_date = in.pos();
  if (in.Spaces() && TimeAndZone(in, f)) return true;
  // A zone right after the date: "2020-07-20+08:00", "2021-02-21 PST".
  in.reset(after_date);
  *f = Fields{f->year, f->month, f->day};
  in.Spaces();
  return Zone(in, &f->offset_seconds) && in.done();
}

bool Weekday(absl::string_view word) {
  static constexpr absl::string_view kDays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                                "friday", "saturday", "sunday"};
  const std::string lower = absl::AsciiStrToLower(word);
  for (absl::string_view day : kDays) {
    if (lower.size() >= 3 && day.substr(0, lower.size()) == lower) return true;
  }
  return false;
}

// [Weekday,] D Month[.][,] YYYY[,] [time]: RFC 2822 and "14 May 2019 19:11:40.164".
bool DayMonth(Scanner& in, Fields* f) {
  const size_t start = in.pos();
  std::string word = in.Letters();
  if (!word.empty()) {
    if (!Weekday(word) || !in.Consume(',')) return false;
    in.Spaces();
  } else {
    in.reset(start);
  }
  int year_digits;
  if (!in.Number(1, 2, &f->day) || !in.Spaces()) return false;
  if ((f->month = Month(in.Letters())) == 0) return false;
  in.Consume('.');
  in.Consume(',');
  if (!in.Spaces() || !in.Number(2, 4, &f->year, &year_digits) || year_digits == 3) return false;
  f->year = FullYear(f->year, year_digits);
  return OptionalTime(in, f);
}

// Month[.] D[,] YYYY [time]: "May 8, 2009 5:57:51 PM". A year is required.
bool MonthDay(Scanner& in, Fields* f) {
  int year_digits;
  if ((f->month = Month(in.Letters())) == 0) return false;
  in.Consume('.');
  if (!in.Spaces() || !in.Number(1, 2, &f->day)) return false;
  in.Consume(',');
  if (!in.Spaces() || !in.Number(2, 4, &f->year, &year_digits) || year_digits == 3) return false;
  f->year = FullYear(f->year, year_digits);
  return OptionalTime(in, f);
}

// M/D/YYYY or M.D.YY [time]: month first, as in the US.
bool Mdy(Scanner& in, Fields* f) {
  int year_digits;
  if (!in.Number(1, 2, &f->month)) return false;
  const char sep = in.peek();
  if ((sep != '/' && sep != '.') || !in.Consume(sep)) return false;
  if (!in.Number(1, 2, &f->day) || !in.Consume(sep) || !in.Number(2, 4, &f->year, &year_digits) || year_digits == 3) {
    return false;
  }
  f->year = FullYear(f->year, year_digits);
  if (in.done()) return true;
  return in.Spaces() && TimeAndZone(in, f);
}

// YYMMDD HH:MM:SS, as MySQL writes its logs.
bool MysqlLog(Scanner& in, Fields* f) {
  int64_t ymd;
  if (!in.Number(6, 6, &ymd) || !in.Spaces()) return false;
  f->year = FullYear(ymd / 10000, 2);
  f->month = static_cast<int>(ymd / 100 % 100);
  f->day = static_cast<int>(ymd % 100);
  return in.Number(2, 2, &f->hour) && in.Consume(':') && in.Number(2, 2, &f->minute) && in.Consume(':') &&
         in.Number(2, 2, &f->second) && in.done();
}

// 2014年04月08日[11时25分18秒]
bool Chinese(Scanner& in, Fields* f) {
  if (!in.Number(4, 4, &f->year) || !in.ConsumeText("年") || !in.Number(1, 2, &f->month) || !in.ConsumeText("月") ||
      !in.Number(1, 2, &f->day) || !in.ConsumeText("日")) {
    return false;
  }
  if (in.done()) return true;
  return in.Number(1, 2, &f->hour) && in.ConsumeText("时") && in.Number(1, 2, &f->minute) && in.ConsumeText("分") &&
         in.Number(1, 2, &f->second) && in.ConsumeText("秒") && in.done();
}

// 10, 13 or 19 digits: unix seconds, milliseconds or nanoseconds.
std::optional<std::string> UnixDigits(absl::string_view s) {
  if (s.size() != 10 && s.size() != 13 && s.size() != 19) return std::nullopt;
  // Unsigned, and checked: 19 digits may exceed INT64_MAX (signed overflow is undefined).
  uint64_t u = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    u = u * 10 + static_cast<uint64_t>(c - '0');
  }
  if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  const int64_t v = static_cast<int64_t>(u);
  if (s.size() == 10) return Format(Instant{v, 0});
  if (s.size() == 13) return Format(Instant{v / 1000, static_cast<int32_t>(v % 1000 * 1000000)});
  return Format(Instant{v / 1000000000, static_cast<int32_t>(v % 1000000000)});
}

bool TwoDigits(absl::string_view s, size_t at) {
  return at + 2 <= s.size() && std::isdigit(static_cast<unsigned char>(s[at])) &&
         std::isdigit(static_cast<unsigned char>(s[at + 1]));
}

bool DatePrefix(absl::string_view s) {
  return s.size() >= 10 && TwoDigits(s, 0) && TwoDigits(s, 2) && s[4] == '-' && TwoDigits(s, 5) && s[7] == '-' &&
         TwoDigits(s, 8);
}

}  // namespace

bool IsRfc3339DateTime(absl::string_view s) {
  Scanner in(s);
  Fields f;
  if (!in.Number(4, 4, &f.year) || !in.Consume('-') || !in.Number(2, 2, &f.month) || !in.Consume('-') ||
      !in.Number(2, 2, &f.day) || !(in.Consume('T') || in.Consume('t')) || !in.Number(2, 2, &f.hour) ||
      !in.Consume(':') || !in.Number(2, 2, &f.minute) || !in.Consume(':') || !in.Number(2, 2, &f.second)) {
    return false;
  }
  if (in.Consume('.') && !in.Fraction(&f.nanos)) return false;
  if (!in.Consume('Z') && !in.Consume('z')) {
    if (in.peek() != '+' && in.peek() != '-') return false;
    in.Consume(in.peek());
    int hours, minutes;
    if (!in.Number(2, 2, &hours) || !in.Consume(':') || !in.Number(2, 2, &minutes) || hours > 23 || minutes > 59) {
      return false;
    }
  }
  return in.done() && FormatFields(f).has_value();
}

std::optional<std::string> NormalizeDateTimeString(absl::string_view s) {
  if (IsRfc3339DateTime(s)) return std::nullopt;
  if (std::optional<std::string> unix_time = UnixDigits(s)) return unix_time;
  using Parser = bool (*)(Scanner&, Fields*);
  for (Parser parse : {Ymd, DayMonth, MonthDay, Mdy, MysqlLog, Chinese}) {
    Scanner in(s);
    Fields f;
    if (parse(in, &f)) {
      if (std::optional<std::string> formatted = FormatFields(f)) return formatted;
    }
  }
  return std::nullopt;
}

std::optional<std::string> NormalizeEpochNumber(absl::string_view number) {
  // Exact decimal arithmetic on the digits as written: no rounding.
  size_t i = 0;
  const bool negative = i < number.size() && number[i] == '-';
  if (negative) ++i;
  std::string digits;
  int64_t exponent = 0;
  for (; i < number.size() && std::isdigit(static_cast<unsigned char>(number[i])); ++i) digits.push_back(number[i]);
  if (digits.empty()) return std::nullopt;
  if (i < number.size() && number[i] == '.') {
    for (++i; i < number.size() && std::isdigit(static_cast<unsigned char>(number[i])); ++i) {
      digits.push_back(number[i]);
      --exponent;
    }
  }
  if (i < number.size() && (number[i] == 'e' || number[i] == 'E')) {
    ++i;
    int sign = 1;
    if (i < number.size() && (number[i] == '+' || number[i] == '-')) sign = number[i++] == '-' ? -1 : 1;
    int64_t e = 0;
    for (; i < number.size() && std::isdigit(static_cast<unsigned char>(number[i])); ++i) {
      e = e * 10 + (number[i] - '0');
      if (e > 1000) return std::nullopt;
    }
    exponent += sign * e;
  }
  if (i != number.size()) return std::nullopt;

  // Splits digits x 10^exponent into its integer part and nanoseconds.
  auto split = [&](int64_t exp, int64_t* whole, int32_t* nanos) {
    const int64_t point = static_cast<int64_t>(digits.size()) + exp;
    std::string int_part = point <= 0 ? ""
                           : point >= static_cast<int64_t>(digits.size())
                               ? digits + std::string(point - digits.size(), '0')
                               : digits.substr(0, point);
    std::string frac = point >= static_cast<int64_t>(digits.size()) ? ""
                       : point <= 0                                 ? std::string(-point, '0') + digits
                                                                    : digits.substr(point);
    int_part.erase(0, std::min(int_part.find_first_not_of('0'), int_part.size()));
    if (int_part.size() > 15) return false;
    *whole = int_part.empty() ? 0 : std::stoll(int_part);
    frac.resize(9, '0');
    *nanos = static_cast<int32_t>(std::stol(frac));
    return true;
  };
  int64_t whole;
  int32_t nanos;
  if (!split(exponent, &whole, &nanos)) return std::nullopt;
  if (!negative && (whole > 32503680000 || (whole == 32503680000 && nanos > 0))) {
    if (!split(exponent - 3, &whole, &nanos)) return std::nullopt;  // milliseconds
  }
  if (negative && (whole != 0 || nanos != 0)) {
    whole = -whole;
    if (nanos > 0) {
      --whole;
      nanos = 1000000000 - nanos;
    }
  }
  return Format(Instant{whole, nanos});
}

bool IsValidDate(absl::string_view s) {
  if (s.size() != 10 || !DatePrefix(s)) return false;
  Fields f;
  f.year = std::stoi(std::string(s.substr(0, 4)));
  f.month = std::stoi(std::string(s.substr(5, 2)));
  f.day = std::stoi(std::string(s.substr(8, 2)));
  return FormatFields(f).has_value();
}

std::optional<std::string> DatetimeToDate(absl::string_view s) {
  if (IsValidDate(s) || !DatePrefix(s) || s.size() == 10) return std::nullopt;
  return std::string(s.substr(0, 10));
}

}  // namespace atf
