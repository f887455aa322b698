// Table-driven tests of property::parse(): the allow-list, the refused
// names and each property's value rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "actions/properties.hpp"
#include "iohyve_api/values.hpp"
#include "text/quote.hpp"
#include "text/utf8.hpp"
#include "test_support.hpp"

namespace iohyve_api {
namespace {

using namespace std::string_literals;  // "a\0b"s keeps the NUL
using detail::quote_value;

struct good_case {
  std::string name;
  std::string value;
};

struct bad_case {
  std::string name;
  std::string value;
  std::string reason;  // a part of the message that says what is wrong
};

void expect_accepted(const std::vector<good_case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name + "=" + quote_value(c.value));
    const auto r = property::parse(c.name, c.value);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->name(), c.name);
    EXPECT_EQ(r->value(), c.value);
  }
}

void expect_refused(const std::vector<bad_case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(quote_value(c.name) + "=" + quote_value(c.value));
    const auto r = property::parse(c.name, c.value);
    ASSERT_FALSE(r.ok()) << "accepted";
    EXPECT_EQ(r.error().code, error_code::bad_request);
    const auto& m = r.error().message;
    EXPECT_NE(m.find(c.reason), std::string::npos) << m;
    EXPECT_LT(m.size(), 1000u) << m;
    EXPECT_TRUE(detail::is_valid_utf8(m));
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

// A refused value: the message names the property and quotes the value.
void expect_bad_values(const std::vector<bad_case>& cases) {
  expect_refused(cases);
  for (const auto& c : cases) {
    const auto r = property::parse(c.name, c.value);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("property " + quote_value(c.name)), std::string::npos) << r.error().message;
    if (!c.value.empty()) {
      EXPECT_NE(r.error().message.find(quote_value(c.value)), std::string::npos) << r.error().message;
    }
  }
}

const std::string one_mib(std::size_t{1} << 20, 'a');

// ---- the allow-list ----------------------------------------------------------------

TEST(Properties, SettableNamesAreSortedAndComplete) {
  const auto names = detail::settable_property_names();
  const std::vector<std::string_view> expected = {
      "autogrub", "bargs",    "boot",  "con",   "cpu",        "description", "fw",      "loader", "mac_tapN",
      "net",      "os",       "pcidev:N", "persist", "ram", "sectorsize", "tap",     "template", "utc",
      "vnc",      "vnc_h",    "vnc_ip", "vnc_port", "vnc_tablet", "vnc_w", "vnc_wait"};
  EXPECT_EQ(std::vector<std::string_view>(names.begin(), names.end()), expected);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (auto refused : {"name", "size", "bhyve_path", "action", "install"})
    EXPECT_EQ(std::find(names.begin(), names.end(), refused), names.end()) << refused;
}

TEST(Properties, AcceptsValidValues) {
  expect_accepted({
      {"ram", "512M"},
      {"ram", "2G"},
      {"ram", "256m"},
      {"ram", "1024"},
      {"ram", "4194304K"},
      {"cpu", "1"},
      {"cpu", "2"},
      {"cpu", "256"},
      {"description", "my vm"},
      {"description", "Sun Nov 29 19:47:12 UTC 2026"},
      {"description", "Wed Jun  7 10:00:00 UTC 2017"},
      {"description", "\xc3\x9cn\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9 \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac"},
      {"description", "$(reboot); `id` | 'quoted' \"too\" ^ caret"},  // free text: a zfs argv, never a shell word
      {"description", std::string(1024, 'd')},
      {"boot", "0"},
      {"boot", "1"},
      {"persist", "1"},
      {"persist", "0"},
      {"loader", "bhyveload"},
      {"loader", "grub-bhyve"},
      {"loader", "uefi"},
      {"os", "default"},
      {"os", "debian"},
      {"os", "openbsd61"},
      {"os", "centos7"},
      {"os", "custom"},
      {"tap", "tap0"},
      {"tap", "tap0,tap1=em0"},
      {"tap", "tap12=em0.10,tap3"},
      {"tap", "-"},
      {"con", "nmdm0"},
      {"con", "nmdm12"},
      {"template", "YES"},
      {"template", "NO"},
      {"utc", "YES"},
      {"vnc", "NO"},
      {"vnc_wait", "YES"},
      {"vnc_tablet", "NO"},
      {"vnc_w", "800"},
      {"vnc_w", "3840"},
      {"vnc_h", "600"},
      {"vnc_port", "5900"},
      {"vnc_ip", "127.0.0.1"},
      {"vnc_ip", "0.0.0.0"},
      {"vnc_ip", "192.168.255.10"},
      {"bargs", "-A_-H_-P"},
      {"bargs", "-H_-w"},
      {"bargs", "-A_-H_-P_-S"},
      {"fw", "BHYVE_UEFI.fd"},
      {"autogrub", "linux%1s(hd0,msdos1)/vmlinuz%1sroot=/dev/sda1\\ninitrd%1s(hd0,msdos1)/initrd.img\\nboot\\n"},
      {"autogrub", "kopenbsd -h com0 -r sd0a (hd0,openbsd1)/bsd"},
      {"pcidev:1", "ahci-hd,/dev/zvol/tank/iohyve/web/disk1"},
      {"pcidev:2", "virtio-net,tap1"},
      {"pcidev:3", "passthru,2/0/0"},
      {"pcidev:0", "virtio-rnd"},
      {"pcidev:999", "ahci-hd,/dev/zvol/tank/vdisks/builder-home,sectorsize=512"},
      {"mac_tap0", "58:9c:fc:00:00:01"},
      {"mac_tap1", "00:a0:98:a5:f3:87"},
      {"mac_tap12", "02:AB:cd:EF:01:23"},
      {"net", "em0"},
      {"net", "vlan10"},
      {"sectorsize", "512"},
      {"sectorsize", "4096"},
      {"sectorsize", "512/4096"},
  });
}

