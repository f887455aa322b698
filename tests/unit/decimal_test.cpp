// parse_plain_decimal() must give the double strtod() gives in the C locale
// (what zfs computes sizes from), on both of its paths, whatever the caller's
// locale. The integer parsers take digits only and refuse what overflows.
#include "text/decimal.hpp"

#include <gtest/gtest.h>

#include <clocale>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

namespace iohyve_api::detail {
namespace {

double c_strtod(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

TEST(Decimal, SimpleValues) {
  EXPECT_EQ(parse_plain_decimal("1.5"), 1.5);
  EXPECT_EQ(parse_plain_decimal("0.1"), 0.1);
  EXPECT_EQ(parse_plain_decimal("10"), 10.0);
  EXPECT_EQ(parse_plain_decimal("007.250"), 7.25);
}

TEST(Decimal, RefusesAnythingButDigitsAndOnePoint) {
  for (const char* bad : {"", ".", "1.", ".5", "1..5", "1.5.5", "-1", "+1", "1e3", " 1", "1 ", "0x1", "1,5",
                          "12345678901234567890", "1.2345678901234567890"})
    EXPECT_FALSE(parse_plain_decimal(bad)) << bad;
}

// Random decimals of 1 to 19 digits with the point anywhere: the fast path
// (up to 2^53) and the stream path (beyond) both agree with strtod.
TEST(Decimal, MatchesStrtodOnRandomInput) {
  std::mt19937_64 random(20261130);
  std::uniform_int_distribution<int> digit('0', '9');
  for (int round = 0; round < 200000; ++round) {
    const std::size_t length = 1 + random() % 19;
    std::string text;
    for (std::size_t i = 0; i < length; ++i) text += static_cast<char>(digit(random));
    if (length > 1 && random() % 4 != 0) text.insert(1 + random() % (length - 1), 1, '.');
    const auto parsed = parse_plain_decimal(text);
    ASSERT_TRUE(parsed) << text;
    ASSERT_EQ(*parsed, c_strtod(text)) << text;
  }
}

// Halfway cases between two doubles are where a naive digit-by-digit
// conversion goes wrong: 2^53 + 1 and friends, with and without a fraction.
TEST(Decimal, HalfwayCasesRoundToEven) {
  for (const char* text : {"9007199254740993", "9007199254740995", "9007199254740993.0", "900719925474099.35",
                           "1844674407370955161", "4503599627370496.5", "4503599627370497.5"})
    EXPECT_EQ(parse_plain_decimal(text), c_strtod(text)) << text;
}

// A program may set a locale whose decimal point is ',': the result must not
// change.
TEST(Decimal, IndependentOfTheGlobalLocale) {
  const char* previous = std::setlocale(LC_NUMERIC, nullptr);
  const std::string saved = previous ? previous : "C";
  bool switched = false;
  for (const char* name : {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "fr_FR"})
    if (std::setlocale(LC_NUMERIC, name)) {
      switched = true;
      break;
    }
  const auto fast = parse_plain_decimal("1.5");
  const auto slow = parse_plain_decimal("12345678901234.56789");
  std::setlocale(LC_NUMERIC, saved.c_str());
  if (!switched) GTEST_SKIP() << "no locale with a decimal comma is installed";
  EXPECT_EQ(fast, 1.5);
  EXPECT_EQ(slow, c_strtod("12345678901234.56789"));
}

TEST(Integer, ParseU64TakesDigitsUpTo64Bits) {
  EXPECT_EQ(parse_u64("0"), 0u);
  EXPECT_EQ(parse_u64("007"), 7u);
  EXPECT_EQ(parse_u64("18446744073709551615"), UINT64_MAX);
  for (const char* bad : {"", "18446744073709551616", "99999999999999999999", "-1", "+1", " 1", "1 ", "1.0", "0x1"})
    EXPECT_FALSE(parse_u64(bad)) << bad;
}

TEST(Integer, CanonicalUnsignedRefusesLeadingZerosAndLongText) {
  EXPECT_EQ(parse_canonical_unsigned("0", 3), 0u);
  EXPECT_EQ(parse_canonical_unsigned("999", 3), 999u);
  EXPECT_EQ(parse_canonical_unsigned("65535", 5), 65535u);
  for (const char* bad : {"", "00", "01", "1000", "1a", "-1"}) EXPECT_FALSE(parse_canonical_unsigned(bad, 3)) << bad;
}

}  // namespace
}  // namespace iohyve_api::detail
