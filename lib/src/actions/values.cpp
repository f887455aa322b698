// parse() of the value types in values.hpp, but url (url.cpp).
//
// The rules are strict on purpose: iohyve is a /bin/sh script that splices
// these values into unquoted shell words, regular expressions (grep ^$name$),
// zfs dataset names and /etc/rc.conf. A value that passes here is a single
// harmless word for all of them.
#include "iohyve_api/values.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "actions/value_checks.hpp"
#include "errors.hpp"
#include "text/chars.hpp"
#include "text/decimal.hpp"
#include "text/quote.hpp"

namespace iohyve_api {
namespace {

// The shared value helpers (text/, errors.hpp, value_checks.hpp).
using namespace detail;

std::size_t count_digits(std::string_view text, std::size_t from) noexcept {
  std::size_t i = from;
  while (i < text.size() && is_digit(text[i])) ++i;
  return i - from;
}

// ---- guest_name -----------------------------------------------------------

// bhyve VM names are at most 31 bytes (VM_MAX_NAMELEN 32 with the NUL) and
// iohyve names the VM "ioh-NAME": 31 - 4 = 27.
constexpr std::size_t max_guest_name = 27;

constexpr bool is_guest_name_char(char c) noexcept { return is_alnum(c) || c == '_' || c == '-'; }

// ---- size -----------------------------------------------------------------

// Longer texts are never sizes a person typed ("18446744073709551615" is 20).
constexpr std::size_t max_size_text = 20;

constexpr std::string_view size_expected =
    "expected a number with an optional K, M, G, T, P or E suffix, e.g. 10G";

struct size_syntax {
  std::string_view number;  // "10", "1.5"
  bool decimal = false;
  int shift = 0;  // 10 per K, M, G, T, P, E
};

// The suffix as zfs reads it (zfs_nicestrtonum/str2shift), case-insensitive:
// "", "B" (bytes), "K", "KB", ..., "E", "EB". zfs also takes "KiB"; we do not.
std::optional<int> size_suffix_shift(std::string_view suffix) noexcept {
  if (suffix.empty()) return 0;
  if (suffix.size() == 1 && to_upper(suffix[0]) == 'B') return 0;
  static constexpr std::string_view units = "KMGTPE";
  const auto unit = units.find(to_upper(suffix[0]));
  if (unit == std::string_view::npos) return std::nullopt;
  if (suffix.size() > 2 || (suffix.size() == 2 && to_upper(suffix[1]) != 'B')) return std::nullopt;
  return 10 * static_cast<int>(unit + 1);
}

// DIGITS [ "." DIGITS ] [ SUFFIX ]: no sign, space, exponent or hex.
std::optional<size_syntax> split_size(std::string_view text) {
  std::size_t end = count_digits(text, 0);
  if (end == 0) return std::nullopt;
  size_syntax syntax;
  if (end < text.size() && text[end] == '.') {
    const std::size_t frac = count_digits(text, end + 1);
    if (frac == 0) return std::nullopt;
    syntax.decimal = true;
    end += 1 + frac;
  }
  const auto shift = size_suffix_shift(text.substr(end));
  if (!shift) return std::nullopt;
  syntax.number = text.substr(0, end);
  syntax.shift = *shift;
  return syntax;
}

// As zfs computes it: integers exactly, decimals as double * 2^shift,
// truncated. nullopt when the result does not fit in 64 bits.
std::optional<std::uint64_t> size_bytes(const size_syntax& s) {
  if (s.decimal) {
    const auto parsed = detail::parse_plain_decimal(s.number);
    if (!parsed) return std::nullopt;
    const double value = std::ldexp(*parsed, s.shift);
    // 2^64 is exact in a double; UINT64_MAX is not (it rounds up to 2^64).
    if (value >= 18446744073709551616.0) return std::nullopt;
    return static_cast<std::uint64_t>(value);
  }
  const auto value = detail::parse_u64(s.number);
  if (!value || *value > (std::numeric_limits<std::uint64_t>::max() >> s.shift)) return std::nullopt;
  return *value << s.shift;
}

// ---- iso_name -------------------------------------------------------------

// Leaves room for "POOL/iohyve/ISO/" within zfs's 255-byte dataset names.
constexpr std::size_t max_iso_name = 200;

// One zfs dataset name component. zfs also allows ' ', but iohyve uses the
// name unquoted in shell words, so a space would split it.
constexpr bool is_dataset_char(char c) noexcept {
  return is_alnum(c) || c == '_' || c == '-' || c == '.' || c == ':';
}

// ---- pool_name ------------------------------------------------------------

// OpenZFS pool_namecheck(): strlen(pool) < ZFS_MAX_DATASET_NAME_LEN (256)
// - 2 - 2 * strlen("$ORIGIN"), leaving room for "POOL/$ORIGIN@$ORIGIN".
constexpr std::size_t max_pool_name = 239;

// pool_namecheck() reserves "mirror", "raidz" and "draid"; zpool_name_valid()
// refuses names beginning with mirror, raidz, draid or spare, and "log", when
// creating or importing a pool.
bool is_reserved_pool_name(std::string_view text) noexcept {
  static constexpr std::array<std::string_view, 4> prefixes = {"mirror", "raidz", "draid", "spare"};
  for (auto prefix : prefixes)
    if (text.starts_with(prefix)) return true;
  return text == "log";
}

// ---- nic_name -------------------------------------------------------------

// IFNAMSIZ is 16 including the NUL.
constexpr std::size_t max_nic_name = 15;

constexpr bool is_nic_char(char c) noexcept { return is_alnum(c) || c == '_' || c == '.'; }

}  // namespace

error detail::invalid_value(std::string_view what, std::string_view value, std::string_view reason) {
  return bad_request(fmt::format("invalid {} {}: {}", what, quote_value(value), reason));
}

// The quote is cut at 64 bytes, so say how long the value really is.
error detail::value_too_long(std::string_view what, std::string_view value, std::size_t max, std::string_view unit,
                             std::string_view why) {
  return invalid_value(what, value,
                       fmt::format("at most {} {} are allowed, not {}{}", max, unit, value.size(), why));
}

std::optional<std::string_view> detail::iso_name_problem(std::string_view text) {
  if (text.size() > max_iso_name) return "it is longer than 200 bytes";
  if (!all_of(text, is_dataset_char)) return "only letters, digits, '_', '-', '.' and ':' are allowed";
  // '-' would be read as an option by zfs, fetch and cp; '.' makes "." and
  // ".." and hidden files.
  if (text[0] == '-' || text[0] == '.') return "it must not start with '-' or '.'";
  return std::nullopt;
}

result<guest_name> guest_name::parse(std::string_view text) {
  if (text.empty()) return bad_request("guest name is empty");
  if (text.size() > max_guest_name)
    return value_too_long("guest name", text, max_guest_name, "bytes",
                          " (bhyve's VM name 'ioh-NAME' must fit in 31)");
  if (!all_of(text, is_guest_name_char))
    return invalid_value("guest name", text, "only letters, digits, '_' and '-' are allowed");
  if (!is_alnum(text[0]))
    return invalid_value("guest name", text, "the first character must be a letter or a digit");
  return guest_name(std::string(text));
}

result<size> size::parse(std::string_view text) {
  if (text.empty()) return bad_request("size is empty");
  if (text.size() > max_size_text) return value_too_long("size", text, max_size_text, "characters");
  const auto syntax = split_size(text);
  if (!syntax) return invalid_value("size", text, size_expected);
  const auto bytes = size_bytes(*syntax);
  if (!bytes) return invalid_value("size", text, "too large: a size must be below 16E (2^64 bytes)");
  if (*bytes == 0) return invalid_value("size", text, "a size must be greater than zero");
  return size(std::string(text), *bytes);
}

result<disk_name> disk_name::parse(std::string_view text) {
  if (text.empty()) return bad_request("disk name is empty");
  constexpr std::string_view prefix = "disk";
  const auto index =
      text.starts_with(prefix) ? parse_canonical_unsigned(text.substr(prefix.size()), 3) : std::nullopt;
  if (!index)
    return invalid_value("disk name", text,
                         "expected 'disk' followed by a number from 0 to 999 without leading zeros, e.g. disk1");
  return disk_name(std::string(text), *index);
}

result<iso_name> iso_name::parse(std::string_view text) {
  if (text.empty()) return bad_request("ISO name is empty");
  if (text.size() > max_iso_name) return value_too_long("ISO name", text, max_iso_name);
  if (const auto problem = iso_name_problem(text)) return invalid_value("ISO name", text, *problem);
  return iso_name(std::string(text));
}

result<pool_name> pool_name::parse(std::string_view text) {
  if (text.empty()) return bad_request("pool name is empty");
  if (text.size() > max_pool_name) return value_too_long("pool name", text, max_pool_name);
  // zfs also allows ' ', but iohyve uses pool names unquoted in shell words.
  if (!all_of(text, is_dataset_char))
    return invalid_value("pool name", text, "only letters, digits, '_', '-', '.' and ':' are allowed");
  if (!is_letter(text[0])) return invalid_value("pool name", text, "the first character must be a letter");
  if (is_reserved_pool_name(text))
    return invalid_value("pool name", text,
                         "zfs reserves 'log' and the names beginning with mirror, raidz, draid or spare");
  return pool_name(std::string(text));
}

result<nic_name> nic_name::parse(std::string_view text) {
  if (text.empty()) return bad_request("network interface name is empty");
  if (text.size() > max_nic_name)
    return value_too_long("network interface name", text, max_nic_name, "bytes", " (IFNAMSIZ)");
  if (!all_of(text, is_nic_char))
    return invalid_value("network interface name", text, "only letters, digits, '_' and '.' are allowed");
  if (!is_letter(text[0]))
    return invalid_value("network interface name", text, "the first character must be a letter");
  return nic_name(std::string(text));
}

}  // namespace iohyve_api
