#include "backend/task_queue.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <random>

namespace iohyve_api::detail {

task_queue::task_queue(unsigned max_parallel) : max_parallel_(max_parallel ? max_parallel : 1) {}

task_queue::~task_queue() {
  cancel_all();
  {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return queue_.empty() && running_ == 0; });
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void task_queue::submit(job j) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(j));
    // Threads are started lazily: a handler that never queues costs none.
    if (threads_.size() < max_parallel_ && threads_.size() < queue_.size() + running_)
      threads_.emplace_back([this] { worker(); });
  }
  wake_.notify_one();
}

void task_queue::worker() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping
    job j = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    bool ok = false;
    try {
      ok = j(cancel_);
    } catch (...) {
      ok = false;  // a job must not take the worker down
    }
    lock.lock();
    --running_;
    if (!ok) all_ok_ = false;
    if (queue_.empty() && running_ == 0) idle_.notify_all();
  }
}

bool task_queue::wait_all() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return queue_.empty() && running_ == 0; });
  const bool ok = all_ok_;
  all_ok_ = true;
  cancel_ = false;  // a cancel applies to the tasks it found, not to later ones
  return ok;
}

void task_queue::cancel_all() { cancel_ = true; }

std::string make_queue_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::uint64_t hi = (rng() & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  const std::uint64_t lo = (rng() & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 1
  return fmt::format("{{{:08x}-{:04x}-{:04x}-{:04x}-{:012x}}}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFull);
}

std::string iso8601_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace iohyve_api::detail
