// testing::scripted_runner, and the default command_runner::run_on_terminal
// it inherits.
#include "iohyve_api/testing/scripted_runner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "iohyve_api/runner.hpp"

namespace {

using iohyve_api::command;
using iohyve_api::command_result;
using iohyve_api::testing::scripted_runner;
using argv_list = std::vector<std::vector<std::string>>;

const command zfs_list{"/sbin/zfs", {"list", "-H"}, {}};
const std::vector<std::string> zfs_list_argv{"/sbin/zfs", "list", "-H"};

TEST(ScriptedRunnerTest, ExitedBuildsAResult) {
  const command_result r = scripted_runner::exited(2, "out", "err");
  EXPECT_TRUE(r.started());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "out");
  EXPECT_EQ(r.err, "err");
  EXPECT_FALSE(r.succeeded());
  EXPECT_TRUE(scripted_runner::exited(0).succeeded());
}

TEST(ScriptedRunnerTest, OnAnswersEveryRun) {
  scripted_runner runner;
  runner.on(zfs_list_argv, scripted_runner::exited(0, "tank\n"));
  for (int i = 0; i < 3; ++i) {
    const command_result r = runner.run(zfs_list);
    EXPECT_TRUE(r.succeeded());
    EXPECT_EQ(r.out, "tank\n");
  }
  EXPECT_EQ(runner.calls().size(), 3u);
}

TEST(ScriptedRunnerTest, OnReplacesAnEarlierResult) {
  scripted_runner runner;
  runner.on(zfs_list_argv, scripted_runner::exited(0, "old\n"));
  runner.on(zfs_list_argv, scripted_runner::exited(0, "new\n"));
  EXPECT_EQ(runner.run(zfs_list).out, "new\n");
}

TEST(ScriptedRunnerTest, ExpectOnceIsFifoAndComesBeforeOn) {
  scripted_runner runner;
  runner.on(zfs_list_argv, scripted_runner::exited(0, "always\n"));
  runner.expect_once(zfs_list_argv, scripted_runner::exited(0, "first\n"));
  runner.expect_once(zfs_list_argv, scripted_runner::exited(1, "second\n"));
  EXPECT_EQ(runner.run(zfs_list).out, "first\n");
  const command_result second = runner.run(zfs_list);
  EXPECT_EQ(second.out, "second\n");
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_EQ(runner.run(zfs_list).out, "always\n");
  EXPECT_EQ(runner.run(zfs_list).out, "always\n");
}

TEST(ScriptedRunnerTest, ExpectOnceAloneIsUsedUp) {
  scripted_runner runner;
  runner.expect_once(zfs_list_argv, scripted_runner::exited(0, "once\n"));
  EXPECT_EQ(runner.run(zfs_list).out, "once\n");
  const command_result again = runner.run(zfs_list);
  EXPECT_FALSE(again.started());
  EXPECT_EQ(again.spawn_error, "unexpected command: /sbin/zfs list -H");
}

TEST(ScriptedRunnerTest, MatchesTheWholeArgvExactly) {
  scripted_runner runner;
  runner.on(zfs_list_argv, scripted_runner::exited(0));
  EXPECT_FALSE(runner.run(command{"/sbin/zfs", {"list"}, {}}).started());
  EXPECT_FALSE(runner.run(command{"/sbin/zfs", {"list", "-H", "-p"}, {}}).started());
  EXPECT_FALSE(runner.run(command{"/usr/sbin/zfs", {"list", "-H"}, {}}).started());
  EXPECT_TRUE(runner.run(zfs_list).started());
}

TEST(ScriptedRunnerTest, ReportsAndRecordsAnUnexpectedCommand) {
  scripted_runner runner;
  const command_result r = runner.run(command{"/usr/local/sbin/iohyve", {"start", "vm0"}, {}});
  EXPECT_FALSE(r.started());
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.spawn_error, "unexpected command: /usr/local/sbin/iohyve start vm0");
  EXPECT_EQ(r.spawn_errno, ENOENT);
  EXPECT_EQ(runner.calls(), (argv_list{{"/usr/local/sbin/iohyve", "start", "vm0"}}));
}

