// client::plan: the commands a request would run, for --dry-run. It follows
// the client's member functions step by step (lookups first, then the
// change) and builds every command with the same builders
// (backend/commands.hpp) the client runs, so a plan and the real run differ
// only where a lookup's answer is needed: those values are placeholders.
// tests/unit/plan_test.cpp compares each plan with the commands the golden
// cases record.
#include "backend/commands.hpp"
#include "backend/guest_resources.hpp"
#include "iohyve_api/client.hpp"

namespace iohyve_api {

using namespace detail;

namespace {

// What a lookup would find, written as placeholders.
std::string dataset_of(const guest_name& name) { return "<pool>/iohyve/" + name.str(); }
constexpr const char* some_pcidev = "iohyve:pcidev:<N>";

// One plan per request type, found by overload with no generic case: a
// request type without one does not compile. Commands that run only on
// some answers are noted where they are left out or kept.
struct planner {
  const host_paths& p;
  command guests = commands::guest_records(p);
  command running = commands::running_guests(p);
  command isos = commands::filesystems(p);

  command props(const guest_name& name) const { return commands::guest_properties(p, dataset_of(name)); }
  command disks(const guest_name& name) const { return commands::guest_disks(p, dataset_of(name)); }

  std::vector<command> operator()(const listvms_request&) const { return {guests, running}; }
  std::vector<command> operator()(const listisos_request&) const { return {isos}; }
  std::vector<command> operator()(const fetchiso_request& r) const {
    return {isos, commands::fetch_iso(p, r.source.str()), isos};
  }
  std::vector<command> operator()(const renameiso_request& r) const {
    return {isos, isos, commands::rename_iso(p, r.source.str(), r.target.str()), isos};
  }
  std::vector<command> operator()(const rmiso_request& r) const {
    // pgrep runs only when a guest has iohyve:install=yes.
    return {isos, commands::installers(p), commands::remove_iso(p, r.target.str()), isos};
  }
  std::vector<command> operator()(const setup_request& r) const {
    return {commands::setup(p, r.pool.str(), r.nic.str()), commands::pool_iohyve_dataset(p, r.pool.str())};
  }
  std::vector<command> operator()(const issetup_request&) const { return {}; }  // reads rc.conf
  std::vector<command> operator()(const create_request& r) const {
    // The filesystems run only when iohyve create fails (is iohyve set up?).
    return {guests, commands::create_guest(p, r.name.str(), r.disk_size.str()), guests,
            commands::guest_resources(p)};
  }
  std::vector<command> operator()(const install_request& r) const {
    return {guests,
            running,
            props(r.name),
            isos,
            commands::record_install_iso(p, dataset_of(r.name), r.iso.str()),
            commands::install_guest(p, r.name.str(), r.iso.str()),
            running};
  }
  std::vector<command> operator()(const start_request& r) const {
    return {guests, running, props(r.name), commands::start_guest(p, r.name.str()), running};
  }
  std::vector<command> operator()(const stop_request& r) const {
    if (!r.force) return {guests, running, commands::stop_guest(p, r.name.str())};
    return {guests, running, commands::vm_power_off(p, r.name.str()), commands::vm_destroy(p, r.name.str())};
  }
  std::vector<command> operator()(const delete_request& r) const {
    // bhyvectl runs only when the stopped guest is still loaded in vmm.
    return {guests,
            running,
            props(r.name),
            commands::vm_destroy(p, r.name.str()),
            commands::destroy_guest_dataset(p, dataset_of(r.name)),
            guests};
  }
  std::vector<command> operator()(const adddisk_request& r) const {
    return {guests, disks(r.name),
            commands::add_disk(p, r.name.str(), r.disk_size.str(), r.pool ? r.pool->str() : std::string()),
            disks(r.name), props(r.name)};
  }
  std::vector<command> operator()(const listdisks_request& r) const { return {guests, disks(r.name)}; }
  std::vector<command> operator()(const resizedisk_request& r) const {
    std::vector<command> cmds = {guests, running, disks(r.name),
                                 commands::set_volume_size(p, dataset_of(r.name) + "/" + r.disk.str(),
                                                           r.new_size.str())};
    if (r.disk.index() == 0) cmds.push_back(commands::set_disk0_size(p, dataset_of(r.name), r.new_size.str()));
    return cmds;
  }
  std::vector<command> operator()(const deletedisk_request& r) const {
    // One zfs inherit per pcidev that points at the disk (usually one).
    return {guests,
            running,
            disks(r.name),
            props(r.name),
            commands::remove_property(p, some_pcidev, dataset_of(r.name)),
            commands::destroy_volume(p, dataset_of(r.name) + "/" + r.disk.str())};
  }
  std::vector<command> operator()(const version_request&) const { return {commands::version(p)}; }
  std::vector<command> operator()(const getprops_request& r) const { return {guests, props(r.name)}; }
  std::vector<command> operator()(const setprop_request& r) const {
    const command set = commands::set_properties(p, commands::property_assignments(r.properties), dataset_of(r.name));
    // Taps, consoles and pcidevs are first checked against the other guests.
    if (!names_host_resources(r.properties)) return {guests, set, props(r.name)};
    return {guests, commands::guest_resources(p), set, props(r.name)};
  }
};

}  // namespace

std::vector<command> client::plan(const request& req) const { return std::visit(planner{paths()}, req); }

}  // namespace iohyve_api
