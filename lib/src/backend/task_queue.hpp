// A small pool of worker threads for queued tasks (fetchiso downloads).
// Jobs get a cancel flag they must poll; the destructor cancels and joins.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace iohyve_api::detail {

class task_queue {
 public:
  // A job returns true when it succeeded.
  using job = std::function<bool(const std::atomic<bool>& cancel)>;

  explicit task_queue(unsigned max_parallel);
  ~task_queue();
  task_queue(const task_queue&) = delete;
  task_queue& operator=(const task_queue&) = delete;

  void submit(job j);
  // Blocks until nothing is queued or running; true if every job since the
  // last call succeeded.
  bool wait_all();
  // Sets the cancel flag: running jobs are asked to stop and queued jobs
  // still run (so each can report its end) but see the flag set at once.
  void cancel_all();

 private:
  void worker();

  const unsigned max_parallel_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<job> queue_;
  std::vector<std::thread> threads_;
  unsigned running_ = 0;
  bool stopping_ = false;
  bool all_ok_ = true;
  std::atomic<bool> cancel_{false};
};

// A random version-4 UUID in braces, as the API document shows queue ids:
// "{b3a8b980-a564-4ff8-86a2-1971bd4f58d1}".
std::string make_queue_id();

// The current time as ISO 8601 UTC, e.g. "2026-11-29T20:31:09Z".
std::string iso8601_now();

}  // namespace iohyve_api::detail
