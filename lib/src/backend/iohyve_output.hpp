// Readers of what iohyve itself prints: its version line and its failure
// messages. Pure functions of the text it printed (no process is run
// here), unit-tested on captured output (tests/fixtures/).
#pragma once

#include <string>
#include <string_view>

#include "iohyve_api/error.hpp"
#include "iohyve_api/runner.hpp"

namespace iohyve_api::detail {

// Output of `iohyve version`: one line "iohyve v<version> <YYYY/MM/DD> <edition>".
// Anything else is an error quoting what was printed.
result<std::string> parse_version(std::string_view iohyve_output);

// The first line of iohyve's output (stdout, then stderr) that is one of its
// known failure messages (formats.md §b.6), or "" if none: iohyve prints
// them on stdout and often exits 0.
std::string iohyve_failure_line(const command_result& r);

}  // namespace iohyve_api::detail
