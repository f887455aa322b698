#include "backend/host_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace iohyve_api::detail {

namespace {

// what: "create the lock directory", "open the lock file", ...
error lock_failure(const std::string& what, const std::string& path, int err) {
  return make_error(error_code::command_failed,
                    "cannot " + what + " " + path + ": " + std::strerror(err) +
                        " (the lock directory is set with --lock-dir / host_paths::lock_dir)");
}

}  // namespace

host_lock::~host_lock() { release(); }

host_lock::host_lock(host_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

host_lock& host_lock::operator=(host_lock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void host_lock::release() noexcept {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor drops the flock
  fd_ = -1;
}

result<host_lock> host_lock::acquire(const std::string& dir, const std::string& name) {
  return lock(dir, name, true);
}

result<host_lock> host_lock::try_acquire(const std::string& dir, const std::string& name) {
  return lock(dir, name, false);
}

result<host_lock> host_lock::lock(const std::string& dir, const std::string& name, bool wait) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return lock_failure("create the lock directory", dir, errno);
  const std::string path = dir + "/" + name + ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return lock_failure("open the lock file", path, errno);
  host_lock held(fd);
  for (;;) {
    if (::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) == 0) return held;
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return make_error(error_code::conflict, "held by another caller: " + path);
    return lock_failure("lock the lock file", path, errno);
  }
}

}  // namespace iohyve_api::detail
