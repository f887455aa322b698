// process_runner::run against real processes: small /bin/sh scripts in a
// temporary directory, run through an argv (program /bin/sh, the script as
// argv[1]), never through a shell command line.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "iohyve_api/runner.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using iohyve_api::command;
using iohyve_api::command_result;
using iohyve_api::process_runner;
using iohyve_api::process_runner_options;
using clock_type = std::chrono::steady_clock;

constexpr const char* clean_env_output =
    "PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin\nLC_ALL=C\n";

std::chrono::milliseconds since(clock_type::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
}

class ProcessRunnerTest : public ::testing::Test {
 protected:
  // A script run as `/bin/sh PATH`.
  command script(const std::string& name, const std::string& body) {
    const auto path = dir_.path() / name;
    iohyve_test::write_file(path, body);
    return command{"/bin/sh", {path.string()}, std::nullopt};
  }
  std::filesystem::path path(const std::string& name) const { return dir_.path() / name; }

  iohyve_test::temp_dir dir_;
};

// Kills a background process a script left behind (its pid in a file).
void kill_left_behind(const std::filesystem::path& pid_file) {
  const std::string text = iohyve_test::read_file(pid_file);
  const pid_t pid = static_cast<pid_t>(std::atoi(text.c_str()));
  if (pid > 1) ::kill(pid, SIGKILL);
}

// Restores an environment variable on scope exit.
class scoped_env {
 public:
  scoped_env(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~scoped_env() { ::unsetenv(name_); }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  const char* name_;
};

TEST_F(ProcessRunnerTest, ReportsExitCodes) {
  process_runner runner;
  for (const int code : {0, 3, 255}) {
    const command_result r = runner.run(script("exit.sh", "exit " + std::to_string(code) + "\n"));
    ASSERT_TRUE(r.started()) << r.spawn_error;
    EXPECT_EQ(r.exit_code, code);
    EXPECT_EQ(r.term_signal, 0);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.succeeded(), code == 0);
  }
}

TEST_F(ProcessRunnerTest, KeepsStdoutAndStderrApart) {
  process_runner runner;
  const command_result r = runner.run(script("both.sh", "echo one\necho two >&2\necho three\n"));
  EXPECT_EQ(r.out, "one\nthree\n");
  EXPECT_EQ(r.err, "two\n");
  EXPECT_FALSE(r.out_truncated);
  EXPECT_FALSE(r.err_truncated);
}

TEST_F(ProcessRunnerTest, PassesArgumentsVerbatim) {
  process_runner runner;
  const command cmd{"/bin/sh", {"-c", "printf '[%s]' \"$@\"", "sh", "a b", "$HOME", "*", ""}, {}};
  const command_result r = runner.run(cmd);
  EXPECT_EQ(r.out, "[a b][$HOME][*][]");
}

TEST_F(ProcessRunnerTest, ReportsTheTerminatingSignal) {
  process_runner runner;
  const command_result r = runner.run(script("kill.sh", "echo before\nkill -9 $$\necho after\n"));
  ASSERT_TRUE(r.started()) << r.spawn_error;
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.out, "before\n");
}

TEST_F(ProcessRunnerTest, TimesOutACommandThatNeverEnds) {
  process_runner runner;
  command cmd = script("forever.sh", "sleep 30\n");
  cmd.timeout = 300ms;
  const auto start = clock_type::now();
  const command_result r = runner.run(cmd);
  const auto took = since(start);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGTERM);
  EXPECT_FALSE(r.succeeded());
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 5s);
}

TEST_F(ProcessRunnerTest, UsesTheRunnerTimeoutWhenTheCommandHasNone) {
  process_runner_options options;
  options.timeout = 300ms;
  process_runner runner(options);
  const auto start = clock_type::now();
  const command_result r = runner.run(script("forever.sh", "sleep 30\n"));
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(since(start), 5s);
}

TEST_F(ProcessRunnerTest, ZeroTimeoutMeansNoLimit) {
  process_runner_options options;
  options.timeout = 100ms;
  process_runner runner(options);
  command cmd = script("slow.sh", "sleep 0.5\necho done\n");
  cmd.timeout = 0ms;
  const command_result r = runner.run(cmd);
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.out, "done\n");
}

TEST_F(ProcessRunnerTest, KillsAChildThatIgnoresSigtermAfterTheGrace) {
  process_runner_options options;
  options.kill_grace = 400ms;
  process_runner runner(options);
  // `sleep` inherits the ignored SIGTERM too: only SIGKILL ends the group.
  command cmd = script("stubborn.sh", "trap '' TERM\necho ready\nsleep 30\n");
  cmd.timeout = 500ms;
  const auto start = clock_type::now();
  const command_result r = runner.run(cmd);
  const auto took = since(start);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_EQ(r.out, "ready\n");
  EXPECT_GE(took, 900ms);  // timeout + grace: SIGKILL was not sent early
  EXPECT_LT(took, 5s);
}