// What iohyve 0.7.9 itself stored (tests/fixtures/.../31-getall-after-set):
// every settable property it shows must be accepted with its value, and
// the three it derives or executes must be refused.
TEST(Properties, RealGetallOutputRoundTrips) {
  const auto text = iohyve_test::read_file(iohyve_test::fixture("iohyve-0.7.9/31-getall-after-set.stdout"));
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);  // "Getting bsdguest iohyve properties..."
  int accepted = 0;
  int refused = 0;
  while (std::getline(lines, line)) {
    const auto gap = line.find(' ');
    ASSERT_NE(gap, std::string::npos) << line;
    const auto name = line.substr(0, gap);
    const auto value = line.substr(line.find_first_not_of(' ', gap));
    const auto r = property::parse(name, value);
    if (name == "name" || name == "size" || name == "bhyve_path") {
      EXPECT_FALSE(r.ok()) << line;
      ++refused;
    } else {
      EXPECT_TRUE(r.ok()) << line << ": " << r.error().message;
      ++accepted;
    }
  }
  EXPECT_EQ(refused, 3);
  EXPECT_EQ(accepted, 19);
}

// ---- names -------------------------------------------------------------------

TEST(Properties, RefusesNamesWithAReason) {
  const std::string list = "; settable properties are: autogrub, bargs, boot, con, cpu, description, fw, loader, "
                           "mac_tapN, net, os, pcidev:N, persist, ram, sectorsize, tap, template, utc, vnc, vnc_h, "
                           "vnc_ip, vnc_port, vnc_tablet, vnc_w, vnc_wait";
  expect_refused({
      {"name", "web2", "'name' cannot be set"},
      {"size", "20G", "'size' is derived by iohyve and cannot be set; use resizedisk"},
      {"bhyve_path", "/usr/sbin/bhyve", "'bhyve_path' cannot be set: iohyve executes it as root on the next start"},
      {"bhyve_path", "/tmp/evil", "executes it as root"},
      {"action", "setprop", "'action' is the request's action key"},
      {"install", "yes", "'install' cannot be set"},
      {"foo", "bar", "unknown property 'foo'" + list},
      {"foo=bar", "x", "unknown property 'foo=bar'" + list},
      {"iohyve:ram", "512M", "unknown property 'iohyve:ram' (give names without the 'iohyve:' prefix)" + list},
      {"", "x", "unknown property ''" + list},
      {"RAM", "512M", "unknown property 'RAM'"},
      {"ram ", "512M", "unknown property 'ram '"},
      {" ram", "512M", "unknown property ' ram'"},
      {"ram\0"s, "512M", "unknown property 'ram\\x00'"},
      {"ram\n", "512M", "unknown property 'ram\\x0a'"},
      {"iohvye:vnc_port", "5900", "unknown property 'iohvye:vnc_port'"},
      {"rcboot", "yes", "unknown property 'rcboot'"},
      {"$(reboot)", "x", "unknown property '$(reboot)'"},
      {"../ram", "x", "unknown property '../ram'"},
      {"\xff\xfe", "x", "unknown property '\\xff\\xfe'"},
      {one_mib, "x", "unknown property '" + std::string(64, 'a') + "...'"},
      {"pcidev:01", "virtio-rnd", "invalid property name 'pcidev:01': expected pcidev:N with N a number from 0 to 999"},
      {"pcidev:", "virtio-rnd", "invalid property name 'pcidev:'"},
      {"pcidev:N", "virtio-rnd", "invalid property name 'pcidev:N'"},
      {"pcidev:1000", "virtio-rnd", "invalid property name 'pcidev:1000'"},
      {"pcidev:-1", "virtio-rnd", "invalid property name 'pcidev:-1'"},
      {"pcidev:1;x", "virtio-rnd", "invalid property name 'pcidev:1;x'"},
      {"mac_tapN", "58:9c:fc:00:00:01", "invalid property name 'mac_tapN'"},
      {"mac_tap", "58:9c:fc:00:00:01", "invalid property name 'mac_tap'"},
      {"mac_tap01", "58:9c:fc:00:00:01", "invalid property name 'mac_tap01'"},
  });
}

