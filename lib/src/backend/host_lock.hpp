// Locks that hold across processes: flock(2) on files in a lock directory
// (host_paths::lock_dir). Shell scripts run the CLI side by side, so a
// mutex inside one process does not keep two callers apart; an flock does,
// between processes and between threads of one process alike (each lock
// opens its own file description, and flock locks of different
// descriptions exclude each other, FreeBSD flock(2), Linux flock(2)).
//
// A lock file exists only while its lock is held (or was held by a process
// that died holding it): release unlinks it. Otherwise every guest name a
// caller ever sent, existing or not, would leave a file behind for good,
// and a daemon serving many callers would fill the directory. The protocol
// that makes removing safe:
//   acquire: open(O_CREAT) DIR/NAME.lock, flock() it, then compare the
//            descriptor's dev/ino (fstat) with what the path names now
//            (lstat). Different, or the path is gone: the file was unlinked
//            by its previous holder after we opened it. Close, start again.
//   release: unlink the path while still holding the flock, then close.
// Why no two callers can both hold NAME: only a holder unlinks, and only
// while it holds. So from the moment a caller's check succeeds until it
// releases, the path names its file and no other; another caller's check
// passes only on the file the path names, whose flock is then ours. A
// caller that waited on an unlinked file wakes up, fails the check and
// retries on the current file. (Someone else deleting lock files by hand
// breaks this, as it broke the old never-removed files.)
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "iohyve_api/error.hpp"

namespace iohyve_api::detail {

class host_lock {
 public:
  host_lock() = default;
  ~host_lock();
  host_lock(host_lock&& other) noexcept;
  host_lock& operator=(host_lock&& other) noexcept;
  host_lock(const host_lock&) = delete;
  host_lock& operator=(const host_lock&) = delete;

  // Waits for the exclusive lock on DIR/NAME.lock (DIR is made, mode 0755,
  // if missing). NAME must be a validated value (a guest or ISO name, or a
  // fixed word): it becomes a file name. An error (500) names the file and
  // the system's reason. With a limit, waits at most that long (polling,
  // since flock(2) has no timeout), then error_code::timed_out (504) naming
  // the file; without one, blocks in flock until the holder releases.
  static result<host_lock> acquire(const std::string& dir, const std::string& name,
                                   std::optional<std::chrono::milliseconds> limit = std::nullopt);
  // The same without waiting: error_code::conflict when another caller
  // holds it.
  static result<host_lock> try_acquire(const std::string& dir, const std::string& name);

  bool held() const noexcept { return fd_ >= 0; }
  // Removes the lock file, then drops the lock (see above). Idempotent.
  void release() noexcept;

 private:
  host_lock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  enum class waiting { never, without_limit, until_deadline };
  static result<host_lock> lock(const std::string& dir, const std::string& name, waiting how,
                                std::chrono::steady_clock::time_point deadline, std::chrono::milliseconds limit);
  int fd_ = -1;
  std::string path_;  // DIR/NAME.lock, unlinked on release
};

}  // namespace iohyve_api::detail
