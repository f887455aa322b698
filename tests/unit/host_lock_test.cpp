// The cross-process lock: exclusive between descriptors of one process and
// between processes, released on destruction, a clear error when the lock
// directory cannot be used, and no lock file left behind once released
// (release unlinks it; acquire retries on a file unlinked under it).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "backend/commands.hpp"
#include "backend/host_lock.hpp"
#include "iohyve_api/client.hpp"
#include "iohyve_api/testing/scripted_runner.hpp"
#include "test_support.hpp"

using iohyve_api::error_code;
using iohyve_api::detail::host_lock;

namespace {

std::size_t files_in(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir)) return 0;
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(host_lock, excludes_a_second_holder_in_the_same_process_until_released) {
  iohyve_test::temp_dir tmp;
  const std::string dir = (tmp.path() / "locks").string();  // made on first use
  auto first = host_lock::acquire(dir, "guest-web");
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = host_lock::try_acquire(dir, "guest-web");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, error_code::conflict);
  EXPECT_TRUE(host_lock::try_acquire(dir, "guest-db").ok()) << "another name is another lock";
  first->release();
  EXPECT_TRUE(host_lock::try_acquire(dir, "guest-web").ok());
}

TEST(host_lock, excludes_another_process_until_it_ends) {
  iohyve_test::temp_dir tmp;
  const std::string dir = tmp.path().string();
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto held = host_lock::acquire(dir, "host-resources");
    const char c = held.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    ::usleep(500 * 1000);
    ::_exit(0);  // the lock goes with the process
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(c, 'y');
  auto busy = host_lock::try_acquire(dir, "host-resources");
  EXPECT_FALSE(busy.ok());
  const auto start = std::chrono::steady_clock::now();
  auto waited = host_lock::acquire(dir, "host-resources");  // blocks until the child ends
  EXPECT_TRUE(waited.ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  int status = 0;
  ::waitpid(child, &status, 0);
}

TEST(host_lock, an_unusable_lock_directory_is_a_clear_error) {
  iohyve_test::temp_dir tmp;
  const auto file = tmp.path() / "not-a-directory";
  iohyve_test::write_file(file, "x");
  auto held = host_lock::acquire((file / "locks").string(), "guest-web");
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.error().code, error_code::command_failed);
  EXPECT_NE(held.error().message.find((file / "locks").string()), std::string::npos) << held.error().message;
  EXPECT_NE(held.error().message.find("--lock-dir"), std::string::npos) << held.error().message;
}

TEST(host_lock, the_lock_file_exists_while_held_and_is_removed_on_release) {
  iohyve_test::temp_dir tmp;
  const auto dir = tmp.path() / "locks";
  {
    auto held = host_lock::acquire(dir.string(), "guest-web");
    ASSERT_TRUE(held.ok()) << held.error().message;
    EXPECT_TRUE(std::filesystem::exists(dir / "guest-web.lock"));
    host_lock moved = std::move(*held);  // the moved-to lock releases it
    EXPECT_FALSE(held->held());
    EXPECT_EQ(files_in(dir), 1u);
  }
  EXPECT_EQ(files_in(dir), 0u) << "released on destruction";
  auto once = host_lock::try_acquire(dir.string(), "iso-a.iso");
  ASSERT_TRUE(once.ok());
  once->release();
  once->release();  // twice is harmless
  EXPECT_FALSE(once->held());
  EXPECT_EQ(files_in(dir), 0u) << "released explicitly";
}

TEST(host_lock, try_acquire_still_conflicts_and_the_holder_still_removes_the_file) {
  iohyve_test::temp_dir tmp;
  const auto dir = tmp.path();
  auto first = host_lock::acquire(dir.string(), "host-resources");
  ASSERT_TRUE(first.ok());
  for (int i = 0; i < 3; ++i) {
    auto busy = host_lock::try_acquire(dir.string(), "host-resources");
    ASSERT_FALSE(busy.ok());
    EXPECT_EQ(busy.error().code, error_code::conflict);
  }
  EXPECT_EQ(files_in(dir), 1u) << "a refused caller leaves nothing behind";
  first->release();
  EXPECT_EQ(files_in(dir), 0u);
}

