// The emulated bhyve process of a guest.
//
// Real `iohyve install` / `iohyve start` leave bhyve running in the
// background ("bhyve: ioh-NAME" in ps, from bhyve's setproctitle), holding
// the caller's stdout and stderr open; `start` also leaves a supervising
// loop that runs `bhyvectl --destroy` once bhyve exits (lib/ioh-guest
// __guest_boot). The emulation is one process doing both jobs:
//
//  * double-forked and setsid()ed, so it is nobody's child and outlives the
//    iohyve that started it, with the caller's fd 1 and 2 and nothing else;
//  * registered in the state folder's process table ("procs") by the
//    launching iohyve before it returns, so pgrep sees it at once;
//  * waits for SIGTERM (`iohyve stop`: ACPI shutdown) or SIGUSR2
//    (`bhyvectl --force-poweroff`), drops its process entry and exits 1
//    (bhyve's status after a power-off); for a started guest the
//    supervising loop's `bhyvectl --destroy` removes VMMDIR/ioh-NAME: at
//    once after SIGTERM, 5 s (config "supervisor_delay") after SIGUSR2;
//  * exits by itself when the test that owns the emulated host is gone.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "host_state.hpp"
#include "session.hpp"

namespace fakehost {

// "bhyve: ioh-NAME" for VM name "ioh-NAME".
std::string bhyve_title(const std::string& vm_name);
// VMMDIR/VMNAME: the emulated /dev/vmm/ioh-NAME.
std::filesystem::path vmm_file(const state_dir& dir, const std::string& vm_name);

// Starts the emulated bhyve for VM vm_name ("ioh-NAME"), supervised by
// `iohyve start`'s loop or not (`iohyve install`), and records it in
// s's process table (committed before returning). Returns its pid, or -1.
pid_t launch_guest(session& s, const std::string& vm_name, bool supervised);

// The signal `bhyvectl --force-poweroff` sends the emulated bhyve.
inline constexpr int poweroff_signal = 12;  // SIGUSR2 on Linux

// Waits (with s unlocked, so the guests can tidy up) until none of procs is
// alive any more, or timeout.
void wait_until_gone(session& s, const std::vector<emulated_process>& procs, std::chrono::milliseconds timeout);

}  // namespace fakehost
