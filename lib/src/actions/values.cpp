// parse() of the value types in values.hpp.
//
// The rules are strict on purpose: iohyve is a /bin/sh script that splices
// these values into unquoted shell words, regular expressions (grep ^$name$),
// zfs dataset names and /etc/rc.conf. A value that passes here is a single
// harmless word for all of them.
#include "iohyve_api/values.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "errors.hpp"
#include "text/chars.hpp"
#include "text/decimal.hpp"
#include "text/quote.hpp"

namespace iohyve_api {

namespace {

using detail::all_of;
using detail::bad_request;
using detail::is_alnum;
using detail::is_digit;
using detail::is_hex_digit;
using detail::is_letter;
using detail::parse_canonical_unsigned;
using detail::quote_value;
using detail::to_lower;
using detail::to_upper;

// "invalid <what> '<value>': <reason>"
error invalid(std::string_view what, std::string_view value, std::string_view reason) {
  return bad_request(fmt::format("invalid {} {}: {}", what, quote_value(value), reason));
}

// The quote is cut at 64 bytes, so say how long the value really is.
error too_long(std::string_view what, std::string_view value, std::size_t max, std::string_view unit = "bytes",
               std::string_view why = "") {
  return invalid(what, value, fmt::format("at most {} {} are allowed, not {}{}", max, unit, value.size(), why));
}

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

// Why `text` (non-empty) is not an ISO name, or nullopt when it is one.
std::optional<std::string_view> iso_name_problem(std::string_view text) {
  if (text.size() > max_iso_name) return "it is longer than 200 bytes";
  if (!all_of(text, is_dataset_char)) return "only letters, digits, '_', '-', '.' and ':' are allowed";
  // '-' would be read as an option by zfs, fetch and cp; '.' makes "." and
  // ".." and hidden files.
  if (text[0] == '-' || text[0] == '.') return "it must not start with '-' or '.'";
  return std::nullopt;
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

// ---- url ------------------------------------------------------------------

constexpr std::size_t max_url = 2048;
constexpr std::array<std::string_view, 4> url_schemes = {"http", "https", "ftp", "file"};

// Unreserved characters plus the few delimiters an ISO URL needs. Quotes,
// '$', '`', ';', '&', '|', '*', '[' and the like are left out: iohyve runs
// `fetch $url` unquoted, so glob characters would expand there.
constexpr bool is_url_char(char c) noexcept {
  constexpr std::string_view extra = "-._~:/@%+,=";
  return is_alnum(c) || (c != '\0' && extra.find(c) != std::string_view::npos);
}

constexpr bool is_host_char(char c) noexcept { return is_alnum(c) || c == '-' || c == '.' || c == '_'; }

bool is_url_scheme(std::string_view scheme) noexcept {
  return std::find(url_schemes.begin(), url_schemes.end(), scheme) != url_schemes.end();
}

std::optional<std::string> url_chars_problem(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '?' || c == '#') return std::string("query strings ('?') and fragments ('#') are not allowed");
    if (!is_url_char(c))
      return fmt::format(
          "the character {} at offset {} is not allowed; use only ASCII letters, digits and - . _ ~ : / @ % + , = "
          "(percent-encode anything else)",
          quote_value(text.substr(i, 1)), i);
    if (c == '%' && (i + 2 >= text.size() || !is_hex_digit(text[i + 1]) || !is_hex_digit(text[i + 2])))
      return fmt::format("malformed percent-encoding at offset {}: '%' must be followed by two hex digits", i);
  }
  return std::nullopt;
}

std::optional<std::string> scheme_problem(std::string_view scheme) {
  if (is_url_scheme(scheme)) return std::nullopt;
  std::string lower(scheme);
  std::transform(lower.begin(), lower.end(), lower.begin(), to_lower);
  if (is_url_scheme(lower))
    return fmt::format("the scheme must be written in lower case, as in {}://", lower);
  return fmt::format("unsupported scheme {}: only http, https, ftp and file are allowed", quote_value(scheme));
}

// AUTHORITY = [USERINFO "@"] HOST [":" PORT]
std::optional<std::string> host_problem(std::string_view authority) {
  const auto at = authority.rfind('@');
  const auto host_port = at == std::string_view::npos ? authority : authority.substr(at + 1);
  const auto colon = host_port.rfind(':');
  const auto host = host_port.substr(0, colon);
  if (host.empty()) return std::string("the URL has no host");
  if (!all_of(host, is_host_char))
    return fmt::format("invalid host {}: only letters, digits, '-', '.' and '_' are allowed", quote_value(host));
  if (colon == std::string_view::npos) return std::nullopt;
  const auto port_text = host_port.substr(colon + 1);
  const auto port = parse_canonical_unsigned(port_text, 5);
  if (!port || *port == 0 || *port > 65535)
    return fmt::format("invalid port {}: expected a number from 1 to 65535", quote_value(port_text));
  return std::nullopt;
}

// Decodes %XX escapes; a '%' without two hex digits stays as it is
// (url_chars_problem() has refused those already).
std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned value = 0;
    if (text[i] == '%' && i + 2 < text.size() && is_hex_digit(text[i + 1]) && is_hex_digit(text[i + 2])) {
      std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// A decoded segment that a server or fetch(1) could turn into a traversal.
bool is_forbidden_segment(std::string_view decoded) {
  if (decoded == "." || decoded == "..") return true;
  return std::any_of(decoded.begin(), decoded.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return c == '/' || c == '\\' || b < 0x20 || b == 0x7f;
  });
}

// PATH starts with '/'. Each segment is checked, percent-decoded too.
std::optional<std::string> path_problem(std::string_view path) {
  if (path.size() <= 1) return std::string("the URL names no file, e.g. http://host/dir/file.iso");
  std::size_t start = 1;
  while (start < path.size()) {
    const auto slash = path.find('/', start);
    const auto segment = path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
    if (segment.empty()) return std::string("empty path segments ('//') are not allowed");
    if (is_forbidden_segment(percent_decode(segment)))
      return fmt::format(
          "the path segment {} is not allowed: no '.' or '..' segments, and no percent-encoded '/', '\\' or control "
          "characters",
          quote_value(segment));
    if (slash == std::string_view::npos) return std::nullopt;
    start = slash + 1;
  }
  return std::string("the URL must end with a file name, not '/'");
}

// iohyve names the ISO after the last path component (basename $url), as is:
// no percent-decoding.
std::optional<std::string> file_name_problem(std::string_view name) {
  std::optional<std::string_view> reason;
  if (name.find('%') != std::string_view::npos)
    reason = "percent-encoding is not allowed in it";
  else
    reason = iso_name_problem(name);
  if (!reason) return std::nullopt;
  return fmt::format("the URL's file name {} is not a valid ISO name: {}", quote_value(name), *reason);
}

// A URL without "://": "javascript:x" names its (refused) scheme.
std::string no_separator_problem(std::string_view text) {
  const auto colon = text.find(':');
  if (colon != std::string_view::npos && colon > 0 && !is_url_scheme(text.substr(0, colon)))
    return *scheme_problem(text.substr(0, colon));
  return "expected SCHEME://HOST/PATH with SCHEME http, https, ftp or file, e.g. https://host/file.iso";
}

// SCHEME "://" AUTHORITY PATH, with the checks that depend on the scheme.
// On success `scheme` and `file_name` point into `text`.
std::optional<std::string> structure_problem(std::string_view text, std::string_view& scheme,
                                             std::string_view& file_name) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return no_separator_problem(text);
  scheme = text.substr(0, sep);
  if (auto problem = scheme_problem(scheme)) return problem;
  const auto rest = text.substr(sep + 3);
  const auto slash = std::min(rest.find('/'), rest.size());
  const auto authority = rest.substr(0, slash);
  const auto path = rest.substr(slash);
  if (scheme == "file") {
    if (!authority.empty() || path.empty())
      return std::string("a file URL must name an absolute path, e.g. file:///media/file.iso");
  } else if (auto problem = host_problem(authority)) {
    return problem;
  }
  if (auto problem = path_problem(path)) return problem;
  file_name = path.substr(path.rfind('/') + 1);
  return file_name_problem(file_name);
}

}  // namespace

