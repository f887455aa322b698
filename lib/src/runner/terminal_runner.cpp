// process_runner::run_on_terminal: runs a tool with a pseudo-terminal as its
// controlling terminal, stdout and stderr, so that FreeBSD fetch(1) prints
// its progress (it does so only when stderr is a tty and its process group
// is the terminal's foreground group).
//
// posix_spawn cannot portably start a new session with a controlling
// terminal, so this forks. Everything the child needs (argv, environment,
// descriptors, signal sets) is prepared before fork(); the child then makes
// only async-signal-safe calls, because the parent may have other threads
// whose locks (malloc's included) were copied in an arbitrary state.
//
// The terminal has OPOST off, so the tool's "\n" arrives as "\n" (not
// "\r\n") and its "\r" progress updates arrive unchanged, and is 200
// columns wide so progress lines are not wrapped.
//
// An exception thrown by on_output (or std::bad_alloc) propagates to the
// caller, after the child's process group has been killed and the child
// reaped (child_process's destructor).
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <csignal>
#include <optional>
#include <string>

#include "iohyve_api/runner.hpp"
#include "runner/platform.hpp"
#include "runner/spawn.hpp"

namespace iohyve_api {

namespace {

constexpr unsigned short terminal_columns = 200;
constexpr unsigned short terminal_rows = 50;
// Output a pty master may still receive after the child exited (Linux moves
// pty data through a work queue); only waited for while a grandchild keeps
// the terminal open, otherwise the master reports EIO at once.
constexpr std::chrono::milliseconds pty_settle{20};
// Highest descriptor the child closes when close_range() is unavailable.
constexpr long max_fd_to_close = 65536;

// Where the child failed before exec; sent to the parent through a pipe.
enum class child_step : int { exec = 0, signals, setsid, controlling_tty, foreground, stdio };

struct child_failure {
  child_step step = child_step::exec;
  int err = 0;
};

const char* describe(child_step step) {
  switch (step) {
    case child_step::exec:
      return nullptr;
    case child_step::signals:
      return "cannot reset signals";
    case child_step::setsid:
      return "setsid";
    case child_step::controlling_tty:
      return "cannot make the terminal its controlling terminal";
    case child_step::foreground:
      return "cannot make it the terminal's foreground process group";
    case child_step::stdio:
      return "cannot set up stdin/stdout/stderr";
  }
  return nullptr;
}

// Everything the forked child uses, prepared by the parent.
struct child_plan {
  const char* program = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  int slave = -1;
  int error_pipe = -1;  // write end, close-on-exec
  int max_fd = 1024;    // for the close() loop fallback
  sigset_t empty_mask;
  struct sigaction default_action;
};

// --- The forked child: async-signal-safe calls only. ---

[[noreturn]] void child_fail(const child_plan& plan, child_step step, int err) noexcept {
  const child_failure failure{step, err};
  const char* bytes = reinterpret_cast<const char*>(&failure);
  std::size_t left = sizeof failure;
  while (left > 0) {
    const ssize_t n = ::write(plan.error_pipe, bytes, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes += n;
    left -= static_cast<std::size_t>(n);
  }
  ::_exit(127);
}

// True when [first, last] is closed (or empty); false when close_range() is
// missing here or in the kernel (ENOSYS before Linux 5.9).
bool try_close_range(unsigned first, unsigned last) noexcept {
#if IOHYVE_HAVE_CLOSE_RANGE
  return first > last || ::close_range(first, last, 0) == 0;
#else
  (void)first;
  (void)last;
  return false;
#endif
}

// Closes every descriptor above 2 except keep (the error pipe, which closes
// itself at exec).
void close_other_descriptors(int keep, int max_fd) noexcept {
  const unsigned low = STDERR_FILENO + 1;
  const unsigned kept = static_cast<unsigned>(keep);
  if (try_close_range(low, kept - 1) && try_close_range(kept + 1, UINT_MAX)) return;
  for (int fd = static_cast<int>(low); fd < max_fd; ++fd) {
    if (fd != keep) ::close(fd);
  }
}

int redirect_stdio(int slave) noexcept {
  int null_fd = -1;
  do {
    null_fd = ::open("/dev/null", O_RDONLY);
  } while (null_fd < 0 && errno == EINTR);
  if (null_fd < 0) return errno;
  if (null_fd != STDIN_FILENO && ::dup2(null_fd, STDIN_FILENO) < 0) return errno;
  if (::dup2(slave, STDOUT_FILENO) < 0 || ::dup2(slave, STDERR_FILENO) < 0) return errno;
  return 0;  // null_fd (if above 2) and slave go with the other descriptors
}

[[noreturn]] void exec_child(const child_plan& plan) noexcept {
  // All signals arrive blocked (the parent blocked them around fork), so no
  // inherited handler runs here; exec resets handlers, not ignored signals.
  for (const int sig : detail::signals_to_default()) {
    if (::sigaction(sig, &plan.default_action, nullptr) != 0)
      child_fail(plan, child_step::signals, errno);
  }
  if (::setsid() < 0) child_fail(plan, child_step::setsid, errno);
  // A session leader without a terminal acquires the slave explicitly
  // (FreeBSD never does so implicitly on open).
  if (::ioctl(plan.slave, TIOCSCTTY, 0) < 0) child_fail(plan, child_step::controlling_tty, errno);
  // Already true after TIOCSCTTY on Linux and FreeBSD; made explicit because
  // fetch checks it. SIGTTOU is blocked, so this cannot stop us.
  if (::tcsetpgrp(plan.slave, ::getpid()) < 0) child_fail(plan, child_step::foreground, errno);
  if (const int err = redirect_stdio(plan.slave)) child_fail(plan, child_step::stdio, err);
  close_other_descriptors(plan.error_pipe, plan.max_fd);
  ::sigprocmask(SIG_SETMASK, &plan.empty_mask, nullptr);
  ::execve(plan.program, plan.argv, plan.envp);
  child_fail(plan, child_step::exec, errno);
}

// --- The parent. ---

struct pseudo_terminal {
  detail::unique_fd master;
  detail::unique_fd slave;
};

int open_master(detail::unique_fd& master) {
  int fd = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 && errno == EINVAL) {
    // An older system without O_CLOEXEC here: racy with a concurrent
    // fork+exec in another thread, but the best available.
    fd = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  if (fd < 0) return errno;
  master.reset(fd);
  return detail::move_above_stdio(master);
}

// The slave's path; 0 or an errno value. ptsname_r(3): glibc; FreeBSD 13.0
// (which returns -1 and sets errno where glibc returns the error).
int slave_name(int master, std::string& name) {
  std::array<char, 128> buffer{};
  if (::ptsname_r(master, buffer.data(), buffer.size()) != 0) return errno != 0 ? errno : EINVAL;
  name = buffer.data();
  return 0;
}

// Wide, and without output processing (see the top of the file).
int configure_terminal(int slave) {
  termios settings{};
  if (::tcgetattr(slave, &settings) != 0) return errno;
  settings.c_oflag &= ~static_cast<tcflag_t>(OPOST);
  settings.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL);
  if (::tcsetattr(slave, TCSANOW, &settings) != 0) return errno;
  winsize size{};
  size.ws_row = terminal_rows;
  size.ws_col = terminal_columns;
  if (::ioctl(slave, TIOCSWINSZ, &size) != 0) return errno;
  return 0;
}

// The parent opens the slave too and keeps it until the child has its own
// copy, so the master never sees "no slave" (EIO/POLLHUP on Linux) before
// the child is running; 0 or an errno value, *context says what failed.
int open_pseudo_terminal(pseudo_terminal& pty, const char*& context) {
  context = "cannot open a pseudo-terminal";
  if (const int err = open_master(pty.master)) return err;
  if (::grantpt(pty.master.get()) != 0 || ::unlockpt(pty.master.get()) != 0) return errno;
  std::string name;
  if (const int err = slave_name(pty.master.get(), name)) return err;
  int fd = -1;
  do {
    fd = ::open(name.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno;
  pty.slave.reset(fd);
  if (const int err = detail::move_above_stdio(pty.slave)) return err;
  context = "cannot set up the pseudo-terminal";
  return configure_terminal(pty.slave.get());
}

int open_files_limit() {
  const long limit = ::sysconf(_SC_OPEN_MAX);
  if (limit <= 0 || limit > max_fd_to_close) return static_cast<int>(max_fd_to_close);
  return static_cast<int>(limit);
}

// fork() with every signal blocked in the calling thread, restored after.
pid_t fork_child(const child_plan& plan) {
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  const pid_t pid = ::fork();
  if (pid == 0) exec_child(plan);
  const int fork_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = fork_errno;
  return pid;
}

// Blocks until exec succeeded (EOF: the pipe closed on exec) or the child
// reported why it failed.
std::optional<child_failure> read_child_failure(int error_pipe) {
  child_failure failure;
  char* bytes = reinterpret_cast<char*>(&failure);
  std::size_t got = 0;
  while (got < sizeof failure) {
    const ssize_t n = ::read(error_pipe, bytes + got, sizeof failure - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got < sizeof failure) return std::nullopt;
  return failure;
}

}  // namespace

command_result process_runner::run_on_terminal(const command& cmd, const output_sink& on_output,
                                               const std::atomic<bool>* cancel) {
  if (auto invalid = detail::check_command(cmd)) return *invalid;
  if (cancel != nullptr && cancel->load()) return detail::cancelled_before_start();

  pseudo_terminal pty;
  const char* context = nullptr;
  if (int e = open_pseudo_terminal(pty, context))
    return detail::spawn_failure(cmd.program, e, context);
  detail::unique_fd error_read, error_write;
  if (int e = detail::make_pipe(error_read, error_write))
    return detail::spawn_failure(cmd.program, e);
  if (int e = detail::set_nonblocking(pty.master.get()))
    return detail::spawn_failure(cmd.program, e);

  const detail::exec_args args(cmd);
  child_plan plan;
  plan.program = args.program();
  plan.argv = args.argv();
  plan.envp = detail::exec_args::envp();
  plan.slave = pty.slave.get();
  plan.error_pipe = error_write.get();
  plan.max_fd = open_files_limit();
  sigemptyset(&plan.empty_mask);
  plan.default_action = {};
  plan.default_action.sa_handler = SIG_DFL;
  sigemptyset(&plan.default_action.sa_mask);

  const pid_t pid = fork_child(plan);
  if (pid < 0) return detail::spawn_failure(cmd.program, errno, "fork");
  pty.slave.reset();
  error_write.reset();
  detail::child_process child(pid);
  if (const auto failure = read_child_failure(error_read.get())) {
    child.reap_blocking();
    return detail::spawn_failure(cmd.program, failure->err, describe(failure->step));
  }

  command_result result;
  std::array streams{
      detail::output_stream{std::move(pty.master), &result.out, &result.out_truncated, &on_output},
  };
  detail::supervise_limits limits;
  limits.timeout = detail::effective_timeout(cmd, options_);
  limits.kill_grace = options_.kill_grace;
  limits.output_cap = options_.output_cap;
  limits.cancel = cancel;
  limits.settle = pty_settle;
  detail::supervise(child, streams, limits, result);
  return result;
}

}  // namespace iohyve_api