TEST(ScriptedRunnerTest, RecordsCallsInOrderAndClears) {
  scripted_runner runner;
  runner.on(zfs_list_argv, scripted_runner::exited(0));
  runner.run(zfs_list);
  runner.run(command{"/usr/local/sbin/iohyve", {"list"}, {}});
  runner.run(zfs_list);
  EXPECT_EQ(runner.calls(),
            (argv_list{zfs_list_argv, {"/usr/local/sbin/iohyve", "list"}, zfs_list_argv}));
  runner.clear_calls();
  EXPECT_TRUE(runner.calls().empty());
  runner.run(zfs_list);
  EXPECT_EQ(runner.calls(), argv_list{zfs_list_argv});
}

TEST(ScriptedRunnerTest, IsSafeFromSeveralThreads) {
  scripted_runner runner;
  constexpr int thread_count = 8;
  constexpr int runs = 200;
  for (int t = 0; t < thread_count; ++t) {
    const std::vector<std::string> argv{"/bin/echo", std::to_string(t)};
    runner.on(argv, scripted_runner::exited(0, std::to_string(t)));
    for (int i = 0; i < runs / 2; ++i)
      runner.expect_once(argv, scripted_runner::exited(0, std::to_string(t)));
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&runner, &wrong, t] {
      const command cmd{"/bin/echo", {std::to_string(t)}, {}};
      for (int i = 0; i < runs; ++i) {
        if (runner.run(cmd).out != std::to_string(t)) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(runner.calls().size(), static_cast<std::size_t>(thread_count * runs));
}

TEST(DefaultRunOnTerminalTest, PassesStdoutThenStderrInOneChunkEach) {
  scripted_runner runner;
  runner.on(zfs_list_argv, scripted_runner::exited(0, "out text", "err text"));
  std::vector<std::string> chunks;
  const command_result r = runner.run_on_terminal(
      zfs_list, [&](std::string_view chunk) { chunks.emplace_back(chunk); }, nullptr);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.out, "out text");
  EXPECT_EQ(chunks, (std::vector<std::string>{"out text", "err text"}));
}

TEST(DefaultRunOnTerminalTest, SkipsEmptyStreams) {
  scripted_runner runner;
  runner.on(zfs_list_argv, scripted_runner::exited(0, "", "only err"));
  std::vector<std::string> chunks;
  runner.run_on_terminal(
      zfs_list, [&](std::string_view chunk) { chunks.emplace_back(chunk); }, nullptr);
  EXPECT_EQ(chunks, std::vector<std::string>{"only err"});
  chunks.clear();
  runner.on(zfs_list_argv, scripted_runner::exited(0));
  runner.run_on_terminal(
      zfs_list, [&](std::string_view chunk) { chunks.emplace_back(chunk); }, nullptr);
  EXPECT_TRUE(chunks.empty());
}

TEST(DefaultRunOnTerminalTest, AlreadyCancelledRunsNothing) {
  scripted_runner runner;
  runner.on(zfs_list_argv, scripted_runner::exited(0, "out"));
  const std::atomic<bool> cancel{true};
  bool called = false;
  const command_result r = runner.run_on_terminal(
      zfs_list, [&](std::string_view) { called = true; }, &cancel);
  EXPECT_FALSE(called);
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.term_signal, SIGTERM);
  EXPECT_TRUE(runner.calls().empty());
}

TEST(DefaultRunOnTerminalTest, RunsWhenNotCancelledAndWithoutASink) {
  scripted_runner runner;
  runner.on(zfs_list_argv, scripted_runner::exited(0, "out"));
  const std::atomic<bool> cancel{false};
  const command_result r = runner.run_on_terminal(zfs_list, iohyve_api::output_sink{}, &cancel);
  EXPECT_EQ(r.out, "out");
  EXPECT_EQ(runner.calls().size(), 1u);
}

}  // namespace
