#include "guest.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "text.hpp"

namespace fakehost {

static_assert(poweroff_signal == SIGUSR2, "poweroff_signal must be SIGUSR2");

std::string bhyve_title(const std::string& vm_name) { return "bhyve: " + vm_name; }

std::filesystem::path vmm_file(const state_dir& dir, const std::string& vm_name) { return dir.vmm_dir() / vm_name; }

namespace {

sigset_t guest_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR2}) sigaddset(&set, s);
  return set;
}

// Removes this process's line from the process table, if the lock can be
// had quickly; otherwise the entry is dropped later as dead.
void forget_self(const state_dir& dir) {
  int fd = ::open(dir.file("lock").c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return;
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      try {
        host_state host;
        host.load_procs(read_text(dir.file("procs")));
        host.remove_process(::getpid());
        write_atomically(dir.file("procs"), host.serialize_procs());
      } catch (...) {
        // The state folder is being removed: nothing left to tidy.
      }
      ::flock(fd, LOCK_UN);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::close(fd);
}

// __guest_boot's loop after bhyve has exited: `sleep 5`, then
// `bhyvectl --destroy`. Runs in a process of its own, which (like the real
// subshell) keeps the caller's stdout and stderr a little longer.
void supervise_after_poweroff(const state_dir& dir, const std::string& vm_name) {
  if (::fork() != 0) return;
  ::prctl(PR_SET_NAME, "sh", 0, 0, 0);
  std::uint64_t delay = 5;
  parse_u64(dir.config("supervisor_delay", "5"), delay);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(delay);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!owner_alive(dir)) _exit(0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::unlink(vmm_file(dir, vm_name).c_str());
  _exit(0);
}

[[noreturn]] void guest_main(const state_dir& dir, const std::string& vm_name, bool supervised) {
  ::prctl(PR_SET_NAME, "bhyve", 0, 0, 0);
  sigset_t set = guest_signals();
  const timespec poll{0, 200 * 1000 * 1000};
  int sig = 0;
  while ((sig = sigtimedwait(&set, nullptr, &poll)) <= 0)
    if (!owner_alive(dir)) _exit(0);
  forget_self(dir);
  if (supervised) {
    // After `iohyve stop` the VM goes at once (the real loop takes ~5 s;
    // settled state is what callers want to see). After a power-off from
    // bhyvectl it stays for the loop's 5 seconds, so that the caller's own
    // `bhyvectl --destroy`, which normally follows, still finds it.
    if (sig == poweroff_signal)
      supervise_after_poweroff(dir, vm_name);
    else
      ::unlink(vmm_file(dir, vm_name).c_str());
  }
  _exit(1);
}

}  // namespace

pid_t launch_guest(session& s, const std::string& vm_name, bool supervised) {
  // Block the guest's signals before forking so that a stop arriving
  // before the guest waits for it is not lost (or fatal).
  sigset_t set = guest_signals(), old;
  sigprocmask(SIG_BLOCK, &set, &old);
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) {
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return -1;
  }
  const state_dir dir = s.dir();
  pid_t child = ::fork();
  if (child == 0) {
    ::close(pipefd[0]);
    ::close(s.lock_fd());  // the lock stays with the iohyve that started us
    ::setsid();
    pid_t grandchild = ::fork();
    if (grandchild == 0) {
      pid_t self = ::getpid();
      ssize_t n = ::write(pipefd[1], &self, sizeof self);
      (void)n;
      // Keep stdin, stdout and stderr (the caller's), nothing else.
      for (int fd = 3; fd < 1024; ++fd) ::close(fd);
      guest_main(dir, vm_name, supervised);
    }
    _exit(grandchild < 0 ? 1 : 0);
  }
  ::close(pipefd[1]);
  pid_t guest = -1;
  if (child > 0) {
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    pid_t value = 0;
    ssize_t n;
    while ((n = ::read(pipefd[0], &value, sizeof value)) < 0 && errno == EINTR) {
    }
    if (n == static_cast<ssize_t>(sizeof value)) guest = value;
  }
  ::close(pipefd[0]);
  sigprocmask(SIG_SETMASK, &old, nullptr);
  if (guest <= 0) return -1;

  emulated_process p;
  p.pid = guest;
  p.start_time = process_start_time(guest).value_or(0);
  p.title = bhyve_title(vm_name);
  s.host().procs.push_back(p);
  s.commit();
  return guest;
}

void wait_until_gone(session& s, const std::vector<emulated_process>& procs, std::chrono::milliseconds timeout) {
  if (procs.empty()) return;
  s.unlock();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    bool any_alive = false;
    for (const auto& p : procs) any_alive = any_alive || process_alive(p);
    if (!any_alive || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  s.relock();
}

}  // namespace fakehost
