// The exact command lines the backend runs, in one place, so that the
// client (which runs them) and the planner (--dry-run, which only shows
// them) cannot drift apart.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "iohyve_api/host.hpp"
#include "iohyve_api/runner.hpp"
#include "iohyve_api/values.hpp"

namespace iohyve_api::detail::commands {

// The ISO an installer was started from, recorded by install on the guest
// (iohyve records only iohyve:install=yes): rmiso refuses to remove it
// while that guest runs. In the library's own namespace, not iohyve's.
inline constexpr std::string_view install_iso_property = "iohyve-api:install_iso";

// The three properties listvms needs, for every filesystem, in one process.
command guest_records(const host_paths& p);
// Every running guest, in one process: bhyve titles itself "bhyve: ioh-NAME".
command running_guests(const host_paths& p);
// Every filesystem; ISOs are POOL/iohyve/ISO/FILE.
command filesystems(const host_paths& p);
// Every own property of every filesystem (taps, consoles, pcidevs of all
// guests), value last: what create verifies and setprop checks against.
command guest_resources(const host_paths& p);
// Which guests run an installer, and from which ISO (install records it).
command installers(const host_paths& p);
// A volume's block size in bytes (volsize must be a multiple of it).
command volume_block_size(const host_paths& p, const std::string& volume);
command guest_disks(const host_paths& p, const std::string& guest_dataset);
command guest_properties(const host_paths& p, const std::string& guest_dataset);
command pool_iohyve_dataset(const host_paths& p, const std::string& pool);
command version(const host_paths& p);

// The changes. Every command line that changes the host is built here and
// nowhere else: the client runs these, and client::plan (--dry-run) shows
// the same ones, so the two cannot differ. Arguments are validated values
// (or a dataset made of them); the planner passes placeholders such as
// "<pool>/iohyve/web" for what only a lookup would tell.
command fetch_iso(const host_paths& p, const std::string& url);
command rename_iso(const host_paths& p, const std::string& source, const std::string& target);
command remove_iso(const host_paths& p, const std::string& iso);
command setup(const host_paths& p, const std::string& pool, const std::string& nic);
command create_guest(const host_paths& p, const std::string& guest, const std::string& disk_size);
// Records on the guest which ISO its installer boots (install_iso_property).
command record_install_iso(const host_paths& p, const std::string& guest_dataset, const std::string& iso);
command install_guest(const host_paths& p, const std::string& guest, const std::string& iso);
command start_guest(const host_paths& p, const std::string& guest);
command stop_guest(const host_paths& p, const std::string& guest);
// -r, not -R: -R would also destroy clones that belong to other guests.
command destroy_guest_dataset(const host_paths& p, const std::string& guest_dataset);
// pool empty: iohyve's default pool (never an empty pool argument: iohyve
// would then set a broken pcidev).
command add_disk(const host_paths& p, const std::string& guest, const std::string& disk_size,
                 const std::string& pool);
command set_volume_size(const host_paths& p, const std::string& volume, const std::string& new_size);
// iohyve:size describes disk0.
command set_disk0_size(const host_paths& p, const std::string& guest_dataset, const std::string& new_size);
// Removes an own property (zfs inherit), e.g. "iohyve:pcidev:2".
command remove_property(const host_paths& p, const std::string& property, const std::string& guest_dataset);
command destroy_volume(const host_paths& p, const std::string& volume);
// One zfs set for all: zfs applies them together or not at all.
// assignments: "iohyve:NAME=VALUE" each.
command set_properties(const host_paths& p, const std::vector<std::string>& assignments,
                       const std::string& guest_dataset);
// "iohyve:NAME=VALUE" for each property, for set_properties.
std::vector<std::string> property_assignments(const std::vector<property>& properties);
// A guest's VM is "ioh-NAME" in the kernel (/dev/vmm/ioh-NAME).
// Powers it off at once (a forced stop), and unloads it from vmm.
command vm_power_off(const host_paths& p, const std::string& guest);
command vm_destroy(const host_paths& p, const std::string& guest);

}  // namespace iohyve_api::detail::commands
