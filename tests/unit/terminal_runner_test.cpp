// process_runner::run_on_terminal against real processes: the child runs on
// a pseudo-terminal, in its own session, as the foreground process group.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "iohyve_api/runner.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using iohyve_api::command;
using iohyve_api::command_result;
using iohyve_api::output_sink;
using iohyve_api::process_runner;
using iohyve_api::process_runner_options;
using clock_type = std::chrono::steady_clock;

std::chrono::milliseconds since(clock_type::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
}

// Collects the chunks handed to on_output.
struct chunk_log {
  std::mutex mutex;
  std::vector<std::string> chunks;

  output_sink sink() {
    return [this](std::string_view chunk) {
      const std::lock_guard<std::mutex> lock(mutex);
      chunks.emplace_back(chunk);
    };
  }
  std::string joined() {
    const std::lock_guard<std::mutex> lock(mutex);
    std::string all;
    for (const std::string& chunk : chunks) all += chunk;
    return all;
  }
};

class TerminalRunnerTest : public ::testing::Test {
 protected:
  command script(const std::string& name, const std::string& body) {
    const auto path = dir_.path() / name;
    iohyve_test::write_file(path, body);
    return command{"/bin/sh", {path.string()}, std::nullopt};
  }
  std::filesystem::path path(const std::string& name) const { return dir_.path() / name; }

  command_result run(const command& cmd, const std::atomic<bool>* cancel = nullptr) {
    return runner_.run_on_terminal(cmd, log_.sink(), cancel);
  }

  iohyve_test::temp_dir dir_;
  process_runner runner_;
  chunk_log log_;
};

TEST_F(TerminalRunnerTest, StdoutAndStderrAreATerminalStdinIsNot) {
  const command_result r =
      run(script("tty.sh", "[ -t 1 ] && [ -t 2 ] && echo tty\n[ -t 0 ] || echo stdin-not-tty\n"));
  ASSERT_TRUE(r.started()) << r.spawn_error;
  EXPECT_TRUE(r.succeeded());
  // Also shows OPOST is off: "\n" stays "\n", not "\r\n".
  EXPECT_EQ(r.out, "tty\nstdin-not-tty\n");
  EXPECT_EQ(log_.joined(), r.out);
  EXPECT_EQ(r.err, "");
}

#if defined(__linux__)
TEST_F(TerminalRunnerTest, ChildLeadsTheForegroundProcessGroup) {
  // /proc/PID/stat: pid (comm) state ppid pgrp session tty_nr tpgid ...
  // fetch(1) prints progress only when tcgetpgrp(2) == getpgrp().
  const command_result r = run(script(
      "fg.sh",
      "read -r line < /proc/$$/stat\nset -- $line\n"
      "[ \"$1\" = \"$5\" ] && [ \"$5\" = \"$6\" ] && [ \"$5\" = \"$8\" ] && echo foreground\n"));
  EXPECT_EQ(r.out, "foreground\n") << r.out;
}
#endif

TEST_F(TerminalRunnerTest, TerminalIsWideAndControlling) {
  // /dev/tty only opens for a process with a controlling terminal.
  const command_result r = run(script("size.sh", "stty size < /dev/tty\n"));
  EXPECT_TRUE(r.succeeded()) << r.out;
  EXPECT_EQ(r.out, "50 200\n");
}

TEST_F(TerminalRunnerTest, DeliversOutputInChunksAsItArrives) {
  const auto start = clock_type::now();
  std::vector<std::string> chunks;
  std::chrono::milliseconds first_chunk_at{-1};
  const output_sink sink = [&](std::string_view chunk) {
    if (chunks.empty()) first_chunk_at = since(start);
    chunks.emplace_back(chunk);
  };
  const command_result r = runner_.run_on_terminal(
      script("progress.sh", "printf 'a\\r'\nsleep 0.3\nprintf 'b\\r'\nsleep 0.3\nprintf 'c\\n'\n"),
      sink, nullptr);
  const auto total = since(start);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.out, "a\rb\rc\n");
  ASSERT_GE(chunks.size(), 2u);
  // The first chunk came before the script wrote its last line...
  EXPECT_EQ(chunks.front().find('c'), std::string::npos) << "output arrived in one piece";
  // ...and well before the run returned (0.6 s of sleeps after it).
  EXPECT_LE(first_chunk_at + 400ms, total);
  std::string joined;
  for (const std::string& chunk : chunks) joined += chunk;
  EXPECT_EQ(joined, r.out);
}

