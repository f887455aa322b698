#include "backend/task_queue.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

using namespace iohyve_api::detail;

namespace {

TEST(task_queue, runs_every_job_and_reports_failure) {
  task_queue q(2);
  std::atomic<int> ran{0};
  for (int i = 0; i < 10; ++i) q.submit([&, i](const std::atomic<bool>&) { ++ran; return i != 3; });
  EXPECT_FALSE(q.wait_all());
  EXPECT_EQ(ran, 10);
  q.submit([](const std::atomic<bool>&) { return true; });
  EXPECT_TRUE(q.wait_all()) << "the failure was reported once";
}

TEST(task_queue, never_runs_more_than_the_limit_at_once) {
  task_queue q(2);
  std::atomic<int> now{0}, peak{0};
  for (int i = 0; i < 8; ++i)
    q.submit([&](const std::atomic<bool>&) {
      const int n = ++now;
      int p = peak;
      while (n > p && !peak.compare_exchange_weak(p, n)) {}
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      --now;
      return true;
    });
  EXPECT_TRUE(q.wait_all());
  EXPECT_LE(peak, 2);
}

TEST(task_queue, destructor_cancels_running_jobs) {
  std::atomic<bool> saw_cancel{false};
  {
    task_queue q(1);
    q.submit([&](const std::atomic<bool>& cancel) {
      while (!cancel) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      saw_cancel = true;
      return false;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(saw_cancel);
}

TEST(task_queue, queue_ids_are_braced_random_uuids) {
  const std::regex pattern(R"(^\{[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\}$)");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = make_queue_id();
    EXPECT_TRUE(std::regex_match(id, pattern)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(task_queue, iso8601_time) {
  EXPECT_TRUE(std::regex_match(iso8601_now(), std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$)")));
}

}  // namespace
