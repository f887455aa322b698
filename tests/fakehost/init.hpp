// Creating and stopping an emulated host: shared by the test helper
// (fake_host.hpp: its constructor and destructor) and by the program's own
// commands for shell scripts (examples/demo.sh), run when it is invoked as
// "fakehost":
//
//     fakehost init DIR [--pool NAME:SIZE]... [--nic NAME]... [--owner PID]
//     fakehost stop DIR
//
// init makes DIR (absent or empty) an emulated host:
//
//     DIR/bin/      zfs, zpool, iohyve, pgrep, bhyvectl, fetch: symbolic links
//                   to this program (its absolute path)
//     DIR/state/    the state (state.hpp): the pools (default tank:100G), the
//                   interfaces (default em0 and lo0; --nic replaces the list),
//                   if_tap loaded, nothing else
//     DIR/vmm/      stands for /dev/vmm
//     DIR/rc.conf   a typical /etc/rc.conf
//
// With --owner PID, emulated guests and hung tools exit by themselves once
// that process is gone (as they do when a test ends); without it, when DIR is
// removed. stop kills the emulated guests of DIR's host (bhyve processes
// started by `iohyve install/start`) and waits up to 2 seconds for them to go;
// it removes nothing.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "text.hpp"

namespace fakehost {

// The names bin/ links to the program.
inline constexpr const char* tool_links[] = {"zfs", "zpool", "iohyve", "pgrep", "bhyvectl", "fetch"};

struct host_spec {
  struct pool_spec {
    std::string name;
    std::uint64_t size_bytes = 0;
  };
  std::vector<pool_spec> pools;
  std::vector<std::string> interfaces;
  pid_t owner_pid = 0;  // 0: no owner
};

// Lays out an emulated host in root (created if needed; what is there is not
// checked): bin/ links to program, state/, vmm/, rc.conf. Throws on failure.
void init_host(const std::filesystem::path& root, const std::filesystem::path& program, const host_spec& spec);

// Sends SIGKILL to every emulated guest of the host in root and waits until
// they are gone (at most wait). Returns how many there were. Throws when the
// state cannot be read.
std::size_t stop_guests(const std::filesystem::path& root,
                        std::chrono::milliseconds wait = std::chrono::seconds(2));

// `fakehost init ...` / `fakehost stop ...` (args without "fakehost").
// argv0 locates the program when /proc/self/exe cannot.
int run_fakehost_command(const std::vector<std::string>& args, const std::string& argv0, streams io);

}  // namespace fakehost
