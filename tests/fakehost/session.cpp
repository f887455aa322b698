#include "session.hpp"

namespace fakehost {

session::session(const state_dir& dir) : dir_(dir), lock_(dir.file("lock")), zfs_(dir.data_dir()) { load(); }

session::~session() {
  try {
    if (locked_) commit();
  } catch (...) {
    // Nothing sensible to do while unwinding; the old state stays intact
    // because files are only ever replaced whole.
  }
}

void session::load() {
  zfs_text_ = read_text(dir_.file("zfs"));
  host_text_ = read_text(dir_.file("host"));
  procs_text_ = read_text(dir_.file("procs"));
  zfs_ = zfs_store(dir_.data_dir());
  zfs_.load(zfs_text_);
  host_.load_host(host_text_);
  host_.load_procs(procs_text_);
  host_.prune_dead();
}

void session::commit() {
  if (!locked_) return;
  auto write_if_changed = [&](const char* name, std::string text, std::string& last) {
    if (text == last) return;
    write_atomically(dir_.file(name), text);
    last = std::move(text);
  };
  write_if_changed("zfs", zfs_.serialize(), zfs_text_);
  write_if_changed("host", host_.serialize_host(), host_text_);
  write_if_changed("procs", host_.serialize_procs(), procs_text_);
}

void session::unlock() {
  if (!locked_) return;
  commit();
  lock_.release();
  locked_ = false;
}

void session::relock() {
  if (locked_) return;
  lock_.acquire();
  locked_ = true;
  load();
}

}  // namespace fakehost