// A caller blocked on the file the holder unlinks must not come away holding
// that unlinked file (anyone could then lock a new file of the same name):
// it retries and holds the file the path names, which a third caller sees.
TEST(host_lock, a_waiter_on_a_file_unlinked_under_it_locks_the_current_file) {
  iohyve_test::temp_dir tmp;
  const std::string dir = tmp.path().string();
  auto first = host_lock::acquire(dir, "guest-web");
  ASSERT_TRUE(first.ok());
  enum { waiting, holds, failed };
  std::atomic<int> waiter_state{waiting};
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    auto held = host_lock::acquire(dir, "guest-web");  // opens the current file, waits on it
    waiter_state = held.ok() ? holds : failed;
    while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the waiter is in flock()
  first->release();  // unlinks the file the waiter has open
  while (waiter_state == waiting) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(waiter_state.load(), holds);
  auto third = host_lock::try_acquire(dir, "guest-web");
  EXPECT_FALSE(third.ok()) << "the waiter must hold the file the path names";
  EXPECT_TRUE(std::filesystem::exists(tmp.path() / "guest-web.lock"));
  done = true;
  waiter.join();
  EXPECT_EQ(files_in(tmp.path()), 0u);
}

// Several threads take the same name in a tight loop while every holder
// unlinks on release: at most one is ever inside, and no increment of the
// shared counter (not atomic: guarded by the lock alone) is lost.
TEST(host_lock, contenders_exclude_each_other_while_holders_unlink) {
  iohyve_test::temp_dir tmp;
  const std::string dir = tmp.path().string();
  constexpr int threads = 4;
  constexpr int rounds = 2000;
  long counter = 0;
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = 0; i < rounds; ++i) {
        auto held = host_lock::acquire(dir, "guest-web");
        if (!held) {
          ++failures;
          continue;
        }
        if (inside.fetch_add(1) != 0) ++overlaps;
        const long seen = counter;
        if (i % 64 == 0) std::this_thread::yield();  // widen the window a lost update needs
        counter = seen + 1;
        inside.fetch_sub(1);
        held->release();
      }
    });
  }
  for (auto& t : pool) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(counter, long{threads} * rounds);
  EXPECT_EQ(files_in(tmp.path()), 0u);
}

// Through the public client, as a daemon uses it: every start of a guest
// that does not exist is a 404, and none leaves its guest-NAME.lock behind.
TEST(host_lock, the_client_leaves_no_lock_file_for_names_that_do_not_exist) {
  iohyve_test::temp_dir tmp;
  iohyve_api::host_paths paths;
  paths.lock_dir = (tmp.path() / "locks").string();
  iohyve_api::testing::scripted_runner runner;
  runner.on(iohyve_api::detail::commands::guest_records(paths).argv(),
            iohyve_api::testing::scripted_runner::exited(0));  // no guest at all
  iohyve_api::client client(paths, runner);
  int not_found = 0;
  constexpr int names = 2000;
  for (int i = 0; i < names; ++i) {
    const auto name = iohyve_api::guest_name::parse("a" + std::to_string(i));
    ASSERT_TRUE(name.ok());
    const auto s = client.start(*name);
    ASSERT_FALSE(s.ok());
    if (static_cast<int>(s.error().code) == 404) ++not_found;
  }
  EXPECT_EQ(not_found, names);
  EXPECT_EQ(files_in(paths.lock_dir), 0u);
}

// A limited wait ends with 504 naming the lock once the limit has passed
// (never before it), and succeeds as soon as the holder releases within it.
TEST(host_lock, a_limited_wait_times_out_with_504_or_gets_the_lock_when_released) {
  iohyve_test::temp_dir tmp;
  const std::string dir = tmp.path().string();
  auto held = host_lock::acquire(dir, "guest-web");
  ASSERT_TRUE(held.ok());

  const auto start = std::chrono::steady_clock::now();
  const auto refused = host_lock::acquire(dir, "guest-web", std::chrono::milliseconds(200));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, error_code::timed_out);
  EXPECT_NE(refused.error().message.find("waited 200 ms for " + dir + "/guest-web.lock"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("--lock-wait"), std::string::npos) << refused.error().message;

  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    held->release();
  });
  const auto got = host_lock::acquire(dir, "guest-web", std::chrono::seconds(60));
  releaser.join();
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_TRUE(got->held());
}

// Through the client: client_options::lock_wait bounds a change's wait for
// the guest's lock, which another caller holds.
TEST(host_lock, the_client_answers_504_when_a_guest_lock_is_held_past_lock_wait) {
  iohyve_test::temp_dir tmp;
  iohyve_api::host_paths paths;
  paths.lock_dir = (tmp.path() / "locks").string();
  iohyve_api::testing::scripted_runner runner;  // nothing runs: the lock comes first
  iohyve_api::client_options options;
  options.lock_wait = std::chrono::milliseconds(100);
  iohyve_api::client client(paths, runner, options);
  auto other = host_lock::acquire(paths.lock_dir, "guest-web");
  ASSERT_TRUE(other.ok());
  const auto s = client.start(*iohyve_api::guest_name::parse("web"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error_code::timed_out) << s.error().message;
  EXPECT_NE(s.error().message.find("guest-web.lock"), std::string::npos) << s.error().message;
  EXPECT_TRUE(runner.calls().empty());
}

}  // namespace
