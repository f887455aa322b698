// Decimal text to numbers, in one place for requests and tool output:
// integers with their overflow checked, and sizes as doubles.
//
// Doubles are correctly rounded and independent of the locale:
// zfs reads a size such as "1.5G" with strtod() and multiplies by 2^shift
// (zfs_nicestrtonum in libzfs_util.c); to compute the same bytes we need the
// same correctly rounded double. std::from_chars would do, but libc++ 19
// (FreeBSD 14.3/15 base) has no floating-point overload, and strtod() depends
// on the caller's LC_NUMERIC, which a program linking the library may set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "text/chars.hpp"

namespace iohyve_api::detail {

// DIGITS only (no sign, space or other character; leading zeros allowed, as
// zfs -p and pgrep print numbers), nullopt when empty or above 2^64 - 1.
// Inline: the zfs and fetch parsers call it for every line.
constexpr std::optional<std::uint64_t> parse_u64(std::string_view text) noexcept {
  if (!all_digits(text)) return std::nullopt;
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t value = 0;
  for (char c : text) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// A number as a person writes it in a name or a port: 1..max_digits digits
// (at most 9), no sign and no leading zero ("0", "7", "42", not "007").
// "disk01" and "pcidev:01" are not iohyve's names, so they are refused.
constexpr std::optional<unsigned> parse_canonical_unsigned(std::string_view text, std::size_t max_digits) noexcept {
  if (text.size() > max_digits || text.size() > 9 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  const auto value = parse_u64(text);
  if (!value) return std::nullopt;
  return static_cast<unsigned>(*value);
}

// DIGITS [ "." DIGITS ]: no sign, exponent, space or hex; at most 19 digits
// in all (every size text the library accepts). nullopt for anything else.
std::optional<double> parse_plain_decimal(std::string_view text);

}  // namespace iohyve_api::detail
