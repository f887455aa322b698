// The typed C++ API: one member function per action, for daemons that do not
// want to speak JSON. It checks preconditions, runs iohyve/zfs/pgrep/bhyvectl
// through a command_runner, parses their output and verifies the effect.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
struct client_options {
  // setprop of a pcidev:N that passes host PCI hardware through
  // (passthru,B/S/F) or hands the guest a host device or a volume that is
  // not one of its own zvols (ahci-hd,/dev/ada1): off, since either gives a
  // guest host hardware (403 while off).
  bool allow_host_devices = false;
};

class client {
 public:
  // The runner must outlive the client. The client is safe to use from
  // several threads and beside other processes using the same
  // host_paths::lock_dir: changes to one guest are serialized, and so are
  // changes that allocate host-wide resources (taps, consoles, ISO names).
  client(host_paths paths, command_runner& runner, client_options options = {});
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  result<std::vector<vm_info>> list_vms();  // sorted by name
  result<std::vector<std::string>> list_isos();  // sorted
  status rename_iso(const iso_name& source, const iso_name& target);
  status remove_iso(const iso_name& target);
  status setup(const pool_name& pool, const nic_name& nic);
  result<bool> is_setup();
  status create(const guest_name& name, const size& disk_size);
  status install(const guest_name& name, const iso_name& iso);
  status start(const guest_name& name);
  status stop(const guest_name& name, bool force);
  status destroy(const guest_name& name);  // the "delete" action
  // Returns the name of the new disk ("disk1", ...).
  result<std::string> add_disk(const guest_name& name, const size& disk_size,
                               const std::optional<pool_name>& pool);
  result<std::vector<disk_info>> list_disks(const guest_name& name);  // by index
  status resize_disk(const guest_name& name, const disk_name& disk, const size& new_size);
  status delete_disk(const guest_name& name, const disk_name& disk);
  result<std::string> version();
  result<std::vector<property_entry>> get_props(const guest_name& name);  // by name
  status set_props(const guest_name& name, const std::vector<property>& properties);

  // fetchiso, in two halves: check() refuses at once what cannot work (an
  // ISO of that name exists, or is being downloaded by another request of
  // this or another process: 409) and reserves the name (an flock in
  // host_paths::lock_dir) until fetch_iso() of that URL returns; call
  // fetch_iso() after a successful check. fetch() downloads, blocking,
  // reporting progress from the calling thread, and removes the partial
  // ISO dataset when it fails or is cancelled.
  status check_fetch(const url& source);
  status fetch_iso(const url& source, const progress_sink& on_progress,
                   const std::atomic<bool>* cancel);

  // The commands a request would run, for --dry-run: nothing is run. Values
  // only known after a lookup (the guest's pool) appear as "<pool>".
  std::vector<command> plan(const request& req) const;

  const host_paths& paths() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace iohyve_api
