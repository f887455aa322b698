#include "iohyve_api/client.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "backend/commands.hpp"
#include "backend/fetch_output.hpp"
#include "backend/guest_resources.hpp"
#include "backend/host_lock.hpp"
#include "backend/iohyve_output.hpp"
#include "backend/process_output.hpp"
#include "backend/rc_conf.hpp"
#include "backend/tool_output.hpp"
#include "backend/zfs_output.hpp"
#include "errors.hpp"
#include "text/decimal.hpp"
#include "text/quote.hpp"
#include "text/split.hpp"
#include "try.hpp"

namespace iohyve_api {

using namespace detail;

namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }

}  // namespace

struct client::impl {
  host_paths paths;
  command_runner& runner;
  client_options options;

  // The queries whose command line depends on the paths alone, built once
  // (each has a dozen argument strings; building them was a fifth of a
  // getprops request's work).
  const command guest_records_cmd;
  const command running_guests_cmd;
  const command filesystems_cmd;
  // `zfs get ... all DATASET` with the dataset (its last argument) left
  // empty: props() copies it and fills the dataset in.
  const command guest_properties_proto;

  // ISO names reserved by check_fetch() for the download fetch_iso() will
  // run (the flock is held from the check to the download's end).
  std::mutex reservations_mutex;
  std::map<std::string, host_lock> iso_reservations;

  impl(host_paths p, command_runner& r, client_options o)
      : paths(std::move(p)),
        runner(r),
        options(o),
        guest_records_cmd(commands::guest_records(paths)),
        running_guests_cmd(commands::running_guests(paths)),
        filesystems_cmd(commands::filesystems(paths)),
        guest_properties_proto(commands::guest_properties(paths, std::string())) {}

  // Changes to one guest run one after the other, whether the callers are
  // threads of this process or other processes (iohyve numbers disks and
  // pcidev slots as "highest + 1": concurrent changes collide).
  result<host_lock> lock_guest(const guest_name& name) {
    return host_lock::acquire(paths.lock_dir, "guest-" + name.str(), options.lock_wait);
  }

  // Host-wide resources: iohyve gives a new guest the highest tap and
  // console + 1, so creates (and setprop of a tap or console, checked
  // against the other guests) run one at a time on the host. Always taken
  // after the guest's lock, never before: one order, no deadlock.
  result<host_lock> lock_host_resources() {
    return host_lock::acquire(paths.lock_dir, "host-resources", options.lock_wait);
  }

  // The ISO name a download will write, held while it runs: a second
  // fetchiso of the same name (here or in another process) is refused.
  result<host_lock> reserve_iso(const iso_name& iso) {
    auto held = host_lock::try_acquire(paths.lock_dir, "iso-" + iso.str());
    if (!held && held.error().code == error_code::conflict)
      return conflict("ISO " + q(iso.str()) + " is being downloaded by another request");
    return held;
  }

  // Runs a query that must exit 0; its stdout on success.
  result<std::string> query(const command& cmd) {
    command_result r = runner.run(cmd);
    if (auto e = failure(cmd, r)) return std::move(*e);
    return std::move(r.out);
  }

  // Runs a change through iohyve: fails on a bad exit status or on one of
  // iohyve's failure messages (it prints many with status 0).
  status run_iohyve(const command& cmd) {
    command_result r = runner.run(cmd);
    if (auto e = abnormal_end(cmd, r)) return std::move(*e);
    std::string line = iohyve_failure_line(r);
    if (r.exit_code == 0 && line.empty()) return done{};
    std::string msg = "'" + describe_command(cmd) + "' failed";
    if (r.exit_code != 0) msg += " (exit status " + std::to_string(r.exit_code) + ")";
    msg += ": " + (line.empty() ? tool_message(r) : line);
    return command_failed(std::move(msg));
  }

  status run_zfs(const command& cmd) {
    command_result r = runner.run(cmd);
    if (auto e = failure(cmd, r)) return std::move(*e);
    return done{};
  }

