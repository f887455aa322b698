// The parsers run on every request (listvms parses zfs get + pgrep output,
// fetchiso parses every progress record): measure them on realistic input.
//
//   ./build/tests/bench/parsers_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true      (one line)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "backend/fetch_output.hpp"
#include "backend/process_output.hpp"
#include "backend/zfs_output.hpp"
#include "test_support.hpp"

namespace {

using namespace iohyve_api::detail;

// `zfs get -H -p -o name,property,source,value -s local,received -t
// filesystem iohyve:name,iohyve:boot,iohyve:description` for n guests, in
// zfs's order (datasets sorted, properties in the order asked for), with
// iohyve's default `date` descriptions (zfs/08-two-guests-guest-props).
// zfs sorts datasets by name, so the pools come one after the other.
// A quarter of the guests live on a second pool, zroot.
std::string guest_props_output(int n) {
  std::string out;
  for (const std::string pool : {"tank", "zroot"}) {
    for (int i = 0; i < n; ++i) {
      if ((i % 4 == 0) != (pool == "zroot")) continue;
      const std::string name = "guest" + std::to_string(100000 + i);
      const std::string dataset = pool + "/iohyve/" + name;
      out += dataset + "\tiohyve:name\tlocal\t" + name + "\n";
      out += dataset + "\tiohyve:boot\tlocal\t" + (i % 3 == 0 ? "1" : "0") + "\n";
      out += dataset + "\tiohyve:description\tlocal\tSun Nov 29 19:47:12 UTC 2026\n";
    }
  }
  return out;
}

// `pgrep -lf '^bhyve: ioh-'` with every other guest running.
std::string pgrep_output(int n) {
  std::string out;
  for (int i = 0; i < n; i += 2) {
    out += std::to_string(20000 + i) + " bhyve: ioh-guest" + std::to_string(100000 + i) + "\n";
  }
  return out;
}

// `zfs get -H -o property,source,value -s local,received,inherited all DATASET` made from
// the 22 properties `iohyve getall` printed (iohyve-0.7.9/26-getall), plus
// the misspelt vnc_port iohyve sets, as zfs sorts user properties.
std::string getall_output() {
  const std::string table =
      iohyve_test::read_file(iohyve_test::fixture("iohyve-0.7.9/26-getall.stdout"));
  std::string out = "iohvye:vnc_port\tlocal\t5900\n";
  std::size_t start = table.find('\n') + 1;  // skip "Getting bsdguest iohyve properties..."
  while (start < table.size()) {
    const std::size_t end = table.find('\n', start);
    const std::string line = table.substr(start, end - start);
    const std::size_t gap = line.find(' ');
    out += "iohyve:" + line.substr(0, gap) + "\tlocal\t" + line.substr(line.find_first_not_of(' ', gap)) +
           "\n";
    start = end + 1;
  }
  return out;
}

void bm_parse_guest_records(benchmark::State& state) {
  const std::string input = guest_props_output(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto guests = parse_guest_records(input);
    benchmark::DoNotOptimize(guests);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
}
BENCHMARK(bm_parse_guest_records)->Arg(1)->Arg(10)->Arg(1000);

// What an action on one guest parses: the same output, one guest copied
// (the middle one, so that half the output lies after it).
void bm_find_guest_records(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string input = guest_props_output(n);
  auto all = parse_guest_records(input);
  if (!all.ok() || all->empty()) {
    state.SkipWithError("no guests in the generated output");
    return;
  }
  const std::string name = (*all)[all->size() / 2].name;
  for (auto _ : state) {
    auto guest = find_guest_records(input, name);
    if (!guest.ok() || guest->size() != 1) state.SkipWithError("guest not found");
    benchmark::DoNotOptimize(guest);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(bm_find_guest_records)->Arg(1)->Arg(10)->Arg(1000);

void bm_parse_running_guests(benchmark::State& state) {
  const std::string input = pgrep_output(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto names = parse_running_guests(input);
    benchmark::DoNotOptimize(names);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(bm_parse_running_guests)->Arg(1)->Arg(10)->Arg(1000);

void bm_parse_guest_properties(benchmark::State& state) {
  const std::string input = getall_output();
  for (auto _ : state) {
    auto props = parse_guest_properties(input);
    benchmark::DoNotOptimize(props);
  }
}
BENCHMARK(bm_parse_guest_properties);

void bm_parse_fetch_line(benchmark::State& state) {
  // A mid-transfer terminal line (§a.3) and the captured non-TTY summary.
  const std::string tty =
      "/iohyve/ISO/FreeBSD-11.0-RELEASE-amd64-bootonl 44% of  231 MB 5120 kBps    25s";
  const std::string summary =
      iohyve_test::read_file(iohyve_test::fixture("iohyve-0.7.9/06-fetchiso-file.stderr"));
  const std::string& input = state.range(0) == 0 ? tty : summary;
  for (auto _ : state) {
    auto progress = parse_fetch_line(input);
    benchmark::DoNotOptimize(progress);
  }
}
BENCHMARK(bm_parse_fetch_line)->ArgName("summary")->Arg(0)->Arg(1);

void bm_parse_fetch_not_progress(benchmark::State& state) {
  const std::string input = "fetch: http://127.0.0.1:18089/missing.iso: Not Found";
  for (auto _ : state) {
    auto progress = parse_fetch_line(input);
    benchmark::DoNotOptimize(progress);
  }
}
BENCHMARK(bm_parse_fetch_not_progress);

}  // namespace

BENCHMARK_MAIN();
