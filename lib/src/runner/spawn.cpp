#include "runner/spawn.hpp"

#include "runner/platform.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <string_view>
#include <system_error>

namespace iohyve_api::detail {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The longest we sleep in poll() between checks of the child, the deadline
// and the cancel flag.
constexpr milliseconds max_poll_interval{50};
// Reads per stream per wakeup, so that one chatty stream cannot starve the
// other stream or the deadline check.
constexpr int reads_per_wakeup = 16;
// Reads per stream after the child exited: more than any pipe or pty buffer
// holds, but bounded, because a grandchild may keep writing forever.
constexpr int max_drain_reads = 64;
constexpr std::size_t read_chunk = 64 * 1024;

constexpr std::array<int, 17> default_signals = {
    SIGHUP,  SIGINT,  SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1,  SIGUSR2, SIGCHLD,
    SIGTSTP, SIGTTIN, SIGTTOU, SIGXFSZ, SIGXCPU, SIGURG,  SIGWINCH, SIGCONT,
};

milliseconds until(clock_type::time_point when, clock_type::time_point now) {
  if (when <= now) return milliseconds{0};
  return std::chrono::ceil<milliseconds>(when - now);
}

void sleep_for(milliseconds duration) {
  timespec left{static_cast<time_t>(duration.count() / 1000),
                static_cast<long>((duration.count() % 1000) * 1'000'000)};
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

void deliver(output_stream& stream, std::string_view chunk, std::size_t cap) {
  std::string& text = *stream.text;
  const std::size_t room = text.size() < cap ? cap - text.size() : 0;
  text.append(chunk.substr(0, room));
  if (chunk.size() > room) *stream.truncated = true;
  if (stream.tee != nullptr && *stream.tee) (*stream.tee)(chunk);
}

enum class read_outcome { data, would_block, closed };

// One read(). End of file, and any error but EAGAIN, ends the stream: EIO
// is how Linux reports a pty master whose slave side is fully closed.
read_outcome read_once(output_stream& stream, std::vector<char>& buffer, std::size_t cap) {
  for (;;) {
    const ssize_t n = ::read(stream.fd.get(), buffer.data(), buffer.size());
    if (n > 0) {
      deliver(stream, std::string_view(buffer.data(), static_cast<std::size_t>(n)), cap);
      return read_outcome::data;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return read_outcome::would_block;
    stream.open = false;
    return read_outcome::closed;
  }
}

void read_available(output_stream& stream, std::vector<char>& buffer, std::size_t cap) {
  for (int i = 0; i < reads_per_wakeup && stream.open; ++i) {
    if (read_once(stream, buffer, cap) != read_outcome::data) return;
  }
}

bool wait_readable(int fd, milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  for (;;) {
    const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n >= 0) return n > 0;
    if (errno != EINTR) return false;
  }
}

// After the child exited: take what is already buffered and stop, without
// waiting for a grandchild that still holds the descriptor to close it.
void drain(output_stream& stream, std::vector<char>& buffer, std::size_t cap, milliseconds settle) {
  for (int attempt = 0; stream.open && attempt < max_drain_reads; ++attempt) {
    const read_outcome outcome = read_once(stream, buffer, cap);
    if (outcome == read_outcome::data) continue;
    if (outcome == read_outcome::closed || settle.count() == 0 ||
        !wait_readable(stream.fd.get(), settle)) {
      break;
    }
  }
  stream.fd.reset();
}

// Waits up to `limit` for output or the child's exit and reads what came
// (at most two streams: stdout and stderr). Returns false when nothing
// happened (the wait timed out).
bool wait_and_read(const child_process& child, std::span<output_stream> streams, milliseconds limit,
                   std::vector<char>& buffer, std::size_t cap) {
  std::array<pollfd, 3> fds{};
  std::array<output_stream*, 3> owners{};
  std::size_t count = 0;
  for (output_stream& stream : streams) {
    if (!stream.open || count + 1 >= fds.size()) continue;
    fds[count] = pollfd{stream.fd.get(), POLLIN, 0};
    owners[count++] = &stream;
  }
  if (child.pidfd() >= 0) fds[count++] = pollfd{child.pidfd(), POLLIN, 0};
  if (count == 0) {
    sleep_for(limit);
    return false;
  }
  const int ready = ::poll(fds.data(), static_cast<nfds_t>(count), static_cast<int>(limit.count()));
  if (ready < 0 && errno != EINTR) sleep_for(limit);  // ENOMEM: do not spin
  if (ready <= 0) return false;
  for (std::size_t i = 0; i < count; ++i) {
    if (owners[i] != nullptr && fds[i].revents != 0) read_available(*owners[i], buffer, cap);
  }
  return true;
}

}  // namespace

void unique_fd::reset(int fd) noexcept {
  // Never retry close() on EINTR: the descriptor is released either way
  // (Linux, FreeBSD) and may already belong to another thread.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

exec_args::exec_args(const command& cmd) {
  argv_.reserve(cmd.args.size() + 2);
  // The exec functions take char* for historical reasons; they never write.
  argv_.push_back(const_cast<char*>(cmd.program.c_str()));
  for (const std::string& arg : cmd.args) argv_.push_back(const_cast<char*>(arg.c_str()));
  argv_.push_back(nullptr);
}

char* const* exec_args::argv() const noexcept { return argv_.data(); }

char* const* exec_args::envp() noexcept {
  static const char* const env[] = {clean_path, clean_locale, nullptr};
  return const_cast<char* const*>(env);
}

std::span<const int> signals_to_default() noexcept { return default_signals; }

command_result spawn_failure(const std::string& program, int err, const char* context) {
  command_result result;
  result.spawn_errno = err;
  result.spawn_error = "cannot run " + program + ": ";
  if (context != nullptr) result.spawn_error += std::string(context) + ": ";
  // generic_category().message() is strerror's text without its
  // thread-safety caveats.
  result.spawn_error += std::generic_category().message(err);
  return result;
}

command_result cancelled_before_start() {
  command_result result;
  result.term_signal = SIGTERM;
  return result;
}

std::optional<command_result> check_command(const command& cmd) {
  command_result result;
  result.spawn_errno = EINVAL;
  if (cmd.program.empty() || cmd.program.front() != '/') {
    // A relative path would be resolved against the working directory:
    // never what a caller that builds absolute tool paths meant.
    result.spawn_error = "cannot run " + cmd.program + ": not an absolute path";
    return result;
  }
  const auto has_nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
  if (has_nul(cmd.program) || std::any_of(cmd.args.begin(), cmd.args.end(), has_nul)) {
    // The C strings handed to exec would silently cut the argument short.
    result.spawn_error = "cannot run " + cmd.program + ": an argument contains a NUL byte";
    return result;
  }
  return std::nullopt;
}

std::optional<milliseconds> effective_timeout(const command& cmd,
                                              const process_runner_options& options) {
  const milliseconds limit = cmd.timeout.value_or(options.timeout);
  if (limit.count() <= 0) return std::nullopt;  // zero (or nonsense): no limit
  return limit;
}

int move_above_stdio(unique_fd& fd) {
  if (fd.get() > STDERR_FILENO) return 0;
  const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  if (moved < 0) return errno;
  fd.reset(moved);
  return 0;
}

int make_pipe(unique_fd& read_end, unique_fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errno;
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  if (const int err = move_above_stdio(read_end)) return err;
  return move_above_stdio(write_end);
}

int set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return errno;
  return 0;
}

child_process::child_process(pid_t pid) noexcept : pid_(pid) {
#if IOHYVE_HAVE_PIDFD
  // Safe from pid reuse: the child is ours and not yet reaped. ENOSYS on
  // kernels before 5.3; then the loop polls waitpid with a short backoff.
  // pidfds are always close-on-exec.
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) pidfd_.reset(static_cast<int>(fd));
#endif
}

