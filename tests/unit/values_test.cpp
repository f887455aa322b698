// Table-driven tests of the value types (values.hpp) and of quote_value().
// Every refusal is checked for its code, for the offending value quoted
// safely, and for the reason, not only for "it failed".
#include "iohyve_api/values.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "text/quote.hpp"
#include "text/utf8.hpp"

namespace iohyve_api {
namespace {

using namespace std::string_literals;  // "a\0b"s keeps the NUL
using detail::quote_value;

const std::string one_mib(std::size_t{1} << 20, 'a');

struct bad_case {
  std::string input;
  std::string reason;  // a part of the message that says what is wrong
};

// Every refusal: 400, the reason, the value quoted safely (when non-empty),
// and a message that stays short whatever the input.
template <class T>
void expect_refused(const std::vector<bad_case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE("input " + quote_value(c.input));
    const auto r = T::parse(c.input);
    ASSERT_FALSE(r.ok()) << "accepted as " << quote_value(r->str());
    EXPECT_EQ(r.error().code, error_code::bad_request);
    EXPECT_NE(r.error().message.find(c.reason), std::string::npos) << r.error().message;
    if (!c.input.empty()) {
      EXPECT_NE(r.error().message.find(quote_value(c.input)), std::string::npos) << r.error().message;
    }
    EXPECT_LT(r.error().message.size(), 700u);
    EXPECT_TRUE(detail::is_valid_utf8(r.error().message));
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  }
}

template <class T>
void expect_accepted(const std::vector<std::string>& inputs) {
  for (const auto& input : inputs) {
    SCOPED_TRACE("input " + quote_value(input));
    const auto r = T::parse(input);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->str(), input);
  }
}

// ---- quote_value ----------------------------------------------------------------

TEST(QuoteValue, EscapesAndCuts) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "''"},
      {"abc", "'abc'"},
      {"a b", "'a b'"},
      {"a\nb", "'a\\x0ab'"},
      {"a\0b"s, "'a\\x00b'"},
      {"\t\r\x1b[31m", "'\\x09\\x0d\\x1b[31m'"},
      {"\x7f", "'\\x7f'"},
      {"a'b", "'a\\'b'"},
      {"a\\b", "'a\\\\b'"},
      {"\xc3\xa9t\xc3\xa9", "'\xc3\xa9t\xc3\xa9'"},             // été: printable UTF-8 kept
      {"\xe6\x97\xa5\xe6\x9c\xac", "'\xe6\x97\xa5\xe6\x9c\xac'"},  // 日本
      {"\xff\xfe", "'\\xff\\xfe'"},                             // invalid UTF-8
      {"\xc3", "'\\xc3'"},                                      // truncated sequence
      {"\xc0\xaf", "'\\xc0\\xaf'"},                             // overlong '/'
      {"\xed\xa0\x80", "'\\xed\\xa0\\x80'"},                    // surrogate
      {"\xc2\x85", "'\\xc2\\x85'"},                             // C1 control NEL
      {"a\xe2\x80\xae" "b", "'a\\xe2\\x80\\xaeb'"},                // right-to-left override
      {"\xe2\x80\xa8", "'\\xe2\\x80\\xa8'"},                    // line separator
      {std::string(64, 'x'), "'" + std::string(64, 'x') + "'"},
      {std::string(65, 'x'), "'" + std::string(64, 'x') + "...'"},
      {std::string(63, 'x') + "\xc3\xa9", "'" + std::string(63, 'x') + "...'"},  // never splits a character
      {std::string(62, 'x') + "\xc3\xa9", "'" + std::string(62, 'x') + "\xc3\xa9'"},
  };
  for (const auto& [input, expected] : cases) EXPECT_EQ(quote_value(input), expected) << expected;
}

TEST(Printable, EscapesLikeQuoteValueButKeepsQuotes) {
  EXPECT_EQ(detail::printable("cannot open 'tank/x': dataset does not exist", 200),
            "cannot open 'tank/x': dataset does not exist");
  EXPECT_EQ(detail::printable("fetch: x\r\n", 200), "fetch: x\\x0d\\x0a");
  EXPECT_EQ(detail::printable("a\\b\0"s, 200), "a\\\\b\\x00");
  EXPECT_EQ(detail::printable(std::string(300, 'x'), 200), std::string(200, 'x') + "...");
  EXPECT_EQ(detail::printable("\xff\xc3\xa9"), "\\xff\xc3\xa9");
  EXPECT_EQ(detail::printable(""), "");
}

