// Fault injection for the tests of the library's runner and error handling
// (fake_host::make_tool_fail). main() calls apply_fault() before doing any
// work; "missing" needs nothing here (the link is gone, so the tool is never
// started).
#pragma once

#include <string>

#include "state.hpp"

namespace fakehost {

// hang: sleeps until killed (or until the emulated host is torn down);
// crash: dies of SIGSEGV, without a core file;
// garbage: writes random bytes to stdout and exits 0.
// Returns normally only when the tool has no fault.
void apply_fault(const state_dir& dir, const std::string& tool);

}  // namespace fakehost