  result<std::vector<guest_record>> guests() {
    IOHYVE_TRY(out, query(guest_records_cmd));
    return parse_guest_records(out);
  }

  // The one guest called name. A name on several pools, or one that a
  // renamed dataset still carries as its iohyve:name, is refused: iohyve
  // would pick one of them arbitrarily.
  result<guest_record> find_guest(const guest_name& name) {
    IOHYVE_TRY(out, query(guest_records_cmd));
    IOHYVE_TRY(found, find_guest_records(out, name.str()));
    if (found.empty()) return not_found("guest " + q(name.str()) + " does not exist");
    // Addressable: its dataset's name and its iohyve:name are both the
    // (validated) name asked for.
    if (found.size() == 1 && found.front().name == name.str() && found.front().iohyve_name == name.str())
      return std::move(found.front());
    std::string datasets;
    for (const auto& g : found) {
      if (!datasets.empty()) datasets += " and ";
      datasets += g.dataset;
      if (g.iohyve_name != g.name) datasets += " (iohyve:name " + quote_value(g.iohyve_name) + ")";
    }
    return conflict("guest name " + q(name.str()) + " is ambiguous: " + datasets +
                    "; iohyve would pick one arbitrarily, so nothing is done");
  }

  // pgrep exits 1 when nothing matches: that is an answer, not a failure.
  result<std::vector<std::string>> running() {
    const command& cmd = running_guests_cmd;
    command_result r = runner.run(cmd);
    if (auto e = abnormal_end(cmd, r)) return std::move(*e);
    if (r.exit_code == 1 && r.out.empty()) return std::vector<std::string>{};
    if (r.exit_code != 0) return std::move(*failure(cmd, r));
    return parse_running_guests(r.out);
  }

  result<bool> is_running(const std::string& name) {
    IOHYVE_TRY(names, running());
    return std::binary_search(names.begin(), names.end(), name);
  }

  bool in_vmm(const std::string& name) const {
    struct stat st {};
    return ::stat((paths.vmm_dir + "/ioh-" + name).c_str(), &st) == 0;
  }

  result<std::vector<iso_record>> isos() {
    IOHYVE_TRY(out, query(filesystems_cmd));
    return parse_iso_datasets(out);
  }

  result<bool> iso_exists(const iso_name& name) {
    IOHYVE_TRY(all, isos());
    return std::any_of(all.begin(), all.end(), [&](const iso_record& r) { return r.name == name.str(); });
  }

  result<std::vector<property_entry>> props(const guest_record& g) {
    command cmd = guest_properties_proto;
    cmd.args.back() = g.dataset;  // == commands::guest_properties(paths, g.dataset)
    IOHYVE_TRY(out, query(cmd));
    return parse_guest_properties(out);
  }

  result<std::vector<disk_info>> disks(const guest_record& g) {
    IOHYVE_TRY(out, query(commands::guest_disks(paths, g.dataset)));
    return parse_guest_disks(out, g.dataset);
  }

  // The guest, which must exist and not be running.
  result<guest_record> stopped_guest(const guest_name& name) {
    IOHYVE_TRY(g, find_guest(name));
    IOHYVE_TRY(run, is_running(g.name));
    if (run) return conflict("guest " + q(g.name) + " is running; stop it first");
    return std::move(g);
  }

  // The same for booting it through iohyve (start, install), which also
  // needs no other running guest whose name begins with this one.
  result<guest_record> bootable_guest(const guest_name& name, std::string_view action) {
    IOHYVE_TRY(g, find_guest(name));
    IOHYVE_TRY(names, running());
    if (std::binary_search(names.begin(), names.end(), g.name))
      return conflict("guest " + q(g.name) + " is running; stop it first");
    IOHYVE_CHECK(no_substring_twin_running(g.name, action, names));
    return std::move(g);
  }