TEST_F(TerminalRunnerTest, CancelStopsALongChildQuickly) {
  std::atomic<bool> cancel{false};
  const output_sink sink = [&](std::string_view chunk) {
    if (chunk.find("started") != std::string_view::npos) cancel = true;
  };
  const auto start = clock_type::now();
  const command_result r =
      runner_.run_on_terminal(script("long.sh", "echo started\nsleep 30\n"), sink, &cancel);
  EXPECT_LT(since(start), 5s);
  EXPECT_EQ(r.term_signal, SIGTERM);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.out, "started\n");
}

TEST_F(TerminalRunnerTest, CancelFromAnotherThread) {
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    cancel = true;
  });
  const auto start = clock_type::now();
  const command_result r = run(script("long.sh", "sleep 30\n"), &cancel);
  canceller.join();
  EXPECT_LT(since(start), 5s);
  EXPECT_NE(r.term_signal, 0);
  EXPECT_FALSE(r.timed_out);
}

TEST_F(TerminalRunnerTest, CancelKillsAChildIgnoringSigtermAfterTheGrace) {
  process_runner_options options;
  options.kill_grace = 300ms;
  process_runner runner(options);
  std::atomic<bool> cancel{false};
  const output_sink sink = [&](std::string_view chunk) {
    if (chunk.find("ready") != std::string_view::npos) cancel = true;
  };
  const auto start = clock_type::now();
  const command_result r = runner.run_on_terminal(
      script("stubborn.sh", "trap '' TERM\necho ready\nsleep 30\n"), sink, &cancel);
  const auto took = since(start);
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_FALSE(r.timed_out);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 5s);
}

TEST_F(TerminalRunnerTest, ASinkThatThrowsStopsTheChildAndPropagates) {
  // Not a process problem, so it is the caller's exception; the child must
  // not be left running (or unreaped) behind it.
  const auto pid_file = path("child.pid");
  const output_sink sink = [](std::string_view) { throw std::runtime_error("sink failed"); };
  const auto start = clock_type::now();
  EXPECT_THROW(runner_.run_on_terminal(script("long.sh", "echo $$ > '" + pid_file.string() +
                                                             "'\necho started\nsleep 30\n"),
                                       sink, nullptr),
               std::runtime_error);
  EXPECT_LT(since(start), 5s);
  const pid_t child = static_cast<pid_t>(std::atoi(iohyve_test::read_file(pid_file).c_str()));
  ASSERT_GT(child, 1);
  EXPECT_NE(::kill(child, 0), 0) << "the child is still there";
}

TEST_F(TerminalRunnerTest, AlreadyCancelledRunsNothing) {
  const std::atomic<bool> cancel{true};
  const auto marker = path("ran");
  const command_result r = run(script("touch.sh", "touch '" + marker.string() + "'\n"), &cancel);
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.term_signal, SIGTERM);
  EXPECT_TRUE(log_.joined().empty());
}

TEST_F(TerminalRunnerTest, TimesOut) {
  command cmd = script("forever.sh", "echo waiting\nsleep 30\n");
  cmd.timeout = 300ms;
  const auto start = clock_type::now();
  const command_result r = run(cmd);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.out, "waiting\n");
  EXPECT_LT(since(start), 5s);
}

TEST_F(TerminalRunnerTest, ReportsAMissingProgram) {
  const command_result r = run(command{"/nonexistent/bin/fetch", {"-o", "x"}, {}});
  EXPECT_FALSE(r.started());
  EXPECT_EQ(r.spawn_error, "cannot run /nonexistent/bin/fetch: No such file or directory");
  EXPECT_EQ(r.spawn_errno, ENOENT);
  EXPECT_TRUE(log_.joined().empty());
}

