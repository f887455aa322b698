#include "fake_host.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "host_state.hpp"
#include "session.hpp"
#include "state.hpp"
#include "text.hpp"
#include "zfs_model.hpp"
#include "zfs_props.hpp"

#ifndef IOHYVE_FAKEHOST
#error "IOHYVE_FAKEHOST (the path of the built fakehost program) must be defined"
#endif

namespace iohyve_test {

namespace fs = std::filesystem;

namespace {

const char* const tool_names[] = {"zfs", "zpool", "iohyve", "pgrep", "bhyvectl", "fetch"};

fakehost::fault to_fault(tool_fault f) {
  switch (f) {
    case tool_fault::none: return fakehost::fault::none;
    case tool_fault::missing: return fakehost::fault::missing;
    case tool_fault::hang: return fakehost::fault::hang;
    case tool_fault::crash: return fakehost::fault::crash;
    case tool_fault::garbage: return fakehost::fault::garbage;
  }
  return fakehost::fault::none;
}

void set_config(const std::string& state, const std::string& key, const std::string& value) {
  fakehost::state_dir dir(state);
  fakehost::file_lock lock(dir.file("lock"));
  auto config = dir.read_config();
  config[key] = value;
  dir.write_config(config);
}

}  // namespace

fake_host::fake_host() : fake_host(fake_host_options{}) {}

fake_host::fake_host(const fake_host_options& options) {
  std::string tmpl = (fs::temp_directory_path() / "iohyve-fakehost-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  root_ = tmpl;
  fs::create_directories(bin_dir());
  fs::create_directories(vmm_dir());
  for (const char* name : tool_names) fs::create_symlink(IOHYVE_FAKEHOST, tool(name));

  fakehost::state_dir dir(state_dir());
  fs::create_directories(dir.data_dir());
  dir.write_config({{"vmm_dir", vmm_dir()},
                    {"owner_pid", std::to_string(::getpid())},
                    {"fetch_rate", "0"},
                    {"delete_delay", "10"}});
  fakehost::zfs_store zfs(dir.data_dir());
  for (const auto& p : options.pools) zfs.add_pool({p.name, p.size_bytes});
  fakehost::host_state host;
  for (const auto& name : options.interfaces) host.interfaces.push_back({name, "", {}, true});
  host.modules.insert("if_tap");  // "tuntap in the kernel" on the fixtures' host
  host.sysctls["net.link.tap.up_on_open"] = "0";
  fakehost::write_atomically(dir.file("zfs"), zfs.serialize());
  fakehost::write_atomically(dir.file("host"), host.serialize_host());
  fakehost::write_atomically(dir.file("procs"), "");
  fakehost::write_atomically(dir.file("invocations.log"), "");

  fakehost::write_atomically(rc_conf(),
                             "hostname=\"fakehost\"\n"
                             "ifconfig_em0=\"DHCP\"\n"
                             "sshd_enable=\"YES\"\n"
                             "ntpd_enable=\"YES\"\n"
                             "dumpdev=\"AUTO\"\n");
}

fake_host::~fake_host() {
  try {
    fakehost::state_dir dir(state_dir());
    fakehost::host_state host;
    host.load_procs(fakehost::read_text(dir.file("procs")));
    auto guests = host.live_processes();
    for (const auto& p : guests) ::kill(p.pid, SIGKILL);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    for (const auto& p : guests)
      while (fakehost::process_alive(p) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } catch (...) {
    // Best effort: the guests also notice the folder is gone and exit.
  }
  std::error_code ec;
  fs::remove_all(root_, ec);
}

std::vector<std::string> fake_host::invocations() const {
  return fakehost::lines(fakehost::read_text(fs::path(state_dir()) / "invocations.log"));
}

void fake_host::clear_invocations() {
  fakehost::write_atomically(fs::path(state_dir()) / "invocations.log", "");
}

void fake_host::set_fetch_rate(std::uint64_t bytes_per_second) {
  set_config(state_dir(), "fetch_rate", std::to_string(bytes_per_second));
}

void fake_host::set_delete_delay(unsigned seconds) { set_config(state_dir(), "delete_delay", std::to_string(seconds)); }

bool fake_host::dataset_exists(const std::string& name) const {
  fakehost::session s{fakehost::state_dir(state_dir())};
  return s.zfs().find(name) != nullptr;
}

std::optional<std::string> fake_host::property(const std::string& dataset, const std::string& prop) const {
  fakehost::session s{fakehost::state_dir(state_dir())};
  const fakehost::dataset* d = s.zfs().find(dataset);
  if (!d) return std::nullopt;
  auto v = s.zfs().get(*d, prop, false);
  if (!v || (v->source == fakehost::prop_source::none && fakehost::is_user_prop_name(prop))) return std::nullopt;
  return v->value;
}

std::vector<std::string> fake_host::running_guests() const {
  fakehost::session s{fakehost::state_dir(state_dir())};
  std::vector<std::string> out;
  const std::string prefix = "bhyve: ioh-";
  for (const auto& p : s.host().live_processes())
    if (p.title.rfind(prefix, 0) == 0) out.push_back(p.title.substr(prefix.size()));
  std::sort(out.begin(), out.end());
  return out;
}

bool fake_host::vmm_exists(const std::string& guest) const {
  std::error_code ec;
  return fs::exists(fs::path(vmm_dir()) / ("ioh-" + guest), ec);
}

std::string fake_host::host_path(const std::string& emulated_path) const {
  fakehost::session s{fakehost::state_dir(state_dir())};
  return s.zfs().host_path(emulated_path).string();
}

void fake_host::make_tool_fail(const std::string& name, tool_fault mode) {
  fakehost::state_dir dir(state_dir());
  {
    fakehost::file_lock lock(dir.file("lock"));
    auto faults = fakehost::read_faults(dir);
    faults[name] = to_fault(mode);
    fakehost::write_faults(dir, faults);
  }
  std::error_code ec;
  if (mode == tool_fault::missing)
    fs::remove(tool(name), ec);
  else if (!fs::is_symlink(fs::symlink_status(tool(name), ec)))
    fs::create_symlink(IOHYVE_FAKEHOST, tool(name), ec);
}

}  // namespace iohyve_test
