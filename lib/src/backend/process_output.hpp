// Parser for pgrep's output. A pure function of text, unit-tested on
// captured output (tests/fixtures/) and benchmarked (tests/bench/).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace iohyve_api::detail {

// Output of `pgrep -lf '^bhyve: ioh-'` on FreeBSD: "PID COMMAND-LINE" lines,
// e.g. "4242 bhyve: ioh-web". Returns the guest names (text after "ioh-") of
// lines whose whole command line is "bhyve: ioh-NAME", sorted, unique.
std::vector<std::string> parse_running_guests(std::string_view pgrep_output);

}  // namespace iohyve_api::detail
