// The cross-process lock: exclusive between descriptors of one process and
// between processes, released on destruction, and a clear error when the
// lock directory cannot be used.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "backend/host_lock.hpp"
#include "test_support.hpp"

using iohyve_api::error_code;
using iohyve_api::detail::host_lock;

namespace {

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

}  // namespace
