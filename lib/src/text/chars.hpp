// Locale-independent ASCII character classes, for every layer: <cctype>
// depends on the caller's locale (a program linking the library may set
// one) and is undefined for negative chars.
#pragma once

#include <algorithm>
#include <string_view>

namespace iohyve_api::detail {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_letter(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_alnum(char c) noexcept { return is_letter(c) || is_digit(c); }
constexpr bool is_hex_digit(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr char to_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char to_upper(char c) noexcept { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// Whether every character of `text` satisfies pred (true for "").
template <class Pred>
bool all_of(std::string_view text, Pred pred) {
  return std::all_of(text.begin(), text.end(), pred);
}

// One or more decimal digits and nothing else.
constexpr bool all_digits(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (char c : text)
    if (!is_digit(c)) return false;
  return true;
}

}  // namespace iohyve_api::detail