result<guest_name> guest_name::parse(std::string_view text) {
  if (text.empty()) return bad_request("guest name is empty");
  if (text.size() > max_guest_name)
    return too_long("guest name", text, max_guest_name, "bytes", " (bhyve's VM name 'ioh-NAME' must fit in 31)");
  if (!all_of(text, is_guest_name_char))
    return invalid("guest name", text, "only letters, digits, '_' and '-' are allowed");
  if (!is_alnum(text[0])) return invalid("guest name", text, "the first character must be a letter or a digit");
  return guest_name(std::string(text));
}

result<size> size::parse(std::string_view text) {
  if (text.empty()) return bad_request("size is empty");
  if (text.size() > max_size_text) return too_long("size", text, max_size_text, "characters");
  const auto syntax = split_size(text);
  if (!syntax) return invalid("size", text, size_expected);
  const auto bytes = size_bytes(*syntax);
  if (!bytes) return invalid("size", text, "too large: a size must be below 16E (2^64 bytes)");
  if (*bytes == 0) return invalid("size", text, "a size must be greater than zero");
  return size(std::string(text), *bytes);
}

result<disk_name> disk_name::parse(std::string_view text) {
  if (text.empty()) return bad_request("disk name is empty");
  constexpr std::string_view prefix = "disk";
  const auto index = text.starts_with(prefix) ? parse_canonical_unsigned(text.substr(prefix.size()), 3) : std::nullopt;
  if (!index)
    return invalid("disk name", text,
                   "expected 'disk' followed by a number from 0 to 999 without leading zeros, e.g. disk1");
  return disk_name(std::string(text), *index);
}

