// Linking libiohyve-api into a C++ program: the JSON handler for a request
// that arrives as text, and the typed client for code that wants values.
//
//   embed [--bin-dir DIR] [--rc-conf FILE] [--vmm-dir DIR] [--lock-dir DIR]
//
// Without options it drives the real FreeBSD tools.
#include <iohyve_api/client.hpp>
#include <iohyve_api/handler.hpp>
#include <iohyve_api/runner.hpp>

#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
  iohyve_api::host_paths paths;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--bin-dir")) {
      auto from_dir = iohyve_api::host_paths::from_bin_dir(argv[i + 1]);
      from_dir.rc_conf = paths.rc_conf;
      from_dir.vmm_dir = paths.vmm_dir;
      from_dir.lock_dir = paths.lock_dir;
      paths = from_dir;
    } else if (!std::strcmp(argv[i], "--rc-conf")) {
      paths.rc_conf = argv[i + 1];
    } else if (!std::strcmp(argv[i], "--vmm-dir")) {
      paths.vmm_dir = argv[i + 1];
    } else if (!std::strcmp(argv[i], "--lock-dir")) {
      paths.lock_dir = argv[i + 1];
    }
  }

  iohyve_api::process_runner runner;            // real processes, 60 s timeout
  iohyve_api::client host(paths, runner);       // the typed API

  // 1. JSON in, JSON out: what a SysAdm-style daemon does with a message.
  iohyve_api::handler json(host);
  const iohyve_api::reply r =
      json.handle(R"({"namespace":"sysadm","name":"iohyve","id":"embed-1","args":{"action":"version"}})");
  std::cout << "handler: " << r.text << "\n";
  if (r.is_error) return 1;

  // 2. Typed calls: values are validated when built, errors are values.
  auto name = iohyve_api::guest_name::parse("demo");
  auto disk = iohyve_api::size::parse("2G");
  if (!name || !disk) return 1;
  if (auto s = host.create(*name, *disk); !s) {
    std::cout << "create failed (" << iohyve_api::code_string(s.error().code) << "): " << s.error().message << "\n";
    return 1;
  }
  auto vms = host.list_vms();
  if (!vms) return 1;
  for (const auto& vm : *vms)
    std::cout << "typed:   " << vm.name << " on " << vm.pool << (vm.running ? " running" : " stopped") << "\n";

  // A bad value never reaches a command line.
  auto bad = iohyve_api::guest_name::parse("$(reboot)");
  std::cout << "refused: " << bad.error().message << "\n";
  return 0;
}
