// url::parse(): the grammar of the ISO URLs that fetchiso accepts.
//
// iohyve runs `fetch $url` unquoted and names the ISO after the URL's last
// path component, so a URL that passes here is a single harmless shell
// word whose file name is a valid ISO name.
#include "iohyve_api/values.hpp"

#include <algorithm>
#include <array>
#include <charconv>
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

result<url> url::parse(std::string_view text) {
  if (text.empty()) return bad_request("URL is empty");
  if (text.size() > max_url) return value_too_long("URL", text, max_url);
  if (auto problem = url_chars_problem(text)) return invalid_value("URL", text, *problem);
  std::string_view scheme;
  std::string_view file_name;
  if (auto problem = structure_problem(text, scheme, file_name)) return invalid_value("URL", text, *problem);
  auto iso = iso_name::parse(file_name);
  if (!iso) return std::move(iso).error();  // unreachable: file_name_problem() checked it
  return url(std::string(text), std::string(scheme), std::move(iso).value());
}

}  // namespace iohyve_api
