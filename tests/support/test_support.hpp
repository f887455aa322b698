// Helpers shared by the tests.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "iohyve_api/runner.hpp"

namespace iohyve_test {

// Contents of a file, or a failed test (via ADD_FAILURE) and "" if unreadable.
std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& contents);

// tests/fixtures/<relative>.
std::filesystem::path fixture(const std::string& relative);

// A fresh directory removed (recursively) on destruction.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct process_output {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out, err;
};

// Whether process pid is alive and not a zombie waiting to be reaped.
bool process_alive(int pid);

// Runs argv (argv[0] an absolute path) with input on its stdin and collects
// stdout and stderr; the test's own helper, independent of the library's
// runner. Fails the process after timeout_seconds (SIGKILL, exit_code -1).
// on_start, if given, is called from another thread with the child's pid
// (e.g. to signal it while it runs).
process_output run_with_input(const std::vector<std::string>& argv, const std::string& input,
                              int timeout_seconds = 60,
                              const std::function<void(int pid)>& on_start = {});


#if defined(__linux__)
// The signal masks a child finds at start, read by /bin/grep from its own
// /proc/self/status while the calling thread ignores SIGPIPE and blocks
// SIGUSR1, as a daemon might: a runner must reset both for the tools.
// run is the runner under test; blocked/ignored stay ~0 if the output
// cannot be read (status_lines says what came back).
struct signal_masks {
  unsigned long long blocked = ~0ULL;
  unsigned long long ignored = ~0ULL;
  std::string status_lines;
};
signal_masks child_signal_masks(const std::function<iohyve_api::command_result(const iohyve_api::command&)>& run);
#endif

}  // namespace iohyve_test
