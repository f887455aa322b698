// The exact command lines the backend runs, in one place, so that the
// client (which runs them) and the planner (--dry-run, which only shows
// them) cannot drift apart.
#pragma once

#include <string>
#include <string_view>

#include "iohyve_api/host.hpp"
#include "iohyve_api/runner.hpp"

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
command iohyve(const host_paths& p, std::initializer_list<std::string> args);
command zfs(const host_paths& p, std::initializer_list<std::string> args);
command bhyvectl(const host_paths& p, std::initializer_list<std::string> args);
// A guest's VM is "ioh-NAME" in the kernel (/dev/vmm/ioh-NAME).
// Powers it off at once (a forced stop), and unloads it from vmm.
command vm_power_off(const host_paths& p, const std::string& guest);
command vm_destroy(const host_paths& p, const std::string& guest);

}  // namespace iohyve_api::detail::commands
