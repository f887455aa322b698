#include "argv_check.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "iohyve_api/values.hpp"

namespace iohyve_fuzz {
namespace {

bool letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool alnum(char c) { return letter(c) || digit(c); }

template <class P>
bool all(std::string_view s, P p) { return std::all_of(s.begin(), s.end(), p); }

bool plain_number(std::string_view s, std::size_t max_digits) {
  return !s.empty() && s.size() <= max_digits && all(s, digit) && (s.size() == 1 || s[0] != '0');
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

// What a dataset argument must name.
enum class ds { pool_iohyve, guest, disk };

struct checker {
  const argv_rules& rules;
  std::string why;

  bool fail(std::string w) {
    if (why.empty()) why = std::move(w);
    return false;
  }

  bool pool(std::string_view s) {
    return is_pool_name(s) || (rules.allow_pool_placeholder && s == "<pool>");
  }

  bool dataset(std::string_view s, ds kind) {
    const auto c = split(s, '/');
    bool ok = c.size() >= 2 && pool(c[0]) && c[1] == "iohyve";
    switch (kind) {
      case ds::pool_iohyve: ok = ok && c.size() == 2; break;
      case ds::guest: ok = ok && c.size() == 3 && is_guest_name(c[2]); break;
      case ds::disk: ok = ok && c.size() == 4 && is_guest_name(c[2]) && is_disk_name(c[3]); break;
    }
    return ok || fail("not a valid dataset name here: '" + std::string(s) + "'");
  }

  bool exact(const std::vector<std::string>& args, std::initializer_list<std::string_view> want,
             std::size_t from = 0) {
    if (args.size() < from + want.size()) return fail("too few arguments");
    std::size_t i = from;
    for (auto w : want)
      if (args[i++] != w) return fail("unexpected argument '" + args[i - 1] + "' (expected '" + std::string(w) + "')");
    return true;
  }

  bool count(const std::vector<std::string>& args, std::size_t n) {
    return args.size() == n || fail("expected " + std::to_string(n) + " arguments");
  }

  // key=VALUE with the value checked by ok(VALUE).
  template <class P>
  bool assignment(std::string_view arg, std::string_view key, P ok) {
    return (arg.size() > key.size() + 1 && arg.substr(0, key.size()) == key && arg[key.size()] == '=' &&
            ok(arg.substr(key.size() + 1))) ||
           fail("bad assignment '" + std::string(arg) + "' (expected " + std::string(key) + "=...)");
  }

  bool property_assignment(std::string_view arg) {
    constexpr std::string_view prefix = "iohyve:";
    const auto eq = arg.find('=');
    if (arg.substr(0, prefix.size()) != prefix || eq == std::string_view::npos)
      return fail("not an iohyve property assignment: '" + std::string(arg) + "'");
    const auto name = arg.substr(prefix.size(), eq - prefix.size());
    const auto value = arg.substr(eq + 1);
    // The value rules are long (properties.cpp); the library's own check is
    // the reference for them. The independent part: no control characters,
    // valid UTF-8, and a name of the documented form.
    if (has_control(value) || !is_valid_utf8(value)) return fail("control or non-UTF-8 byte in a property value");
    if (name.empty() || !letter(name[0]) ||
        !all(name, [](char c) { return (c >= 'a' && c <= 'z') || digit(c) || c == '_' || c == ':'; }))
      return fail("bad property name '" + std::string(name) + "'");
    if (!iohyve_api::property::parse(name, value)) return fail("property not settable: '" + std::string(arg) + "'");
    return true;
  }

  bool zfs(const std::vector<std::string>& a) {
    if (a.empty()) return fail("zfs without arguments");
    const std::string& sub = a[0];
    if (sub == "get") {
      // The value is always the last column: it may hold any byte.
      if (a.size() == 10 && a[2] == "-p" && a.back() == "iohyve:name,iohyve:boot,iohyve:description")
        return exact(a, {"get", "-H", "-p", "-o", "name,property,source,value", "-s", "local,received", "-t",
                         "filesystem", "iohyve:name,iohyve:boot,iohyve:description"});
      if (a.size() == 10)  // the installers and the ISO each boots (rmiso)
        return exact(a, {"get", "-H", "-p", "-o", "name,property,source,value", "-s", "local,received", "-t",
                         "filesystem", "iohyve:name,iohyve:install,iohyve-api:install_iso"});
      if (a.size() == 9)  // every guest's resources (taps, consoles, pcidevs)
        return exact(a, {"get", "-H", "-o", "name,property,source,value", "-s", "local,received", "-t",
                         "filesystem", "all"});
      if (a.size() == 7)
        return exact(a, {"get", "-H", "-p", "-o", "value", "volblocksize"}) && dataset(a[6], ds::disk);
      return count(a, 8) &&
             exact(a, {"get", "-H", "-o", "property,source,value", "-s", "local,received,inherited", "all"}) &&
             dataset(a[7], ds::guest);
    }
    if (sub == "list") {
      if (a.size() == 6) return exact(a, {"list", "-H", "-o", "name", "-t", "filesystem"});
      if (a.size() == 5) return exact(a, {"list", "-H", "-o", "name"}) && dataset(a[4], ds::pool_iohyve);
      return count(a, 9) && exact(a, {"list", "-H", "-p", "-o", "name,volsize", "-t", "volume", "-r"}) &&
             dataset(a[8], ds::guest);
    }
    if (sub == "set") {
      if (a.size() < 3) return fail("zfs set without assignment");
      const std::string& target = a.back();
      if (a[1].rfind("volsize=", 0) == 0)
        return count(a, 3) && assignment(a[1], "volsize", is_size) && dataset(target, ds::disk);
      if (a[1].rfind("iohyve:size=", 0) == 0)
        return count(a, 3) && assignment(a[1], "iohyve:size", is_size) && dataset(target, ds::guest);
      if (a[1].rfind("iohyve-api:install_iso=", 0) == 0)  // install records the ISO it boots
        return count(a, 3) && assignment(a[1], "iohyve-api:install_iso", is_iso_name) && dataset(target, ds::guest);
      for (std::size_t i = 1; i + 1 < a.size(); ++i)
        if (!property_assignment(a[i])) return false;
      return dataset(target, ds::guest);
    }
    if (sub == "inherit") {
      // Only pcidev:N entries are ever inherited (deletedisk).
      const std::string_view p = a.size() > 1 ? std::string_view(a[1]) : std::string_view();
      constexpr std::string_view prefix = "iohyve:pcidev:";
      if (p.substr(0, prefix.size()) != prefix || !plain_number(p.substr(prefix.size()), 3))
        return fail("zfs inherit of an unexpected property '" + std::string(p) + "'");
      return count(a, 3) && dataset(a[2], ds::guest);
    }
    if (sub == "destroy") {
      if (a.size() == 3) return exact(a, {"destroy", "-r"}) && dataset(a[2], ds::guest);
      return count(a, 2) && dataset(a[1], ds::disk);
    }
    return fail("unexpected zfs subcommand '" + sub + "'");
  }

  bool checked(bool ok, std::string_view what, std::string_view value) {
    return ok || fail("not a valid " + std::string(what) + ": '" + std::string(value) + "'");
  }

  bool iohyve(const std::vector<std::string>& a) {
    if (a.empty()) return fail("iohyve without arguments");
    const std::string& sub = a[0];
    auto guest = [&](std::size_t i) { return checked(is_guest_name(a[i]), "guest name", a[i]); };
    auto iso = [&](std::size_t i) { return checked(is_iso_name(a[i]), "ISO name", a[i]); };
    auto sz = [&](std::size_t i) { return checked(is_size(a[i]), "size", a[i]); };
    if (sub == "version") return count(a, 1);
    if (sub == "renameiso") return count(a, 3) && iso(1) && iso(2);
    if (sub == "rmiso") return count(a, 2) && iso(1);
    if (sub == "setup")
      return count(a, 4) && assignment(a[1], "pool", is_pool_name) && exact(a, {"kmod=1"}, 2) &&
             assignment(a[3], "net", is_nic_name);
    if (sub == "create") return count(a, 3) && guest(1) && sz(2);
    if (sub == "install") return count(a, 3) && guest(1) && iso(2);
    if (sub == "start" || sub == "stop") return count(a, 2) && guest(1);
    if (sub == "add")
      return (a.size() == 3 || a.size() == 4) && guest(1) && sz(2) &&
             (a.size() == 3 || checked(pool(a[3]), "pool name", a[3]));
    if (sub == "fetch") return count(a, 2) && checked(is_url(a[1]), "URL", a[1]);
    return fail("unexpected iohyve subcommand '" + sub + "'");
  }

  bool bhyvectl(const std::vector<std::string>& a) {
    if (!count(a, 2)) return false;
    if (a[0] != "--force-poweroff" && a[0] != "--destroy") return fail("unexpected bhyvectl option '" + a[0] + "'");
    constexpr std::string_view vm = "--vm=ioh-";
    return checked(a[1].rfind(vm, 0) == 0 && is_guest_name(std::string_view(a[1]).substr(vm.size())),
                   "bhyvectl --vm", a[1]);
  }

  bool check(const iohyve_api::command& cmd) {
    for (const auto& arg : cmd.args)
      if (has_control(arg) || !is_valid_utf8(arg)) return fail("control character or invalid UTF-8 in an argument");
    const auto& p = rules.paths;
    if (cmd.program == p.zfs) return zfs(cmd.args);
    if (cmd.program == p.iohyve) return iohyve(cmd.args);
    if (cmd.program == p.bhyvectl) return bhyvectl(cmd.args);
    if (cmd.program == p.pgrep)
      return count(cmd.args, 2) && exact(cmd.args, {"-lf", "^bhyve: ioh-"});
    return fail("unexpected program");
  }
};

}  // namespace

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    unsigned cp = 0;
    if (c < 0x80) { ++i; continue; }
    if (c >= 0xc2 && c <= 0xdf) { n = 1; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07; }
    else return false;
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

bool is_guest_name(std::string_view s) {
  return !s.empty() && s.size() <= 27 && alnum(s[0]) &&
         all(s, [](char c) { return alnum(c) || c == '_' || c == '-'; });
}

bool is_size(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  std::size_t i = 0;
  auto digits = [&] {
    const auto start = i;
    while (i < s.size() && digit(s[i])) ++i;
    return i > start;
  };
  if (!digits()) return false;
  bool nonzero = s.substr(0, i).find_first_not_of('0') != std::string_view::npos;
  if (i < s.size() && s[i] == '.') {
    const auto frac_start = ++i;
    if (!digits()) return false;
    nonzero = nonzero || s.substr(frac_start, i - frac_start).find_first_not_of('0') != std::string_view::npos;
  }
  if (i < s.size() && std::string_view("KMGTPEkmgtpe").find(s[i]) != std::string_view::npos) ++i;
  if (i < s.size() && (s[i] == 'B' || s[i] == 'b')) ++i;
  return i == s.size() && nonzero;
}

bool is_disk_name(std::string_view s) {
  return s.substr(0, 4) == "disk" && plain_number(s.substr(4), 3);
}

bool is_iso_name(std::string_view s) {
  return !s.empty() && s.size() <= 200 && s[0] != '-' && s[0] != '.' &&
         all(s, [](char c) { return alnum(c) || c == '_' || c == '.' || c == ':' || c == '-'; });
}

bool is_pool_name(std::string_view s) {
  if (s.empty() || s.size() > 239 || !letter(s[0])) return false;
  if (!all(s, [](char c) { return alnum(c) || c == '_' || c == '-' || c == '.' || c == ':'; })) return false;
  if (s == "log") return false;
  for (std::string_view reserved : {"mirror", "raidz", "draid", "spare"})
    if (s.substr(0, reserved.size()) == reserved) return false;
  return true;
}

bool is_nic_name(std::string_view s) {
  return !s.empty() && s.size() <= 15 && letter(s[0]) &&
         all(s, [](char c) { return alnum(c) || c == '_' || c == '.'; });
}

bool is_url(std::string_view s) {
  if (s.size() > 2048) return false;
  const auto colon = s.find("://");
  if (colon == std::string_view::npos) return false;
  const auto scheme = s.substr(0, colon);
  if (scheme != "http" && scheme != "https" && scheme != "ftp" && scheme != "file") return false;
  const auto rest = s.substr(colon + 3);
  if (!all(rest, [](char c) { return alnum(c) || std::string_view("-._~:/@%+,=").find(c) != std::string_view::npos; }))
    return false;
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return false;
  if (scheme == "file" && slash != 0) return false;
  if (scheme != "file" && slash == 0) return false;
  for (auto seg : split(rest.substr(slash + 1), '/'))
    if (seg.empty() || seg == "." || seg == "..") return false;
  const auto last = rest.substr(rest.rfind('/') + 1);
  return last.find('%') == std::string_view::npos && is_iso_name(last);
}

std::string show(const iohyve_api::command& cmd) {
  std::string out = "[";
  for (const auto& a : cmd.argv()) {
    if (out.size() > 1) out += ", ";
    out += '"';
    for (char c : a) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f || u >= 0x80 || c == '"' || c == '\\') {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", u);
        out += buf;
      } else {
        out += c;
      }
    }
    out += '"';
  }
  return out + "]";
}

std::string argv_violation(const iohyve_api::command& cmd, const argv_rules& rules) {
  checker c{rules, {}};
  if (c.check(cmd)) return {};
  return c.why + " in " + show(cmd);
}

}  // namespace iohyve_fuzz
