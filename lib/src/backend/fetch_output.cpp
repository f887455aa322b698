// Parser for fetch(1)'s progress output (formats.md §a.2 - §a.4, cited as
// §x.y below). Lines are parsed from the right: the name may contain spaces
// and is glued to the percentage in 10.x ("bootonl100%"), so splitting on
// whitespace cannot work.
#include "backend/fetch_output.hpp"

#include <algorithm>

#include "text/chars.hpp"
#include "text/decimal.hpp"
#include "text/split.hpp"
#include "text/utf8.hpp"

namespace iohyve_api::detail {
namespace {

// fetch cuts names at a byte count (§a.3 "%-46.46s"), possibly inside a
// multi-byte character; drop such a torn tail so callers can put the name
// into JSON, which must be valid UTF-8.
std::string_view drop_torn_utf8_tail(std::string_view s) noexcept {
  for (std::size_t back = 1; back <= 3 && back <= s.size(); ++back) {
    const auto c = static_cast<unsigned char>(s[s.size() - back]);
    if ((c & 0xc0) == 0x80) continue;  // continuation byte: look further back
    if (c >= 0xc0 && utf8_sequence_length(s.substr(s.size() - back)) == 0) {
      s.remove_suffix(back);
    }
    break;
  }
  return s;
}

constexpr std::size_t tty_name_width = 46;        // "%-46.46s" / "%-46s"
constexpr std::string_view no_percent_gap = "        ";  // "        %s"

bool strip_suffix(std::string_view& s, std::string_view suffix) noexcept {
  if (!s.ends_with(suffix)) return false;
  s.remove_suffix(suffix.size());
  return true;
}

// Count of decimal digits at the end of s.
std::size_t trailing_digits(std::string_view s) noexcept {
  std::size_t n = 0;
  while (n < s.size() && is_digit(s[s.size() - 1 - n])) ++n;
  return n;
}

// Removes " " + stat_eta from the end of s (§a.2): "%02ldm%02lds",
// "%02ldh%02ldm", "%02ldd%02ldh" (first number may be longer, second is
// below 60 or 24 so two digits), or 11.x's "   %02lds".
bool strip_eta(std::string_view& s) noexcept {
  if (s.size() < 4) return false;
  const char last_unit = s.back();
  std::string_view t = s.substr(0, s.size() - 1);
  if (trailing_digits(t) < 2) return false;
  const bool pair_possible = trailing_digits(t) == 2 && t.size() > 2;
  if (pair_possible) {
    const char first_unit = t[t.size() - 3];
    const bool valid_pair = (first_unit == 'm' && last_unit == 's') ||
                            (first_unit == 'h' && last_unit == 'm') ||
                            (first_unit == 'd' && last_unit == 'h');
    if (valid_pair) {
      std::string_view head = t.substr(0, t.size() - 3);
      const std::size_t digits = trailing_digits(head);
      if (digits < 2) return false;
      head.remove_suffix(digits);
      if (!strip_suffix(head, " ")) return false;
      s = head;
      return true;
    }
  }
  if (last_unit != 's') return false;
  t.remove_suffix(trailing_digits(t));
  if (!strip_suffix(t, "    ")) return false;  // separator + "   " of "   %02lds"
  s = t;
  return true;
}

// Removes an amount "%4jd %cB" + unit_tail from the end of s (§a.2
// stat_bytes; stat_bps is the same plus "ps") and returns it verbatim,
// padding included (" 231 MB"). The number is right-aligned in 4 columns;
// 10.x prints an unknown size as "  -1  B".
std::optional<std::string_view> strip_amount(std::string_view& s, std::string_view unit_tail) {
  std::string_view t = s;
  if (!strip_suffix(t, unit_tail) || t.size() < 2) return std::nullopt;
  constexpr std::string_view prefixes = " kMGTP";
  if (prefixes.find(t.back()) == std::string_view::npos || t[t.size() - 2] != ' ') return std::nullopt;
  t.remove_suffix(2);
  std::size_t width = trailing_digits(t);
  if (width == 0) return std::nullopt;
  t.remove_suffix(width);
  if (t.ends_with('-')) {
    t.remove_suffix(1);
    ++width;
  }
  for (; width < 4; ++width) {
    if (!strip_suffix(t, " ")) return std::nullopt;
  }
  const std::string_view token = s.substr(t.size());
  s = t;
  return token;
}

// stat_bps, including "?? Bps" when no time has passed.
std::optional<std::string_view> strip_rate(std::string_view& s) {
  constexpr std::string_view unknown = "?? Bps";
  if (strip_suffix(s, unknown)) return unknown;
  return strip_amount(s, "Bps");
}

// "%3d" percentage, space-padded on the left.
std::optional<int> parse_percent(std::string_view field) noexcept {
  while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
  const auto value = field.size() > 9 ? std::nullopt : parse_u64(field);
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

// Everything left of the amount: "NAME(46)NNN% of " (TTY, §a.3) or
// "NAME(>= 46)" + 8 spaces (TTY without percentage, or the non-TTY summary,
// §a.4). Fills name and percentage; false if it is neither.
bool parse_name_part(std::string_view head, std::string_view& name, int& percent) {
  if (strip_suffix(head, "% of ")) {
    // The TTY name is exactly 46 bytes ("%-46.46s"), so the percentage is
    // what follows byte 46, whatever the name's last characters are.
    if (head.size() <= tty_name_width) return false;
    const auto value = parse_percent(head.substr(tty_name_width));
    if (!value) return false;
    name = head.substr(0, tty_name_width);
    percent = *value;
    return true;
  }
  if (!strip_suffix(head, no_percent_gap) || head.size() < tty_name_width) return false;
  name = head;  // "%-46s" pads to at least 46 bytes; non-TTY names may be up to 63
  percent = -1;
  return true;
}

}  // namespace

std::string rate_text(std::string_view padded) {
  std::string out;
  for (char c : padded)
    if (c != ' ' || (!out.empty() && out.back() != ' ')) out += c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::optional<fetch_progress> parse_fetch_line(std::string_view line) {
  while (!line.empty() && (line.front() == '\r' || line.front() == '\n')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);

  std::string_view rest = line;
  if (!rest.ends_with("Bps") && !strip_eta(rest)) return std::nullopt;
  const auto rate = strip_rate(rest);
  if (!rate || !strip_suffix(rest, " ")) return std::nullopt;
  const auto amount = strip_amount(rest, "B");
  if (!amount) return std::nullopt;

  std::string_view name;
  int percent = -1;
  if (!parse_name_part(rest, name, percent)) return std::nullopt;
  name = drop_torn_utf8_tail(trim_right(name));
  if (name.empty()) return std::nullopt;

  fetch_progress progress;
  progress.filename = std::string(name);
  progress.download_rate = std::string(*rate);
  progress.bytes = std::string(*amount);
  // Closing forms: no percentage (11.x prints rcvd >= size that way, and the
  // non-TTY summary never has one) or 10.x's last TTY line at 100%. With an
  // unknown size fetch also prints the no-percentage form mid-transfer, so
  // "final" there means "no more is known"; completion is fetch's exit.
  progress.final = percent < 0 || percent >= 100;
  progress.percent_done = percent < 0 ? -1 : std::min(percent, 100);
  return progress;
}

}  // namespace iohyve_api::detail
