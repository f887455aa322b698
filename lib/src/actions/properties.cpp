// property::parse(): which iohyve guest properties may be set, and the value
// each one accepts.
//
// The allow-list is what iohyve 0.7.9 reads back (lib/ioh-guest, lib/ioh-tap,
// rc.d/iohyve): a property iohyve never reads is refused as unknown, and each
// value rule follows how iohyve uses the value. Most values end up unquoted
// in a shell word (bhyve -c $cpu $bargs -m $ram ...), so the rules keep them
// to single words of harmless characters.
#include "actions/properties.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "errors.hpp"
#include "iohyve_api/values.hpp"
#include "text/chars.hpp"
#include "text/decimal.hpp"
#include "text/quote.hpp"
#include "text/utf8.hpp"

namespace iohyve_api {
namespace detail {
namespace {

// Returns what is wrong with a value (as "expected ..."), or "" when valid.
using check_fn = std::string (*)(std::string_view value);

struct rule {
  std::string_view name;
  std::size_t max_bytes;
  check_fn check;
  bool pattern = false;  // "pcidev:N", "mac_tapN": matched by prefix + number
};

// ---- small parsers --------------------------------------------------------

std::string expect(bool ok, std::string_view expected) { return ok ? std::string() : std::string(expected); }

bool in_range(std::string_view text, unsigned low, unsigned high) {
  const auto n = parse_canonical_unsigned(text, 5);
  return n && *n >= low && *n <= high;
}

// PREFIX followed by a number (no leading zeros, at most max_digits digits).
std::optional<unsigned> numbered(std::string_view text, std::string_view prefix, std::size_t max_digits) {
  if (!text.starts_with(prefix)) return std::nullopt;
  return parse_canonical_unsigned(text.substr(prefix.size()), max_digits);
}

// Splits on `sep`; empty fields are kept.
std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(sep, start);
    fields.push_back(text.substr(start, end == std::string_view::npos ? text.npos : end - start));
    if (end == std::string_view::npos) return fields;
    start = end + 1;
  }
}

// ---- value checks -----------------------------------------------------------

// boot (rc.d/iohyve starts the guest at boot iff it is "1") and persist
// (the start loop restarts the guest iff it is "1").
std::string check_zero_one(std::string_view v) { return expect(v == "0" || v == "1", "expected 0 or 1"); }

// template, utc, vnc, vnc_wait, vnc_tablet: iohyve tests [ $x = "YES" ]
// and create writes "NO"; "yes" would silently mean NO, so only these two.
std::string check_yes_no(std::string_view v) {
  return expect(v == "YES" || v == "NO", "expected YES or NO, in upper case (iohyve compares with \"YES\")");
}

// GRUB commands for grub-bhyve. Kept to printable ASCII without the
// characters that would make it shell syntax anywhere it is pasted.
std::string check_autogrub(std::string_view v) {
  constexpr std::string_view banned = "'\"`$;|&<>";
  const bool ok = all_of(v, [&](char c) { return c >= 0x20 && c < 0x7f && banned.find(c) == banned.npos; });
  return expect(ok,
                "expected GRUB commands in printable ASCII, without quotes, '`', '$', ';', '|', '&', '<', '>', tabs or "
                "line breaks");
}

// bhyve flags with '_' for spaces (iohyve runs sed 's/_/ /g' on them),
// e.g. -A_-H_-P.
std::string check_bargs(std::string_view v) {
  const bool ok = v[0] == '-' && all_of(v, [](char c) { return is_alnum(c) || c == '-' || c == '_'; });
  return expect(ok, "expected bhyve flags with '_' for spaces, e.g. -A_-H_-P (letters, digits, '-' and '_', "
                    "starting with '-')");
}

// The null-modem console: iohyve opens /dev/${con}A.
std::string check_con(std::string_view v) {
  return expect(numbered(v, "nmdm", 5).has_value(), "expected nmdmN, e.g. nmdm0");
}

// bhyve -c $cpu.
std::string check_cpu(std::string_view v) {
  return expect(in_range(v, 1, 256), "expected a number of virtual CPUs from 1 to 256");
}

// Free text: any UTF-8 (checked before), but no C0/C1 control characters,
// DEL, tab or line breaks, which would break zfs get -H's one-line output.
std::string check_description(std::string_view v) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto b = static_cast<unsigned char>(v[i]);
    const bool c1 = b == 0xc2 && i + 1 < v.size() && static_cast<unsigned char>(v[i + 1]) <= 0x9f;
    if (b < 0x20 || b == 0x7f || c1)
      return fmt::format("control characters (including tab and line breaks) are not allowed, found {} at offset {}",
                         quote_value(v.substr(i, c1 ? 2 : 1)), i);
  }
  return {};
}

