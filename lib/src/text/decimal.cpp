#include "text/decimal.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <locale>
#include <sstream>
#include <string>

namespace iohyve_api::detail {
namespace {

static_assert(std::numeric_limits<double>::is_iec559, "the fast path relies on IEEE 754 division");

constexpr std::size_t max_digits = 19;  // 10^19 - 1 fits in 64 bits

// Powers of ten that a double holds exactly (10^22 is the last one).
constexpr std::array<double, 19> exact_powers_of_ten = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

// Integers up to 2^53 are exact in a double.
constexpr std::uint64_t max_exact_integer = std::uint64_t{1} << 53;

// The slow path, for more than 15 significant digits: the C++ stream
// extraction under the classic locale is strtod_l() in the "C" locale on
// both libc++ and libstdc++, which rounds correctly.
std::optional<double> parse_with_classic_locale(std::string_view text) {
  std::istringstream in{std::string(text)};
  in.imbue(std::locale::classic());
  double value = 0;
  in >> value;
  if (in.fail()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> parse_plain_decimal(std::string_view text) {
  std::uint64_t mantissa = 0;
  std::size_t digits = 0;
  std::size_t fraction_digits = 0;
  bool seen_point = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !seen_point && i > 0 && i + 1 < text.size()) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9' || ++digits > max_digits) return std::nullopt;
    mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
    if (seen_point) ++fraction_digits;
  }
  if (digits == 0) return std::nullopt;
  // Clinger's fast path: both operands are exact doubles, and IEEE division
  // rounds the exact quotient correctly, as strtod does.
  if (mantissa <= max_exact_integer)
    return static_cast<double>(mantissa) / exact_powers_of_ten[fraction_digits];
  return parse_with_classic_locale(text);
}

}  // namespace iohyve_api::detail
