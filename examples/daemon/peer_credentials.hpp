// The identity of the process at the other end of a Unix domain socket, and
// the role it gets. The only platform-specific code of the daemon.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "access.hpp"

namespace iohyve_apid {

struct peer_identity {
  uid_t uid = 0;
  gid_t gid = 0;  // the peer's effective group when it connected
};

// getpeereid(3) on FreeBSD, SO_PEERCRED (socket(7), unix(7)) on Linux.
std::optional<peer_identity> peer_of(int unix_socket_fd);

// The groups that grant access, looked up once at start-up by name.
struct group_policy {
  std::optional<gid_t> rw_gid;  // --rw-group (default wheel); absent: no such group on this host
  std::optional<gid_t> ro_gid;  // --ro-group (default operator)
};

// Looks a group up by name (getgrnam_r(3)).
std::optional<gid_t> group_id(const std::string& name);

// root or a member of the read-write group: read_write; a member of the
// read-only group: read_only; anyone else: none. Membership is the peer's
// effective gid plus the supplementary groups of its account
// (getpwuid_r(3), getgrouplist(3)).
role role_of(const peer_identity& peer, const group_policy& groups);

}  // namespace iohyve_apid
