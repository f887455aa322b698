// Hostile input at volume: is the cost of a request linear in its size, and
// does memory stay flat over a million of them?
//
//   meson setup build-bench -Dbuildtype=release && ninja -C build-bench tests/bench/hostile_bench
//   ./build-bench/tests/bench/hostile_bench --benchmark_filter=hostile/
//       time per request for each kind of hostile input at sizes 1 KiB..256 KiB,
//       with the fitted complexity (BigO) and its RMS per kind
//   ./build-bench/tests/bench/hostile_bench --million
//       a counted measurement: 1,000,000 hostile requests (all kinds, 100 B to
//       64 KiB) through one handler; prints peak RSS every 100,000 requests
//       and exits 1 if it grew by more than 1 MiB after the first 100,000.
//
// Every kind is checked once before measuring: its reply must be the error it
// deserves (so that a benchmark can never measure a path it did not mean to).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "iohyve_api/client.hpp"
#include "iohyve_api/handler.hpp"
#include "iohyve_api/testing/scripted_runner.hpp"

namespace {

using namespace iohyve_api;

// Hostile requests of about `bytes` bytes, by kind.
struct hostile_kind {
  const char* name;
  std::string (*make)(std::size_t bytes);
  const char* expected;  // a substring of the reply
};

std::string long_name(std::size_t n) {
  return R"({"action":"start","name":")" + std::string(n, 'a') + "\"}";
}
std::string long_description(std::size_t n) {  // valid text up to a control character at the end
  return R"({"action":"setprop","name":"web","description":")" + std::string(n, 'd') + "\\u0001\"}";
}
std::string deep_nesting(std::size_t n) {  // far deeper than the 32 levels allowed
  return R"({"action":"listvms","x":)" + std::string(n / 2, '[') + std::string(n / 2, ']') + "}";
}
std::string many_keys_duplicate_last(std::size_t n) {  // distinct keys, then the first again
  std::string s = R"({"action":"listvms")";
  for (std::size_t i = 0; s.size() < n; ++i) s += ",\"k" + std::to_string(i) + "\":1";
  return s + ",\"k0\":1}";
}
std::string many_duplicate_keys(std::size_t n) {  // one key repeated
  std::string s = R"({"action":"listvms")";
  while (s.size() < n) s += R"(,"a":1)";
  return s + "}";
}
std::string long_id(std::size_t n) {
  return R"({"namespace":"sysadm","name":"iohyve","id":")" + std::string(n, 'i') +
         R"(","args":{"action":"start","name":"-x"}})";
}
std::string wide_array(std::size_t n) {  // many small values, one level
  std::string s = R"({"action":"listvms","x":[0)";
  while (s.size() < n) s += ",0";
  return s + "]}";
}

const std::vector<hostile_kind> kinds = {
    {"long_name", long_name, R"("code":"400")"},
    {"long_description", long_description, R"("code":"400")"},
    {"deep_nesting", deep_nesting, "deeper than"},
    {"many_keys_duplicate_last", many_keys_duplicate_last, "duplicate key"},
    {"many_duplicate_keys", many_duplicate_keys, "duplicate key"},
    {"long_id", long_id, R"("code":"400")"},
    {"wide_array", wide_array, R"("code":"400")"},
};

// One client and handler for every request; nothing is ever run (a hostile
// request never gets that far), and the scripted runner would record it.
struct fixture {
  testing::scripted_runner runner;
  client backend{host_paths{}, runner};
  handler api{backend};
};

fixture& shared() {
  static fixture f;
  return f;
}

void check(const hostile_kind& k, std::size_t bytes) {
  const std::string req = k.make(bytes);
  const reply r = shared().api.handle(req);
  if (r.text.find(k.expected) == std::string::npos || !shared().runner.calls().empty()) {
    std::fprintf(stderr, "%s (%zu bytes): unexpected reply %.300s\n", k.name, bytes, r.text.c_str());
    std::exit(2);
  }
}

void hostile(benchmark::State& state, const hostile_kind& k) {
  const auto bytes = static_cast<std::size_t>(state.range(0));
  const std::string req = k.make(bytes);
  check(k, bytes);
  for (auto _ : state) benchmark::DoNotOptimize(shared().api.handle(req));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * req.size()));
  state.SetComplexityN(static_cast<int64_t>(req.size()));
}

long peak_rss_kib() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;  // KiB on Linux and FreeBSD
}

int million() {
  constexpr int total = 1'000'000;
  const std::size_t sizes[] = {100, 1000, 4096, 65536};
  // Prepared once: the requests themselves are not what is measured.
  std::vector<std::string> requests;
  for (const auto& k : kinds)
    for (auto s : sizes) {
      check(k, s);
      requests.push_back(k.make(s));
    }
  long after_first = 0;
  std::uint64_t bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= total; ++i) {
    const std::string& req = requests[static_cast<std::size_t>(i) % requests.size()];
    bytes += req.size();
    const reply r = shared().api.handle(req);
    if (!r.is_error) {
      std::fprintf(stderr, "request %d was accepted: %.200s\n", i, r.text.c_str());
      return 2;
    }
    if (i % 100'000 == 0) {
      const long rss = peak_rss_kib();
      if (i == 100'000) after_first = rss;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("%7d requests (%.0f MiB of input): peak RSS %ld KiB, %.2f s\n", i, bytes / 1048576.0, rss, s);
      std::fflush(stdout);
    }
  }
  const long growth = peak_rss_kib() - after_first;
  std::printf("peak RSS grew by %ld KiB from request 100,000 to 1,000,000\n", growth);
  return growth > 1024 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--million") == 0) return million();
  for (const auto& k : kinds) {
    benchmark::RegisterBenchmark((std::string("hostile/") + k.name).c_str(),
                                 [&k](benchmark::State& s) { hostile(s, k); })
        ->RangeMultiplier(4)
        ->Range(1 << 10, 1 << 18)  // 1 MiB is the message limit (413 beyond)
        ->Complexity(benchmark::oN);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