TEST_F(ProcessRunnerTest, ReturnsWhenTheChildExitsThoughAGrandchildHoldsItsOutput) {
  // Like `iohyve start`, which leaves bhyve running with our pipes.
  process_runner runner;
  const auto pid_file = path("grandchild.pid");
  const command cmd =
      script("detach.sh", "sleep 30 &\necho $! > '" + pid_file.string() + "'\necho started\n");
  const auto start = clock_type::now();
  const command_result r = runner.run(cmd);
  const auto took = since(start);
  // Typically 1-2 ms here (Linux 6.x, pidfd).
  std::cout << "[ info     ] returned after " << took.count() << " ms\n";
  EXPECT_LT(took, 5s);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.out, "started\n");
  // A normal exit leaves the grandchild alone.
  const pid_t grandchild = static_cast<pid_t>(std::atoi(iohyve_test::read_file(pid_file).c_str()));
  ASSERT_GT(grandchild, 1);
  EXPECT_TRUE(iohyve_test::process_alive(grandchild)) << "the grandchild was killed";
  kill_left_behind(pid_file);
}

TEST_F(ProcessRunnerTest, CapsEachStreamAndKeepsTheChildRunning) {
  const command cmd{"/usr/bin/head", {"-c", "20971520", "/dev/zero"}, {}};
  process_runner_options options;
  options.output_cap = 8u << 20;
  const command_result capped = process_runner(options).run(cmd);
  EXPECT_TRUE(capped.succeeded()) << capped.spawn_error;
  EXPECT_EQ(capped.out.size(), options.output_cap);
  EXPECT_TRUE(capped.out_truncated);
  EXPECT_FALSE(capped.err_truncated);

  options.output_cap = 32u << 20;
  const command_result whole = process_runner(options).run(cmd);
  EXPECT_TRUE(whole.succeeded());
  EXPECT_EQ(whole.out.size(), 20u << 20);
  EXPECT_FALSE(whole.out_truncated);
}

TEST_F(ProcessRunnerTest, CapsStderrSeparately) {
  process_runner_options options;
  options.output_cap = 1000;
  const command_result r = process_runner(options).run(
      script("noisy.sh", "echo fine\nhead -c 3000000 /dev/zero >&2\necho end\n"));
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.out, "fine\nend\n");
  EXPECT_FALSE(r.out_truncated);
  EXPECT_EQ(r.err.size(), 1000u);
  EXPECT_TRUE(r.err_truncated);
}

TEST_F(ProcessRunnerTest, ReportsAMissingProgram) {
  process_runner runner;
  const command_result r = runner.run(command{"/nonexistent/sbin/iohyve", {"list"}, {}});
  EXPECT_FALSE(r.started());
  EXPECT_EQ(r.spawn_error, "cannot run /nonexistent/sbin/iohyve: No such file or directory");
  EXPECT_EQ(r.spawn_errno, ENOENT);
  EXPECT_FALSE(r.succeeded());
}

TEST_F(ProcessRunnerTest, ReportsANonExecutableProgram) {
  const auto file = path("not-executable");
  iohyve_test::write_file(file, "#!/bin/sh\necho hi\n");
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  const command_result r = process_runner().run(command{file.string(), {}, {}});
  EXPECT_FALSE(r.started());
  EXPECT_NE(r.spawn_error.find("Permission denied"), std::string::npos) << r.spawn_error;
  EXPECT_EQ(r.spawn_errno, EACCES);
}

TEST_F(ProcessRunnerTest, RunsAnExecutableScriptDirectly) {
  const auto file = path("hello");
  iohyve_test::write_file(file, "#!/bin/sh\necho \"hello $1\"\n");
  ASSERT_EQ(::chmod(file.c_str(), 0755), 0);
  const command_result r = process_runner().run(command{file.string(), {"world"}, {}});
  EXPECT_TRUE(r.succeeded()) << r.spawn_error;
  EXPECT_EQ(r.out, "hello world\n");
}

TEST_F(ProcessRunnerTest, RefusesARelativeProgramPath) {
  // Never a PATH lookup, never resolved against the working directory.
  const command_result r = process_runner().run(command{"sh", {"-c", "echo ran"}, {}});
  EXPECT_FALSE(r.started());
  EXPECT_EQ(r.spawn_errno, EINVAL);
  EXPECT_EQ(r.out, "");
}

TEST_F(ProcessRunnerTest, RefusesAnArgumentWithANulByte) {
  // exec would silently cut it at the NUL.
  const command cmd{"/bin/echo", {std::string("a\0b", 3)}, {}};
  const command_result r = process_runner().run(cmd);
  EXPECT_FALSE(r.started());
  EXPECT_EQ(r.spawn_errno, EINVAL);
}

