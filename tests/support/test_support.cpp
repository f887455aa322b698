#include "test_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#ifndef IOHYVE_TEST_FIXTURES
#define IOHYVE_TEST_FIXTURES "tests/fixtures"
#endif

namespace iohyve_test {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::filesystem::path& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  out << contents;
}

std::filesystem::path fixture(const std::string& relative) {
  return std::filesystem::path(IOHYVE_TEST_FIXTURES) / relative;
}

temp_dir::temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "iohyve-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace iohyve_test

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace iohyve_test {

process_output run_with_input(const std::vector<std::string>& argv, const std::string& input,
                              int timeout_seconds, const std::function<void(int pid)>& on_start) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
    throw std::runtime_error("pipe failed");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  std::thread watcher;
  if (on_start) watcher = std::thread([&on_start, pid] { on_start(pid); });
  signal(SIGPIPE, SIG_IGN);
  process_output result;
  std::size_t written = 0;
  int in_fd = in[1];
  if (input.empty()) {
    close(in_fd);
    in_fd = -1;
  } else {
    fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  bool out_open = true, err_open = true;
  int status = 0;
  bool exited = false;
  // Ends when the child exits (a guest it started may hold the pipes open),
  // after reading what is already buffered.
  while (out_open || err_open) {
    if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      fcntl(out[0], F_SETFL, O_NONBLOCK);
      fcntl(err[0], F_SETFL, O_NONBLOCK);
    }
    pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in_fd, POLLOUT, 0}};
    if (!out_open) fds[0].fd = -1;
    if (!err_open) fds[1].fd = -1;
    poll(fds, 3, 100);
    char buf[65536];
    if (fds[0].revents) {
      const ssize_t n = read(out[0], buf, sizeof buf);
      if (n > 0) result.out.append(buf, static_cast<std::size_t>(n));
      else out_open = false;
    } else if (exited) {
      out_open = false;
    }
    if (fds[1].revents) {
      const ssize_t n = read(err[0], buf, sizeof buf);
      if (n > 0) result.err.append(buf, static_cast<std::size_t>(n));
      else err_open = false;
    } else if (exited) {
      err_open = false;
    }
    if (in_fd >= 0 && fds[2].revents) {
      const ssize_t n = write(in_fd, input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 || written == input.size()) {
        close(in_fd);
        in_fd = -1;
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      break;
    }
  }
  if (in_fd >= 0) close(in_fd);
  close(out[0]);
  close(err[0]);
  if (!exited) waitpid(pid, &status, 0);
  if (watcher.joinable()) watcher.join();
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool process_alive(int pid) {
  if (::kill(pid, 0) != 0) return false;
#if defined(__linux__)
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
#else
  return true;
#endif
}

#if defined(__linux__)
signal_masks child_signal_masks(const std::function<iohyve_api::command_result(const iohyve_api::command&)>& run) {
  struct sigaction ignore {};
  struct sigaction previous {};
  ignore.sa_handler = SIG_IGN;
  sigset_t block;
  sigset_t old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  signal_masks masks;
  if (::sigaction(SIGPIPE, &ignore, &previous) != 0) return masks;
  ::pthread_sigmask(SIG_BLOCK, &block, &old_mask);
  // grep itself, not a shell: dash blocks signals around its own forks.
  const iohyve_api::command_result r =
      run(iohyve_api::command{"/bin/grep", {"-E", "^Sig(Blk|Ign)", "/proc/self/status"}, {}});
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGPIPE, &previous, nullptr);
  masks.status_lines = r.out;
  std::sscanf(r.out.c_str(), "SigBlk: %llx SigIgn: %llx", &masks.blocked, &masks.ignored);
  return masks;
}
#endif

}  // namespace iohyve_test