// ---- values ------------------------------------------------------------------

TEST(Properties, RefusesInvalidValues) {
  const std::string yes_no = "expected YES or NO, in upper case";
  const std::string ram = "expected a memory size with a K, M or G suffix";
  const std::string tap = "expected tapN, a comma-separated list";
  const std::string ip = "expected an IPv4 address";
  const std::string bargs = "expected bhyve flags with '_' for spaces";
  const std::string grub = "expected GRUB commands in printable ASCII";
  const std::string pci = "expected a bhyve device without its slot";
  const std::string mac = "expected a unicast MAC address";
  const std::string ctl = "control characters (including tab and line breaks) are not allowed";
  const std::string sectors = "expected LOGICAL or LOGICAL/PHYSICAL sector sizes";
  expect_bad_values({
      {"ram", "", "the value of property 'ram' is empty"},
      {"description", "", "the value of property 'description' is empty"},
      {"ram", "10X", ram},
      {"ram", "0", ram},
      {"ram", "0M", ram},
      {"ram", "512M;reboot", ram},
      {"ram", "$(reboot)", ram},
      {"ram", "-1G", ram},
      {"ram", "1048576", ram},
      {"ram", "0x100M", ram},
      {"ram", "0512M", ram},
      {"ram", "512 M", ram},
      {"ram", "1.5G", ram},
      {"ram", "512MB", ram},
      {"ram", one_mib, "at most 64 bytes are allowed"},
      {"cpu", "0", "expected a number of virtual CPUs from 1 to 256"},
      {"cpu", "257", "from 1 to 256"},
      {"cpu", "01", "from 1 to 256"},
      {"cpu", "1.5", "from 1 to 256"},
      {"cpu", "two", "from 1 to 256"},
      {"cpu", "-1", "from 1 to 256"},
      {"cpu", "1 ", "from 1 to 256"},
      {"boot", "2", "expected 0 or 1"},
      {"boot", "yes", "expected 0 or 1"},
      {"boot", " 1", "expected 0 or 1"},
      {"persist", "01", "expected 0 or 1"},
      {"template", "yes", yes_no},
      {"template", "Yes", yes_no},
      {"template", "1", yes_no},
      {"utc", "no", yes_no},
      {"vnc_wait", "YES\n", yes_no},
      {"loader", "grub", "expected bhyveload, grub-bhyve or uefi"},
      {"loader", "UEFI", "expected bhyveload, grub-bhyve or uefi"},
      {"loader", "bhyveload;id", "expected bhyveload, grub-bhyve or uefi"},
      {"os", "windows", "expected one of default, arch, centos6"},
      {"os", "Debian", "expected one of"},
      {"os", "default ", "expected one of"},
      {"os", "\xff", "the value is not valid UTF-8"},
      {"tap", "tap0 tap1", tap},
      {"tap", "tap0,", tap},
      {"tap", ",tap0", tap},
      {"tap", "tap0,tap0", tap},
      {"tap", "tap01", tap},
      {"tap", "em0", tap},
      {"tap", "tap0=em0;reboot", tap},
      {"tap", "tap0=", tap},
      {"tap", "-,tap0", tap},
      {"tap", "tap", tap},
      {"con", "nmdm", "expected nmdmN, e.g. nmdm0"},
      {"con", "nmdm0A", "expected nmdmN"},
      {"con", "/dev/nmdm0A", "expected nmdmN"},
      {"con", "nmdm01", "expected nmdmN"},
      {"vnc_w", "639", "expected a width in pixels from 640 to 3840"},
      {"vnc_w", "3841", "from 640 to 3840"},
      {"vnc_w", "800px", "from 640 to 3840"},
      {"vnc_h", "0", "expected a height in pixels from 480 to 2160"},
      {"vnc_port", "0", "expected a TCP port from 1 to 65535"},
      {"vnc_port", "65536", "from 1 to 65535"},
      {"vnc_port", "5900 ", "from 1 to 65535"},
      {"vnc_ip", "256.0.0.1", ip},
      {"vnc_ip", "1.2.3", ip},
      {"vnc_ip", "1.2.3.4.5", ip},
      {"vnc_ip", "01.2.3.4", ip},
      {"vnc_ip", "::1", ip},
      {"vnc_ip", "localhost", ip},
      {"vnc_ip", "127.0.0.1;id", ip},
      {"bargs", "-A -H", bargs},
      {"bargs", "-A_$(reboot)", bargs},
      {"bargs", "A_-H", bargs},
      {"bargs", "-A;id", bargs},
      {"bargs", "-l_com1,/dev/nmdm0A", bargs},
      {"description", "a\nb", ctl},
      {"description", "a\tb", ctl},
      {"description", "a\rb", ctl},
      {"description", "a\0b"s, ctl},
      {"description", "a\x7f", ctl},
      {"description", "a\xc2\x85", ctl},
      {"description", "\x1b[2J", ctl},
      {"description", std::string(1025, 'd'), "at most 1024 bytes are allowed"},
      {"description", one_mib, "at most 1024 bytes are allowed"},
      {"description", "caf\xe9", "the value is not valid UTF-8"},
      {"description", "\xed\xa0\x80", "the value is not valid UTF-8"},
      {"autogrub", "linux 'x'", grub},
      {"autogrub", "a;b", grub},
      {"autogrub", "a|b", grub},
      {"autogrub", "a$b", grub},
      {"autogrub", "a\nb", grub},
      {"autogrub", "`id`", grub},
      {"autogrub", "a&b", grub},
      {"autogrub", "a>b", grub},
      {"autogrub", std::string(1025, 'g'), "at most 1024 bytes"},
      {"fw", "../x", "expected a firmware file name as fwlist shows it"},
      {"fw", "-rf", "expected a firmware file name"},
      {"fw", "a b", "expected a firmware file name"},
      {"fw", "a/b", "expected a firmware file name"},
      {"pcidev:1", "ahci-hd,/dev/zvol/tank/../../etc/passwd", pci},
      {"pcidev:1", "ahci-hd /x", pci},
      {"pcidev:1", "$(reboot)", pci},
      {"pcidev:1", "virtio-net,tap0;id", pci},
      {"pcidev:1", "1ahci", pci},
      {"pcidev:1", "ahci-hd,'/x'", pci},
      {"pcidev:1", "ahci-hd,/x\n", pci},
      {"mac_tap0", "01:00:5e:00:00:01", mac},
      {"mac_tap0", "00:00:00:00:00:00", mac},
      {"mac_tap0", "58:9c:fc:00:00", mac},
      {"mac_tap0", "58-9c-fc-00-00-01", mac},
      {"mac_tap0", "58:9c:fc:00:00:0g", mac},
      {"mac_tap0", "589cfc000001", mac},
      {"net", "em0;reboot", "expected a network interface name such as em0"},
      {"net", "0em", "expected a network interface name"},
      {"net", "em 0", "expected a network interface name"},
      {"sectorsize", "500", sectors},
      {"sectorsize", "256", sectors},
      {"sectorsize", "4096/512", sectors},
      {"sectorsize", "512/", sectors},
      {"sectorsize", "512/1000", sectors},
      {"sectorsize", "131072", sectors},
      {"sectorsize", "0", sectors},
  });
}

TEST(Properties, MessagesAreExact) {
  const auto r = property::parse("ram", "10X");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "invalid value '10X' for property 'ram': expected a memory size with a K, M or G suffix, e.g. 512M or 2G "
            "(or a plain number of megabytes below 1048576)");
  const auto d = property::parse("description", "a\nb");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message,
            "invalid value 'a\\x0ab' for property 'description': control characters (including tab and line breaks) "
            "are not allowed, found '\\x0a' at offset 1");
  const auto s = property::parse("size", "20G");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "'size' is derived by iohyve and cannot be set; use resizedisk");
}

TEST(Properties, HugeInputsAreRefusedQuickly) {
  std::string binary;
  for (int i = 0; i < (1 << 20); ++i) binary += static_cast<char>(i * 13);
  const auto start = std::chrono::steady_clock::now();
  for (const auto& name : detail::settable_property_names()) {
    std::string concrete(name);
    if (concrete.back() == 'N') concrete.back() = '1';
    for (const auto& value : {one_mib, binary, std::string(std::size_t{1} << 20, '\0')})
      EXPECT_FALSE(property::parse(concrete, value).ok()) << concrete;
  }
  EXPECT_FALSE(property::parse(binary, "1").ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace iohyve_api