TEST(QuoteValue, HugeValuesGiveShortQuotes) {
  EXPECT_EQ(quote_value(one_mib), "'" + std::string(64, 'a') + "...'");
  const std::string nuls(std::size_t{1} << 20, '\0');
  EXPECT_EQ(quote_value(nuls).size(), 2 + 64 * 4 + 3);
}

TEST(Utf8, WellFormedSequencesOnly) {
  for (const std::string& s : {""s, "abc"s, "\xc3\xa9"s, "\xe2\x82\xac"s, "\xf0\x9d\x84\x9e"s, "\xf4\x8f\xbf\xbf"s,
                              "\xed\x9f\xbf"s, "a\0b"s})
    EXPECT_TRUE(detail::is_valid_utf8(s)) << quote_value(s);
  for (const std::string& s : {"\x80"s, "\xc0\x80"s, "\xc1\xbf"s, "\xe0\x80\x80"s, "\xe0\x9f\xbf"s, "\xed\xa0\x80"s,
                              "\xf0\x8f\xbf\xbf"s, "\xf4\x90\x80\x80"s, "\xf5\x80\x80\x80"s, "\xc3"s, "\xe2\x82"s,
                              "\xff"s, "ab\xc3("s})
    EXPECT_FALSE(detail::is_valid_utf8(s)) << quote_value(s);
}

// ---- guest_name ---------------------------------------------------------------

TEST(GuestName, AcceptsValidNames) {
  expect_accepted<guest_name>({"a", "A", "0", "9lives", "web", "bsdguest", "web-1", "web_1", "a-b_c-d", "Guest42",
                               std::string(27, 'x'), "abc-", "a_", "FreeBSD-11", "ubuntu_18_04", "z9", "1-2-3"});
}

TEST(GuestName, RefusesInvalidNames) {
  const std::string chars = "only letters, digits, '_' and '-' are allowed";
  const std::string first = "the first character must be a letter or a digit";
  const std::string length = "at most 27 bytes";
  expect_refused<guest_name>({
      {"", "guest name is empty"},
      {"a b", chars},
      {"-rf", first},
      {"_x", first},
      {"-", first},
      {"../x", chars},
      {"$(reboot)", chars},
      {"x;y", chars},
      {"`id`", chars},
      {"a\nb", chars},
      {"a\0b"s, chars},
      {"a\tb", chars},
      {"a.b", chars},
      {"a/b", chars},
      {"a:b", chars},
      {".*", chars},
      {"a*", chars},
      {"a'b", chars},
      {"a\"b", chars},
      {"a|b", chars},
      {"a&b", chars},
      {"a\\b", chars},
      {"web@1", chars},
      {"\xc3\xa9t\xc3\xa9", chars},
      {"\xff", chars},
      {std::string(28, 'x'), "at most 27 bytes are allowed, not 28 (bhyve's VM name 'ioh-NAME' must fit in 31)"},
      {one_mib, length},
  });
}

TEST(GuestName, MessageIsExact) {
  const auto r = guest_name::parse("a b");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "invalid guest name 'a b': only letters, digits, '_' and '-' are allowed");
  const auto nul = guest_name::parse("a\0b"s);
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.error().message, "invalid guest name 'a\\x00b': only letters, digits, '_' and '-' are allowed");
}

// ---- size -----------------------------------------------------------------------

