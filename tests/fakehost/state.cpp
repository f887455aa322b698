#include "state.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "text.hpp"

namespace fakehost {

namespace {

fs::path self_exe() {
  std::error_code ec;
  return fs::canonical("/proc/self/exe", ec);
}

}  // namespace

std::optional<fs::path> locate_state_dir(const std::string& argv0) {
  fs::path invoked(argv0);
  if (argv0.find('/') == std::string::npos) {
    // Found on PATH by a shell: take the PATH entry whose link leads to us.
    const char* path = std::getenv("PATH");
    fs::path me = self_exe();
    for (const auto& dir : split(path ? path : "", ':')) {
      std::error_code ec;
      fs::path candidate = fs::path(dir.empty() ? "." : dir) / argv0;
      if (fs::exists(candidate, ec) && fs::canonical(candidate, ec) == me) {
        invoked = candidate;
        break;
      }
    }
  }
  std::error_code ec;
  fs::path bindir = fs::absolute(invoked, ec).parent_path();
  fs::path state = bindir.parent_path() / "state";
  if (fs::is_directory(state, ec)) return state;
  return std::nullopt;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_atomically(const fs::path& path, std::string_view contents) {
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + tmp.string());
  std::string_view rest = contents;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::system_error(e, std::generic_category(), "write " + tmp.string());
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw std::system_error(e, std::generic_category(), "rename " + tmp.string());
  }
}

file_lock::file_lock(const fs::path& path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  acquire();
}

file_lock::~file_lock() {
  release();
  if (fd_ >= 0) ::close(fd_);
}

void file_lock::acquire() {
  if (held_) return;
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "flock");
  }
  held_ = true;
}

void file_lock::release() {
  if (!held_) return;
  ::flock(fd_, LOCK_UN);
  held_ = false;
}

config_map state_dir::read_config() const {
  config_map out;
  for (const auto& line : lines(read_text(file("config")))) {
    auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = unescape_field(line.substr(eq + 1));
  }
  return out;
}

void state_dir::write_config(const config_map& config) const {
  std::string text;
  for (const auto& [k, v] : config) text += k + "=" + escape_field(v) + "\n";
  write_atomically(file("config"), text);
}

std::string state_dir::config(const std::string& key, const std::string& fallback) const {
  auto c = read_config();
  auto it = c.find(key);
  return it == c.end() ? fallback : it->second;
}

fs::path state_dir::vmm_dir() const {
  std::string v = config("vmm_dir");
  return v.empty() ? root_ / "vmm" : fs::path(v);
}

void state_dir::log_invocation(const std::string& tool, const std::vector<std::string>& args) const {
  std::string line = tool;
  for (const auto& a : args) {
    line += ' ';
    for (char c : a) {
      if (c == '\n')
        line += "\\n";
      else
        line += c;
    }
  }
  line += '\n';
  // O_APPEND and one write(2): lines from concurrent tools never interleave.
  int fd = ::open(file("invocations.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t n = ::write(fd, line.data(), line.size());
  (void)n;
  ::close(fd);
}

std::string_view fault_name(fault f) {
  switch (f) {
    case fault::none: return "none";
    case fault::missing: return "missing";
    case fault::hang: return "hang";
    case fault::crash: return "crash";
    case fault::garbage: return "garbage";
  }
  return "none";
}

std::optional<fault> parse_fault(std::string_view name) {
  for (fault f : {fault::none, fault::missing, fault::hang, fault::crash, fault::garbage})
    if (fault_name(f) == name) return f;
  return std::nullopt;
}

std::map<std::string, fault> read_faults(const state_dir& dir) {
  std::map<std::string, fault> out;
  for (const auto& line : lines(read_text(dir.file("faults")))) {
    auto f = split(line, '\t');
    if (f.size() == 2)
      if (auto mode = parse_fault(f[1])) out[f[0]] = *mode;
  }
  return out;
}

void write_faults(const state_dir& dir, const std::map<std::string, fault>& faults) {
  std::string text;
  for (const auto& [tool, mode] : faults)
    if (mode != fault::none) text += tool + "\t" + std::string(fault_name(mode)) + "\n";
  write_atomically(dir.file("faults"), text);
}

bool owner_alive(const state_dir& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir.root(), ec)) return false;
  std::uint64_t pid = 0;
  if (!parse_u64(dir.config("owner_pid"), pid) || pid == 0) return true;  // no owner recorded
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace fakehost
