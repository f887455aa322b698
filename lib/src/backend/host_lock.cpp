#include "backend/host_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

namespace iohyve_api::detail {

namespace {

// what: "create the lock directory", "open the lock file", ...
error lock_failure(const std::string& what, const std::string& path, int err) {
  return make_error(error_code::command_failed,
                    "cannot " + what + " " + path + ": " + std::strerror(err) +
                        " (the lock directory is set with --lock-dir / host_paths::lock_dir)");
}

// "60 s", "1500 ms".
std::string duration_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

}  // namespace

host_lock::~host_lock() { release(); }

host_lock::host_lock(host_lock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

host_lock& host_lock::operator=(host_lock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

void host_lock::release() noexcept {
  if (fd_ < 0) return;
  // Unlinked while still held: a caller waiting on this file finds it gone
  // once it gets the flock, and retries on a new one (see the header). A
  // failed unlink only leaves the file behind, as before.
  ::unlink(path_.c_str());
  ::close(fd_);  // closing the last descriptor drops the flock
  fd_ = -1;
}

result<host_lock> host_lock::acquire(const std::string& dir, const std::string& name,
                                     std::optional<std::chrono::milliseconds> limit) {
  if (!limit) return lock(dir, name, waiting::without_limit, {}, {});
  return lock(dir, name, waiting::until_deadline, std::chrono::steady_clock::now() + *limit, *limit);
}

result<host_lock> host_lock::try_acquire(const std::string& dir, const std::string& name) {
  return lock(dir, name, waiting::never, {}, {});
}

namespace {

// flock(LOCK_EX) until deadline: LOCK_NB tries 1 ms apart at first, then
// less often (at most every 50 ms), so a short wait costs little and a long
// one no CPU. 0 on success, else the errno (EWOULDBLOCK: the deadline
// passed).
int flock_until(int fd, std::chrono::steady_clock::time_point deadline) {
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return errno;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return EWOULDBLOCK;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

// flock(LOCK_EX), with LOCK_NB when never waiting; 0 or the errno.
int flock_now_or_blocking(int fd, bool block) {
  while (::flock(fd, LOCK_EX | (block ? 0 : LOCK_NB)) != 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

}  // namespace

result<host_lock> host_lock::lock(const std::string& dir, const std::string& name, waiting how,
                                  std::chrono::steady_clock::time_point deadline, std::chrono::milliseconds limit) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return lock_failure("create the lock directory", dir, errno);
  std::string path = dir + "/" + name + ".lock";
  for (;;) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return lock_failure("open the lock file", path, errno);
    const int err = how == waiting::until_deadline ? flock_until(fd, deadline)
                                                   : flock_now_or_blocking(fd, how == waiting::without_limit);
    if (err != 0) {
      ::close(fd);
      if (err == EWOULDBLOCK && how == waiting::never)
        return make_error(error_code::conflict, "held by another caller: " + path);
      if (err == EWOULDBLOCK)
        return make_error(error_code::timed_out,
                          "waited " + duration_text(limit) + " for " + path +
                              ", which another request or process holds (the limit is --lock-wait / "
                              "client_options::lock_wait)");
      return lock_failure("lock the lock file", path, err);
    }
    // Still the file the path names? Its previous holder may have unlinked
    // it between our open and our flock.
    struct stat opened {};
    struct stat named {};
    if (::fstat(fd, &opened) != 0) {
      const int err = errno;
      ::close(fd);
      return lock_failure("inspect the lock file", path, err);
    }
    const int named_status = ::lstat(path.c_str(), &named);
    const int named_errno = errno;
    if (named_status == 0 && named.st_dev == opened.st_dev && named.st_ino == opened.st_ino)
      return host_lock(fd, std::move(path));
    ::close(fd);  // a stale file: never unlink it, the path may name a newer one
    if (named_status != 0 && named_errno != ENOENT) return lock_failure("inspect the lock file", path, named_errno);
    // Gone or replaced: open the current file and lock that.
  }
}

}  // namespace iohyve_api::detail