TEST(Size, AcceptsZfsSizesWithExactBytes) {
  const std::vector<std::pair<std::string, std::uint64_t>> cases = {
      {"10G", 10737418240ULL},
      {"1.5G", 1610612736ULL},
      {"512", 512},
      {"1K", 1024},
      {"1k", 1024},
      {"8G", 8589934592ULL},
      {"20GB", 21474836480ULL},
      {"20gb", 21474836480ULL},
      {"20Gb", 21474836480ULL},
      {"1B", 1},
      {"512b", 512},
      {"512M", 536870912ULL},
      {"1T", 1099511627776ULL},
      {"1.5T", 1649267441664ULL},
      {"0.5K", 512},
      {"1.1K", 1126},  // 1126.4, truncated as zfs does
      {"1.25M", 1310720},
      {"1P", 1125899906842624ULL},
      {"1E", 1152921504606846976ULL},
      {"15E", 17293822569102704640ULL},
      {"8589934592", 8589934592ULL},
      {"0010G", 10737418240ULL},
      {"18446744073709551615", 18446744073709551615ULL},
      {"1.5", 1},
  };
  for (const auto& [text, bytes] : cases) {
    SCOPED_TRACE(text);
    const auto r = size::parse(text);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->bytes(), bytes);
    EXPECT_EQ(r->str(), text);
  }
}

TEST(Size, RefusesWhatZfsWouldNotRead) {
  const std::string syntax = "expected a number with an optional K, M, G, T, P or E suffix, e.g. 10G";
  const std::string large = "too large";
  const std::string zero = "greater than zero";
  expect_refused<size>({
      {"", "size is empty"},
      {"-1G", syntax},
      {"+1G", syntax},
      {"0", zero},
      {"0G", zero},
      {"0.0001", zero},
      {"10Q", syntax},
      {"1e9", syntax},
      {"1.5e3", syntax},
      {"0x10", syntax},
      {" 10G", syntax},
      {"10G ", syntax},
      {"10 G", syntax},
      {"1.5.5G", syntax},
      {"1.", syntax},
      {".5G", syntax},
      {"G", syntax},
      {"10GiB", syntax},
      {"10BB", syntax},
      {"10KBB", syntax},
      {"1,5G", syntax},
      {"NaN", syntax},
      {"inf", syntax},
      {"1_000", syntax},
      {"10G\0"s, syntax},
      {"1\n", syntax},
      {"$(reboot)", syntax},
      {"\xef\xbc\x91G", syntax},  // fullwidth digit one
      {"18446744073709551616", large},
      {"99999999E", large},
      {"16E", large},
      {"16.0E", large},
      {"17179869184G", large},
      {"100000000000000000000", "at most 20 characters are allowed, not 21"},
      {one_mib, "at most 20 characters"},
  });
}

TEST(Size, MessageIsExact) {
  const auto r = size::parse("10Q");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "invalid size '10Q': expected a number with an optional K, M, G, T, P or E suffix, e.g. 10G");
}

// ---- disk_name ------------------------------------------------------------------

TEST(DiskName, AcceptsDiskN) {
  const std::vector<std::pair<std::string, unsigned>> cases = {
      {"disk0", 0},   {"disk1", 1},     {"disk2", 2},     {"disk3", 3},     {"disk7", 7},
      {"disk9", 9},   {"disk10", 10},   {"disk11", 11},   {"disk42", 42},   {"disk99", 99},
      {"disk100", 100}, {"disk123", 123}, {"disk500", 500}, {"disk909", 909}, {"disk999", 999},
  };
  for (const auto& [text, index] : cases) {
    const auto r = disk_name::parse(text);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->str(), text);
    EXPECT_EQ(r->index(), index);
  }
}

TEST(DiskName, RefusesAnythingElse) {
  const std::string expected = "expected 'disk' followed by a number from 0 to 999 without leading zeros, e.g. disk1";
  expect_refused<disk_name>({
      {"", "disk name is empty"},
      {"disk", expected},       {"disk01", expected},   {"disk00", expected},    {"disk1000", expected},
      {"Disk1", expected},      {"DISK1", expected},    {"disk-1", expected},    {"disk+1", expected},
      {"disk1a", expected},     {"disk 1", expected},   {" disk1", expected},    {"disk1 ", expected},
      {"disk1\n", expected},    {"disk1\0"s, expected}, {"disk0x1", expected},   {"../disk1", expected},
      {"disk1;reboot", expected}, {"$(reboot)", expected}, {"`id`", expected}, {"disk1/..", expected},
      {"-rf", expected},        {"a b", expected},      {"disk\xd9\xa1", expected}, {"dsk1", expected},
      {"disk1.5", expected},    {one_mib, expected},
  });
}

