// One tool invocation's view of the emulated host: the state folder locked
// and loaded. Changes are written back (atomically, file by file) by commit()
// or when the session ends; unlock()/relock() let a long-running command
// (fetch, `iohyve delete`'s 10 s pause, `iohyve stop` waiting for the guest)
// step aside so that other invocations are not blocked meanwhile.
#pragma once

#include <string>

#include "host_state.hpp"
#include "state.hpp"
#include "zfs_model.hpp"

namespace fakehost {

class session {
 public:
  explicit session(const state_dir& dir);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  const state_dir& dir() const { return dir_; }
  zfs_store& zfs() { return zfs_; }
  const zfs_store& zfs() const { return zfs_; }
  host_state& host() { return host_; }

  // Writes whatever changed.
  void commit();
  // commit(), then let other invocations in; relock() takes the lock again
  // and reloads (they may have changed things).
  void unlock();
  void relock();
  bool locked() const { return locked_; }
  // The descriptor of the lock file (a forked guest must close it).
  int lock_fd() const { return lock_.fd(); }

 private:
  void load();

  state_dir dir_;
  file_lock lock_;
  bool locked_ = true;
  zfs_store zfs_;
  host_state host_;
  std::string zfs_text_, host_text_, procs_text_;
};

}  // namespace fakehost
