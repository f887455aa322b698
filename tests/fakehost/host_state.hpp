// The parts of the emulated FreeBSD host that are not ZFS: network
// interfaces and bridges (ifconfig), kernel modules (kldstat/kldload),
// sysctls, and the table of emulated processes (what pgrep sees).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fakehost {

struct net_interface {
  std::string name;
  std::string description;           // ifconfig ... descr
  std::vector<std::string> members;  // for bridges: ifconfig bridgeN addm IF
  bool up = false;
};

// An emulated process: pid, its start time (/proc/PID/stat field 22, so a
// reused pid is never mistaken for it) and its title as ps(1) shows it,
// e.g. "bhyve: ioh-web" (bhyve's setproctitle).
struct emulated_process {
  pid_t pid = 0;
  std::uint64_t start_time = 0;
  std::string title;
};

class host_state {
 public:
  void load_host(std::string_view text);
  void load_procs(std::string_view text);
  std::string serialize_host() const;
  std::string serialize_procs() const;

  // ifconfig -l order: creation order.
  std::vector<net_interface> interfaces;
  std::set<std::string> modules;  // loaded kernel modules (kldstat -m)
  std::map<std::string, std::string> sysctls;
  std::vector<emulated_process> procs;

  net_interface* find_interface(std::string_view name);
  const net_interface* find_interface(std::string_view name) const;
  // `ifconfig -l`: the names, space separated.
  std::string interface_list() const;

  // Emulated processes that are still alive, sorted by pid; dead entries
  // (a guest killed with SIGKILL cannot remove its own) are dropped.
  std::vector<emulated_process> live_processes() const;
  void prune_dead();
  void remove_process(pid_t pid);
};

// /proc/PID/stat's start time, or nullopt when the process is gone (or a
// zombie: an orphan whose reaper has not collected it yet).
std::optional<std::uint64_t> process_start_time(pid_t pid);
bool process_alive(const emulated_process& p);

}  // namespace fakehost
