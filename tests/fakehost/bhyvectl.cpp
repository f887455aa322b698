// bhyvectl(8), the two operations iohyve and the library use:
//   bhyvectl --force-poweroff --vm=ioh-NAME   power the guest off (its
//       emulated bhyve exits; a started guest's supervising loop then
//       removes the VMM entry, an installing one's stays)
//   bhyvectl --destroy --vm=ioh-NAME          remove /dev/vmm/ioh-NAME (a
//       bhyve still running on it exits)
// plus --create. A VM that is not in /dev/vmm gives vm_open's error, exit 1.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <system_error>

#include "guest.hpp"
#include "tools.hpp"

namespace fakehost {

namespace {

int bhyvectl_usage(sink& err) {
  err.write(
      "Usage: bhyvectl --vm=<vmname>\n"
      "       [--cpu=<vcpu_number>]\n"
      "       [--create]\n"
      "       [--destroy]\n"
      "       [--get-all]\n"
      "       [--get-stats]\n"
      "       [--force-reset]\n"
      "       [--force-poweroff]\n");
  return 1;
}

}  // namespace

int run_bhyvectl(session& s, const arguments& args, streams io) {
  std::string vm;
  bool create = false, destroy = false, poweroff = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--vm=", 0) == 0) {
      vm = a.substr(5);
    } else if (a == "--vm" && i + 1 < args.size()) {
      vm = args[++i];
    } else if (a == "--create") {
      create = true;
    } else if (a == "--destroy") {
      destroy = true;
    } else if (a == "--force-poweroff" || a == "--force-reset") {
      poweroff = true;
    } else if (a.rfind("--cpu", 0) == 0 || a == "--get-stats" || a == "--get-all") {
      continue;
    } else {
      io.err.print("bhyvectl: unrecognized option `{}'\n", a);
      return bhyvectl_usage(io.err);
    }
  }
  if (vm.empty()) return bhyvectl_usage(io.err);
  const auto file = vmm_file(s.dir(), vm);
  std::error_code ec;
  if (create) {
    if (std::filesystem::exists(file, ec)) {
      io.err.write("vm_create: File exists\n");
      return 1;
    }
    std::filesystem::create_directories(file.parent_path(), ec);
    std::ofstream(file).put('\n');
    return 0;
  }
  if (!std::filesystem::exists(file, ec)) {
    io.err.print("vm_open: {} could not be opened: No such file or directory\n", vm);
    return 1;
  }
  if (poweroff || destroy) {
    // The guest's bhyve exits when its VM is powered off or destroyed.
    std::vector<emulated_process> stopping;
    for (const auto& p : s.host().live_processes()) {
      if (p.title != bhyve_title(vm)) continue;
      ::kill(p.pid, poweroff_signal);
      stopping.push_back(p);
    }
    wait_until_gone(s, stopping, std::chrono::seconds(5));
  }
  if (destroy) std::filesystem::remove(file, ec);
  return 0;
}

}  // namespace fakehost