// ---- iso_name -------------------------------------------------------------------

TEST(IsoName, AcceptsDatasetComponents) {
  expect_accepted<iso_name>({"FreeBSD-11.1-RELEASE-amd64-bootonly.iso", "install61.iso", "debian-9.iso", "a", "A",
                             "x.iso", "ubuntu_18.04.iso", "win10:en.iso", "0day.iso", "iso", "a..b", "file.iso.xz",
                             std::string(200, 'i'), "CentOS-7-x86_64-Minimal-1708.iso",
                             "archlinux-2017.06.01-x86_64.iso", "a-", "a."});
}

TEST(IsoName, RefusesPathsOptionsAndShellWords) {
  const std::string chars = "only letters, digits, '_', '-', '.' and ':' are allowed";
  const std::string start = "it must not start with '-' or '.'";
  expect_refused<iso_name>({
      {"", "ISO name is empty"},
      {".", start},
      {"..", start},
      {"../x", chars},
      {"-rf", start},
      {".hidden.iso", start},
      {"a b", chars},
      {"a/b", chars},
      {"$(reboot)", chars},
      {"x;y", chars},
      {"`id`", chars},
      {"a\nb", chars},
      {"a\0b"s, chars},
      {"a%20b.iso", chars},
      {"\xc3\xa9.iso", chars},
      {"\xff", chars},
      {"a*b", chars},
      {"a?b", chars},
      {"a'b", chars},
      {"a\"b", chars},
      {"a\\b", chars},
      {"a@b", chars},
      {"a#b", chars},
      {"a\tb", chars},
      {"a,b", chars},
      {"a=b", chars},
      {std::string(201, 'i'), "at most 200 bytes"},
      {one_mib, "at most 200 bytes"},
  });
}

// ---- pool_name ------------------------------------------------------------------

TEST(PoolName, AcceptsZfsPoolNames) {
  expect_accepted<pool_name>({"tank", "zroot", "Tank", "z", "pool1", "my_pool", "my-pool", "my.pool", "p:1", "data",
                              "logs", "spar", "raid", "freenas-boot", "zroot2", "c0t0d0", std::string(239, 'p')});
}

TEST(PoolName, RefusesInvalidAndReservedNames) {
  const std::string chars = "only letters, digits, '_', '-', '.' and ':' are allowed";
  const std::string letter = "the first character must be a letter";
  const std::string reserved = "zfs reserves 'log' and the names beginning with mirror, raidz, draid or spare";
  expect_refused<pool_name>({
      {"", "pool name is empty"},
      {"1tank", letter},
      {"_tank", letter},
      {"-tank", letter},
      {".tank", letter},
      {"-rf", letter},
      {"mirror", reserved},
      {"mirror-0", reserved},
      {"mirrored", reserved},
      {"raidz", reserved},
      {"raidz2", reserved},
      {"draid", reserved},
      {"draid1", reserved},
      {"spare", reserved},
      {"spares", reserved},
      {"log", reserved},
      {"tank/iohyve", chars},
      {"ta nk", chars},
      {"tank;", chars},
      {"$(reboot)", chars},
      {"`id`", chars},
      {"a\nb", chars},
      {"tank\0"s, chars},
      {"../x", chars},
      {"tank@snap", chars},
      {"t\xc3\xa1nk", chars},
      {"\xff", chars},
      {std::string(240, 'p'), "at most 239 bytes"},
      {one_mib, "at most 239 bytes"},
  });
}

// ---- nic_name -------------------------------------------------------------------

TEST(NicName, AcceptsInterfaceNames) {
  expect_accepted<nic_name>({"em0", "re0", "igb1", "vlan10", "lagg0", "em0.10", "bridge0", "lo0", "ix0", "vtnet0",
                             "wlan0", "a", "my_lan", std::string(15, 'x'), "cxl0", "epair0a", "LAN"});
}

