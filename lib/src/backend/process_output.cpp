// Parser for pgrep's output: which guests' bhyve processes run.
#include "backend/process_output.hpp"

#include <algorithm>

#include "text/chars.hpp"
#include "text/split.hpp"

namespace iohyve_api::detail {
namespace {

// A control byte (C0 or DEL) or a space: never part of a guest name.
bool is_blank_or_control(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f;
}

}  // namespace

std::vector<std::string> parse_running_guests(std::string_view pgrep_output) {
  // FreeBSD pgrep -lf prints "%d " and then the process's arguments joined
  // by spaces (pkill.c, show_process). bhyve calls setproctitle("%s",
  // vmname) and FreeBSD's libc setproctitle makes the arguments ONE string
  // "progname: title", so a guest's line is exactly "PID bhyve: ioh-NAME".
  // The " (bhyve)" suffix seen in ps(1) output is added by ps itself when
  // argv[0] differs from the command name; pgrep never prints it. Being exact
  // matches iohyve's own test (`pgrep -fx "bhyve: ioh-NAME"`, §b.2), so we
  // call "running" exactly what `iohyve list` calls running.
  constexpr std::string_view title = "bhyve: ioh-";
  std::vector<std::string_view> names;
  line_reader lines(pgrep_output);
  std::string_view line;
  while (lines.next(line)) {
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos || !all_digits(line.substr(0, space))) continue;
    const std::string_view command = line.substr(space + 1);
    if (!command.starts_with(title)) continue;
    const std::string_view name = command.substr(title.size());
    if (name.empty() || std::any_of(name.begin(), name.end(), is_blank_or_control)) continue;
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return {names.begin(), names.end()};
}

}  // namespace iohyve_api::detail
