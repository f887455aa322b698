#include "backend/commands.hpp"

namespace iohyve_api::detail::commands {

command guest_records(const host_paths& p) {
  // The value last: it may hold tabs and newlines (parse_guest_records).
  return zfs(p, {"get", "-H", "-p", "-o", "name,property,source,value", "-s", "local,received", "-t",
                 "filesystem", "iohyve:name,iohyve:boot,iohyve:description"});
}

command running_guests(const host_paths& p) {
  // An extended regex against the whole command line (FreeBSD pgrep -f);
  // the parser then keeps exact "bhyve: ioh-NAME" titles only.
  return command{p.pgrep, {"-lf", "^bhyve: ioh-"}, {}};
}

command filesystems(const host_paths& p) {
  return zfs(p, {"list", "-H", "-o", "name", "-t", "filesystem"});
}

command guest_resources(const host_paths& p) {
  return zfs(p, {"get", "-H", "-o", "name,property,source,value", "-s", "local,received", "-t", "filesystem", "all"});
}

command installers(const host_paths& p) {
  return zfs(p, {"get", "-H", "-p", "-o", "name,property,source,value", "-s", "local,received", "-t", "filesystem",
                 "iohyve:name,iohyve:install," + std::string(install_iso_property)});
}

command volume_block_size(const host_paths& p, const std::string& volume) {
  return zfs(p, {"get", "-H", "-p", "-o", "value", "volblocksize", volume});
}

command guest_disks(const host_paths& p, const std::string& guest_dataset) {
  return zfs(p, {"list", "-H", "-p", "-o", "name,volsize", "-t", "volume", "-r", guest_dataset});
}

command guest_properties(const host_paths& p, const std::string& guest_dataset) {
  // Inherited values too: a guest's effective configuration (iohyve reads
  // them the same way). The value last, as for guest_records.
  return zfs(p, {"get", "-H", "-o", "property,source,value", "-s", "local,received,inherited", "all",
                 guest_dataset});
}

command pool_iohyve_dataset(const host_paths& p, const std::string& pool) {
  return zfs(p, {"list", "-H", "-o", "name", pool + "/iohyve"});
}

command iohyve(const host_paths& p, std::initializer_list<std::string> args) {
  return command{p.iohyve, args, {}};
}

command zfs(const host_paths& p, std::initializer_list<std::string> args) {
  return command{p.zfs, args, {}};
}

command bhyvectl(const host_paths& p, std::initializer_list<std::string> args) {
  return command{p.bhyvectl, args, {}};
}

command vm_power_off(const host_paths& p, const std::string& guest) {
  return bhyvectl(p, {"--force-poweroff", "--vm=ioh-" + guest});
}

command vm_destroy(const host_paths& p, const std::string& guest) {
  return bhyvectl(p, {"--destroy", "--vm=ioh-" + guest});
}

}  // namespace iohyve_api::detail::commands