TEST(NicName, RefusesAnythingShCouldInterpret) {
  const std::string chars = "only letters, digits, '_' and '.' are allowed";
  const std::string letter = "the first character must be a letter";
  expect_refused<nic_name>({
      {"", "network interface name is empty"},
      {"0em", letter},
      {"_em0", letter},
      {".em0", letter},
      {"em0\"", chars},
      {"em0 ", chars},
      {"em0;reboot", chars},
      {"$(reboot)", chars},
      {"`id`", chars},
      {"em0\nfoo=bar", chars},
      {"em0\0"s, chars},
      {"em-0", chars},
      {"em0'", chars},
      {"em0\\", chars},
      {"em0$", chars},
      {"../x", chars},
      {"-rf", chars},
      {"a b", chars},
      {"em0/1", chars},
      {"\xc3\xa9m0", chars},
      {"\xff", chars},
      {"em0:1", chars},
      {"em0|x", chars},
      {"em0&", chars},
      {"em0\" kmod=0", chars},
      {std::string(16, 'x'), "at most 15 bytes"},
      {one_mib, "at most 15 bytes"},
  });
}

// ---- url ------------------------------------------------------------------------

TEST(Url, AcceptsDownloadUrls) {
  struct good {
    std::string text;
    std::string scheme;
    std::string file;
  };
  const std::vector<good> cases = {
      {"http://127.0.0.1:18089/install61.iso", "http", "install61.iso"},
      {"https://download.freebsd.org/ftp/releases/amd64/amd64/ISO-IMAGES/11.1/"
       "FreeBSD-11.1-RELEASE-amd64-bootonly.iso",
       "https", "FreeBSD-11.1-RELEASE-amd64-bootonly.iso"},
      {"ftp://ftp.freebsd.org/pub/FreeBSD/releases/ISO-IMAGES/11.1/FreeBSD-11.1-RELEASE-amd64-disc1.iso", "ftp",
       "FreeBSD-11.1-RELEASE-amd64-disc1.iso"},
      {"file:///media/FreeBSD-11.1-RELEASE-amd64-bootonly.iso", "file", "FreeBSD-11.1-RELEASE-amd64-bootonly.iso"},
      {"file:///x.iso", "file", "x.iso"},
      {"http://h/x.iso", "http", "x.iso"},
      {"http://user:pass@host:8080/dir/x.iso", "http", "x.iso"},
      {"http://host/dir%20with%20space/x.iso", "http", "x.iso"},
      {"https://mirror.example.com/~user/x.iso", "https", "x.iso"},
      {"http://host/a+b/c.iso", "http", "c.iso"},
      {"http://host/x.iso.xz", "http", "x.iso.xz"},
      {"http://host:1/x.iso", "http", "x.iso"},
      {"http://host:65535/x.iso", "http", "x.iso"},
      {"http://my_host.local/debian-9.iso", "http", "debian-9.iso"},
      {"https://h/a/b/c/d/e/f.iso", "https", "f.iso"},
      {"http://h/a=b,c/win10:en.iso", "http", "win10:en.iso"},
      {"ftp://anonymous@ftp.openbsd.org/pub/OpenBSD/6.1/amd64/install61.iso", "ftp", "install61.iso"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto r = url::parse(c.text);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->str(), c.text);
    EXPECT_EQ(r->scheme(), c.scheme);
    EXPECT_EQ(r->file_name().str(), c.file);
  }
}