  // iohyve refuses to boot or delete templates; say so before trying.
  status not_template(const guest_record& g) {
    IOHYVE_TRY(all, props(g));
    for (const auto& p : all)
      if (p.name == "template" && p.value == "YES")
        return conflict("guest " + q(g.name) + " is a template (iohyve:template=YES)");
    return done{};
  }

  // A volume's block size in bytes (`zfs get -p volblocksize`), 0 when
  // it cannot be read: only used to explain a refused volsize.
  std::uint64_t block_size(const std::string& volume) {
    auto out = query(commands::volume_block_size(paths, volume));
    if (!out) return 0;
    return parse_u64(trim_right(*out, '\n')).value_or(0);
  }

  result<std::vector<guest_resources>> resources() {
    IOHYVE_TRY(out, query(commands::guest_resources(paths)));
    return parse_guest_resources(out);
  }

  // Whether any pool has iohyve's dataset POOL/iohyve (what `iohyve setup`
  // makes; without it iohyve create fails with "leading slash in name").
  result<bool> iohyve_set_up() {
    IOHYVE_TRY(out, query(filesystems_cmd));
    line_reader lines(out);
    std::string_view line;
    while (lines.next(line)) {
      const std::size_t slash = line.find('/');
      if (slash != std::string_view::npos && slash > 0 && line.substr(slash) == "/iohyve") return true;
    }
    return false;
  }

  // iohyve 0.7.9 decides that a guest runs with `pgrep -f ioh-NAME`, a
  // substring match: while web2 runs, `iohyve start web` and `iohyve
  // install web` believe web is running and do not boot it. Refuse at
  // once, naming the cause, rather than wait for a guest that never comes.
  // running: the names of the running guests (parse_running_guests).
  static status no_substring_twin_running(const std::string& name, std::string_view action,
                                          const std::vector<std::string>& running) {
    for (const auto& other : running) {
      if (other != name && other.starts_with(name))
        return conflict("cannot " + std::string(action) + " guest " + q(name) + " while guest " + q(other) +
                        " runs: iohyve 0.7.9 looks for a running guest with 'pgrep -f ioh-" + name +
                        "', which also matches ioh-" + other + "; stop " + q(other) + " first");
    }
    return done{};
  }

  // iohyve returns as soon as bhyve is backgrounded; give the process a
  // moment to show, so that a guest that failed at once is reported.
  status verify_running(const std::string& name, std::string_view what) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      IOHYVE_TRY(run, is_running(name));
      if (run) return done{};
      std::this_thread::sleep_for(std::chrono::milliseconds(100 * (attempt + 1)));
    }
    return command_failed("iohyve " + std::string(what) + " reported success, but no bhyve process for guest " +
                  q(name) + " is running");
  }
};

client::client(host_paths paths, command_runner& runner, client_options options)
    : impl_(std::make_unique<impl>(std::move(paths), runner, options)) {}

client::~client() = default;

const host_paths& client::paths() const noexcept { return impl_->paths; }

result<std::vector<vm_info>> client::list_vms() {
  IOHYVE_TRY(records, impl_->guests());
  IOHYVE_TRY(running, impl_->running());
  std::vector<vm_info> vms;
  vms.reserve(records.size());
  // How many datasets answer to each name (as find_guest counts them): a
  // name on several pools, or also a renamed dataset's iohyve:name, is
  // ambiguous, and such guests are listed under their datasets.
  std::map<std::string, int> claims;
  for (const auto& g : records) {
    ++claims[g.name];
    if (g.iohyve_name != g.name) ++claims[g.iohyve_name];
  }
  for (auto& g : records) {
    vm_info vm;
    vm.dataset = g.dataset;
    if (!guest_name::parse(g.name)) {
      vm.conflict = "the dataset name is not a valid guest name for this API";
    } else if (g.iohyve_name != g.name) {
      vm.conflict = "renamed: its iohyve:name is " + quote_value(g.iohyve_name) +
                    "; rename the dataset back (zfs rename) to manage it";
    } else if (const int n = claims[g.name]; n > 1) {
      vm.conflict = "ambiguous: " + std::to_string(n) + " datasets answer to the name " + q(g.name) +
                    "; actions on it are refused (409)";
    }
    vm.rcboot = g.boot == "1";
    vm.running = std::binary_search(running.begin(), running.end(), g.name);
    vm.vmm = impl_->in_vmm(g.name);
    vm.name = std::move(g.name);
    vm.pool = std::move(g.pool);
    vm.description = std::move(g.description);
    vms.push_back(std::move(vm));
  }
  return vms;
}

