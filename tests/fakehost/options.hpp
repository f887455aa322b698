// getopt(3) for the emulated tools: short options, combined flags ("-Hp"),
// arguments attached ("-ofoo") or separate ("-o foo"), "--" ends options.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fakehost {

struct parsed_options {
  std::vector<std::pair<char, std::string>> options;  // in command-line order
  std::vector<std::string> operands;
  char unknown = 0;          // first unknown option letter, if any
  char missing_argument = 0;  // an option that needs an argument and had none

  bool ok() const { return unknown == 0 && missing_argument == 0; }
  bool has(char c) const;
  // The last argument given to option c, or fallback.
  std::string value(char c, std::string fallback = "") const;
  std::vector<std::string> values(char c) const;
};

// spec is getopt's optstring ("Hpd:o:"). FreeBSD's getopt stops at the first
// operand (permute = false, what zfs and pgrep see); fetch uses getopt_long,
// which lets options follow operands (permute = true).
parsed_options parse_options(const std::vector<std::string>& args, std::size_t first, std::string_view spec,
                             bool permute = false);

}  // namespace fakehost
