#include "backend/commands.hpp"

namespace iohyve_api::detail::commands {

namespace {

command zfs(const host_paths& p, std::vector<std::string> args) { return command{p.zfs, std::move(args), {}}; }
command iohyve(const host_paths& p, std::vector<std::string> args) { return command{p.iohyve, std::move(args), {}}; }
command bhyvectl(const host_paths& p, std::vector<std::string> args) {
  return command{p.bhyvectl, std::move(args), {}};
}

}  // namespace

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

command version(const host_paths& p) { return iohyve(p, {"version"}); }

command fetch_iso(const host_paths& p, const std::string& url) { return iohyve(p, {"fetch", url}); }

command rename_iso(const host_paths& p, const std::string& source, const std::string& target) {
  return iohyve(p, {"renameiso", source, target});
}

command remove_iso(const host_paths& p, const std::string& iso) { return iohyve(p, {"rmiso", iso}); }

command setup(const host_paths& p, const std::string& pool, const std::string& nic) {
  return iohyve(p, {"setup", "pool=" + pool, "kmod=1", "net=" + nic});
}

command create_guest(const host_paths& p, const std::string& guest, const std::string& disk_size) {
  return iohyve(p, {"create", guest, disk_size});
}

command record_install_iso(const host_paths& p, const std::string& guest_dataset, const std::string& iso) {
  return zfs(p, {"set", std::string(install_iso_property) + "=" + iso, guest_dataset});
}

command install_guest(const host_paths& p, const std::string& guest, const std::string& iso) {
  return iohyve(p, {"install", guest, iso});
}

command start_guest(const host_paths& p, const std::string& guest) { return iohyve(p, {"start", guest}); }

command stop_guest(const host_paths& p, const std::string& guest) { return iohyve(p, {"stop", guest}); }

command destroy_guest_dataset(const host_paths& p, const std::string& guest_dataset) {
  return zfs(p, {"destroy", "-r", guest_dataset});
}

command add_disk(const host_paths& p, const std::string& guest, const std::string& disk_size,
                 const std::string& pool) {
  if (pool.empty()) return iohyve(p, {"add", guest, disk_size});
  return iohyve(p, {"add", guest, disk_size, pool});
}

command set_volume_size(const host_paths& p, const std::string& volume, const std::string& new_size) {
  return zfs(p, {"set", "volsize=" + new_size, volume});
}

command set_disk0_size(const host_paths& p, const std::string& guest_dataset, const std::string& new_size) {
  return zfs(p, {"set", "iohyve:size=" + new_size, guest_dataset});
}

command remove_property(const host_paths& p, const std::string& property, const std::string& guest_dataset) {
  return zfs(p, {"inherit", property, guest_dataset});
}

command destroy_volume(const host_paths& p, const std::string& volume) { return zfs(p, {"destroy", volume}); }

command set_properties(const host_paths& p, const std::vector<std::string>& assignments,
                       const std::string& guest_dataset) {
  std::vector<std::string> args;
  args.reserve(assignments.size() + 2);
  args.emplace_back("set");
  args.insert(args.end(), assignments.begin(), assignments.end());
  args.push_back(guest_dataset);
  return zfs(p, std::move(args));
}

std::vector<std::string> property_assignments(const std::vector<property>& properties) {
  std::vector<std::string> out;
  out.reserve(properties.size());
  for (const auto& prop : properties) out.push_back("iohyve:" + prop.name() + "=" + prop.value());
  return out;
}

command vm_power_off(const host_paths& p, const std::string& guest) {
  return bhyvectl(p, {"--force-poweroff", "--vm=ioh-" + guest});
}

command vm_destroy(const host_paths& p, const std::string& guest) {
  return bhyvectl(p, {"--destroy", "--vm=ioh-" + guest});
}

}  // namespace iohyve_api::detail::commands
