// lib/ioh-setup: `iohyve setup pool=P kmod=0|1 net=IFACE`, in that order
// whatever the order of the arguments (fixtures 03, 04, 84, 85).
#include <algorithm>
#include <cctype>

#include "iohyve.hpp"

namespace fakehost::iohyve {

namespace {

// __setup_pool: P/iohyve mounted at /iohyve (or at /iohyve/P when another
// pool already holds iohyve), with ISO and Firmware below it.
int setup_pool(script& sh, const std::string& pool) {
  sink quiet = sink::discard();
  if (run_zpool(sh.host(), {"status", pool}, streams{quiet, sh.err()}) != 0) {
    sh.out().write("There are errors with the pool or pool name.\nPlease check the zpool status\n");
    return -1;  // the script exits 1 here
  }
  sh.zfs({"list", pool + "/iohyve"}, true);
  if (sh.last_status() == 0) {
    sh.out().print("iohyve already exists on {}\n", pool);
    return 0;
  }
  sh.out().write("Setting up iohyve pool...\n");
  sh.zfs_run({"create", pool + "/iohyve"});
  if (sh.is_directory("/iohyve/ISO")) {
    sh.out().write("Secondary pool set up...\n");
    return sh.zfs_run({"set", "mountpoint=/iohyve/" + pool, pool + "/iohyve"});
  }
  sh.zfs_run({"set", "mountpoint=/iohyve", pool + "/iohyve"});
  sh.zfs_run({"create", pool + "/iohyve/ISO"});
  return sh.zfs_run({"create", pool + "/iohyve/Firmware"});
}

// __setup_kmod: kldload/kldunload of vmm, nmdm, if_bridge and if_tap.
int setup_kmod(script& sh, const std::string& value) {
  auto& modules = sh.host().host().modules;
  static const char* const all[] = {"vmm", "nmdm", "if_bridge", "if_tap"};
  if (value == "1") {
    sh.out().write("Loading kernel modules...\n");
    for (const char* m : all) modules.insert(m);
  } else if (value == "0") {
    sh.out().write("Unloading kernel modules...\n");
    for (const char* m : all) modules.erase(m);
  } else {
    sh.out().write("Improper syntax\nkmod=1 to load modules\nkmod=0 to unload modules\n");
  }
  // if_tap's sysctl exists while the module is loaded.
  auto& sysctls = sh.host().host().sysctls;
  if (modules.count("if_tap"))
    sysctls.emplace("net.link.tap.up_on_open", "0");
  else
    sysctls.erase("net.link.tap.up_on_open");
  return 0;
}

// __setup_net: a bridge holding IFACE (bridgeN, N one above the highest),
// then net.link.tap.up_on_open=1. The message after a successful setup says
// "already enabled" whether or not the bridge was just created (fixture 03).
int setup_net(script& sh, const std::string& iface) {
  host_state& host = sh.host().host();
  std::string bridge;
  int highest = -1;
  for (const auto& i : host.interfaces) {
    if (i.name.rfind("bridge", 0) != 0) continue;
    highest = std::max(highest, std::atoi(i.name.c_str() + 6));
    if (std::find(i.members.begin(), i.members.end(), iface) != i.members.end()) bridge = i.name;
  }
  if (bridge.empty()) {
    bridge = "bridge" + std::to_string(highest + 1);
    if (!host.find_interface(iface)) {
      // ifconfig bridgeN addm IFACE fails; the bridge is taken down again
      // (the clean-up is a guess: the 0.7.9 source was not available).
      sh.err().print("ifconfig: BRDGADD {}: No such file or directory\n", iface);
      sh.out().print("Setting up bridge with \"{}\" failed!\n", iface);
      return 1;
    }
    net_interface b;
    b.name = bridge;
    b.description = "iohyve-bridge-" + iface;
    b.members.push_back(iface);
    b.up = true;
    host.interfaces.push_back(b);
  }
  sh.out().print("bridge \"{}\" is already enabled on this machine...\n", bridge);
  auto it = host.sysctls.find("net.link.tap.up_on_open");
  if (it == host.sysctls.end()) {
    sh.out().write("cannot set 'net.link.tap.up_on_open': is if_tap loaded?\n");
    return 1;
  }
  if (it->second == "0") {
    sh.out().write("Setting up correct sysctl value...\n");
    sh.out().write("net.link.tap.up_on_open: 0 -> 1\n");  // sysctl(8)'s report
    it->second = "1";
  } else {
    sh.out().write("sysctl already setup properly as well...\n");
  }
  return 0;
}

}  // namespace

int setup(script& sh, const arguments& args) {
  if (args.size() < 2) {
    sh.out().write(
        "Please specify setup parameters.\n"
        "Usage: 'iohyve setup <pool=poolname> [kmod=0|1] [net=iface]'\n"
        "See man page for details.\n");
    return 1;
  }
  // The fixtures were captured with bash as /bin/sh; its complaint about a
  // `[ ... $@ ... ]` test on line 12 appears whenever there is more than one
  // argument, and is part of the recorded stderr.
  if (args.size() > 2) sh.err().write("/usr/local/lib/iohyve/ioh-setup: line 12: [: too many arguments\n");
  std::string pool, kmod, net;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string key = cut_field(args[i], '=', 1), value = cut_field(args[i], '=', 2);
    if (key == "pool") pool = value;
    else if (key == "kmod") kmod = value;
    else if (key == "net") net = value;
  }
  int status = 0;
  if (!pool.empty()) {
    status = setup_pool(sh, pool);
    if (status < 0) return 1;
  }
  if (!kmod.empty()) status = setup_kmod(sh, kmod);
  if (!net.empty()) status = setup_net(sh, net);
  return status;
}

}  // namespace fakehost::iohyve
