#include "fake_host.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "host_state.hpp"
#include "init.hpp"
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
  fakehost::host_spec spec;
  for (const auto& p : options.pools) spec.pools.push_back({p.name, p.size_bytes});
  spec.interfaces = options.interfaces;
  spec.owner_pid = ::getpid();
  fakehost::init_host(root_, IOHYVE_FAKEHOST, spec);  // the same as `fakehost init`
}

fake_host::~fake_host() {
  try {
    fakehost::stop_guests(root_);  // the same as `fakehost stop`
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

void fake_host::set_script_gap(std::chrono::milliseconds gap) {
  set_config(state_dir(), "script_gap_ms", std::to_string(gap.count()));
}

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
