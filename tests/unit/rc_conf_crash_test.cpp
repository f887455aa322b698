// rc.conf survives its writer being killed: set_iohyve_flags() runs in a
// child process that is sent SIGKILL at a random moment of the write, at
// least 1,000 times (bounded in time); after each kill the file must be
// byte for byte the old or the new text, with its mode and owner. And two
// processes editing it at once (the library, and an editor following the
// same documented protocol: flock on the directory, temporary file,
// rename) never lose each other's changes.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "backend/rc_conf.hpp"

namespace fs = std::filesystem;
using namespace iohyve_api::detail;
using clock_type = std::chrono::steady_clock;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string t = (fs::temp_directory_path() / "rc-conf-crash-XXXXXX").string();
    if (!::mkdtemp(t.data())) std::abort();
    path = t;
  }
  ~temp_dir() { fs::remove_all(path); }
};

// What a typical rc.conf holds around the line the library edits.
const std::string original =
    "hostname=\"vmhost\"\n"
    "ifconfig_em0=\"DHCP\"\n"
    "sshd_enable=\"YES\"\n"
    "iohyve_enable=\"YES\"\n"
    "iohyve_flags=\"kmod=1 net=em0\"\n"
    "zfs_enable=\"YES\"\n"
    "# a comment the library must keep\n";

// Files beside rc.conf: temporary copies a killed writer left behind (the
// next write removes them).
int others_in(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename() != "rc.conf";
  return n;
}

}  // namespace

TEST(RcConfCrash, SigkillAtRandomPointsLeavesOldOrNewFile) {
  temp_dir dir;
  const fs::path rc = dir.path / "rc.conf";
  write_file(rc, original);
  // Mode and owner that differ from what a new file would get: the writer
  // must carry them over (root can give the file another owner).
  ASSERT_EQ(::chmod(rc.c_str(), 0640), 0);
  const bool root = ::geteuid() == 0;
  const uid_t uid = root ? 4242 : ::geteuid();
  const gid_t gid = root ? 4343 : ::getegid();
  ASSERT_EQ(::chown(rc.c_str(), uid, gid), 0);

  // How long one write takes here, so that kills land across all of it.
  const auto calibrate_start = clock_type::now();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(set_iohyve_flags(rc, "kmod=1 net=em" + std::to_string(i % 2)).ok());
  const auto write_time = (clock_type::now() - calibrate_start) / 20;
  // Kills land uniformly in [0, window]. The window follows the outcomes
  // (shorter after a kill that came too late, longer after one that came
  // before the rename), so that about half of the kills land inside the
  // write however fast the disk is at the moment; it starts at twice the
  // measured write.
  double window_us = std::max<double>(
      200, 2.0 * std::chrono::duration_cast<std::chrono::microseconds>(write_time).count());
  double window_min = window_us, window_max = window_us;

  std::mt19937 rng(12345);
  constexpr int iterations = 1000;
  const auto deadline = clock_type::now() + std::chrono::seconds(90);
  int done = 0, kept_old = 0, became_new = 0, leftovers = 0;
  for (; done < iterations && clock_type::now() < deadline; ++done) {
    const std::string before = read_file(rc);
    const std::string value = "kmod=1 net=em" + std::to_string(done);
    const std::string after = with_iohyve_flags(before, value);

    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(ready[0]);
      char c = 1;
      if (::write(ready[1], &c, 1) != 1) ::_exit(3);
      const bool ok = set_iohyve_flags(rc, value).ok();
      ::_exit(ok ? 0 : 2);
    }
    ::close(ready[1]);
    char c;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);  // the child is about to write
    ::close(ready[0]);
    const long d = std::uniform_int_distribution<long>(0, static_cast<long>(window_us))(rng);
    if (d > 0) ::usleep(static_cast<useconds_t>(d));
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
        << "the writer failed on its own (status " << status << ")";

    const std::string now = read_file(rc);
    ASSERT_TRUE(now == before || now == after)
        << "iteration " << done << ": rc.conf is neither the old nor the new text:\n" << now;
    (now == before ? kept_old : became_new)++;
    window_us = std::clamp(now == before ? window_us * 1.05 : window_us * 0.95, 20.0, 1e6);
    window_min = std::min(window_min, window_us);
    window_max = std::max(window_max, window_us);
    struct stat st {};
    ASSERT_EQ(::stat(rc.c_str(), &st), 0);
    ASSERT_EQ(st.st_mode & 07777, 0640u) << "iteration " << done;
    ASSERT_EQ(st.st_uid, uid) << "iteration " << done;
    ASSERT_EQ(st.st_gid, gid) << "iteration " << done;
    // A killed writer may leave its temporary copy; the next write removes it.
    const int others = others_in(dir.path);
    ASSERT_LE(others, 1) << "iteration " << done << ": orphaned temporary copies pile up";
    leftovers += others;
  }
  ASSERT_TRUE(set_iohyve_flags(rc, "kmod=1 net=em0").ok());
  EXPECT_EQ(others_in(dir.path), 0) << "a completed write left a temporary copy behind";
  EXPECT_EQ(done, iterations) << "only " << done << " iterations fitted in the time bound";
  // Both outcomes must have happened, or the kills did not land inside writes.
  EXPECT_GT(kept_old, 0);
  EXPECT_GT(became_new, 0);
  std::printf("rc.conf crash safety: %d kills (write time %lld us, delay windows %.0f..%.0f us): "
              "%d old, %d new, never anything else; %d temporary copies left by killed writers "
              "(each removed by the next write)\n",
              done, static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(write_time).count()),
              window_min, window_max, kept_old, became_new, leftovers);
}

