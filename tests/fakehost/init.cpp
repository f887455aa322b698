#include "init.hpp"

#include <signal.h>

#include <stdexcept>
#include <thread>

#include "host_state.hpp"
#include "state.hpp"
#include "zfs_model.hpp"
#include "zfs_names.hpp"
#include "zfs_numbers.hpp"

namespace fakehost {

namespace {

constexpr const char* usage_text =
    "usage: fakehost init DIR [--pool NAME:SIZE]... [--nic NAME]... [--owner PID]\n"
    "       fakehost stop DIR\n"
    "init makes DIR (absent or empty) an emulated FreeBSD host: DIR/bin (zfs, zpool, iohyve,\n"
    "pgrep, bhyvectl, fetch), DIR/state, DIR/vmm, DIR/rc.conf. Defaults: --pool tank:100G,\n"
    "--nic em0 --nic lo0 (--nic replaces the list). With --owner, guests exit when PID does.\n"
    "stop kills the emulated guests of DIR's host (it removes nothing).\n";

int usage(streams io, const std::string& message) {
  const std::string text = usage_text;
  const auto two_lines = text.find('\n', text.find('\n') + 1) + 1;
  io.err.print("fakehost: {}\n{}(fakehost --help tells more)\n", message, text.substr(0, two_lines));
  return 2;
}

// The program bin/ links to: /proc/self/exe, else argv0 made absolute.
fs::path program_path(const std::string& argv0) {
  std::error_code ec;
  fs::path p = fs::canonical("/proc/self/exe", ec);
  if (!ec) return p;
  if (argv0.find('/') != std::string::npos) {
    p = fs::canonical(argv0, ec);
    if (!ec) return p;
  }
  throw std::runtime_error("cannot find the fakehost program's own path (/proc/self/exe)");
}

bool valid_nic(const std::string& name) {
  if (name.empty() || name.size() > 15) return false;
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!letter(name[0])) return false;
  for (char c : name)
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '_' && c != '.') return false;
  return true;
}

int init_command(const std::vector<std::string>& args, const std::string& argv0, streams io) {
  std::string dir;
  host_spec spec;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--pool" || a == "--nic" || a == "--owner") {
      if (i + 1 == args.size()) return usage(io, a + " needs a value");
      const std::string& v = args[++i];
      if (a == "--pool") {
        const auto colon = v.find(':');
        if (colon == std::string::npos) return usage(io, "--pool takes NAME:SIZE, e.g. tank:100G");
        host_spec::pool_spec pool{v.substr(0, colon), 0};
        if (auto error = pool_name_error(pool.name)) return usage(io, "bad pool name '" + pool.name + "': " + *error);
        std::string error;
        auto size = parse_zfs_size(v.substr(colon + 1), error);
        if (!size || *size == 0) return usage(io, "bad pool size '" + v.substr(colon + 1) + "'" +
                                                      (error.empty() ? "" : ": " + error));
        for (const auto& p : spec.pools)
          if (p.name == pool.name) return usage(io, "pool '" + pool.name + "' given twice");
        pool.size_bytes = *size;
        spec.pools.push_back(pool);
      } else if (a == "--nic") {
        if (!valid_nic(v)) return usage(io, "bad interface name '" + v + "'");
        for (const auto& n : spec.interfaces)
          if (n == v) return usage(io, "interface '" + v + "' given twice");
        spec.interfaces.push_back(v);
      } else {
        std::uint64_t pid = 0;
        if (!parse_u64(v, pid) || pid == 0 || pid > 0x7fffffff) return usage(io, "bad --owner '" + v + "'");
        spec.owner_pid = static_cast<pid_t>(pid);
      }
    } else if (!a.empty() && a[0] == '-') {
      return usage(io, "unknown option '" + a + "'");
    } else if (dir.empty()) {
      dir = a;
    } else {
      return usage(io, "one DIR only");
    }
  }
  if (dir.empty()) return usage(io, "init needs DIR");
  if (spec.pools.empty()) spec.pools.push_back({"tank", std::uint64_t{100} * gib});
  if (spec.interfaces.empty()) spec.interfaces = {"em0", "lo0"};

  std::error_code ec;
  const fs::path root = fs::absolute(dir, ec);
  if (fs::exists(root, ec) && (!fs::is_directory(root, ec) || !fs::is_empty(root, ec))) {
    io.err.print("fakehost init: {}: exists and is not an empty directory\n", dir);
    return 1;
  }
  init_host(root, program_path(argv0), spec);
  return 0;
}

int stop_command(const std::vector<std::string>& args, streams io) {
  if (args.size() != 1 || args[0].empty() || args[0][0] == '-') return usage(io, "stop takes one DIR");
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(args[0]) / "state" / "config", ec)) {
    io.err.print("fakehost stop: {}: not an emulated host (no state/config)\n", args[0]);
    return 1;
  }
  stop_guests(args[0]);
  return 0;
}

}  // namespace

void init_host(const fs::path& root, const fs::path& program, const host_spec& spec) {
  const fs::path bin = root / "bin";
  const fs::path vmm = root / "vmm";
  fs::create_directories(bin);
  fs::create_directories(vmm);
  for (const char* name : tool_links) fs::create_symlink(program, bin / name);

  state_dir dir(root / "state");
  fs::create_directories(dir.data_dir());
  dir.write_config({{"vmm_dir", vmm.string()},
                    {"owner_pid", std::to_string(spec.owner_pid)},
                    {"fetch_rate", "0"},
                    {"delete_delay", "10"}});
  zfs_store zfs(dir.data_dir());
  for (const auto& p : spec.pools) zfs.add_pool({p.name, p.size_bytes});
  host_state host;
  for (const auto& name : spec.interfaces) host.interfaces.push_back({name, "", {}, true});
  host.modules.insert("if_tap");  // "tuntap in the kernel" on the fixtures' host
  host.sysctls["net.link.tap.up_on_open"] = "0";
  write_atomically(dir.file("zfs"), zfs.serialize());
  write_atomically(dir.file("host"), host.serialize_host());
  write_atomically(dir.file("procs"), "");
  write_atomically(dir.file("invocations.log"), "");

  write_atomically(root / "rc.conf",
                   "hostname=\"fakehost\"\n"
                   "ifconfig_em0=\"DHCP\"\n"
                   "sshd_enable=\"YES\"\n"
                   "ntpd_enable=\"YES\"\n"
                   "dumpdev=\"AUTO\"\n");
}

std::size_t stop_guests(const fs::path& root, std::chrono::milliseconds wait) {
  state_dir dir(root / "state");
  host_state host;
  host.load_procs(read_text(dir.file("procs")));
  auto guests = host.live_processes();
  for (const auto& p : guests) ::kill(p.pid, SIGKILL);
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (const auto& p : guests)
    while (process_alive(p) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return guests.size();
}

int run_fakehost_command(const std::vector<std::string>& args, const std::string& argv0, streams io) {
  if (args.empty()) return usage(io, "a command is needed");
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (args[0] == "init") return init_command(rest, argv0, io);
    if (args[0] == "stop") return stop_command(rest, io);
  } catch (const std::exception& e) {
    io.err.print("fakehost {}: {}\n", args[0], e.what());
    return 1;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    io.out.write(usage_text);
    return 0;
  }
  return usage(io, "unknown command '" + args[0] + "'");
}

}  // namespace fakehost
