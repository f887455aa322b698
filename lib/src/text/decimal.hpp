// Decimal text to double, correctly rounded and independent of the locale.
//
// zfs reads a size such as "1.5G" with strtod() and multiplies by 2^shift
// (zfs_nicestrtonum in libzfs_util.c); to compute the same bytes we need the
// same correctly rounded double. std::from_chars would do, but libc++ 19
// (FreeBSD 14.3/15 base) has no floating-point overload, and strtod() depends
// on the caller's LC_NUMERIC, which a program linking the library may set.
#pragma once

#include <optional>
#include <string_view>

namespace iohyve_api::detail {

// DIGITS [ "." DIGITS ]: no sign, exponent, space or hex; at most 19 digits
// in all (every size text the library accepts). nullopt for anything else.
std::optional<double> parse_plain_decimal(std::string_view text);

}  // namespace iohyve_api::detail
