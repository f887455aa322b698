// Parsers for what iohyve itself prints: `iohyve version` and the failure
// messages it prints, often with exit status 0. Formats are those of the
// project's output-format reference, formats.md (cited as §x.y below).
#include "backend/iohyve_output.hpp"

#include <algorithm>
#include <array>

#include "backend/tool_output.hpp"
#include "errors.hpp"
#include "text/chars.hpp"
#include "text/quote.hpp"
#include "text/split.hpp"

namespace iohyve_api::detail {
namespace {

// Messages iohyve 0.7.x prints on failure, most of them with exit status 0
// (formats.md §b.6, fixtures/README.md).
constexpr std::array<std::string_view, 19> iohyve_failures = {
    "doesn't exist",
    "is a template",
    "appears to be already running",
    "Guest is already running",
    "Not a valid guest name",
    " not running",
    "Please stop the guest first",
    "Not a valid PCIDEV property",
    "missing argument",
    "There are errors with the pool",
    "Please check the zpool status",
    "failed!",
    "cannot ",
    "is not a valid command",
    "You must set a firmware",
    "Improper syntax",
    "Error:",
    "Please specify setup parameters",
    "fetch: ",
};

// iohyve version (§b.1): "iohyve v<semver> <YYYY/MM/DD> <edition text...>"

bool is_version_number(std::string_view v) noexcept {
  if (v.empty() || !is_digit(v.front()) || !is_digit(v.back())) return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return is_digit(c) || c == '.'; });
}

bool is_date(std::string_view d) noexcept {
  std::array<std::string_view, 3> parts;
  return split_exact(d, '/', parts) && parts[0].size() == 4 && parts[1].size() == 2 &&
         parts[2].size() == 2 && all_digits(parts[0]) && all_digits(parts[1]) &&
         all_digits(parts[2]);
}

bool is_version_line(std::string_view line) noexcept {
  constexpr std::string_view head = "iohyve v";
  if (!line.starts_with(head)) return false;
  line.remove_prefix(head.size());
  const std::size_t version_end = line.find(' ');
  if (version_end == std::string_view::npos || !is_version_number(line.substr(0, version_end))) return false;
  line.remove_prefix(version_end + 1);
  const std::size_t date_end = line.find(' ');
  if (date_end == std::string_view::npos || !is_date(line.substr(0, date_end))) return false;
  const std::string_view edition = line.substr(date_end + 1);
  if (edition.empty() || edition.front() == ' ') return false;
  return std::none_of(edition.begin(), edition.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

}  // namespace

result<std::string> parse_version(std::string_view iohyve_output) {
  std::string_view found;
  std::size_t non_empty = 0;
  line_reader lines(iohyve_output);
  std::string_view line;
  while (lines.next(line)) {
    if (line.empty()) continue;
    found = line;
    ++non_empty;
  }
  if (non_empty != 1 || !is_version_line(found)) {
    std::string message = "unexpected output from iohyve version: ";
    message += quoted_output(trim_right(iohyve_output, '\n'));
    return command_failed(std::move(message));
  }
  return std::string(found);
}

std::string iohyve_failure_line(const command_result& r) {
  std::string found;
  for (std::string_view text : {std::string_view(r.out), std::string_view(r.err)}) {
    for_each_nonblank_line(text, [&](std::string_view line) {
      for (auto pattern : iohyve_failures) {
        if (line.find(pattern) != std::string_view::npos) {
          found = printable(line, 200);
          return false;
        }
      }
      return true;
    });
    if (!found.empty()) break;
  }
  return found;
}

}  // namespace iohyve_api::detail
