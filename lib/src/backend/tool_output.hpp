// Turning a finished command into an error the caller can act on: how it
// ended, and the tool's own words. iohyve prints its own errors on stdout
// and often exits 0 (formats.md §b.6), so success is judged by exit status
// AND by its known failure messages (iohyve_output.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "iohyve_api/error.hpp"
#include "iohyve_api/runner.hpp"

namespace iohyve_api::detail {

// "zfs get -H ..." for messages: the program's base name and its arguments.
std::string describe_command(const command& cmd);

// A process that did not run to an exit: not started (503), timed out
// (504), killed by a signal (500). nullopt when it exited (with any code).
std::optional<error> abnormal_end(const command& cmd, const command_result& r);

// The tool's own words: the first few non-empty lines of stderr, or of
// stdout when stderr is empty; at most ~400 bytes.
std::string tool_message(const command_result& r);

// A failed run: abnormal_end, or a non-zero exit (500 with tool_message).
std::optional<error> failure(const command& cmd, const command_result& r);

// A tool's output quoted into an error message: at most 80 bytes of it,
// escaped as every value the library quotes (text/quote.hpp), so that a
// binary blob cannot corrupt a log line or a JSON reply.
std::string quoted_output(std::string_view text);

}  // namespace iohyve_api::detail