TEST_F(TerminalRunnerTest, ReportsANonExecutableProgram) {
  const auto file = path("plain");
  iohyve_test::write_file(file, "echo hi\n");
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  const command_result r = run(command{file.string(), {}, {}});
  EXPECT_FALSE(r.started());
  EXPECT_NE(r.spawn_error.find("Permission denied"), std::string::npos) << r.spawn_error;
}

TEST_F(TerminalRunnerTest, PropagatesTheExitCode) {
  const command_result r = run(script("exit.sh", "echo hi\nexit 7\n"));
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_EQ(r.out, "hi\n");
}

TEST_F(TerminalRunnerTest, AGrandchildHoldingTheTerminalDoesNotBlockTheReturn) {
  // The grandchild inherits the ignored SIGHUP (from its first instruction,
  // no race), survives the SIGHUP sent when the session leader exits, and
  // keeps the terminal open for 30 s.
  const auto pid_file = path("grandchild.pid");
  const command cmd = script("detach.sh", "trap '' HUP\nsleep 30 &\necho $! > '" +
                                              pid_file.string() + "'\necho started\n");
  const auto start = clock_type::now();
  const command_result r = run(cmd);
  const auto took = since(start);
  // Typically 20-25 ms: the 20 ms allowed for pty output still in flight.
  std::cout << "[ info     ] returned after " << took.count() << " ms\n";
  EXPECT_LT(took, 5s);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.out, "started\n");
  const pid_t grandchild = static_cast<pid_t>(std::atoi(iohyve_test::read_file(pid_file).c_str()));
  ASSERT_GT(grandchild, 1);
  EXPECT_TRUE(iohyve_test::process_alive(grandchild)) << "the grandchild did not hold the terminal";
  ::kill(grandchild, SIGKILL);
}

TEST_F(TerminalRunnerTest, CapsKeptOutputButStreamsAllOfIt) {
  process_runner_options options;
  options.output_cap = 1000;
  process_runner runner(options);
  std::size_t streamed = 0;
  const command_result r = runner.run_on_terminal(
      command{"/usr/bin/head", {"-c", "100000", "/dev/zero"}, {}},
      [&](std::string_view chunk) { streamed += chunk.size(); }, nullptr);
  EXPECT_TRUE(r.succeeded()) << r.exit_code << " " << r.term_signal << " " << r.timed_out
                             << r.spawn_error;
  EXPECT_EQ(r.out.size(), 1000u);
  EXPECT_TRUE(r.out_truncated);
  EXPECT_EQ(streamed, 100000u);
}

TEST_F(TerminalRunnerTest, WorksWithoutASink) {
  const command_result r =
      runner_.run_on_terminal(script("hi.sh", "echo hi\n"), output_sink{}, nullptr);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.out, "hi\n");
}

TEST_F(TerminalRunnerTest, GivesTheChildACleanEnvironment) {
  ::setenv("IOHYVE_TERMINAL_LEAK_TEST", "1", 1);
  const command_result r = run(command{"/usr/bin/env", {}, {}});
  ::unsetenv("IOHYVE_TERMINAL_LEAK_TEST");
  EXPECT_EQ(r.out, "PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin\nLC_ALL=C\n");
}

#if defined(__linux__)
TEST_F(TerminalRunnerTest, ResetsIgnoredAndBlockedSignals) {
  const auto m = iohyve_test::child_signal_masks([&](const command& c) { return run(c); });
  EXPECT_EQ(m.blocked, 0u) << m.status_lines;
  EXPECT_EQ(m.ignored, 0u) << m.status_lines;
}
#endif

#if defined(__linux__)
TEST_F(TerminalRunnerTest, DoesNotLeakInheritableDescriptors) {
  const int plain = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(plain, 0);
  const int fd = ::fcntl(plain, F_DUPFD, 100);
  ::close(plain);
  ASSERT_GE(fd, 100);
  const command_result r = run(script("fds.sh", "if [ -e /proc/$$/fd/" + std::to_string(fd) +
                                                    " ]; then echo leaked; else echo clean; fi\n"));
  ::close(fd);
  EXPECT_EQ(r.out, "clean\n");
}
#endif

}  // namespace
