#include "zfs_numbers.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace fakehost {

std::optional<std::uint64_t> parse_zfs_size(std::string_view text, std::string& error) {
  std::string s(text);
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.')) {
    error = "bad numeric value '" + s + "'";
    return std::nullopt;
  }
  // Like zfs_nicestrtonum: an integer, or a decimal fraction when a '.' follows.
  char* end = nullptr;
  errno = 0;
  unsigned long long whole = std::strtoull(s.c_str(), &end, 10);
  double fraction_value = -1;
  if (*end == '.') {
    fraction_value = std::strtod(s.c_str(), &end);
  }
  if (errno == ERANGE) {
    error = "numeric value is too large";
    return std::nullopt;
  }
  std::string suffix(end);
  int shift = 0;
  if (!suffix.empty()) {
    static const std::string units = "BKMGTPEZ";
    auto pos = units.find(static_cast<char>(std::toupper(static_cast<unsigned char>(suffix[0]))));
    bool ok = pos != std::string::npos;
    if (ok) {
      std::string rest = suffix.substr(1);
      for (auto& c : rest) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      // "K", "KB" and "KiB" are accepted; "B" alone means bytes.
      ok = rest.empty() || (pos != 0 && (rest == "B" || rest == "IB"));
    }
    if (!ok) {
      error = "invalid numeric suffix '" + suffix + "'";
      return std::nullopt;
    }
    shift = static_cast<int>(pos) * 10;
  }
  if (shift >= 64) {
    error = "numeric value is too large";
    return std::nullopt;
  }
  if (fraction_value >= 0) {
    double v = std::ldexp(fraction_value, shift);
    if (v >= 18446744073709551615.0) {
      error = "numeric value is too large";
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(v);
  }
  if (shift > 0 && (whole >> (64 - shift)) != 0) {
    error = "numeric value is too large";
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(whole) << shift;
}

std::string nice_bytes(std::uint64_t num) {
  static const char* const units[] = {"B", "K", "M", "G", "T", "P", "E"};
  std::uint64_t n = num;
  int index = 0;
  while (n >= 1024 && index < 6) {
    n /= 1024;
    ++index;
  }
  char buf[32];
  if (index == 0 || (num & ((std::uint64_t{1} << (10 * index)) - 1)) == 0) {
    std::snprintf(buf, sizeof buf, "%llu%s", static_cast<unsigned long long>(n), units[index]);
    return buf;
  }
  // Most precise form that fits in five characters, as zfs_nicenum_format.
  double val = static_cast<double>(num) / static_cast<double>(std::uint64_t{1} << (10 * index));
  for (int digits = 2; digits >= 0; --digits) {
    if (std::snprintf(buf, sizeof buf, "%.*f%s", digits, val, units[index]) <= 5) break;
  }
  return buf;
}

std::uint64_t volsize_to_reservation(std::uint64_t volsize, std::uint64_t volblocksize) {
  // module/zfs/... zvol_volsize_to_reservation(): metadata blocks for the
  // indirect tree, two copies each (ncopies + 1), 128K apiece.
  constexpr std::uint64_t dnodes_per_level = 1024;  // 1 << (DN_MAX_INDBLKSHIFT - SPA_BLKPTRSHIFT)
  std::uint64_t numdb = 7;
  std::uint64_t nblocks = volsize / volblocksize;
  while (nblocks > 1) {
    nblocks += dnodes_per_level - 1;
    nblocks /= dnodes_per_level;
    numdb += nblocks;
  }
  numdb *= 2;
  numdb *= std::uint64_t{1} << 17;
  return volsize + numdb;
}

}  // namespace fakehost
