// What the cross-process locks add to a change for a single caller: one
// uncontended host_lock::acquire + release (mkdir of the existing lock
// directory, open creating the file, flock, fstat + lstat, unlink, close).
// Compare with the process spawns of any change (handler_bench and the e2e
// tests: milliseconds each).
//   locks_bench --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "backend/host_lock.hpp"

namespace {

using iohyve_api::detail::host_lock;

// A lock directory under base (a tmpfs such as /dev/shm stands for
// FreeBSD's /var/run; the other is the build machine's disk).
std::string make_dir(const char* base) {
  std::string tmpl = std::string(base) + "/iohyve-api-lock-bench.XXXXXX";
  if (!::mkdtemp(tmpl.data())) return {};
  return tmpl;
}

void bm_guest_lock(benchmark::State& state, const char* base) {
  const std::string dir = make_dir(base);
  if (dir.empty()) {
    state.SkipWithError("no temporary directory");
    return;
  }
  for (auto _ : state) {
    auto held = host_lock::acquire(dir, "guest-web");
    if (!held) state.SkipWithError("lock failed");
    benchmark::DoNotOptimize(held);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK_CAPTURE(bm_guest_lock, tmpfs, "/dev/shm");
BENCHMARK_CAPTURE(bm_guest_lock, tmp, "/tmp");

// create holds two: the guest's and the host-wide one.
void bm_create_locks(benchmark::State& state) {
  const std::string dir = make_dir("/dev/shm");
  if (dir.empty()) {
    state.SkipWithError("no temporary directory");
    return;
  }
  for (auto _ : state) {
    auto guest = host_lock::acquire(dir, "guest-web");
    auto resources = host_lock::acquire(dir, "host-resources");
    if (!guest || !resources) state.SkipWithError("lock failed");
    benchmark::DoNotOptimize(guest);
    benchmark::DoNotOptimize(resources);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(bm_create_locks);

}  // namespace

BENCHMARK_MAIN();
