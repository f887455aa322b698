// Reading and rewriting the iohyve_flags line of rc.conf. rc.conf is
// sourced by sh at boot as root, so only validated values may reach it, and
// it is rewritten atomically: a crash leaves the old file or the new one,
// never half of one.
#pragma once

#include <chrono>
#include <string>

#include "iohyve_api/error.hpp"

namespace iohyve_api::detail {

// True when rc.conf assigns iohyve_flags a non-empty value (the
// reference's rule for "issetup"). A missing file means false.
result<bool> iohyve_flags_set(const std::string& rc_conf_path);

// Sets iohyve_flags="value": every existing iohyve_flags= line is replaced
// in place, or one line is appended; every other byte is kept. Writes a
// temporary file in the same directory, fsyncs it, renames it over the
// original (keeping its mode and owner) and fsyncs the directory; writers
// in this and other processes are serialized with flock on the directory,
// waited for at most lock_wait (then error{timed_out}: another process has
// held the lock that long, and waiting for ever would hang the caller).
// value must already be validated (no quotes, $, backslashes or newlines).
status set_iohyve_flags(const std::string& rc_conf_path, const std::string& value,
                        std::chrono::milliseconds lock_wait = std::chrono::seconds(60));

// The text of rc_conf with iohyve_flags set as above (pure; for tests).
std::string with_iohyve_flags(const std::string& rc_conf, const std::string& value);

}  // namespace iohyve_api::detail