// The firmware file: iohyve boots -l bootrom,/iohyve/Firmware/$fw/$fw.
std::string check_fw(std::string_view v) {
  return expect(iso_name::parse(v).ok(),
                "expected a firmware file name as fwlist shows it: letters, digits, '_', '-', '.' and ':', not "
                "starting with '-' or '.', at most 200 bytes");
}

std::string check_loader(std::string_view v) {
  return expect(v == "bhyveload" || v == "grub-bhyve" || v == "uefi", "expected bhyveload, grub-bhyve or uefi");
}

// mac_tapN: virtio-net,tapN,mac=VALUE. bhyve refuses multicast and
// all-zero addresses.
std::string check_mac(std::string_view v) {
  constexpr std::string_view expected =
      "expected a unicast MAC address such as 58:9c:fc:00:00:01 (not multicast, not all zeros)";
  const auto octets = split(v, ':');
  if (octets.size() != 6) return std::string(expected);
  std::array<unsigned, 6> value{};
  for (std::size_t i = 0; i < 6; ++i) {
    if (octets[i].size() != 2 || !all_of(octets[i], is_hex_digit)) return std::string(expected);
    std::from_chars(octets[i].data(), octets[i].data() + 2, value[i], 16);
  }
  const bool multicast = (value[0] & 1u) != 0;
  const bool zero = std::all_of(value.begin(), value.end(), [](unsigned o) { return o == 0; });
  return expect(!multicast && !zero, expected);
}

// net: the interface a tap without "=IFACE" is bridged to.
std::string check_net(std::string_view v) {
  return expect(nic_name::parse(v).ok(), "expected a network interface name such as em0 (a letter, then letters, "
                                         "digits, '_' or '.', at most 15 bytes)");
}

// The values iohyve's __guest_load switches on for grub-bhyve guests
// (openbsd61 since PR #254); "default" is what create writes and what
// every other value falls back to.
constexpr std::array<std::string_view, 13> os_values = {
    "default", "arch",      "centos6",   "centos7",   "custom",    "d8lvm",    "debian",
    "netbsd",  "openbsd57", "openbsd58", "openbsd59", "openbsd60", "openbsd61"};

std::string check_os(std::string_view v) {
  if (std::find(os_values.begin(), os_values.end(), v) != os_values.end()) return {};
  return "expected one of default, arch, centos6, centos7, custom, d8lvm, debian, netbsd, openbsd57, openbsd58, "
         "openbsd59, openbsd60, openbsd61";
}

// pcidev:N: a bhyve -s argument without the slot, e.g.
// ahci-hd,/dev/zvol/tank/iohyve/web/disk1, virtio-net,tap1, passthru,2/0/0.
// '=' is allowed for device options (mac=..., sectorsize=...). iohyve splits
// the list of devices on spaces, so none may appear.
std::string check_pcidev(std::string_view v) {
  constexpr std::string_view expected =
      "expected a bhyve device without its slot, e.g. ahci-hd,/dev/zvol/tank/iohyve/web/disk1 (a letter first, then "
      "letters, digits and _ , . / : = -; no '..' path segments)";
  if (!is_letter(v[0])) return std::string(expected);
  constexpr std::string_view extra = "_,./:=-";
  if (!all_of(v, [&](char c) { return is_alnum(c) || extra.find(c) != extra.npos; })) return std::string(expected);
  for (auto field : split(v, ','))
    for (auto segment : split(field, '/'))
      if (segment == "..") return std::string(expected);
  return {};
}

// ram: bhyve -m, bhyveload -m and grub-bhyve -M $ram. With a K, M or G
// suffix (either case) all three agree. A plain number is megabytes for
// grub-bhyve, and for bhyve only below 1048576 (larger plain numbers are
// bytes to bhyve), so plain numbers must stay below that.
std::string check_ram(std::string_view v) {
  constexpr std::string_view expected =
      "expected a memory size with a K, M or G suffix, e.g. 512M or 2G (or a plain number of megabytes below 1048576)";
  constexpr std::string_view suffixes = "KkMmGg";
  const bool suffixed = suffixes.find(v.back()) != suffixes.npos;
  const auto number = parse_canonical_unsigned(suffixed ? v.substr(0, v.size() - 1) : v, 7);
  return expect(number && *number > 0 && (suffixed || *number < 1048576), expected);
}

