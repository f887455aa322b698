// The emulated host's state folder.
//
// Every tool finds it from the path it was invoked by, never from the
// environment (the library's runner passes a clean one):
//
//     <bindir>/zfs  ->  <bindir>/../state/
//
// where <bindir> is dirname(argv[0]). Layout (all text, one record a line,
// fields separated by tabs, "\\", "\t", "\n" escaped):
//
//     lock             flock(2)ed by every invocation for as long as it reads
//                      or changes the state, so concurrent calls serialize
//     config           key=value: vmm_dir, owner_pid, fetch_rate,
//                      delete_delay, supervisor_delay (seconds)
//     faults           "tool<TAB>mode": make_tool_fail() (read first by main)
//     zfs              pools and datasets (zfs_model.hpp)
//     host             interfaces, bridges, kernel modules, sysctls
//     procs            emulated processes: "pid<TAB>starttime<TAB>title"
//     invocations.log  one line per tool invocation: "tool arg1 arg2 ..."
//     data/<guid>/     the files of the filesystem dataset with that guid
//
// Files are replaced atomically (write to a temporary file, then rename).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fakehost {

namespace fs = std::filesystem;

// The state folder that belongs to a tool invoked as argv0: dirname(argv0)
// /../state. A bare name (a shell found us on PATH) is looked up on PATH.
std::optional<fs::path> locate_state_dir(const std::string& argv0);

// Whole-file helpers. read_text returns "" for a missing file.
std::string read_text(const fs::path& path);
void write_atomically(const fs::path& path, std::string_view contents);

// An exclusive flock(2) on a file, held until release() or destruction.
class file_lock {
 public:
  explicit file_lock(const fs::path& path);
  ~file_lock();
  file_lock(const file_lock&) = delete;
  file_lock& operator=(const file_lock&) = delete;
  void acquire();
  void release();
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  bool held_ = false;
};

using config_map = std::map<std::string, std::string>;

class state_dir {
 public:
  explicit state_dir(fs::path root) : root_(std::move(root)) {}
  const fs::path& root() const { return root_; }
  fs::path file(std::string_view name) const { return root_ / name; }
  fs::path data_dir() const { return root_ / "data"; }

  config_map read_config() const;
  void write_config(const config_map& config) const;
  // A config value, or fallback.
  std::string config(const std::string& key, const std::string& fallback = "") const;
  // Where the emulated /dev/vmm is (config "vmm_dir", default <state>/vmm).
  fs::path vmm_dir() const;

  // Appends "tool arg1 arg2 ..." (newlines in arguments written as "\n").
  void log_invocation(const std::string& tool, const std::vector<std::string>& args) const;

 private:
  fs::path root_;
};

// Fault injection (fake_host::make_tool_fail): what a tool does instead of
// its job.
enum class fault { none, missing, hang, crash, garbage };
std::string_view fault_name(fault f);
std::optional<fault> parse_fault(std::string_view name);
std::map<std::string, fault> read_faults(const state_dir& dir);
void write_faults(const state_dir& dir, const std::map<std::string, fault>& faults);

// True while the process that owns the emulated host (config owner_pid) is
// alive and the state folder exists; emulated guests and hung tools poll this
// so that nothing outlives a test.
bool owner_alive(const state_dir& dir);

}  // namespace fakehost
