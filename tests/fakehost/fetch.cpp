// fetch(1) as in FreeBSD 11 and later (usr.bin/fetch/fetch.c), the parts
// iohyve and the library rely on: `fetch [-qv] [-o path] URL ...`, output to
// a file named after the URL (inside -o's directory when it is one), the
// statistics of reference/formats.md §a, warnx-style errors, exit 0 or 1.
//
// The transfer can be throttled (fake_host::set_fetch_rate, config
// "fetch_rate" in bytes per second) so that progress is visible: the copy
// goes in 64 KiB blocks and sleeps to keep that average rate.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "fetch_url.hpp"
#include "options.hpp"
#include "tools.hpp"

namespace fakehost {

namespace {

constexpr std::size_t block_size = 64 * 1024;

// fetch.c's struct xferstat and the stat_* functions (formats.md §a.2-a.4).
class transfer_stats {
 public:
  transfer_stats(sink& err, int v_level) : err_(err), v_level_(v_level) {
    int fd = err.fd();
    v_progress_ = fd >= 0 && ::isatty(fd) && v_level > 0;
    pgrp_ = ::getpgrp();
  }

  void start(const std::string& name, std::int64_t size, std::int64_t offset) {
    name_ = name.substr(0, 63);  // char name[64]
    ::gettimeofday(&start_, nullptr);
    last_ = last2_ = start_;
    size_ = size;
    offset_ = rcvd_ = lastrcvd_ = offset;
    if (v_progress_)
      display(1);
    else if (v_level_ > 0)
      err_.write(fmt::format("{:<46}", name_));
  }

  void update(std::int64_t rcvd) {
    rcvd_ = rcvd;
    if (v_progress_) display(0);
  }

  void end() {
    ::gettimeofday(&last_, nullptr);
    if (v_progress_) {
      display(2);
      err_.write("\n");
    } else if (v_level_ > 0) {
      err_.write("        " + bytes(rcvd_) + " " + bps() + " " + eta() + "\n");
    }
  }

