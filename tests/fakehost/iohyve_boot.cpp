// What `iohyve install` and `iohyve start` run once they have decided to
// boot a guest (lib/ioh-guest __guest_load, __guest_prepare, the bhyve
// command line and, for start, __guest_boot's supervising loop):
//
//   bhyveload -m RAM -d MEDIA -c /dev/nmdmNA ioh-NAME   creates the VM
//       (/dev/vmm/ioh-NAME), even when MEDIA cannot be opened (fixture 70);
//   ifconfig tapN create descr iohyve-NAME--; ifconfig bridge0 addm tapN
//       for a tap that does not exist yet (calls.log, 34-install);
//   bhyve ... ioh-NAME &    fails on the first backing file it cannot open,
//       else runs in the background as the emulated guest (guest.hpp).
#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "guest.hpp"
#include "iohyve.hpp"

namespace fakehost::iohyve {

namespace {

// Does the file behind a bhyve backing path exist? /dev/zvol/POOL/... are
// the volumes; other paths live on the emulated filesystem.
bool backing_exists(script& sh, const std::string& path) {
  const std::string zvol = "/dev/zvol/";
  if (path.rfind(zvol, 0) == 0) {
    const dataset* d = sh.host().zfs().find(path.substr(zvol.size()));
    return d && d->type == ds_type::volume;
  }
  std::error_code ec;
  return std::filesystem::is_regular_file(sh.host().zfs().host_path(path), ec);
}

void create_vm(script& sh, const std::string& name) {
  auto file = vmm_file(sh.dir(), "ioh-" + name);
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (!std::filesystem::exists(file, ec)) write_atomically(file, "");
}

// __guest_prepare's tap handling for the guest's iohyve:tap list.
void prepare_taps(script& sh, const std::string& name, const std::string& dataset) {
  host_state& host = sh.host().host();
  for (const auto& tap : split(sh.prop(dataset, "tap"), ',')) {
    if (tap.empty() || tap == "-" || host.find_interface(tap)) continue;
    net_interface t;
    t.name = tap;
    t.description = "iohyve-" + name + "--";
    t.up = true;
    host.interfaces.push_back(t);
    if (net_interface* bridge = host.find_interface("bridge0"))
      bridge->members.push_back(tap);
    else
      sh.err().write("ifconfig: interface bridge0 does not exist\n");
  }
}

}  // namespace

bool boot_guest(script& sh, const std::string& name, const std::string& dataset, const std::string& boot_media,
                const std::string& cd_media, bool supervised) {
  // bhyveload: the VM exists from here on, whatever happens next.
  create_vm(sh, name);
  if (!backing_exists(sh, boot_media)) sh.err().print("bhyveload: Could not open '{}'\n", boot_media);
  prepare_taps(sh, name, dataset);

  // bhyve's block devices in slot order: disk0, the pcidev:N disks, the CD.
  std::vector<std::string> backing{"/dev/zvol/" + dataset + "/disk0"};
  std::vector<std::pair<int, std::string>> pcidevs;
  if (const fakehost::dataset* d = sh.host().zfs().find(dataset)) {
    for (const auto& [prop, value] : d->local) {
      const std::string prefix = "iohyve:pcidev:";
      if (prop.rfind(prefix, 0) != 0) continue;
      auto comma = value.find(',');
      if (value.rfind("ahci-hd", 0) == 0 && comma != std::string::npos)
        pcidevs.emplace_back(std::atoi(prop.c_str() + prefix.size()), value.substr(comma + 1));
    }
  }
  std::sort(pcidevs.begin(), pcidevs.end());
  for (const auto& [n, path] : pcidevs) backing.push_back(path);
  if (!cd_media.empty()) backing.push_back(cd_media);
  for (const auto& path : backing) {
    if (backing_exists(sh, path)) continue;
    sh.err().print("bhyve: Could not open backing file: {}: No such file or directory\n", path);
    sh.err().write("Device emulation initialization error: No such file or directory\n");
    return false;
  }
  return launch_guest(sh.host(), "ioh-" + name, supervised) > 0;
}

}  // namespace fakehost::iohyve
