// The typed C++ API: one member function per action, for daemons that do not
// want to speak JSON. It checks preconditions, runs iohyve/zfs/pgrep/bhyvectl
// through a command_runner, parses their output and verifies the effect.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "iohyve_api/export.hpp"
#include "iohyve_api/error.hpp"
#include "iohyve_api/host.hpp"
#include "iohyve_api/progress.hpp"
#include "iohyve_api/requests.hpp"
#include "iohyve_api/responses.hpp"
#include "iohyve_api/runner.hpp"
#include "iohyve_api/values.hpp"

namespace iohyve_api {

using progress_sink = std::function<void(const fetch_progress&)>;

// What the host's owner allows beyond the defaults.
struct IOHYVE_API client_options {
  // setprop of a pcidev:N that passes host PCI hardware through
  // (passthru,B/S/F) or hands the guest a host device or a volume that is
  // not one of its own zvols (ahci-hd,/dev/ada1): off, since either gives a
  // guest host hardware (403 while off).
  bool allow_host_devices = false;

  // How long a change waits for a lock another request or process holds:
  // a guest's, the host-wide one, rc.conf's. nullopt: guests' and the
  // host-wide lock are waited for without a limit (every holder's tools are
  // bounded by the runner's timeout, so it finishes), rc.conf's for 60 s.
  // Set, every one of them at most this long, then 504 naming the lock: a
  // holder that is stopped (SIGSTOP, a hung NFS lock directory) then cannot
  // hang every caller behind it.
  std::optional<std::chrono::milliseconds> lock_wait;
};

// Errors. Every member returns its errors as values (result/status) and
// throws nothing but std::bad_alloc. Codes (error_code, README "Errors"):
//   400 an argument the host refuses (named per member below);
//   403 a host device without client_options::allow_host_devices;
//   404 the guest, disk or ISO does not exist;
//   409 the state forbids it: exists already, is (not) running, is a
//       template, the name is ambiguous (on several pools, or a renamed
//       dataset's iohyve:name), another request holds the ISO name;
//   500 a tool failed (its words in the message), printed what cannot be
//       parsed, or reported success without the effect (every change is
//       verified afterwards); also a lock directory that cannot be used;
//   503 a tool is missing or not executable (host_paths);
//   504 a tool ran past its time limit and was stopped.
// 500, 503 and 504 can come from every member that runs a tool; the lists
// below name the others.
//
// Blocking. Every member runs its tools one after the other on the calling
// thread and returns when they are done. Each tool run is limited by the
// command_runner (process_runner_options::timeout, 60 s by default; fetch:
// 12 hours), so a member that runs k tools blocks for at most about k such
// limits plus the lock waits. Changes take flock(2) locks in
// host_paths::lock_dir and wait for them (without a limit unless
// client_options::lock_wait is set; then 504 after it), so a change waits
// for every change to the same guest before it (from this or another
// process) to finish:
//   guest-NAME      held for the whole change of guest NAME;
//   host-resources  host-wide, after the guest's lock: held by create and
//                   by set_props naming tap, con or pcidev:N;
//   iso-NAME        tried, never waited for: a second fetch of NAME is 409.
// Reads (list_*, get_props, version, is_setup, plan) take no lock.
//
// Threads. All members may be called from several threads at once (each
// takes its own locks; the runner must be thread-safe, as command_runner
// requires), and beside other processes using the same lock directory.
class IOHYVE_API client {
 public:
  // The runner must outlive the client. The client is safe to use from
  // several threads and beside other processes using the same
  // host_paths::lock_dir: changes to one guest are serialized, and so are
  // changes that allocate host-wide resources (taps, consoles, ISO names).
  // Runs nothing.
  client(host_paths paths, command_runner& runner, client_options options = {});
  // Releases the ISO names check_fetch() reserved for a fetch_iso() that
  // never came. Must not run while a member is running on another thread.
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Reads: zfs get + pgrep (and a stat of host_paths::vmm_dir per guest).
  // Only 500/503/504. A guest that cannot be addressed is listed with its
  // vm_info::conflict set, not refused.
  result<std::vector<vm_info>> list_vms();  // sorted by name
  // Read: zfs list. Only 500/503/504.
  result<std::vector<std::string>> list_isos();  // sorted
  // 404 no ISO source; 409 an ISO target exists. Takes no lock.
  status rename_iso(const iso_name& source, const iso_name& target);
  // 404 no such ISO; 409 a running installer boots from it. No lock.
  status remove_iso(const iso_name& target);
  // `iohyve setup`, then the iohyve flags in host_paths::rc_conf. 500 when
  // POOL/iohyve does not exist afterwards or rc.conf cannot be written;
  // 504 also when another process holds rc.conf's directory lock for more
  // than 60 s (rc.conf is then unchanged). No guest lock.
  status setup(const pool_name& pool, const nic_name& nic);
  // Reads rc.conf only (no tool, no lock): 500 if it cannot be read.
  result<bool> is_setup();
  // 400 the name is ISO or Firmware (iohyve's own datasets); 409 the guest
  // exists (or the name is ambiguous), or iohyve is not set up. Holds the
  // guest's lock and the host-wide host-resources lock for the whole
  // create: creates, and set_props of taps/consoles/pcidevs, on this host
  // wait for it. 500 also when iohyve gave the new guest another guest's
  // tap or console (the guest then exists; change it with set_props).
  status create(const guest_name& name, const size& disk_size);
  // install and start: 404 no such guest (install: or no such ISO); 409 it
  // runs, is a template, is ambiguous, or another running guest's name
  // begins with this one (iohyve 0.7.9 would mistake it for this one).
  // Both hold the guest's lock for seconds: after iohyve returns they poll
  // pgrep up to 10 times, 0.1 s to 1 s apart (about 5.5 s in all), until a
  // bhyve process for the guest shows; 500 if none does.
  status install(const guest_name& name, const iso_name& iso);
  status start(const guest_name& name);
  // 404 no such guest; 409 not running, or ambiguous. force: bhyvectl
  // --force-poweroff, then --destroy, of exactly this VM (not iohyve
  // forcekill); otherwise `iohyve stop`. Returns when the tool does: it
  // does not wait for the guest to go down. Holds the guest's lock.
  status stop(const guest_name& name, bool force);
  // The "delete" action. 404 no such guest; 409 it runs, is a template, or
  // is ambiguous. Unloads a stopped VM still in vmm first. Holds the
  // guest's lock.
  status destroy(const guest_name& name);
  // Returns the name of the new disk ("disk1", ...). 404 no such guest;
  // 400 pool is not the guest's pool; 409 ambiguous; 500 also when the new
  // disk is not exactly once in the guest's pcidevs. Holds the guest's lock.
  result<std::string> add_disk(const guest_name& name, const size& disk_size,
                               const std::optional<pool_name>& pool);
  // Read, no lock. 404 no such guest; 409 ambiguous.
  result<std::vector<disk_info>> list_disks(const guest_name& name);  // by index
  // 404 no such guest or disk; 409 it runs, or ambiguous; 400 the size is
  // not larger (disks only grow) or not a multiple of the volume's block
  // size. Holds the guest's lock.
  status resize_disk(const guest_name& name, const disk_name& disk, const size& new_size);
  // 400 disk0 (the boot disk); 404 no such guest or disk; 409 it runs, or
  // ambiguous. Holds the guest's lock.
  status delete_disk(const guest_name& name, const disk_name& disk);
  // `iohyve version`. Only 500/503/504.
  result<std::string> version();
  // Read, no lock. 404 no such guest; 409 ambiguous.
  result<std::vector<property_entry>> get_props(const guest_name& name);  // by name
  // All properties in one zfs set (all or none). 404 no such guest; 409
  // ambiguous, or a tap, console or volume another guest uses; 403 a
  // pcidev:N that passes host hardware or a foreign device through while
  // client_options::allow_host_devices is off. Holds the guest's lock, and
  // host-resources too when a tap, con or pcidev:N is set.
  status set_props(const guest_name& name, const std::vector<property>& properties);

