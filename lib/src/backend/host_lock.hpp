// Locks that hold across processes: flock(2) on files in a lock directory
// (host_paths::lock_dir). Shell scripts run the CLI side by side, so a
// mutex inside one process does not keep two callers apart; an flock does,
// between processes and between threads of one process alike (each lock
// opens its own file description, and flock locks of different
// descriptions exclude each other, FreeBSD flock(2), Linux flock(2)).
//
// The files are never removed: removing a lock file while another caller
// waits on it would let a third caller lock a new file of the same name.
#pragma once

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
  // the system's reason.
  static result<host_lock> acquire(const std::string& dir, const std::string& name);
  // The same without waiting: error_code::conflict when another caller
  // holds it.
  static result<host_lock> try_acquire(const std::string& dir, const std::string& name);

  bool held() const noexcept { return fd_ >= 0; }
  void release() noexcept;

 private:
  explicit host_lock(int fd) : fd_(fd) {}
  static result<host_lock> lock(const std::string& dir, const std::string& name, bool wait);
  int fd_ = -1;
};

}  // namespace iohyve_api::detail
