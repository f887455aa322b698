// pgrep(1) as on FreeBSD, over the emulated processes only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host_state.hpp"

namespace fakehost {

// The live emulated processes whose name (full title with full_args, as
// `pgrep -f`; else the command name "bhyve") matches the extended regular
// expression pattern; with exact (-x) the match must cover the whole string.
// nullopt when the pattern does not compile (error holds regerror's text).
std::optional<std::vector<emulated_process>> pgrep_match(const host_state& host, const std::string& pattern,
                                                         bool full_args, bool exact, bool ignore_case,
                                                         std::string& error);

}  // namespace fakehost
