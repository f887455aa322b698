#include "backend/tool_output.hpp"

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
  for_each_nonblank_line(r.err.empty() ? std::string_view(r.out) : std::string_view(r.err),
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

std::string quoted_output(std::string_view text) {
  constexpr std::size_t max_quoted_bytes = 80;
  return "'" + printable(text, max_quoted_bytes) + "'";
}

}  // namespace iohyve_api::detail
