// process_runner::run: posix_spawn with an argv, a clean environment, stdin
// from /dev/null, stdout and stderr through two pipes.
//
// Descriptors: every descriptor this library creates is close-on-exec, and
// where the C library offers it (glibc >= 2.34, FreeBSD >= 14) the child also
// closes every descriptor above 2 before exec. Without that action, a
// descriptor another thread opened without O_CLOEXEC can leak into the
// child; that is the caller's problem (open everything with O_CLOEXEC).
//
// Threads: run() may be called from several threads at once. It installs no
// signal handler and waits with waitpid() on its own child's pid only. The
// process must not set SIGCHLD to SIG_IGN nor reap with waitpid(-1): the
// exit status would be lost (the result then has exit_code -1 and no
// term_signal, so it does not count as a success).
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>

#include "iohyve_api/runner.hpp"
#include "runner/platform.hpp"
#include "runner/spawn.hpp"

namespace iohyve_api {

namespace {

// posix_spawn_file_actions_t with its destroy call.
class spawn_actions {
 public:
  spawn_actions() { ok_ = ::posix_spawn_file_actions_init(&actions_) == 0; }
  ~spawn_actions() {
    if (ok_) ::posix_spawn_file_actions_destroy(&actions_);
  }
  spawn_actions(const spawn_actions&) = delete;
  spawn_actions& operator=(const spawn_actions&) = delete;
  bool ok() const noexcept { return ok_; }
  posix_spawn_file_actions_t* get() noexcept { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
  bool ok_ = false;
};

// posix_spawnattr_t with its destroy call.
class spawn_attributes {
 public:
  spawn_attributes() { ok_ = ::posix_spawnattr_init(&attr_) == 0; }
  ~spawn_attributes() {
    if (ok_) ::posix_spawnattr_destroy(&attr_);
  }
  spawn_attributes(const spawn_attributes&) = delete;
  spawn_attributes& operator=(const spawn_attributes&) = delete;
  bool ok() const noexcept { return ok_; }
  posix_spawnattr_t* get() noexcept { return &attr_; }

 private:
  posix_spawnattr_t attr_{};
  bool ok_ = false;
};

// stdin from /dev/null, stdout and stderr onto the pipes, nothing else.
int build_file_actions(spawn_actions& actions, int out_fd, int err_fd) {
  if (!actions.ok()) return ENOMEM;
  posix_spawn_file_actions_t* a = actions.get();
  if (int e = ::posix_spawn_file_actions_addopen(a, STDIN_FILENO, "/dev/null", O_RDONLY, 0))
    return e;
  // dup2 clears close-on-exec on the copy; the originals (above 2) close at exec.
  if (int e = ::posix_spawn_file_actions_adddup2(a, out_fd, STDOUT_FILENO)) return e;
  if (int e = ::posix_spawn_file_actions_adddup2(a, err_fd, STDERR_FILENO)) return e;
#if IOHYVE_HAVE_SPAWN_CLOSEFROM
  if (int e = ::posix_spawn_file_actions_addclosefrom_np(a, STDERR_FILENO + 1)) return e;
#endif
  return 0;
}

// Own process group (so a timeout can signal the tool and everything it
// started), empty signal mask, and default dispositions for the signals a
// daemon may have ignored.
int build_attributes(spawn_attributes& attributes) {
  if (!attributes.ok()) return ENOMEM;
  posix_spawnattr_t* a = attributes.get();
  sigset_t none;
  sigset_t defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (const int sig : detail::signals_to_default()) sigaddset(&defaults, sig);
  if (int e = ::posix_spawnattr_setpgroup(a, 0)) return e;
  if (int e = ::posix_spawnattr_setsigmask(a, &none)) return e;
  if (int e = ::posix_spawnattr_setsigdefault(a, &defaults)) return e;
  const short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  return ::posix_spawnattr_setflags(a, flags);
}

// Starts the child; 0 or an errno value. glibc and FreeBSD report a failed
// exec (ENOENT, EACCES, ENOEXEC) here, not as exit status 127.
int spawn_child(const command& cmd, int out_fd, int err_fd, pid_t& pid) {
  spawn_actions actions;
  spawn_attributes attributes;
  if (int e = build_file_actions(actions, out_fd, err_fd)) return e;
  if (int e = build_attributes(attributes)) return e;
  const detail::exec_args args(cmd);
  return ::posix_spawn(&pid, args.program(), actions.get(), attributes.get(), args.argv(),
                       detail::exec_args::envp());
}

}  // namespace

process_runner::process_runner(process_runner_options options) : options_(options) {
  if (options_.kill_grace.count() < 0) options_.kill_grace = std::chrono::milliseconds{0};
}

command_result process_runner::run(const command& cmd) {
  if (auto invalid = detail::check_command(cmd)) return *invalid;

  detail::unique_fd out_read, out_write, err_read, err_write;
  if (int e = detail::make_pipe(out_read, out_write)) return detail::spawn_failure(cmd.program, e);
  if (int e = detail::make_pipe(err_read, err_write)) return detail::spawn_failure(cmd.program, e);
  if (int e = detail::set_nonblocking(out_read.get())) return detail::spawn_failure(cmd.program, e);
  if (int e = detail::set_nonblocking(err_read.get())) return detail::spawn_failure(cmd.program, e);

  pid_t pid = -1;
  if (int e = spawn_child(cmd, out_write.get(), err_write.get(), pid)) {
    return detail::spawn_failure(cmd.program, e);
  }
  // Only the child (and what it starts) may hold the write ends.
  out_write.reset();
  err_write.reset();

  detail::child_process child(pid);
  command_result result;
  std::array streams{
      detail::output_stream{std::move(out_read), &result.out, &result.out_truncated, nullptr},
      detail::output_stream{std::move(err_read), &result.err, &result.err_truncated, nullptr},
  };
  detail::supervise_limits limits;
  limits.timeout = detail::effective_timeout(cmd, options_);
  limits.kill_grace = options_.kill_grace;
  limits.output_cap = options_.output_cap;
  detail::supervise(child, streams, limits, result);
  return result;
}

}  // namespace iohyve_api