bool is_sector_size(std::string_view text, unsigned minimum) {
  const auto n = parse_canonical_unsigned(text, 5);
  return n && *n >= minimum && *n <= 65536 && (*n & (*n - 1)) == 0;
}

// sectorsize: appended to disk0 as ",sectorsize=$sectorsize" for UEFI
// guests; bhyve reads LOGICAL[/PHYSICAL], powers of two, LOGICAL >= 512,
// PHYSICAL >= LOGICAL.
std::string check_sectorsize(std::string_view v) {
  constexpr std::string_view expected =
      "expected LOGICAL or LOGICAL/PHYSICAL sector sizes, powers of two from 512 to 65536 with PHYSICAL >= LOGICAL, "
      "e.g. 512 or 512/4096";
  const auto slash = v.find('/');
  const auto logical = v.substr(0, slash);
  if (!is_sector_size(logical, 512)) return std::string(expected);
  if (slash == std::string_view::npos) return {};
  const auto physical = v.substr(slash + 1);
  return expect(is_sector_size(physical, *parse_canonical_unsigned(logical, 5)), expected);
}

// tap: "tapN[=IFACE][,tapN[=IFACE]...]" as tapadd writes it, or "-" for
// none as tapdel writes it. Each tap once.
std::string check_tap(std::string_view v) {
  constexpr std::string_view expected =
      "expected tapN, a comma-separated list of tapN or tapN=IFACE (e.g. tap0,tap1=em1), or '-' for none; each tap "
      "once";
  if (v == "-") return {};
  std::vector<unsigned> seen;
  for (auto entry : split(v, ',')) {
    const auto eq = entry.find('=');
    const auto tap = numbered(entry.substr(0, eq), "tap", 5);
    if (!tap || std::find(seen.begin(), seen.end(), *tap) != seen.end()) return std::string(expected);
    if (eq != std::string_view::npos && !nic_name::parse(entry.substr(eq + 1)).ok()) return std::string(expected);
    seen.push_back(*tap);
  }
  return {};
}

// vnc_w/vnc_h: bhyve's fbuf limits (640x480 .. 3840x2160); vnc_port: TCP.
std::string check_vnc_w(std::string_view v) {
  return expect(in_range(v, 640, 3840), "expected a width in pixels from 640 to 3840");
}
std::string check_vnc_h(std::string_view v) {
  return expect(in_range(v, 480, 2160), "expected a height in pixels from 480 to 2160");
}
std::string check_vnc_port(std::string_view v) {
  return expect(in_range(v, 1, 65535), "expected a TCP port from 1 to 65535");
}

// vnc_ip: fbuf,tcp=${vnc_ip}:${vnc_port}. Dotted quad; no leading zeros,
// which some parsers read as octal.
std::string check_vnc_ip(std::string_view v) {
  const auto parts = split(v, '.');
  const bool ok = parts.size() == 4 && std::all_of(parts.begin(), parts.end(), [](std::string_view p) {
                    const auto n = parse_canonical_unsigned(p, 3);
                    return n && *n <= 255;
                  });
  return expect(ok, "expected an IPv4 address such as 127.0.0.1 or 0.0.0.0");
}

// ---- the allow-list -----------------------------------------------------------

constexpr std::size_t word_bytes = 64;   // names, numbers, flags
constexpr std::size_t text_bytes = 1024;  // description, autogrub, pcidev

// Sorted by name (settable_property_names() returns the names in order).
constexpr std::array<rule, 25> rules = {{
    {"autogrub", text_bytes, check_autogrub},
    {"bargs", 256, check_bargs},
    {"boot", word_bytes, check_zero_one},
    {"con", word_bytes, check_con},
    {"cpu", word_bytes, check_cpu},
    {"description", text_bytes, check_description},
    {"fw", 200, check_fw},
    {"loader", word_bytes, check_loader},
    {"mac_tapN", word_bytes, check_mac, true},
    {"net", word_bytes, check_net},
    {"os", word_bytes, check_os},
    {"pcidev:N", text_bytes, check_pcidev, true},
    {"persist", word_bytes, check_zero_one},
    {"ram", word_bytes, check_ram},
    {"sectorsize", word_bytes, check_sectorsize},
    {"tap", 256, check_tap},
    {"template", word_bytes, check_yes_no},
    {"utc", word_bytes, check_yes_no},
    {"vnc", word_bytes, check_yes_no},
    {"vnc_h", word_bytes, check_vnc_h},
    {"vnc_ip", word_bytes, check_vnc_ip},
    {"vnc_port", word_bytes, check_vnc_port},
    {"vnc_tablet", word_bytes, check_yes_no},
    {"vnc_w", word_bytes, check_vnc_w},
    {"vnc_wait", word_bytes, check_yes_no},
}};

