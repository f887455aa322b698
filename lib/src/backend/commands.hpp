// The exact command lines the backend runs, in one place, so that the
// client (which runs them) and the planner (--dry-run, which only shows
// them) cannot drift apart.
#pragma once

#include <string>

#include "iohyve_api/host.hpp"
#include "iohyve_api/runner.hpp"

namespace iohyve_api::detail::commands {

// The three properties listvms needs, for every filesystem, in one process.
command guest_records(const host_paths& p);
// Every running guest, in one process: bhyve titles itself "bhyve: ioh-NAME".
command running_guests(const host_paths& p);
// Every filesystem; ISOs are POOL/iohyve/ISO/FILE.
command filesystems(const host_paths& p);
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
