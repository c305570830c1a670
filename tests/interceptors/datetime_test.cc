// Date-time normalization of single values: docs/reference.md vectors C1-C3, with
// the D7 changes named.
#include "interceptors/datetime.h"

#include "gtest/gtest.h"

namespace atf {
namespace {

// The normalized value, or the input when it is left unchanged.
std::string Str(const char* s) { return NormalizeDateTimeString(s).value_or(s); }
std::string Num(const char* n) { return NormalizeEpochNumber(n).value_or(std::string("unchanged ") + n); }

TEST(DateTime, C2_StringsOfTheRustTest) {
  EXPECT_EQ(Str("2023-01-30 02:34:15"), "2023-01-30T02:34:15Z");
  EXPECT_EQ(Str("2020-03-25T21:03:18.000+0000"), "2020-03-25T21:03:18Z");
  EXPECT_EQ(Str("2019-03-18T16:40:23+0000"), "2019-03-18T16:40:23Z");
  EXPECT_EQ(Str("2021-03-02T23:00:00"), "2021-03-02T23:00:00Z");
  EXPECT_EQ(Str("2023-01-30"), "2023-01-30T00:00:00Z");
  EXPECT_EQ(Str("2021-03-02"), "2021-03-02T00:00:00Z");
}

TEST(DateTime, C2_NumbersOfTheRustTest) {
  EXPECT_EQ(Num("1685098188"), "2023-05-26T10:49:48Z");
  EXPECT_EQ(Num("1685098188123"), "2023-05-26T10:49:48.123Z");
  // Reference: 1685098188.123 x 1000 taken as milliseconds. D7: seconds with
  // their fraction kept, which gives the same instant here.
  EXPECT_EQ(Num("1685098188.123"), "2023-05-26T10:49:48.123Z");
}

// 19 digits beyond INT64_MAX are no nanosecond epoch (and no signed overflow).
TEST(DateTime, NineteenDigitsAboveInt64AreLeftAlone) {
  EXPECT_EQ(NormalizeDateTimeString("9999999999999999999"), std::nullopt);
  EXPECT_EQ(NormalizeDateTimeString("9223372036854775808"), std::nullopt);
  EXPECT_EQ(NormalizeDateTimeString("1706781600000000000"), "2024-02-01T10:00:00Z");
}

TEST(DateTime, C3_ValidRfc3339IsLeftUnchanged) {
  for (const char* s : {"2023-01-30T02:34:15+05:00", "2023-01-30T02:34:15.5Z", "2023-01-30t02:34:15z",
                        "1999-12-31T23:59:59.123456789-08:00"}) {
    EXPECT_TRUE(IsRfc3339DateTime(s)) << s;
    EXPECT_FALSE(NormalizeDateTimeString(s).has_value()) << s;
  }
  for (const char* s : {"2023-01-30 02:34:15Z", "2023-13-30T02:34:15Z", "2023-02-30T02:34:15Z", "2023-01-30T24:00:00Z",
                        "2023-01-30T02:34:15+0500", "2023-01-30T02:34Z", "2023-01-30T02:34:15.Z"}) {
    EXPECT_FALSE(IsRfc3339DateTime(s)) << s;
  }
}

TEST(DateTime, C3_DerivedStrings) {
  EXPECT_EQ(Str("1685098188"), "2023-05-26T10:49:48Z");
  EXPECT_EQ(Str("1685098188123"), "2023-05-26T10:49:48.123Z");
  EXPECT_EQ(Str("1685098188123456789"), "2023-05-26T10:49:48.123456789Z");
  EXPECT_EQ(Str("Wed, 02 Jun 2021 06:31:39 GMT"), "2021-06-02T06:31:39Z");
  EXPECT_EQ(Str("2014-04-26 13:13:43 +0800"), "2014-04-26T05:13:43Z");
  EXPECT_EQ(Str("2021-04-30 21:14:10.052282"), "2021-04-30T21:14:10.052282Z");
  EXPECT_EQ(Str("hello"), "hello");
}

TEST(DateTime, D7_FormatsTheReferenceMissed) {
  // Reference: 6 fraction digits with a colonless offset failed every parser.
  EXPECT_EQ(Str("2020-03-25T21:03:18.123456+0000"), "2020-03-25T21:03:18.123456Z");
}

TEST(DateTime, PracticalFormats) {
  struct Case {
    const char* in;
    const char* out;
  };
  for (const Case& c : std::vector<Case>{
           {"2021-02-21 10:00:00-08", "2021-02-21T18:00:00Z"},
           {"2021-02-21 10:00:00+00:00", "2021-02-21T10:00:00Z"},
           {"2021-02-21 10:00", "2021-02-21T10:00:00Z"},
           {"2021-02-21 10:00:00 PM", "2021-02-21T22:00:00Z"},
           {"2021-02-21 12:30 am", "2021-02-21T00:30:00Z"},
           {"2021-02-21 10:00:00 PST", "2021-02-21T18:00:00Z"},
           {"2021-02-21 10:00:00 edt", "2021-02-21T14:00:00Z"},
           {"2021-02-21 PST", "2021-02-21T08:00:00Z"},
           {"2020-07-20+08:00", "2020-07-19T16:00:00Z"},
           {"2021-02-21T10:00:00.5-0130", "2021-02-21T11:30:00.500Z"},
           {"2014/4/8 22:05", "2014-04-08T22:05:00Z"},
           {"2012/03/19 10:11:59.3186369", "2012-03-19T10:11:59.318636900Z"},
           {"2014/3/31", "2014-03-31T00:00:00Z"},
           {"2014.03.30", "2014-03-30T00:00:00Z"},
           {"Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T08:52:37Z"},
           {"12 Feb 2006, 19:17", "2006-02-12T19:17:00Z"},
           {"14 May 2019 19:11:40.164", "2019-05-14T19:11:40.164Z"},
           {"1 July 2013", "2013-07-01T00:00:00Z"},
           {"7 oct 70", "1970-10-07T00:00:00Z"},
           {"May 8, 2009 5:57:51 PM", "2009-05-08T17:57:51Z"},
           {"September 17, 2012 10:09am", "2012-09-17T10:09:00Z"},
           {"May 02, 2021 15:51:31 UTC", "2021-05-02T15:51:31Z"},
           {"May 25, 2021", "2021-05-25T00:00:00Z"},
           {"oct. 7, 70", "1970-10-07T00:00:00Z"},
           {"Sept 3, 2019", "2019-09-03T00:00:00Z"},
           {"4/8/2014 22:05", "2014-04-08T22:05:00Z"},
           {"8/8/1965 01:00 PM", "1965-08-08T13:00:00Z"},
           {"03/19/2012 10:11:59.3186369", "2012-03-19T10:11:59.318636900Z"},
           {"3/31/2014", "2014-03-31T00:00:00Z"},
           {"08/21/71", "1971-08-21T00:00:00Z"},
           {"3.31.2014", "2014-03-31T00:00:00Z"},
           {"171113 14:14:20", "2017-11-13T14:14:20Z"},
           {"2014年04月08日11时25分18秒", "2014-04-08T11:25:18Z"},
           {"2014年04月08日", "2014-04-08T00:00:00Z"},
       }) {
    EXPECT_EQ(Str(c.in), c.out) << c.in;
  }
}

TEST(DateTime, D7_NoWallClockInputs) {
  // dateparser filled these from today's date or the current year.
  for (const char* s : {"01:06:06", "4:00pm", "6:00 AM", "May 6 at 9:24 PM", "May 27 02:45:27", "2014.03",
                        "2021-02-21 10:00:00 CET", "2021-02-30", "13/31/2014", "", " 2021-02-21"}) {
    EXPECT_EQ(Str(s), s) << s;
  }
}

TEST(DateTime, C3_Numbers) {
  EXPECT_EQ(Num("0"), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Num("-86400"), "1969-12-31T00:00:00Z");
  EXPECT_EQ(Num("32503680000"), "3000-01-01T00:00:00Z");
  EXPECT_EQ(Num("32503680001"), "1971-01-12T04:48:00.001Z");
}

TEST(DateTime, D7_FloatEpochsKeepTheirFraction) {
  // Reference: 1.5 x 1000 = 1500 taken as seconds, 1970-01-01T00:25:00Z.
  EXPECT_EQ(Num("1.5"), "1970-01-01T00:00:01.500Z");
  EXPECT_EQ(Num("-1.5"), "1969-12-31T23:59:58.500Z");
  EXPECT_EQ(Num("1.685098188123e9"), "2023-05-26T10:49:48.123Z");
  EXPECT_EQ(Num("1685098188123.5"), "2023-05-26T10:49:48.123500Z");
  EXPECT_EQ(Num("1e3"), "1970-01-01T00:16:40Z");
}

TEST(DateTime, NumbersOutOfRangeAreLeftAlone) {
  EXPECT_EQ(Num("99999999999999999999999"), "unchanged 99999999999999999999999");
  EXPECT_EQ(Num("-99999999999"), "unchanged -99999999999");
  EXPECT_EQ(Num("1e999"), "unchanged 1e999");
  EXPECT_EQ(Num("abc"), "unchanged abc");
}

TEST(DateTime, C1_DatetimeToDate) {
  EXPECT_EQ(DatetimeToDate("2023-03-05T15:41:54.565000+00:00").value_or("unchanged"), "2023-03-05");
  EXPECT_FALSE(DatetimeToDate("2023-03-05").has_value());
  EXPECT_FALSE(DatetimeToDate("hello").has_value());
  EXPECT_EQ(DatetimeToDate("2023-13-45T00:00:00Z").value_or("unchanged"), "2023-13-45");
  EXPECT_EQ(DatetimeToDate("2023-03-05 extra").value_or("unchanged"), "2023-03-05");
  EXPECT_TRUE(IsValidDate("2024-02-29"));
  EXPECT_FALSE(IsValidDate("2023-02-29"));
}

}  // namespace
}  // namespace atf