constexpr auto rule_names = [] {
  std::array<std::string_view, rules.size()> names{};
  for (std::size_t i = 0; i < rules.size(); ++i) names[i] = rules[i].name;
  return names;
}();

static_assert(std::is_sorted(rule_names.begin(), rule_names.end()));

// Names iohyve uses but a caller must not set, each with the reason.
struct refused_name {
  std::string_view name;
  std::string_view message;
};

constexpr std::array<refused_name, 5> refused_names = {{
    {"action", "'action' is the request's action key, not a property"},
    {"bhyve_path", "'bhyve_path' cannot be set: iohyve executes it as root on the next start"},
    {"install", "'install' cannot be set: iohyve sets it itself on every install and start"},
    {"name", "'name' cannot be set: iohyve finds the guest by it; it is written by create"},
    {"size", "'size' is derived by iohyve and cannot be set; use resizedisk"},
}};

// Pattern names: PREFIX + number.
struct name_pattern {
  std::string_view prefix;
  std::size_t max_digits;
  std::string_view rule_name;
  std::string_view expected;
};

constexpr std::array<name_pattern, 2> name_patterns = {{
    {"mac_tap", 5, "mac_tapN", "expected mac_tapN with N the tap's number, without leading zeros, e.g. mac_tap0"},
    {"pcidev:", 3, "pcidev:N", "expected pcidev:N with N a number from 0 to 999 without leading zeros, e.g. pcidev:1"},
}};

const rule* rule_named(std::string_view name) {
  const auto it = std::find_if(rules.begin(), rules.end(), [&](const rule& r) { return r.name == name; });
  return it == rules.end() ? nullptr : &*it;
}

std::string unknown_property_message(std::string_view name) {
  const bool prefixed = name.starts_with("iohyve:");
  return fmt::format("unknown property {}{}; settable properties are: {}", quote_value(name),
                     prefixed ? " (give names without the 'iohyve:' prefix)" : "",
                     fmt::join(rule_names, ", "));
}

// The rule for a property name, or the error that refuses the name.
result<const rule*> find_rule(std::string_view name) {
  for (const auto& r : refused_names)
    if (r.name == name) return bad_request(std::string(r.message));
  for (const auto& p : name_patterns) {
    if (!name.starts_with(p.prefix)) continue;
    if (!numbered(name, p.prefix, p.max_digits))
      return bad_request(fmt::format("invalid property name {}: {}", quote_value(name), p.expected));
    return rule_named(p.rule_name);
  }
  const rule* r = rule_named(name);
  if (r == nullptr || r->pattern) return bad_request(unknown_property_message(name));
  return r;
}

std::string check_value(const rule& r, std::string_view value) {
  if (value.size() > r.max_bytes)  // the quote is cut at 64 bytes: say how long it is
    return fmt::format("at most {} bytes are allowed, not {}", r.max_bytes, value.size());
  if (!is_valid_utf8(value)) return "the value is not valid UTF-8";
  return r.check(value);
}

}  // namespace

std::span<const std::string_view> settable_property_names() noexcept { return rule_names; }

}  // namespace detail

result<property> property::parse(std::string_view name, std::string_view value) {
  auto found = detail::find_rule(name);
  if (!found) return std::move(found).error();
  const detail::rule& r = *found.value();
  // The name is valid now; quote it anyway so that "pcidev:1" reads the same.
  const auto quoted_name = detail::quote_value(name);
  if (value.empty())
    return detail::bad_request(fmt::format("the value of property {} is empty", quoted_name));
  if (auto problem = detail::check_value(r, value); !problem.empty())
    return detail::bad_request(
        fmt::format("invalid value {} for property {}: {}", detail::quote_value(value), quoted_name, problem));
  return property(std::string(name), std::string(value));
}

}  // namespace iohyve_api