  // fetchiso, in two halves: check() refuses at once what cannot work (an
  // ISO of that name exists, or is being downloaded by another request of
  // this or another process: 409) and reserves the name (an flock in
  // host_paths::lock_dir) until fetch_iso() of that URL returns; call
  // fetch_iso() after a successful check. fetch() downloads, blocking,
  // reporting progress from the calling thread, and removes the partial
  // ISO dataset when it fails or is cancelled.
  // check_fetch never waits for a lock (one zfs list). fetch_iso blocks for
  // the whole download (limit 12 hours; *cancel = true stops fetch(1) with
  // SIGTERM, then SIGKILL after process_runner_options::kill_grace); 409
  // when the name is reserved by another request (no check_fetch before),
  // 500 when the download fails or is cancelled (after the partial ISO is
  // removed) or no ISO exists afterwards, 504 past 12 hours. on_progress
  // may be empty.
  status check_fetch(const url& source);
  status fetch_iso(const url& source, const progress_sink& on_progress,
                   const std::atomic<bool>* cancel);

  // The commands a request would run, for --dry-run: nothing is run. Values
  // only known after a lookup (the guest's pool) appear as "<pool>".
  // No error, no lock, no tool: returns at once.
  std::vector<command> plan(const request& req) const;

  const host_paths& paths() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace iohyve_api