 private:
  // stat_bytes: "%4ju %cB" after dividing by 1024 while above 9999.
  static std::string bytes(std::int64_t n) {
    static const char prefixes[] = " kMGTP";
    const char* prefix = prefixes;
    std::uint64_t b = n < 0 ? 0 : static_cast<std::uint64_t>(n);
    while (b > 9999 && prefix[1] != '\0') {
      b /= 1024;
      ++prefix;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%4ju %cB", static_cast<std::uintmax_t>(b), *prefix);
    return buf;
  }

  static double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

  // stat_bps: since the previous display ("?? Bps" when no time passed).
  std::string bps() const {
    double delta = seconds(last_) - seconds(last2_);
    if (delta == 0.0) return "?? Bps";
    double rate = static_cast<double>(rcvd_ - lastrcvd_) / delta;
    return bytes(static_cast<std::int64_t>(rate)) + "ps";
  }

  // stat_seconds.
  static std::string duration(long s) {
    char buf[32];
    if (s > 86400)
      std::snprintf(buf, sizeof buf, "%02ldd%02ldh", s / 86400, (s % 86400) / 3600);
    else if (s > 3600)
      std::snprintf(buf, sizeof buf, "%02ldh%02ldm", s / 3600, (s % 3600) / 60);
    else if (s > 60)
      std::snprintf(buf, sizeof buf, "%02ldm%02lds", s / 60, s % 60);
    else
      std::snprintf(buf, sizeof buf, "   %02lds", s);
    return buf;
  }

  // stat_eta: the time left, or the time taken when nothing is left.
  std::string eta() const {
    long elapsed = static_cast<long>(last_.tv_sec - start_.tv_sec);
    std::int64_t received = rcvd_ - offset_;
    std::int64_t expected = size_ - rcvd_;
    long left = received > 0 ? static_cast<long>(static_cast<double>(elapsed) * static_cast<double>(expected) /
                                                 static_cast<double>(received))
                             : 0;
    return duration(left > 0 ? left : elapsed);
  }

  // stat_display: only for the terminal's foreground process group, at most
  // once per wall-clock second unless forced.
  void display(int force) {
    int fd = err_.fd();
    pid_t ctty_pgrp = 0;
    if (::ioctl(fd, TIOCGPGRP, &ctty_pgrp) != 0 || ctty_pgrp != pgrp_) return;
    timeval now;
    ::gettimeofday(&now, nullptr);
    if (!force && now.tv_sec <= last_.tv_sec) return;
    last2_ = last_;
    last_ = now;
    std::string line = "\r" + fmt::format("{:<46.46}", name_);
    if (rcvd_ >= size_) {
      line += "        " + bytes(rcvd_);
    } else {
      char pct[16];
      std::snprintf(pct, sizeof pct, "%3d%% of ",
                    static_cast<int>((100.0 * static_cast<double>(rcvd_)) / static_cast<double>(size_)));
      line += pct + bytes(size_);
    }
    if (force == 2) {
      lastrcvd_ = offset_;
      last2_ = start_;
    }
    line += " " + bps();
    if ((size_ > 0 && rcvd_ > 0 && last_.tv_sec >= start_.tv_sec + 3) || force == 2) line += " " + eta();
    err_.write(line);
    lastrcvd_ = rcvd_;
  }

  sink& err_;
  int v_level_;
  bool v_progress_ = false;
  pid_t pgrp_ = 0;
  std::string name_;
  timeval start_{}, last_{}, last2_{};
  std::int64_t size_ = -1, offset_ = 0, rcvd_ = 0, lastrcvd_ = 0;
};

int fetch_usage(sink& err) {
  err.write(
      "usage: fetch [-146AadFlMmnPpqRrsUv] [-B bytes] [--bind-address=host]\n"
      "       [--ca-cert=file] [--ca-path=dir] [--cert=file] [--crl=file]\n"
      "       [-i file] [--key=file] [-N file] [--no-passive] [--no-proxy=list]\n"
      "       [--no-sslv3] [--no-tlsv1] [--no-verify-hostname] [--no-verify-peer]\n"
      "       [-o file] [--referer=URL] [-S bytes] [-T seconds]\n"
      "       [--user-agent=agent-string] [-w seconds] URL ...\n");
  return 1;
}

struct fetch_settings {
  int v_level = 1;
  bool size_only = false;
  std::uint64_t rate = 0;  // bytes per second, 0: as fast as possible
};

// fetch() in fetch.c for one URL into path (already resolved from -o).
int fetch_one(const std::string& url, const std::string& path, const fetch_settings& settings,
              const path_mapper& map, streams io) {
  std::string error;
  auto in = open_url(url, map, error);
  if (!in) {
    io.err.print("fetch: {}: {}\n", url, error);
    return 1;
  }
  if (settings.size_only) {
    io.out.write(in->size() < 0 ? std::string("Unknown\n") : std::to_string(in->size()) + "\n");
    return 0;
  }
  const bool to_stdout = path == "-";
  if (in->size() == -1 && !to_stdout && settings.v_level > 0)
    io.err.print("fetch: {}: size of remote file is not known\n", url);
  const auto host_file = map(path);
  int out_fd = to_stdout ? -1 : ::open(host_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (!to_stdout && out_fd < 0) {
    io.err.print("fetch: {}: open(): {}\n", path, std::strerror(errno));
    return 1;
  }
  transfer_stats stats(io.err, settings.v_level);
  stats.start(path, in->size(), 0);
  std::vector<char> buffer(block_size);
  std::int64_t count = 0;
  int read_errno = 0;
  const auto began = std::chrono::steady_clock::now();
  for (;;) {
    long got = in->read(buffer.data(), buffer.size());
    if (got < 0) {
      read_errno = errno ? errno : EIO;
      break;
    }
    if (got == 0) break;
    count += got;
    stats.update(count);
    if (to_stdout) {
      io.out.write(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
    } else {
      for (long off = 0; off < got;) {
        ssize_t w = ::write(out_fd, buffer.data() + off, static_cast<std::size_t>(got - off));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += w;
      }
    }
    if (settings.rate > 0) {
      auto due = began + std::chrono::microseconds(static_cast<std::int64_t>(
                             static_cast<double>(count) * 1e6 / static_cast<double>(settings.rate)));
      std::this_thread::sleep_until(due);
    }
  }
  stats.end();
  if (out_fd >= 0) ::close(out_fd);
  if (read_errno) {
    io.err.print("fetch: {}: {}\n", url, std::strerror(read_errno));
    if (!to_stdout) ::unlink(host_file.c_str());
    return 1;
  }
  if (in->size() != -1 && count < in->size()) {
    io.err.print("fetch: {} appears to be truncated: {}/{} bytes\n", path, count, in->size());
    return 1;
  }
  return 0;
}

}  // namespace

int run_fetch(session& s, const arguments& args, streams io) {
  auto o = parse_options(args, 0, "146AaB:bc:dFf:Hh:i:lMmN:nPpo:qRrS:sT:tUvw:", true);
  if (!o.ok() || o.operands.empty()) return fetch_usage(io.err);
  fetch_settings settings;
  settings.v_level = o.has('q') ? 0 : 1;
  for (const auto& [opt, value] : o.options)
    if (opt == 'v') ++settings.v_level;
  settings.size_only = o.has('s');
  parse_u64(s.dir().config("fetch_rate", "0"), settings.rate);

  // Output paths under a mounted dataset (/iohyve/ISO/x.iso) are files in
  // its data directory; take the mountpoints along and let others in.
  const zfs_store mounts = s.zfs();
  path_mapper map = [&mounts](const std::string& p) { return mounts.host_path(p); };
  s.unlock();

  const std::string o_file = o.value('o');
  struct stat st {};
  const bool o_directory = o.has('o') && o_file != "-" && ::stat(map(o_file).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  int status = 0;
  for (const auto& url : o.operands) {
    if (url.empty()) {
      io.err.write("fetch: empty URL\n");
      status = 1;
      continue;
    }
    auto slash = url.rfind('/');
    std::string name = slash == std::string::npos ? url : url.substr(slash + 1);
    if (name.empty()) name = "fetch.out";
    std::string path = !o.has('o') ? name : o_directory ? o_file + "/" + name : o_file;
    if (fetch_one(url, path, settings, map, io) != 0) status = 1;
  }
  s.relock();
  return status;
}

}  // namespace fakehost
