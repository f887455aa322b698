// Who may do what: the two roles a connection can hold.
#pragma once

namespace iohyve_apid {

// none: refused. read_only: the handler with access_policy::read_only
// (changes get 403). read_write: everything.
enum class role { none, read_only, read_write };

inline const char* role_name(role r) {
  return r == role::read_write ? "rw" : r == role::read_only ? "ro" : "none";
}

}  // namespace iohyve_apid