TEST(RcConfCrash, OrphanedTemporaryCopiesRemovedByTheNextWrite) {
  temp_dir dir;
  const fs::path rc = dir.path / "rc.conf";
  write_file(rc, original);
  for (const char* name : {"rc.conf.iohyve-api.Ab12Cd", "rc.conf.iohyve-api.zzzzzz"}) write_file(dir.path / name, "partial");
  // Not the writer's copies: kept.
  for (const char* name : {"rc.conf.local", "rc.conf.iohyve-api.toolong1", "other.iohyve-api.Ab12Cd"})
    write_file(dir.path / name, "keep");
  ASSERT_TRUE(set_iohyve_flags(rc, "kmod=1 net=re0").ok());
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"other.iohyve-api.Ab12Cd", "rc.conf", "rc.conf.iohyve-api.toolong1",
                                              "rc.conf.local"}));
}

// Another process holding the lock: the writer waits for it, but not for
// ever (a hung editor must not hang setup).
TEST(RcConfCrash, LockHeldElsewhereIsAwaitedThenGivenUp) {
  temp_dir dir;
  const fs::path rc = dir.path / "rc.conf";
  write_file(rc, original);
  int locked[2], release[2];
  ASSERT_EQ(::pipe(locked), 0);
  ASSERT_EQ(::pipe(release), 0);
  const pid_t holder = ::fork();
  ASSERT_GE(holder, 0);
  if (holder == 0) {  // takes the lock, says so, holds it until told
    const int d = ::open(dir.path.c_str(), O_RDONLY | O_DIRECTORY);
    if (d < 0 || ::flock(d, LOCK_EX) != 0) ::_exit(2);
    char c = 1;
    if (::write(locked[1], &c, 1) != 1) ::_exit(3);
    if (::read(release[0], &c, 1) < 0) ::_exit(4);
    ::_exit(0);
  }
  char c;
  ASSERT_EQ(::read(locked[0], &c, 1), 1);

  const auto start = clock_type::now();
  const auto given_up = set_iohyve_flags(rc, "kmod=1 net=re0", std::chrono::milliseconds(300));
  const auto waited = clock_type::now() - start;
  ASSERT_FALSE(given_up.ok());
  EXPECT_EQ(given_up.error().code, iohyve_api::error_code::timed_out);
  EXPECT_NE(given_up.error().message.find("300 ms"), std::string::npos) << given_up.error().message;
  EXPECT_GE(waited, std::chrono::milliseconds(300));
  EXPECT_LT(waited, std::chrono::seconds(5));
  EXPECT_EQ(read_file(rc), original);

  // Released while a writer waits: the writer goes on.
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    c = 1;
    if (::write(release[1], &c, 1) != 1) std::abort();
  });
  EXPECT_TRUE(set_iohyve_flags(rc, "kmod=1 net=re0", std::chrono::seconds(30)).ok());
  releaser.join();
  int status = 0;
  ASSERT_EQ(::waitpid(holder, &status, 0), holder);
  EXPECT_EQ(read_file(rc), with_iohyve_flags(original, "kmod=1 net=re0"));
  for (int fd : {locked[0], locked[1], release[0], release[1]}) ::close(fd);
}

namespace {

// Another program editing rc.conf the documented way: flock on the
// directory, read, write a temporary file, rename it over rc.conf. Appends
// one line.
void append_line_locked(const fs::path& rc, const std::string& line) {
  const int dir = ::open(rc.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
  if (dir < 0 || ::flock(dir, LOCK_EX) != 0) std::abort();
  const std::string text = read_file(rc) + line + "\n";
  const fs::path tmp = rc.string() + ".other-editor";
  write_file(tmp, text);
  fs::rename(tmp, rc);
  ::close(dir);  // releases the lock
}

}  // namespace

TEST(RcConfCrash, TwoProcessesEditingAtOnceLoseNothing) {
  temp_dir dir;
  const fs::path rc = dir.path / "rc.conf";
  write_file(rc, original);
  constexpr int edits = 300;

  const pid_t library = ::fork();
  ASSERT_GE(library, 0);
  if (library == 0) {
    for (int i = 0; i < edits; ++i)
      if (!set_iohyve_flags(rc, "kmod=1 net=em" + std::to_string(i)).ok()) ::_exit(2);
    ::_exit(0);
  }
  const pid_t other = ::fork();
  ASSERT_GE(other, 0);
  if (other == 0) {
    for (int i = 0; i < edits; ++i) append_line_locked(rc, "other_" + std::to_string(i) + "=\"YES\"");
    ::_exit(0);
  }
  for (pid_t p : {library, other}) {
    int status = 0;
    ASSERT_EQ(::waitpid(p, &status, 0), p);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  // Every line the other editor appended is there, in order, and the
  // library's last value is the one set.
  std::string expected = with_iohyve_flags(original, "kmod=1 net=em" + std::to_string(edits - 1));
  for (int i = 0; i < edits; ++i) expected += "other_" + std::to_string(i) + "=\"YES\"\n";
  EXPECT_EQ(read_file(rc), expected);
}