child_process::~child_process() {
  if (reaped_) return;
  signal_group(SIGKILL);
  reap_blocking();
}

bool child_process::handle_wait_result(pid_t waited, int status) noexcept {
  if (waited == pid_) {
    status_ = status;
    reaped_ = true;
  } else if (waited < 0 && errno == ECHILD) {
    // Someone else reaped it (waitpid(-1) elsewhere in the process, or
    // SIGCHLD set to SIG_IGN): the exit status is lost.
    reaped_ = true;
  }
  return reaped_;
}

bool child_process::try_reap() noexcept {
  if (!reaped_) {
    int status = 0;
    pid_t waited = 0;
    do {
      waited = ::waitpid(pid_, &status, WNOHANG);
    } while (waited < 0 && errno == EINTR);
    handle_wait_result(waited, status);
  }
  if (reaped_) pidfd_.reset();
  return reaped_;
}

void child_process::reap_blocking() noexcept {
  while (!reaped_) {
    int status = 0;
    const pid_t waited = ::waitpid(pid_, &status, 0);
    if (waited < 0 && errno == EINTR) continue;
    if (!handle_wait_result(waited, status)) break;  // EINVAL: cannot happen
  }
  pidfd_.reset();
}

void child_process::signal_group(int sig) noexcept {
  // Once reaped, the pid may belong to someone else.
  if (reaped_) return;
  if (::kill(-pid_, sig) == 0 || errno != ESRCH) return;
  ::kill(pid_, sig);
}

void child_process::record_status(command_result& result) const noexcept {
  if (!status_) return;
  if (WIFEXITED(*status_)) {
    result.exit_code = WEXITSTATUS(*status_);
  } else if (WIFSIGNALED(*status_)) {
    result.term_signal = WTERMSIG(*status_);
  }
}

void supervise(child_process& child, std::span<output_stream> streams,
               const supervise_limits& limits, command_result& result) {
  const auto start = clock_type::now();
  std::optional<clock_type::time_point> deadline;
  if (limits.timeout) deadline = start + *limits.timeout;
  std::optional<clock_type::time_point> kill_at;  // set once SIGTERM was sent
  bool killed = false;
  // Without a pidfd nothing wakes poll() when the child exits with its
  // output still held open, so start with short waits and back off.
  milliseconds backoff{1};
  std::vector<char> buffer(read_chunk);

  while (!child.try_reap()) {
    auto now = clock_type::now();
    if (!kill_at) {
      const bool expired = deadline && now >= *deadline;
      const bool cancelled = limits.cancel != nullptr && limits.cancel->load();
      if (expired || cancelled) {
        result.timed_out = expired;
        child.signal_group(SIGTERM);
        kill_at = now + limits.kill_grace;
      }
    }
    if (kill_at && !killed && now >= *kill_at) {
      child.signal_group(SIGKILL);
      killed = true;
    }
    milliseconds wait = child.pidfd() >= 0 ? max_poll_interval : backoff;
    if (!kill_at && deadline) wait = std::min(wait, until(*deadline, now));
    if (kill_at && !killed) wait = std::min(wait, until(*kill_at, now));
    if (wait_and_read(child, streams, wait, buffer, limits.output_cap)) {
      backoff = milliseconds{1};
    } else {
      backoff = std::min(backoff * 2, max_poll_interval);
    }
  }
  for (output_stream& stream : streams) drain(stream, buffer, limits.output_cap, limits.settle);
  child.record_status(result);
}

}  // namespace iohyve_api::detail
