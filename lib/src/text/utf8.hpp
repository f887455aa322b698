// Well-formed UTF-8, in one place: request values are checked with it, JSON
// output and error messages use it to replace or escape what is not UTF-8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace iohyve_api::detail {

// Length of the well-formed UTF-8 sequence at the start of `text` (1..4),
// or 0 when it does not start with one (empty, stray continuation byte,
// overlong form, surrogate, beyond U+10FFFF, truncated). Unicode 15, table
// 3-7: the second byte's range depends on the first. Inline: the JSON
// writer calls it for every non-ASCII character it writes.
inline std::size_t utf8_sequence_length(std::string_view text) noexcept {
  if (text.empty()) return 0;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    n = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    n = 3;
    if (b0 == 0xe0) lo = 0xa0;  // overlong
    if (b0 == 0xed) hi = 0x9f;  // surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    n = 4;
    if (b0 == 0xf0) lo = 0x90;  // overlong
    if (b0 == 0xf4) hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < n || byte(1) < lo || byte(1) > hi) return 0;
  for (std::size_t i = 2; i < n; ++i)
    if ((byte(i) & 0xc0) != 0x80) return 0;
  return n;
}

// Offset of the first byte of `text` that does not begin a well-formed
// UTF-8 sequence (RFC 3629), or text.size() when all of it is well-formed.
// ASCII, the usual case, is skipped eight bytes at a time.
inline std::size_t utf8_valid_prefix(std::string_view text) noexcept {
  constexpr std::uint64_t high_bits = 0x8080808080808080ull;
  std::size_t i = 0;
  while (i < text.size()) {
    if (i + 8 <= text.size()) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if ((word & high_bits) == 0) {
        i += 8;
        continue;
      }
    }
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(text.substr(i));
    if (n == 0) return i;
    i += n;
  }
  return text.size();
}

// True when all of `text` is well-formed UTF-8 (RFC 3629).
inline bool is_valid_utf8(std::string_view text) noexcept { return utf8_valid_prefix(text) == text.size(); }

}  // namespace iohyve_api::detail
