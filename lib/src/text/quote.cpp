// quote_value() and printable() of quote.hpp: how every layer shows an
// untrusted value or a tool's words in a message.
#include "text/quote.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "text/utf8.hpp"

namespace iohyve_api::detail {
namespace {

unsigned char byte_at(std::string_view text, std::size_t i) noexcept {
  return static_cast<unsigned char>(text[i]);
}

// The code point of a sequence that utf8_sequence_length() accepted.
char32_t decode_utf8(std::string_view seq) noexcept {
  static constexpr std::array<unsigned char, 5> lead_mask = {0, 0x7f, 0x1f, 0x0f, 0x07};
  char32_t cp = byte_at(seq, 0) & lead_mask[seq.size()];
  for (std::size_t i = 1; i < seq.size(); ++i) cp = (cp << 6) | (byte_at(seq, i) & 0x3fu);
  return cp;
}

// Characters that must not reach a terminal or log unescaped: C1 controls,
// line/paragraph separators and the bidirectional overrides/isolates, which
// can make a message display differently from what it says.
bool is_printable_non_ascii(char32_t cp) noexcept {
  if (cp <= 0x9f) return false;
  if (cp == 0x2028 || cp == 0x2029) return false;
  if (cp >= 0x202a && cp <= 0x202e) return false;
  return !(cp >= 0x2066 && cp <= 0x2069);
}

void append_hex_escapes(std::string& out, std::string_view bytes) {
  static constexpr std::string_view hex = "0123456789abcdef";
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += "\\x";
    out += hex[b >> 4];
    out += hex[b & 0x0f];
  }
}

// Appends one unit: a single byte, or a well-formed UTF-8 sequence.
void append_unit(std::string& out, std::string_view unit, bool well_formed, bool quoted) {
  if (unit.size() == 1 && well_formed) {
    const char c = unit[0];
    if (c == '\\' || (quoted && c == '\'')) {
      out += '\\';
      out += c;
    } else if (c >= 0x20 && c < 0x7f) {
      out += c;
    } else {
      append_hex_escapes(out, unit);
    }
    return;
  }
  if (well_formed && is_printable_non_ascii(decode_utf8(unit))) {
    out += unit;
  } else {
    append_hex_escapes(out, unit);
  }
}

// Escapes and cuts `text` onto `out` (see quote.hpp).
void append_escaped(std::string& out, std::string_view text, std::size_t max_bytes, bool quoted) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = utf8_sequence_length(text.substr(i));
    const std::size_t unit = n == 0 ? 1 : n;
    if (i + unit > max_bytes) break;  // never split a character
    append_unit(out, text.substr(i, unit), n != 0, quoted);
    i += unit;
  }
  if (i < text.size()) out += "...";
}

}  // namespace

std::string quote_value(std::string_view value) {
  std::string out;
  out.reserve(std::min(value.size(), quote_max_bytes) + 8);
  out += '\'';
  append_escaped(out, value, quote_max_bytes, true);
  out += '\'';
  return out;
}

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 8);
  append_escaped(out, text, max_bytes, false);
  return out;
}

}  // namespace iohyve_api::detail
