#include "peer_credentials.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace iohyve_apid {

std::optional<peer_identity> peer_of(int fd) {
#if defined(__linux__)
  // Linux: SO_PEERCRED gives the credentials the peer had at connect(2) (socket(7)).
  struct ucred cred {};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) return std::nullopt;
  return peer_identity{cred.uid, cred.gid};
#else
  // FreeBSD (and the other BSDs): getpeereid(3), the effective ids at connect(2).
  uid_t uid = 0;
  gid_t gid = 0;
  if (::getpeereid(fd, &uid, &gid) != 0) return std::nullopt;
  return peer_identity{uid, gid};
#endif
}

std::optional<gid_t> group_id(const std::string& name) {
  struct group grp {};
  struct group* found = nullptr;
  std::vector<char> buf(16384);
  if (::getgrnam_r(name.c_str(), &grp, buf.data(), buf.size(), &found) != 0 || !found) return std::nullopt;
  return found->gr_gid;
}

namespace {

// The peer's groups: its effective gid and its account's supplementary groups.
std::vector<gid_t> groups_of(const peer_identity& peer) {
  std::vector<gid_t> out{peer.gid};
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(peer.uid, &pw, buf.data(), buf.size(), &found) != 0 || !found) return out;
  // getgrouplist's group argument type differs (gid_t on Linux, gid_t on
  // FreeBSD 14; int on macOS): keep to the common form.
  int count = 64;
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::vector<gid_t> list(static_cast<std::size_t>(count));
    int n = count;
    if (::getgrouplist(found->pw_name, peer.gid, list.data(), &n) >= 0) {
      list.resize(static_cast<std::size_t>(n));
      out.insert(out.end(), list.begin(), list.end());
      return out;
    }
    count = n > count ? n : count * 4;
  }
  return out;
}

}  // namespace

role role_of(const peer_identity& peer, const group_policy& groups) {
  if (peer.uid == 0) return role::read_write;
  const std::vector<gid_t> member_of = groups_of(peer);
  auto in = [&](const std::optional<gid_t>& g) {
    if (!g) return false;
    for (gid_t m : member_of)
      if (m == *g) return true;
    return false;
  };
  if (in(groups.rw_gid)) return role::read_write;
  if (in(groups.ro_gid)) return role::read_only;
  return role::none;
}

}  // namespace iohyve_apid
