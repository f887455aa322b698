// The options that say which host the library drives and how: shared by the
// CLI (iohyve-api) and the daemon (iohyve-apid), so that both spell, check
// and document them the same way.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "iohyve_api/client.hpp"
#include "iohyve_api/host.hpp"

namespace CLI {
class App;
}

namespace iohyve_cli {

struct host_options {
  std::string bin_dir;          // --bin-dir: all four tools from one folder
  iohyve_api::host_paths paths;  // --iohyve, --zfs, --pgrep, --bhyvectl, --rc-conf, --vmm-dir, --lock-dir
  double timeout_seconds = 60;  // --timeout
  unsigned max_tasks = 2;       // --max-tasks
  bool allow_host_devices = false;  // --allow-host-devices
  std::optional<double> lock_wait_seconds;  // --lock-wait: unset waits as the library does

  // The paths after --bin-dir is applied: it sets the four tools, and an
  // explicit --iohyve etc. still wins.
  iohyve_api::host_paths resolved_paths() const;
  std::chrono::milliseconds timeout() const;
  iohyve_api::client_options client() const;
};

// Parses the command line into app's options, as both programs do: nullopt
// to go on, or the exit status to end with at once (0 after --help or
// --version; 2 after a usage error, reported as one line on stderr).
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

// Adds --bin-dir, --iohyve, --zfs, --pgrep, --bhyvectl, --rc-conf,
// --vmm-dir, --lock-dir, --lock-wait, --allow-host-devices, --timeout and --max-tasks to
// app, writing into o.
void add_host_options(CLI::App& app, host_options& o);

}  // namespace iohyve_cli
