// client::plan: the commands a request would run, for --dry-run. It mirrors
// the client's member functions step by step (lookups first, then the
// change), using the same command builders, and runs nothing.
#include <algorithm>
#include <type_traits>

#include "backend/commands.hpp"
#include "iohyve_api/client.hpp"

namespace iohyve_api {

using namespace detail;

namespace {

// What a lookup would find, written as a placeholder.
std::string dataset_of(const guest_name& name) { return "<pool>/iohyve/" + name.str(); }

}  // namespace

std::vector<command> client::plan(const request& req) const {
  const host_paths& p = paths();
  const command guests = commands::guest_records(p);
  const command running = commands::running_guests(p);
  const command isos = commands::filesystems(p);
  return std::visit(
      [&](const auto& r) -> std::vector<command> {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, listvms_request>) {
          return {guests, running};
        } else if constexpr (std::is_same_v<T, listisos_request>) {
          return {isos};
        } else if constexpr (std::is_same_v<T, fetchiso_request>) {
          return {isos, commands::iohyve(p, {"fetch", r.source.str()}), isos};
        } else if constexpr (std::is_same_v<T, renameiso_request>) {
          return {isos, commands::iohyve(p, {"renameiso", r.source.str(), r.target.str()}), isos};
        } else if constexpr (std::is_same_v<T, rmiso_request>) {
          // pgrep only when a guest has iohyve:install=yes.
          return {isos, commands::installers(p), commands::iohyve(p, {"rmiso", r.target.str()}), isos};
        } else if constexpr (std::is_same_v<T, setup_request>) {
          return {commands::iohyve(p, {"setup", "pool=" + r.pool.str(), "kmod=1", "net=" + r.nic.str()}),
                  commands::pool_iohyve_dataset(p, r.pool.str())};
        } else if constexpr (std::is_same_v<T, issetup_request>) {
          return {};  // reads rc.conf, runs nothing
        } else if constexpr (std::is_same_v<T, create_request>) {
          // filesystems only when iohyve create fails (is iohyve set up?).
          return {guests, commands::iohyve(p, {"create", r.name.str(), r.disk_size.str()}), guests,
                  commands::guest_resources(p)};
        } else if constexpr (std::is_same_v<T, install_request>) {
          return {guests,
                  running,
                  commands::guest_properties(p, dataset_of(r.name)),
                  isos,
                  commands::zfs(p, {"set", std::string(commands::install_iso_property) + "=" + r.iso.str(),
                                    dataset_of(r.name)}),
                  commands::iohyve(p, {"install", r.name.str(), r.iso.str()}),
                  running};
        } else if constexpr (std::is_same_v<T, start_request>) {
          return {guests, running, commands::guest_properties(p, dataset_of(r.name)),
                  commands::iohyve(p, {"start", r.name.str()}), running};
        } else if constexpr (std::is_same_v<T, stop_request>) {
          if (!r.force) return {guests, running, commands::iohyve(p, {"stop", r.name.str()})};
          return {guests, running, commands::vm_power_off(p, r.name.str()), commands::vm_destroy(p, r.name.str())};
        } else if constexpr (std::is_same_v<T, delete_request>) {
          // bhyvectl runs only when the stopped guest is still loaded in vmm.
          return {guests,
                  running,
                  commands::guest_properties(p, dataset_of(r.name)),
                  commands::vm_destroy(p, r.name.str()),
                  commands::zfs(p, {"destroy", "-r", dataset_of(r.name)}),
                  guests};
        } else if constexpr (std::is_same_v<T, adddisk_request>) {
          const command disks = commands::guest_disks(p, dataset_of(r.name));
          const command add = r.pool ? commands::iohyve(p, {"add", r.name.str(), r.disk_size.str(), r.pool->str()})
                                     : commands::iohyve(p, {"add", r.name.str(), r.disk_size.str()});
          return {guests, disks, add, disks, commands::guest_properties(p, dataset_of(r.name))};
        } else if constexpr (std::is_same_v<T, listdisks_request>) {
          return {guests, commands::guest_disks(p, dataset_of(r.name))};
        } else if constexpr (std::is_same_v<T, resizedisk_request>) {
          std::vector<command> cmds = {
              guests, running, commands::guest_disks(p, dataset_of(r.name)),
              commands::zfs(p, {"set", "volsize=" + r.new_size.str(), dataset_of(r.name) + "/" + r.disk.str()})};
          if (r.disk.index() == 0)
            cmds.push_back(commands::zfs(p, {"set", "iohyve:size=" + r.new_size.str(), dataset_of(r.name)}));
          return cmds;
        } else if constexpr (std::is_same_v<T, deletedisk_request>) {
          return {guests, running, commands::guest_disks(p, dataset_of(r.name)),
                  commands::guest_properties(p, dataset_of(r.name)),
                  commands::zfs(p, {"inherit", "iohyve:pcidev:<N>", dataset_of(r.name)}),
                  commands::zfs(p, {"destroy", dataset_of(r.name) + "/" + r.disk.str()})};
        } else if constexpr (std::is_same_v<T, version_request>) {
          return {commands::iohyve(p, {"version"})};
        } else if constexpr (std::is_same_v<T, getprops_request>) {
          return {guests, commands::guest_properties(p, dataset_of(r.name))};
        } else {
          command set = commands::zfs(p, {"set"});
          for (const auto& prop : r.properties) set.args.push_back("iohyve:" + prop.name() + "=" + prop.value());
          set.args.push_back(dataset_of(r.name));
          const bool names_resources = std::any_of(r.properties.begin(), r.properties.end(), [](const property& x) {
            return x.name() == "tap" || x.name() == "con" || x.name().starts_with("pcidev:");
          });
          if (!names_resources) return {guests, set, commands::guest_properties(p, dataset_of(r.name))};
          return {guests, commands::guest_resources(p), set, commands::guest_properties(p, dataset_of(r.name))};
        }
      },
      req);
}

}  // namespace iohyve_api