result<std::vector<std::string>> client::list_isos() {
  IOHYVE_TRY(all, impl_->isos());
  std::vector<std::string> names;
  names.reserve(all.size());
  for (auto& r : all) names.push_back(std::move(r.name));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

status client::rename_iso(const iso_name& source, const iso_name& target) {
  IOHYVE_TRY(has_source, impl_->iso_exists(source));
  if (!has_source) return not_found("ISO " + q(source.str()) + " does not exist");
  IOHYVE_TRY(has_target, impl_->iso_exists(target));
  if (has_target) return conflict("an ISO named " + q(target.str()) + " already exists");
  IOHYVE_CHECK(impl_->run_iohyve(commands::rename_iso(paths(), source.str(), target.str())));
  IOHYVE_TRY(moved, impl_->iso_exists(target));
  if (!moved) return command_failed("iohyve renameiso reported success, but ISO " + q(target.str()) + " does not exist");
  return done{};
}

status client::remove_iso(const iso_name& target) {
  IOHYVE_TRY(exists, impl_->iso_exists(target));
  if (!exists) return not_found("ISO " + q(target.str()) + " does not exist");
  // Not from under a running installer: iohyve install records
  // iohyve:install=yes, and install here also which ISO it boots.
  IOHYVE_TRY(installers_out, impl_->query(commands::installers(paths())));
  IOHYVE_TRY(installers, parse_own_properties(installers_out));
  std::optional<std::vector<std::string>> running;  // asked for only if someone installs
  for (const auto& d : installers) {
    if (d.value_of("iohyve:install") != "yes") continue;
    const std::string guest = d.value_of("iohyve:name");
    if (!running) {
      IOHYVE_TRY(names, impl_->running());
      running = std::move(names);
    }
    if (!std::binary_search(running->begin(), running->end(), guest)) continue;
    const std::string iso = d.value_of(commands::install_iso_property);
    if (iso == target.str())
      return conflict("ISO " + q(target.str()) + " is in use: guest " + q(guest) + " runs its installer from it");
  }
  IOHYVE_CHECK(impl_->run_iohyve(commands::remove_iso(paths(), target.str())));
  IOHYVE_TRY(still, impl_->iso_exists(target));
  if (still) return command_failed("iohyve rmiso reported success, but ISO " + q(target.str()) + " still exists");
  return done{};
}

status client::setup(const pool_name& pool, const nic_name& nic) {
  // iohyve first: rc.conf is only changed once the setup it describes worked
  // (the reference wrote rc.conf first and never undid it).
  IOHYVE_CHECK(impl_->run_iohyve(commands::setup(paths(), pool.str(), nic.str())));
  const command check = commands::pool_iohyve_dataset(paths(), pool.str());
  command_result r = impl_->runner.run(check);
  if (auto e = abnormal_end(check, r)) return std::move(*e);
  if (r.exit_code != 0)
    return command_failed("iohyve setup reported success, but " + pool.str() + "/iohyve does not exist: " + tool_message(r));
  if (auto s = set_iohyve_flags(paths().rc_conf, "kmod=1 net=" + nic.str(),
                                  impl_->options.lock_wait.value_or(std::chrono::seconds(60))); !s) {
    error e = std::move(s).error();
    e.message = "iohyve is set up on " + pool.str() + ", but rc.conf was not updated: " + e.message;
    return e;
  }
  return done{};
}

result<bool> client::is_setup() { return iohyve_flags_set(paths().rc_conf); }

status client::create(const guest_name& name, const size& disk_size) {
  // iohyve keeps its ISOs and firmware in POOL/iohyve/ISO and
  // POOL/iohyve/Firmware: a guest of that name would be created inside them.
  if (name.str() == "ISO" || name.str() == "Firmware")
    return bad_request("guest name " + q(name.str()) + " is reserved: iohyve keeps its own datasets under POOL/iohyve/" +
               name.str());
  const auto guest_lock = impl_->lock_guest(name);
  if (!guest_lock) return guest_lock.error();
  // iohyve gives the new guest the highest tap and console + 1: creates run
  // one at a time on the host, or parallel ones get the same tap.
  const auto resources_lock = impl_->lock_host_resources();
  if (!resources_lock) return resources_lock.error();
  auto existing = impl_->find_guest(name);
  if (existing) return conflict("guest " + q(name.str()) + " already exists (" + existing->dataset + ")");
  if (existing.error().code != error_code::not_found) return existing.error();
  if (auto s = impl_->run_iohyve(commands::create_guest(paths(), name.str(), disk_size.str())); !s) {
    // Before setup iohyve finds no pool and fails with "leading slash in
    // name" (nothing is created): say what is wrong.
    if (auto set_up = impl_->iohyve_set_up(); set_up && !*set_up)
      return conflict("iohyve is not set up on this host (no POOL/iohyve dataset): run setup first");
    return s;
  }
  auto made = impl_->find_guest(name);
  if (!made) {
    if (made.error().code != error_code::not_found) return made.error();
    return command_failed("iohyve create reported success, but guest " + q(name.str()) + " does not exist");
  }
  // Verified, not trusted: each guest its own tap and console.
  IOHYVE_TRY(all, impl_->resources());
  if (const std::string shared = shared_with_other_guest(made->dataset, all); !shared.empty())
    return command_failed("iohyve created guest " + q(name.str()) + " (" + made->dataset + "), but " + shared +
                  "; give it a free one with setprop before starting it");
  return done{};
}

status client::install(const guest_name& name, const iso_name& iso) {
  const auto guest_lock = impl_->lock_guest(name);
  if (!guest_lock) return guest_lock.error();
  IOHYVE_TRY(g, impl_->bootable_guest(name, "install"));
  IOHYVE_CHECK(impl_->not_template(g));
  IOHYVE_TRY(has_iso, impl_->iso_exists(iso));
  if (!has_iso) return not_found("ISO " + q(iso.str()) + " does not exist");
  // Which ISO the installer boots, for rmiso (iohyve does not record it).
  IOHYVE_CHECK(impl_->run_zfs(commands::record_install_iso(paths(), g.dataset, iso.str())));
  IOHYVE_CHECK(impl_->run_iohyve(commands::install_guest(paths(), name.str(), iso.str())));
  return impl_->verify_running(name.str(), "install");
}

status client::start(const guest_name& name) {
  const auto guest_lock = impl_->lock_guest(name);
  if (!guest_lock) return guest_lock.error();
  IOHYVE_TRY(g, impl_->bootable_guest(name, "start"));
  IOHYVE_CHECK(impl_->not_template(g));
  IOHYVE_CHECK(impl_->run_iohyve(commands::start_guest(paths(), name.str())));
  return impl_->verify_running(name.str(), "start");
}

status client::stop(const guest_name& name, bool force) {
  const auto guest_lock = impl_->lock_guest(name);
  if (!guest_lock) return guest_lock.error();
  IOHYVE_TRY(g, impl_->find_guest(name));
  IOHYVE_TRY(run, impl_->is_running(g.name));
  if (!run) return conflict("guest " + q(g.name) + " is not running");
  if (!force) return impl_->run_iohyve(commands::stop_guest(paths(), name.str()));
  // Not "iohyve forcekill": it kills every process whose command line
  // contains the name. bhyvectl addresses exactly this VM.
  IOHYVE_CHECK(impl_->run_zfs(commands::vm_power_off(paths(), g.name)));
  IOHYVE_CHECK(impl_->run_zfs(commands::vm_destroy(paths(), g.name)));
  return done{};
}

status client::destroy(const guest_name& name) {
  const auto guest_lock = impl_->lock_guest(name);
  if (!guest_lock) return guest_lock.error();
  IOHYVE_TRY(g, impl_->stopped_guest(name));
  IOHYVE_CHECK(impl_->not_template(g));
  // A stopped guest can still be loaded in vmm (bhyve exited and nothing ran
  // bhyvectl --destroy: iohyve leaves an installer's VM so). Its memory stays
  // with the kernel until destroyed, and once the dataset is gone no iohyve
  // command names it any more: unload it first. If it vanished meanwhile
  // (someone else destroyed it), that is what was wanted.
  if (impl_->in_vmm(g.name)) {
    const status unloaded = impl_->run_zfs(commands::vm_destroy(paths(), g.name));
    if (!unloaded && impl_->in_vmm(g.name)) return unloaded;
  }
  IOHYVE_CHECK(impl_->run_zfs(commands::destroy_guest_dataset(paths(), g.dataset)));
  if (auto still = impl_->find_guest(name); still)
    return command_failed("zfs destroy reported success, but " + g.dataset + " still exists");
  return done{};
}

result<std::string> client::add_disk(const guest_name& name, const size& disk_size,
                                     const std::optional<pool_name>& pool) {
  const auto guest_lock = impl_->lock_guest(name);
  if (!guest_lock) return guest_lock.error();
  IOHYVE_TRY(g, impl_->find_guest(name));
  if (pool && pool->str() != g.pool)
    return bad_request("guest " + q(g.name) + " lives on pool " + q(g.pool) + "; iohyve keeps a guest's disks on its own pool, not on " + q(pool->str()));
  IOHYVE_TRY(before, impl_->disks(g));
  IOHYVE_CHECK(impl_->run_iohyve(commands::add_disk(paths(), name.str(), disk_size.str(), pool ? pool->str() : "")));
  IOHYVE_TRY(after, impl_->disks(g));
  const auto added = std::find_if(after.begin(), after.end(), [&](const disk_info& d) {
    return std::none_of(before.begin(), before.end(), [&](const disk_info& b) { return b.name == d.name; });
  });
  if (added == after.end()) return command_failed("iohyve add reported success, but guest " + q(g.name) + " has no new disk");
  // Verified: exactly one pcidev points at the new disk (parallel adds once
  // left two pointing at one volume, and the guest booted it twice).
  IOHYVE_TRY(props, impl_->props(g));
  const std::string device = "/dev/zvol/" + g.dataset + "/" + added->name;
  std::map<std::string_view, int> uses;
  for (const auto& p : props) {
    if (!p.name.starts_with("pcidev:") || !p.inherited_from.empty()) continue;
    const std::size_t comma = p.value.find(',');
    if (comma == std::string::npos) continue;
    std::string_view backing = std::string_view(p.value).substr(comma + 1);
    backing = backing.substr(0, backing.find(','));
    if (++uses[backing] > 1)
      return command_failed("after iohyve add, two pcidevs of guest " + q(g.name) + " point at " + std::string(backing));
  }
  if (uses[device] != 1)
    return command_failed("iohyve add created " + added->name + " of guest " + q(g.name) + ", but no pcidev points at it");
  return added->name;
}

result<std::vector<disk_info>> client::list_disks(const guest_name& name) {
  IOHYVE_TRY(g, impl_->find_guest(name));
  return impl_->disks(g);
}

status client::resize_disk(const guest_name& name, const disk_name& disk, const size& new_size) {
  const auto guest_lock = impl_->lock_guest(name);
  if (!guest_lock) return guest_lock.error();
  IOHYVE_TRY(g, impl_->stopped_guest(name));
  IOHYVE_TRY(all, impl_->disks(g));
  auto it = std::find_if(all.begin(), all.end(), [&](const disk_info& d) { return d.name == disk.str(); });
  if (it == all.end()) return not_found("guest " + q(g.name) + " has no disk " + q(disk.str()));
  if (new_size.bytes() <= it->bytes)
    return bad_request("cannot resize " + disk.str() + " of guest " + q(g.name) + " to " + new_size.str() + " (" +
               std::to_string(new_size.bytes()) + " bytes): it is " + it->size + " (" +
               std::to_string(it->bytes) + " bytes) and disks can only grow");
  const std::string volume = g.dataset + "/" + disk.str();
  if (auto s = impl_->run_zfs(commands::set_volume_size(paths(), volume, new_size.str())); !s) {
    // zfs refuses a volsize that is not a multiple of the block size
    // (nothing changes): that is the caller's argument, so a 400 saying so.
    const std::uint64_t block = impl_->block_size(volume);
    if (block > 0 && new_size.bytes() % block != 0)
      return bad_request("size " + new_size.str() + " (" + std::to_string(new_size.bytes()) +
                 " bytes) is not a multiple of the block size of " + disk.str() + " of guest " + q(g.name) + ", " +
                 format_zfs_size(block) + " (" + std::to_string(block) + " bytes)");
    return s;
  }
  // iohyve:size describes disk0 (iohyve's own resize overwrites it for any disk).
  if (disk.index() == 0)
    IOHYVE_CHECK(impl_->run_zfs(commands::set_disk0_size(paths(), g.dataset, new_size.str())));
  return done{};
}

status client::delete_disk(const guest_name& name, const disk_name& disk) {
  if (disk.index() == 0) return bad_request("disk0 is the boot disk of guest " + q(name.str()) + " and cannot be deleted");
  const auto guest_lock = impl_->lock_guest(name);
  if (!guest_lock) return guest_lock.error();
  IOHYVE_TRY(g, impl_->stopped_guest(name));
  IOHYVE_TRY(all, impl_->disks(g));
  if (std::none_of(all.begin(), all.end(), [&](const disk_info& d) { return d.name == disk.str(); }))
    return not_found("guest " + q(g.name) + " has no disk " + q(disk.str()));
  // Unhook every pcidev that points at exactly this volume, then destroy it.
  const std::string volume = g.dataset + "/" + disk.str();
  const std::string device = "/dev/zvol/" + volume;
  IOHYVE_TRY(props, impl_->props(g));
  for (const auto& p : props) {
    // Only the guest's own pcidevs (an inherited one is not its to unhook).
    if (p.name.rfind("pcidev:", 0) != 0 || !p.inherited_from.empty()) continue;
    const auto comma = p.value.find(',');
    if (comma != std::string::npos && p.value.substr(comma + 1) == device)
      IOHYVE_CHECK(impl_->run_zfs(commands::remove_property(paths(), "iohyve:" + p.name, g.dataset)));
  }
  IOHYVE_CHECK(impl_->run_zfs(commands::destroy_volume(paths(), volume)));
  return done{};
}

result<std::string> client::version() {
  IOHYVE_TRY(out, impl_->query(commands::version(paths())));
  return parse_version(out);
}

result<std::vector<property_entry>> client::get_props(const guest_name& name) {
  IOHYVE_TRY(g, impl_->find_guest(name));
  return impl_->props(g);
}

status client::set_props(const guest_name& name, const std::vector<property>& properties) {
  const auto guest_lock = impl_->lock_guest(name);
  if (!guest_lock) return guest_lock.error();
  IOHYVE_TRY(g, impl_->find_guest(name));
  // A tap, console or volume is one guest's at a time; host hardware only
  // with the host owner's consent. Checked under the host-wide lock, so
  // that a create or another setprop cannot take the same one meanwhile.
  host_lock resources_lock;
  if (names_host_resources(properties)) {
    auto held = impl_->lock_host_resources();
    if (!held) return held.error();
    resources_lock = std::move(*held);
    IOHYVE_TRY(all, impl_->resources());
    IOHYVE_CHECK(check_resources(g.dataset, properties, all, impl_->options.allow_host_devices));
  }
  IOHYVE_CHECK(impl_->run_zfs(commands::set_properties(paths(), commands::property_assignments(properties), g.dataset)));
  IOHYVE_TRY(now, impl_->props(g));
  for (const auto& p : properties) {
    const bool landed = std::any_of(now.begin(), now.end(), [&](const property_entry& e) {
      return e.name == p.name() && e.value == p.value();
    });
    if (!landed) return command_failed("zfs set reported success, but iohyve:" + p.name() + " of " + g.dataset + " is not " + quote_value(p.value()));
  }
  return done{};
}

status client::check_fetch(const url& source) {
  const iso_name& iso = source.file_name();
  // The name is reserved from here to the end of the download that
  // fetch_iso() runs: a second fetchiso of the same name, from this process
  // or another, is refused instead of overwriting the first one's file.
  IOHYVE_TRY(reservation, impl_->reserve_iso(iso));
  IOHYVE_TRY(exists, impl_->iso_exists(iso));
  if (exists) return conflict("an ISO named " + q(iso.str()) + " already exists");
  std::lock_guard lock(impl_->reservations_mutex);
  impl_->iso_reservations[iso.str()] = std::move(reservation);
  return done{};
}

status client::fetch_iso(const url& source, const progress_sink& on_progress,
                         const std::atomic<bool>* cancel) {
  const iso_name& iso = source.file_name();
  // The reservation check_fetch() took, or a new one for a caller that
  // did not check first; released when this returns.
  host_lock reservation;
  {
    std::lock_guard lock(impl_->reservations_mutex);
    if (auto it = impl_->iso_reservations.find(iso.str()); it != impl_->iso_reservations.end()) {
      reservation = std::move(it->second);
      impl_->iso_reservations.erase(it);
    }
  }
  if (!reservation.held()) {
    IOHYVE_TRY(held, impl_->reserve_iso(iso));
    reservation = std::move(held);
  }
  command cmd = commands::fetch_iso(paths(), source.str());
  cmd.timeout = std::chrono::hours(12);  // downloads are slow; cancel stops them sooner
  record_splitter splitter;
  std::string last_fetch_error;
  auto on_record = [&](std::string_view line) {
    if (line.rfind("fetch: ", 0) == 0) last_fetch_error = printable(line, 300);
    if (auto p = parse_fetch_line(line); p && on_progress) on_progress(*p);
  };
  command_result r = impl_->runner.run_on_terminal(
      cmd, [&](std::string_view chunk) { splitter.feed(chunk, on_record); }, cancel);
  splitter.finish(on_record);

  const bool cancelled = cancel && cancel->load();
  std::optional<error> err;
  if (cancelled) err = command_failed("the download was cancelled");
  else if (auto e = abnormal_end(cmd, r)) err = std::move(*e);
  else if (r.exit_code != 0 || !last_fetch_error.empty())
    err = command_failed("'" + describe_command(cmd) + "' failed" +
                 (r.exit_code != 0 ? " (exit status " + std::to_string(r.exit_code) + ")" : std::string()) +
                 ": " + (last_fetch_error.empty() ? tool_message(r) : last_fetch_error));

  if (!err) {
    IOHYVE_TRY(exists, impl_->iso_exists(iso));
    if (exists) return done{};
    err = command_failed("iohyve fetch reported success, but ISO " + q(iso.str()) + " does not exist");
  }
  // iohyve creates the ISO dataset before downloading and leaves it behind
  // when the download fails: remove it, so that nothing half-done remains.
  if (auto exists = impl_->iso_exists(iso); exists && *exists) {
    if (auto s = impl_->run_iohyve(commands::remove_iso(paths(), iso.str())); !s)
      err->message += "; the partial ISO could not be removed: " + s.error().message;
  }
  return std::move(*err);
}

}  // namespace iohyve_api