TEST_F(ProcessRunnerTest, GivesTheChildACleanEnvironment) {
  const scoped_env leak("IOHYVE_RUNNER_LEAK_TEST", "1");
  const scoped_env locale("LANG", "de_DE.UTF-8");
  const command_result r = process_runner().run(command{"/usr/bin/env", {}, {}});
  ASSERT_TRUE(r.succeeded()) << r.spawn_error;
  EXPECT_EQ(r.out, clean_env_output);
}

TEST_F(ProcessRunnerTest, StdinIsDevNull) {
  command cat{"/bin/cat", {}, 10s};
  const command_result r = process_runner().run(cat);
  EXPECT_FALSE(r.timed_out) << "cat waited for input";
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.out, "");
#if defined(__linux__)
  const command_result link = process_runner().run(script("stdin.sh", "readlink /proc/$$/fd/0\n"));
  EXPECT_EQ(link.out, "/dev/null\n");
#endif
}

#if defined(__linux__)
TEST_F(ProcessRunnerTest, DoesNotLeakInheritableDescriptors) {
  // Opened without O_CLOEXEC, as careless code in another thread might; a
  // high number so it cannot collide with the shell's own descriptors.
  const auto file = path("secret");
  iohyve_test::write_file(file, "secret");
  const int plain = ::open(file.c_str(), O_RDONLY);
  ASSERT_GE(plain, 0);
  const int fd = ::fcntl(plain, F_DUPFD, 100);
  ::close(plain);
  ASSERT_GE(fd, 100);
  const std::string check =
      "if [ -e /proc/$$/fd/" + std::to_string(fd) + " ]; then echo leaked; else echo clean; fi\n";
  const command_result r = process_runner().run(script("fds.sh", check));
  ::close(fd);
  EXPECT_EQ(r.out, "clean\n");
  // The check itself can see a descriptor that is there.
  const command_result self = process_runner().run(
      script("fds-self.sh", "if [ -e /proc/$$/fd/2 ]; then echo leaked; else echo clean; fi\n"));
  EXPECT_EQ(self.out, "leaked\n");
}

unsigned long long signal_bit(int sig) { return 1ULL << (sig - 1); }

TEST_F(ProcessRunnerTest, ResetsIgnoredAndBlockedSignals) {
  // A daemon typically ignores SIGPIPE; the tools must not inherit that, nor
  // the calling thread's signal mask.
  process_runner runner;
  const auto m = iohyve_test::child_signal_masks([&](const command& c) { return runner.run(c); });
  EXPECT_EQ(m.blocked, 0u) << m.status_lines;
  EXPECT_EQ(m.ignored & signal_bit(SIGPIPE), 0u) << m.status_lines;
  // glibc's posix_spawn ignores its two internal signals (32, 33) in the
  // child; none of the classic ones may be ignored.
  EXPECT_EQ(m.ignored & 0x7fffffffULL, 0u) << m.status_lines;
}

TEST_F(ProcessRunnerTest, PutsTheChildInItsOwnProcessGroup) {
  // /proc/PID/stat: pid (comm) state ppid pgrp ...; $1 is our own group.
  command cmd = script("pgrp.sh",
                       "ours=$1\nread -r line < /proc/$$/stat\nset -- $line\n"
                       "[ \"$5\" = \"$1\" ] && [ \"$5\" != \"$ours\" ] && echo own\n");
  cmd.args.push_back(std::to_string(::getpgrp()));
  EXPECT_EQ(process_runner().run(cmd).out, "own\n");
}
#endif

TEST_F(ProcessRunnerTest, ConcurrentRunsEachGetTheirOwnOutput) {
  process_runner runner;
  constexpr int thread_count = 8;
  constexpr int runs_per_thread = 25;
  std::vector<int> mismatches(thread_count, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&runner, &mismatches, t] {
      const std::string id = std::to_string(t);
      const command cmd{"/bin/sh", {"-c", "echo out-$1; echo err-$1 >&2; exit $1", "sh", id}, {}};
      for (int i = 0; i < runs_per_thread; ++i) {
        const command_result r = runner.run(cmd);
        if (r.out != "out-" + id + "\n" || r.err != "err-" + id + "\n" || r.exit_code != t) {
          ++mismatches[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < thread_count; ++t) {
    EXPECT_EQ(mismatches[static_cast<std::size_t>(t)], 0) << "thread " << t;
  }
}

TEST(CommandTest, ArgvPutsTheProgramFirst) {
  const command cmd{"/sbin/zfs", {"list", "-H"}, {}};
  EXPECT_EQ(cmd.argv(), (std::vector<std::string>{"/sbin/zfs", "list", "-H"}));
  EXPECT_EQ((command{"/bin/true", {}, {}}).argv(), std::vector<std::string>{"/bin/true"});
}

}  // namespace