result<iso_name> iso_name::parse(std::string_view text) {
  if (text.empty()) return bad_request("ISO name is empty");
  if (text.size() > max_iso_name) return too_long("ISO name", text, max_iso_name);
  if (const auto problem = iso_name_problem(text)) return invalid("ISO name", text, *problem);
  return iso_name(std::string(text));
}

result<pool_name> pool_name::parse(std::string_view text) {
  if (text.empty()) return bad_request("pool name is empty");
  if (text.size() > max_pool_name) return too_long("pool name", text, max_pool_name);
  // zfs also allows ' ', but iohyve uses pool names unquoted in shell words.
  if (!all_of(text, is_dataset_char))
    return invalid("pool name", text, "only letters, digits, '_', '-', '.' and ':' are allowed");
  if (!is_letter(text[0])) return invalid("pool name", text, "the first character must be a letter");
  if (is_reserved_pool_name(text))
    return invalid("pool name", text,
                   "zfs reserves 'log' and the names beginning with mirror, raidz, draid or spare");
  return pool_name(std::string(text));
}

result<nic_name> nic_name::parse(std::string_view text) {
  if (text.empty()) return bad_request("network interface name is empty");
  if (text.size() > max_nic_name)
    return too_long("network interface name", text, max_nic_name, "bytes", " (IFNAMSIZ)");
  if (!all_of(text, is_nic_char))
    return invalid("network interface name", text, "only letters, digits, '_' and '.' are allowed");
  if (!is_letter(text[0])) return invalid("network interface name", text, "the first character must be a letter");
  return nic_name(std::string(text));
}

result<url> url::parse(std::string_view text) {
  if (text.empty()) return bad_request("URL is empty");
  if (text.size() > max_url) return too_long("URL", text, max_url);
  if (auto problem = url_chars_problem(text)) return invalid("URL", text, *problem);
  std::string_view scheme;
  std::string_view file_name;
  if (auto problem = structure_problem(text, scheme, file_name)) return invalid("URL", text, *problem);
  auto iso = iso_name::parse(file_name);
  if (!iso) return std::move(iso).error();  // unreachable: file_name_problem() checked it
  return url(std::string(text), std::string(scheme), std::move(iso).value());
}

}  // namespace iohyve_api
