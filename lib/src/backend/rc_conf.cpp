#include "backend/rc_conf.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <cstring>
#include <optional>
#include <string_view>

#include "errors.hpp"
#include "text/split.hpp"

namespace iohyve_api::detail {
namespace {

// A file descriptor closed on scope exit.
class unique_fd {
 public:
  explicit unique_fd(int fd = -1) : fd_(fd) {}
  ~unique_fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

error io_error(std::string_view what, const std::string& path, int err) {
  return command_failed(std::string(what) + " " + path + ": " + std::strerror(err));
}

// The value of an "iohyve_flags=..." line, unquoted; nullopt for other lines.
std::optional<std::string_view> flags_value(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  constexpr std::string_view key = "iohyve_flags=";
  if (line.substr(0, key.size()) != key) return std::nullopt;
  std::string_view v = line.substr(key.size());
  // Drop a trailing comment and blanks, then one level of quotes.
  if (v.empty() || (v.front() != '"' && v.front() != '\'')) v = v.substr(0, v.find_first_of(" \t#"));
  else {
    const char q = v.front();
    const auto end = v.find(q, 1);
    v = end == std::string_view::npos ? v.substr(1) : v.substr(1, end - 1);
  }
  return v;
}

result<std::string> read_all(int fd, const std::string& path) {
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return text;
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot read", path, errno);
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
}

status write_all(int fd, std::string_view text, const std::string& path) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path, errno);
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return done{};
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The suffix mkstemp() gives the temporary copy of rc.conf.
constexpr std::string_view temp_infix = ".iohyve-api.";
constexpr std::size_t temp_random = 6;  // "XXXXXX"

// Removes temporary copies of rc.conf that a writer killed before its
// rename left behind (rc.conf.iohyve-api.XXXXXX). Called with the directory
// locked: every live writer holds the lock while its copy exists, so any
// copy seen now is an orphan. Failures are ignored: they cost disk space only.
void remove_orphaned_copies(int dir_fd, const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + std::string(temp_infix);
  const int fd = ::dup(dir_fd);
  if (fd < 0) return;
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return;
  }
  while (const dirent* e = ::readdir(dir)) {
    const std::string_view name = e->d_name;
    if (name.size() == prefix.size() + temp_random && name.substr(0, prefix.size()) == prefix)
      ::unlinkat(dir_fd, e->d_name, 0);
  }
  ::closedir(dir);
}

}  // namespace

std::string with_iohyve_flags(const std::string& rc_conf, const std::string& value) {
  const std::string line = "iohyve_flags=\"" + value + "\"";
  std::string out;
  out.reserve(rc_conf.size() + line.size() + 2);
  bool replaced = false;
  std::size_t pos = 0;
  while (pos < rc_conf.size()) {
    std::size_t end = rc_conf.find('\n', pos);
    const bool has_newline = end != std::string::npos;
    if (!has_newline) end = rc_conf.size();
    const std::string_view current(rc_conf.data() + pos, end - pos);
    if (flags_value(current)) {
      out += line;
      replaced = true;
    } else {
      out += current;
    }
    if (has_newline) out += '\n';
    pos = end + 1;
  }
  if (!replaced) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += line;
    out += '\n';
  }
  return out;
}

result<bool> iohyve_flags_set(const std::string& path) {
  unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return false;
    return io_error("cannot open", path, errno);
  }
  auto text = read_all(fd.get(), path);
  if (!text) return std::move(text).error();
  bool set = false;
  line_reader lines(*text);
  std::string_view line;
  while (lines.next(line))
    if (auto v = flags_value(line)) set = !v->empty();  // the last one wins, as in sh
  return set;
}

namespace {

// flock(LOCK_EX) that gives up after wait: polls LOCK_NB every 10 ms.
status lock_bounded(int fd, const std::string& dir, std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return done{};
    if (errno != EWOULDBLOCK && errno != EINTR) return io_error("cannot lock directory", dir, errno);
    if (std::chrono::steady_clock::now() >= deadline)
      return make_error(error_code::timed_out,
                        "another process has held the lock on " + dir + " for " + std::to_string(wait.count()) +
                            " ms; rc.conf was not changed");
    timespec pause{0, 10'000'000};
    ::nanosleep(&pause, nullptr);
  }
}

}  // namespace

status set_iohyve_flags(const std::string& path, const std::string& value, std::chrono::milliseconds lock_wait) {
  const std::string dir = directory_of(path);
  unique_fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) return io_error("cannot open directory", dir, errno);
  // flock on the directory: a lock on rc.conf itself would be lost with the
  // inode that rename() replaces.
  if (auto s = lock_bounded(dir_fd.get(), dir, lock_wait); !s) return s;
  remove_orphaned_copies(dir_fd.get(), path);

  std::string old_text;
  struct stat st {};
  bool existed = false;
  {
    unique_fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.get() >= 0) {
      existed = true;
      if (::fstat(in.get(), &st) < 0) return io_error("cannot stat", path, errno);
      auto text = read_all(in.get(), path);
      if (!text) return std::move(text).error();
      old_text = std::move(text).value();
    } else if (errno != ENOENT) {
      return io_error("cannot open", path, errno);
    }
  }
  const std::string new_text = with_iohyve_flags(old_text, value);
  if (existed && new_text == old_text) return done{};

  std::string tmp = path + std::string(temp_infix) + std::string(temp_random, 'X');
  unique_fd out(::mkstemp(tmp.data()));
  if (out.get() < 0) return io_error("cannot create a temporary file beside", path, errno);
  auto fail = [&](error e) {
    ::unlink(tmp.c_str());
    return e;
  };
  if (auto s = write_all(out.get(), new_text, tmp); !s) return fail(std::move(s).error());
  const mode_t mode = existed ? (st.st_mode & 07777) : 0644;
  if (::fchmod(out.get(), mode) < 0) return fail(io_error("cannot set the mode of", tmp, errno));
  if (existed && (st.st_uid != ::geteuid() || st.st_gid != ::getegid()) &&
      ::fchown(out.get(), st.st_uid, st.st_gid) < 0)
    return fail(io_error("cannot keep the owner of", path, errno));
  if (::fsync(out.get()) < 0) return fail(io_error("cannot sync", tmp, errno));
  if (::close(out.release()) < 0) return fail(io_error("cannot close", tmp, errno));
  if (::rename(tmp.c_str(), path.c_str()) < 0) return fail(io_error("cannot replace", path, errno));
  ::fsync(dir_fd.get());  // make the rename durable; failure here loses nothing
  return done{};
}

}  // namespace iohyve_api::detail
