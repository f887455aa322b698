// The property every fuzz target checks on the commands the library would
// run: each argv is one of the documented command shapes, and every value in
// it matches the documented grammar (README, "Validation rules"), checked here
// independently of the library's own parse() functions, so that a value that
// slipped past them (or was taken from tool output unchecked) is caught.
#pragma once

#include <string>

#include "iohyve_api/host.hpp"
#include "iohyve_api/runner.hpp"

namespace iohyve_fuzz {

struct argv_rules {
  iohyve_api::host_paths paths;
  // --dry-run plans name the guest's pool "<pool>" before it is known.
  bool allow_pool_placeholder = false;
};

// "" when cmd is allowed, else what is wrong (with the argv, escaped).
std::string argv_violation(const iohyve_api::command& cmd, const argv_rules& rules);

// The documented value grammars, one function each (true: valid).
bool is_guest_name(std::string_view s);
bool is_size(std::string_view s);
bool is_disk_name(std::string_view s);
bool is_iso_name(std::string_view s);
bool is_pool_name(std::string_view s);
bool is_nic_name(std::string_view s);
bool is_url(std::string_view s);
bool is_valid_utf8(std::string_view s);
bool has_control(std::string_view s);  // a byte < 0x20 or 0x7f

// argv as a C-escaped list, for messages.
std::string show(const iohyve_api::command& cmd);

}  // namespace iohyve_fuzz
