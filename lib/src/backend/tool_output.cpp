#include "backend/tool_output.hpp"

#include <array>
#include <cstring>
#include <optional>

#include "errors.hpp"
#include "text/quote.hpp"
#include "text/split.hpp"

namespace iohyve_api::detail {
namespace {

std::string_view base_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Non-empty lines of text, without trailing '\r' and blanks, each visited
// until f returns false.
template <class F>
void for_each_line(std::string_view text, F&& f) {
  line_reader lines(text);
  std::string_view line;
  while (lines.next(line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty() && !f(line)) return;
  }
}

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

}  // namespace

std::string describe_command(const command& cmd) {
  std::string text(base_name(cmd.program));
  for (const auto& a : cmd.args) {
    text += ' ';
    text += a;
  }
  if (text.size() > 200) text = text.substr(0, 200) + "...";
  return text;
}

std::optional<error> abnormal_end(const command& cmd, const command_result& r) {
  if (!r.started())
    return make_error(error_code::tool_missing, r.spawn_error.empty() ? "cannot run " + cmd.program
                                                                      : r.spawn_error);
  if (r.timed_out)
    return make_error(error_code::timed_out,
                      "'" + describe_command(cmd) + "' did not finish in time and was stopped");
  if (r.term_signal != 0)
    return command_failed("'" + describe_command(cmd) + "' was killed by signal " + std::to_string(r.term_signal) +
                          " (" + strsignal(r.term_signal) + ")");
  return std::nullopt;
}

std::string tool_message(const command_result& r) {
  std::string msg;
  int lines = 0;
  for_each_line(r.err.empty() ? std::string_view(r.out) : std::string_view(r.err),
                [&](std::string_view line) {
                  if (!msg.empty()) msg += "; ";
                  msg += printable(line, 200);
                  return ++lines < 3 && msg.size() < 400;
                });
  return msg;
}

std::optional<error> failure(const command& cmd, const command_result& r) {
  if (auto e = abnormal_end(cmd, r)) return e;
  if (r.exit_code == 0) return std::nullopt;
  std::string msg = "'" + describe_command(cmd) + "' failed (exit status " +
                    std::to_string(r.exit_code) + ")";
  if (auto words = tool_message(r); !words.empty()) msg += ": " + words;
  return command_failed(std::move(msg));
}

std::string iohyve_failure_line(const command_result& r) {
  std::string found;
  for (std::string_view text : {std::string_view(r.out), std::string_view(r.err)}) {
    for_each_line(text, [&](std::string_view line) {
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