TEST(Url, RefusesHostileUrls) {
  const std::string chars = "is not allowed; use only ASCII letters, digits";
  const std::string dots = "no '.' or '..' segments";
  expect_refused<url>({
      {"", "URL is empty"},
      {"javascript:x", "unsupported scheme 'javascript': only http, https, ftp and file are allowed"},
      {"data:text/plain,x.iso", "unsupported scheme 'data'"},
      {"gopher://h/x.iso", "unsupported scheme 'gopher'"},
      {"HTTP://h/x.iso", "the scheme must be written in lower case, as in http://"},
      {"File:///x.iso", "lower case"},
      {"file:///etc/passwd/../", "the path segment '..' is not allowed"},
      {"http://", "the URL has no host"},
      {"http://:80/x.iso", "the URL has no host"},
      {"http://h/", "the URL names no file"},
      {"http://h", "the URL names no file"},
      {"http://h/dir/", "must end with a file name"},
      {"http://h/a b.iso", "the character ' ' at offset 10 " + chars},
      {" http://h/x.iso", "the character ' ' at offset 0"},
      {"ftp://h/x.iso?y", "query strings ('?') and fragments ('#') are not allowed"},
      {"http://h/x.iso#frag", "fragments"},
      {"http://h/%2e%2e", dots},
      {"http://h/%2E%2E/x.iso", dots},
      {"http://h/../x.iso", dots},
      {"http://h/./x.iso", dots},
      {"http://h/a%2fb/x.iso", "percent-encoded '/'"},
      {"http://h/a%00/x.iso", "control characters"},
      {"http://h//x.iso", "empty path segments"},
      {"http://h/x%2Eiso", "the URL's file name 'x%2Eiso' is not a valid ISO name: percent-encoding"},
      {"http://h/x.iso%", "malformed percent-encoding"},
      {"http://h/x.iso%zz", "malformed percent-encoding"},
      {"http://h/-rf", "the URL's file name '-rf' is not a valid ISO name: it must not start with '-' or '.'"},
      {"http://h/.hidden.iso", "must not start with '-' or '.'"},
      {"http://h/" + std::string(201, 'i'), "is not a valid ISO name: it is longer than 200 bytes"},
      {"file://", "a file URL must name an absolute path"},
      {"file://host/x.iso", "a file URL must name an absolute path"},
      {"file:/x.iso", "expected SCHEME://HOST/PATH"},
      {"//h/x.iso", "expected SCHEME://HOST/PATH"},
      {"h/x.iso", "expected SCHEME://HOST/PATH"},
      {"http://h/$(reboot).iso", "the character '$'"},
      {"http://h/`id`.iso", "the character '`'"},
      {"http://h/x.iso;reboot", "the character ';'"},
      {"http://h/x.iso\nfoo", "the character '\\x0a'"},
      {"http://h/x\0.iso"s, "the character '\\x00'"},
      {"http://h/\xc3\xa9.iso", "the character '\\xc3'"},
      {"http://h/x'.iso", "the character '\\''"},
      {"http://h/x\".iso", "the character '\"'"},
      {"http://h/x\\.iso", "the character '\\\\'"},
      {"http://h/a\tb.iso", "the character '\\x09'"},
      {"http://h/*.iso", "the character '*'"},
      {"http://[::1]/x.iso", "the character '['"},
      {"http://h:0/x.iso", "invalid port '0'"},
      {"http://h:99999/x.iso", "invalid port '99999'"},
      {"http://h:/x.iso", "invalid port ''"},
      {"http://h%41/x.iso", "invalid host 'h%41'"},
      {"http://h/" + std::string(2100, 'a'), "at most 2048 bytes"},
      {one_mib, "at most 2048 bytes"},
  });
}

TEST(Url, MessagesQuoteTheUrl) {
  const auto r = url::parse("http://h/a b.iso");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("invalid URL 'http://h/a b.iso': ", 0), 0u) << r.error().message;
  const auto huge = url::parse("http://h/" + one_mib);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().message,
            "invalid URL 'http://h/" + std::string(55, 'a') + "...': at most 2048 bytes are allowed, not 1048585");
}

// ---- all types: hostile input never crashes and never takes long ---------------

TEST(AllValues, HugeAndBinaryInputsAreRefusedQuickly) {
  std::string binary;
  for (int i = 0; i < (1 << 20); ++i) binary += static_cast<char>(i * 7);
  const std::vector<std::string> inputs = {one_mib, binary, std::string(std::size_t{1} << 20, '\0'),
                                           "http://h/" + one_mib + ".iso", std::string(std::size_t{1} << 20, '9')};
  const auto start = std::chrono::steady_clock::now();
  for (const auto& in : inputs) {
    EXPECT_FALSE(guest_name::parse(in).ok());
    EXPECT_FALSE(size::parse(in).ok());
    EXPECT_FALSE(disk_name::parse(in).ok());
    EXPECT_FALSE(iso_name::parse(in).ok());
    EXPECT_FALSE(pool_name::parse(in).ok());
    EXPECT_FALSE(nic_name::parse(in).ok());
    EXPECT_FALSE(url::parse(in).ok());
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace iohyve_api
