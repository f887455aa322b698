// An emulated FreeBSD host for tests: a temporary folder with
//
//     bin/      zfs, zpool, iohyve, pgrep, bhyvectl, fetch: links to the
//               fakehost program (IOHYVE_FAKEHOST)
//     state/    the emulated host's state (tests/fakehost/state.hpp); the
//               tools find it as <dir of the invoked link>/../state
//     vmm/      stands for /dev/vmm (ioh-NAME files of loaded guests)
//     rc.conf   a typical /etc/rc.conf
//
// The host starts as the fixtures' one did (tests/fixtures/fakehost/
// README.md): pool "tank" of 100G with nothing on it, interfaces em0 and
// lo0, if_tap loaded, vmm/nmdm/if_bridge not (iohyve setup kmod=1 loads
// them). The destructor kills every emulated guest still running and
// removes the folder.
//
//     iohyve_test::fake_host host;
//     run({host.tool("iohyve"), "setup", "pool=tank", "kmod=1", "net=em0"});
//     EXPECT_TRUE(host.dataset_exists("tank/iohyve/ISO"));
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iohyve_test {

struct fake_pool {
  std::string name;
  std::uint64_t size_bytes = 0;
};

struct fake_host_options {
  std::vector<fake_pool> pools{{"tank", std::uint64_t{100} << 30}};
  std::vector<std::string> interfaces{"em0", "lo0"};
};

// What make_tool_fail() makes a tool do instead of its job.
enum class tool_fault {
  none,     // work normally again
  missing,  // the link is removed: starting the tool fails with ENOENT
  hang,     // sleeps until killed
  crash,    // dies of SIGSEGV
  garbage,  // writes random bytes to stdout and exits 0
};

class fake_host {
 public:
  fake_host();
  explicit fake_host(const fake_host_options& options);
  ~fake_host();
  fake_host(const fake_host&) = delete;
  fake_host& operator=(const fake_host&) = delete;

  std::string root_dir() const { return root_; }
  std::string bin_dir() const { return root_ + "/bin"; }
  std::string state_dir() const { return root_ + "/state"; }
  std::string rc_conf() const { return root_ + "/rc.conf"; }
  std::string vmm_dir() const { return root_ + "/vmm"; }
  // For host_paths::lock_dir / --lock-dir: the library makes it when needed.
  std::string lock_dir() const { return root_ + "/locks"; }
  // bin_dir() + "/" + name, e.g. tool("iohyve").
  std::string tool(const std::string& name) const { return bin_dir() + "/" + name; }

  // Every tool invocation so far, "tool arg1 arg2 ..." (arguments joined by
  // single spaces; the emulated iohyve's own zfs calls are not invocations).
  std::vector<std::string> invocations() const;
  void clear_invocations();

  // Slows fetch(1) down to about this many bytes per second (0: no limit).
  void set_fetch_rate(std::uint64_t bytes_per_second);
  // The pause of `iohyve delete -f` (10 seconds on the real one).
  void set_delete_delay(unsigned seconds);
  // Pause of the emulated iohyve between the zfs commands of create and
  // add, with the host unlocked, as the real script leaves it (0: none, but
  // other invocations still get in): widens the window of parallel races.
  void set_script_gap(std::chrono::milliseconds gap);

  // Direct looks at the emulated host's state.
  bool dataset_exists(const std::string& name) const;
  // A property as `zfs get -H -o value PROP DATASET` shows it ("10G",
  // inherited values included); nullopt when the dataset does not exist,
  // the property does not apply to it, or a user property is not set.
  std::optional<std::string> property(const std::string& dataset, const std::string& prop) const;
  // Names of the guests whose emulated bhyve is running ("bhyve: ioh-NAME"),
  // sorted.
  std::vector<std::string> running_guests() const;
  // Whether /dev/vmm/ioh-NAME exists.
  bool vmm_exists(const std::string& guest) const;
  // The real file behind a path of the emulated host, e.g.
  // host_path("/iohyve/ISO/x.iso/x.iso"); other paths are returned as is.
  std::string host_path(const std::string& emulated_path) const;

  void make_tool_fail(const std::string& tool, tool_fault mode);
  void restore_tool(const std::string& tool) { make_tool_fail(tool, tool_fault::none); }

 private:
  std::string root_;
};

}  // namespace iohyve_test
