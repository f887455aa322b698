#include "host_options.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>

namespace iohyve_cli {

iohyve_api::host_paths host_options::resolved_paths() const {
  iohyve_api::host_paths p = paths;
  if (bin_dir.empty()) return p;
  const iohyve_api::host_paths from_dir = iohyve_api::host_paths::from_bin_dir(bin_dir);
  const iohyve_api::host_paths defaults;
  if (p.iohyve == defaults.iohyve) p.iohyve = from_dir.iohyve;
  if (p.zfs == defaults.zfs) p.zfs = from_dir.zfs;
  if (p.pgrep == defaults.pgrep) p.pgrep = from_dir.pgrep;
  if (p.bhyvectl == defaults.bhyvectl) p.bhyvectl = from_dir.bhyvectl;
  return p;
}

iohyve_api::client_options host_options::client() const {
  iohyve_api::client_options c;
  c.allow_host_devices = allow_host_devices;
  if (lock_wait_seconds) c.lock_wait = std::chrono::milliseconds(static_cast<long long>(*lock_wait_seconds * 1000));
  return c;
}

std::chrono::milliseconds host_options::timeout() const {
  return std::chrono::milliseconds(static_cast<long long>(timeout_seconds * 1000));
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  constexpr int exit_usage = 2;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s (see --help)\n", app.get_name().c_str(), e.what());
    return exit_usage;
  }
  return std::nullopt;
}

void add_host_options(CLI::App& app, host_options& o) {
  app.add_option("--bin-dir", o.bin_dir, "Take iohyve, zfs, pgrep and bhyvectl from DIR")
      ->type_name("DIR")
      ->check(CLI::ExistingDirectory.description(""));  // --help shows "DIR", not "DIR:DIR"
  app.add_option("--iohyve", o.paths.iohyve, "Path of iohyve")->capture_default_str()->type_name("PATH");
  app.add_option("--zfs", o.paths.zfs, "Path of zfs")->capture_default_str()->type_name("PATH");
  app.add_option("--pgrep", o.paths.pgrep, "Path of pgrep")->capture_default_str()->type_name("PATH");
  app.add_option("--bhyvectl", o.paths.bhyvectl, "Path of bhyvectl")->capture_default_str()->type_name("PATH");
  app.add_option("--rc-conf", o.paths.rc_conf, "rc.conf that setup writes and issetup reads")
      ->capture_default_str()
      ->type_name("FILE");
  app.add_option("--vmm-dir", o.paths.vmm_dir, "Where loaded guests appear as ioh-NAME")
      ->capture_default_str()
      ->type_name("DIR");
  app.add_option("--lock-dir", o.paths.lock_dir,
                 "Where the flock files that keep parallel callers apart live (every caller must use the same)")
      ->capture_default_str()
      ->type_name("DIR");
  app.add_option("--lock-wait", o.lock_wait_seconds,
                 "Seconds a change waits for a lock another request holds, then 504 "
                 "(0 to 86400; default: guests' locks without limit, rc.conf's 60)")
      ->check(CLI::Range(0.0, 86400.0).description(""))
      ->type_name("SECONDS");
  app.add_flag("--allow-host-devices", o.allow_host_devices,
               "Let setprop give a guest PCI passthrough or a host device (pcidev:N); off by default");
  app.add_option("--timeout", o.timeout_seconds, "Seconds a command may run before it is stopped (0.1 to 86400)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0).description(""))
      ->type_name("SECONDS");
  app.add_option("--max-tasks", o.max_tasks, "Downloads (fetchiso) running at once (1 to 64)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64).description(""))
      ->type_name("N");
}

}  // namespace iohyve_cli
