// Private helpers shared by process_runner::run (posix_spawn + pipes) and
// process_runner::run_on_terminal (fork + pseudo-terminal): descriptor
// ownership, argv/environment arrays, waiting for one child, and the loop
// that reads its output until it exits, times out or is cancelled.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "iohyve_api/runner.hpp"

namespace iohyve_api::detail {

// Owns one file descriptor and closes it on destruction.
class unique_fd {
 public:
  unique_fd() noexcept = default;
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  ~unique_fd() { reset(); }
  unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
  unique_fd& operator=(unique_fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// The environment every child gets, nothing inherited.
inline constexpr const char* clean_path =
    "PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin";
inline constexpr const char* clean_locale = "LC_ALL=C";

// argv and envp in the form the exec family wants, built before any child
// exists (a forked child must not allocate). Points into cmd, which must
// outlive this object.
class exec_args {
 public:
  explicit exec_args(const command& cmd);
  const char* program() const noexcept { return argv_.front(); }
  char* const* argv() const noexcept;
  static char* const* envp() noexcept;

 private:
  std::vector<char*> argv_;
};

// Signals a child gets back to their default action: exec keeps an ignored
// signal ignored, and daemons commonly ignore SIGPIPE or SIGHUP. An explicit
// list rather than "all": FreeBSD's POSIX_SPAWN_SETSIGDEF fails on SIGKILL.
std::span<const int> signals_to_default() noexcept;

// A failed result: "cannot run PROGRAM: [context: ]strerror(err)".
command_result spawn_failure(const std::string& program, int err, const char* context = nullptr);
// What a run cancelled before it started returns: nothing ran, and it looks
// like a run stopped by SIGTERM (not timed out, not succeeded).
command_result cancelled_before_start();
// A failed result when cmd cannot be run as given (relative program path,
// NUL byte in an argument); nullopt when it is acceptable.
std::optional<command_result> check_command(const command& cmd);

// The limit for this command (nullopt: none).
std::optional<std::chrono::milliseconds> effective_timeout(const command& cmd,
                                                           const process_runner_options& options);

// A pipe whose ends are both close-on-exec and above the standard
// descriptors (so dup2 onto 0-2 never aliases them); 0 or an errno value.
int make_pipe(unique_fd& read_end, unique_fd& write_end);
// Moves fd above 0-2 if needed (a daemon may run with them closed), keeping it
// close-on-exec; 0 or an errno value.
int move_above_stdio(unique_fd& fd);
// 0 or an errno value.
int set_nonblocking(int fd);

// One child we started and must reap exactly once. Waits with waitpid on its
// pid only (no SIGCHLD handler, no waitpid(-1)), so several threads can each
// run their own child. Where the platform has pidfds, poll() on pidfd()
// reports the exit without delay; otherwise the caller polls try_reap().
class child_process {
 public:
  explicit child_process(pid_t pid) noexcept;
  // A child still running here means the caller is unwinding (an exception
  // from an output sink): kill its process group and reap it, so that no
  // zombie or runaway process is left behind.
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const noexcept { return pid_; }
  int pidfd() const noexcept { return pidfd_.get(); }
  bool reaped() const noexcept { return reaped_; }

  // True once the child has exited and been reaped.
  bool try_reap() noexcept;
  void reap_blocking() noexcept;
  // Signals the child's process group (which it leads), or the child alone if
  // the group does not exist yet (a forked child before setsid()).
  void signal_group(int sig) noexcept;
  // exit_code or term_signal from the wait status.
  void record_status(command_result& result) const noexcept;

 private:
  bool handle_wait_result(pid_t waited, int status) noexcept;

  pid_t pid_;
  unique_fd pidfd_;
  bool reaped_ = false;
  std::optional<int> status_;  // nullopt: reaped by someone else (ECHILD)
};

// One output descriptor of the child and where its bytes go.
struct output_stream {
  unique_fd fd;                      // non-blocking read end
  std::string* text = nullptr;       // kept up to the output cap
  bool* truncated = nullptr;         // set when bytes were dropped
  const output_sink* tee = nullptr;  // also gets every chunk, if set
  // False after end of file or an error. The descriptor itself stays open
  // until the child is reaped: closing a pty master hangs the terminal up,
  // and the SIGHUP would kill a child that closed its output but has not
  // exited yet (coreutils close stdout and stderr just before exit).
  bool open = true;
};

struct supervise_limits {
  std::optional<std::chrono::milliseconds> timeout;
  std::chrono::milliseconds kill_grace{0};
  std::size_t output_cap = 0;
  const std::atomic<bool>* cancel = nullptr;
  // After the child exits, how long to wait for output still in flight in
  // the kernel (a pty passes data through a work queue; pipes need none).
  std::chrono::milliseconds settle{0};
};

// Reads the streams until the child exits (not until they close: a
// grandchild may hold them for hours), enforcing the timeout and the cancel
// flag (SIGTERM to the group, SIGKILL after the grace), then takes what is
// already buffered and stops. Fills out/err, the truncation flags,
// timed_out, and exit_code/term_signal.
void supervise(child_process& child, std::span<output_stream> streams,
               const supervise_limits& limits, command_result& result);

}  // namespace iohyve_api::detail
