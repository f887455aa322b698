// Handler overhead per request: parse the message, validate the arguments,
// run the (replayed) tools, parse their output, serialize the reply. The
// command_runner answers from memory at once, so what is measured is the
// library's own work, not process start-up.
//
// Build (release) and run, reporting medians:
//   meson setup build-bench -Dbuildtype=release && ninja -C build-bench
//   ./build-bench/tests/bench/handler_bench --benchmark_repetitions=10
//       --benchmark_report_aggregates_only=true                  (one line)
//   ... --benchmark_filter='handle/'     the end-to-end handle() cases only
//   ... --benchmark_filter='stage/'      getprops cut into its four stages
//
// A load-independent figure (instructions per handle() call; the machine's
// load does not change it):
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out
//       --toggle-collect='iohyve_api::handler::handle*'
//       ./build-bench/tests/bench/handler_bench --driver getprops_websocket 1000
//                                                                (one line)
//   callgrind_annotate /tmp/cg.out | head -40    # total Ir / 1000 = Ir per request
// (--driver SCENARIO N calls handle() N times without Google Benchmark; the
// scenarios are the names after "handle/" below; `--driver list` lists them.)
//
// Every scenario is checked once before measuring: its reply must be the
// golden one (tests/golden/*/response.json) or the exact expected text, so a
// benchmark can never silently measure an error path.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actions/parse_request.hpp"
#include "envelope/message.hpp"
#include "envelope/responses.hpp"
#include "iohyve_api/client.hpp"
#include "iohyve_api/handler.hpp"
#include "iohyve_api/runner.hpp"
#include "json_compare.hpp"

namespace {

using namespace iohyve_api;

// ---------------------------------------------------------------------------
// The recorded host (tests/golden/*/host.json) and requests, embedded.

// tests/golden/version/websocket.request
constexpr std::string_view version_websocket = R"({
  "namespace" : "sysadm",
  "args" : {
     "action" : "version"
  },
  "id" : "fooid",
  "name" : "iohyve"
}
)";

// tests/golden/getprops/websocket.request
constexpr std::string_view getprops_websocket = R"({
  "id" : "fooid",
  "namespace" : "sysadm",
  "args" : {
     "name" : "bsdguest",
     "action" : "getprops"
  },
  "name" : "iohyve"
}
)";

// tests/golden/getprops/rest.request
constexpr std::string_view getprops_rest = R"(PUT /sysadm/iohyve
{
  "action" : "getprops",
  "name" : "bsdguest"
}
)";

// The getprops envelope with the comma after "bsdguest" missing: the parser
// stops at offset 89 and the reply is the 400 error envelope.
constexpr std::string_view getprops_malformed = R"({
  "id" : "fooid",
  "namespace" : "sysadm",
  "args" : {
     "name" : "bsdguest"
     "action" : "getprops"
  },
  "name" : "iohyve"
}
)";

// Well-formed, but the guest name is not one iohyve accepts: an action
// error (400) from the validation layer, nothing run.
constexpr std::string_view getprops_bad_name = R"({
  "id" : "fooid",
  "namespace" : "sysadm",
  "args" : {
     "name" : "bsd guest",
     "action" : "getprops"
  },
  "name" : "iohyve"
}
)";

// What `iohyve-api --batch --dry-run` handles per line in cli_bench.sh.
constexpr std::string_view create_dry_run = R"({"action":"create","name":"web","size":"10G"})";

// tests/golden/version/host.json
constexpr std::string_view version_stdout = "iohyve v0.7.3 2016/01/08 Bear in a Datacenter Edition\n";

// tests/golden/getprops/host.json, step 1: the guest records.
constexpr std::string_view guest_records_stdout =
    "tank/iohyve/bsdguest\tiohyve:name\tlocal\tbsdguest\n"
    "tank/iohyve/bsdguest\tiohyve:boot\tlocal\t0\n"
    "tank/iohyve/bsdguest\tiohyve:description\tlocal\tSat Jan 14 23:27:49 UTC 2017\n";

// tests/golden/getprops/host.json, step 2: the 14 properties of the
// document's example, with the full description.
constexpr std::string_view guest_properties_stdout =
    "iohyve:autogrub\tlocal\t\\n\n"
    "iohyve:bargs\tlocal\t-A_-H_-P\n"
    "iohyve:boot\tlocal\t0\n"
    "iohyve:con\tlocal\tnmdm0\n"
    "iohyve:cpu\tlocal\t1\n"
    "iohyve:description\tlocal\tTue Feb  2 10:21:07 EST 2016\n"
    "iohyve:install\tlocal\tno\n"
    "iohyve:loader\tlocal\tbhyveload\n"
    "iohyve:name\tlocal\tbsdguest\n"
    "iohyve:os\tlocal\tdefault\n"
    "iohyve:persist\tlocal\t1\n"
    "iohyve:ram\tlocal\t256M\n"
    "iohyve:size\tlocal\t10G\n"
    "iohyve:tap\tlocal\ttap0\n";

// ---------------------------------------------------------------------------
// A command_runner that replays recorded output at once. It keeps no record
// of the calls (testing::scripted_runner appends every argv to a vector,
// which would grow without bound in a benchmark loop) and finds the answer
// by comparing the argv in place, without building a key.

class replay_runner final : public command_runner {
 public:
  void on(std::vector<std::string> argv, std::string_view out) {
    command_result r;
    r.exit_code = 0;
    r.out = std::string(out);
    steps_.push_back({std::move(argv), std::move(r)});
  }

  command_result run(const command& cmd) override {
    for (const auto& s : steps_)
      if (matches(s.argv, cmd)) return s.result;
    command_result r;
    r.spawn_error = "replay_runner: unexpected command " + cmd.program;
    r.spawn_errno = ENOENT;
    return r;
  }

 private:
  struct step {
    std::vector<std::string> argv;
    command_result result;
  };

  static bool matches(const std::vector<std::string>& argv, const command& cmd) {
    if (argv.size() != cmd.args.size() + 1 || argv[0] != cmd.program) return false;
    for (std::size_t i = 0; i < cmd.args.size(); ++i)
      if (argv[i + 1] != cmd.args[i]) return false;
    return true;
  }

  std::vector<step> steps_;
};

// The argv of tests/golden/*/host.json (FreeBSD default paths).
void script_host(replay_runner& r) {
  r.on({"/usr/local/sbin/iohyve", "version"}, version_stdout);
  r.on({"/sbin/zfs", "get", "-H", "-p", "-o", "name,property,source,value", "-s", "local,received", "-t",
        "filesystem", "iohyve:name,iohyve:boot,iohyve:description"},
       guest_records_stdout);
  r.on({"/sbin/zfs", "get", "-H", "-o", "property,source,value", "-s", "local,received,inherited", "all",
        "tank/iohyve/bsdguest"},
       guest_properties_stdout);
}

// One library stack as a daemon would hold it: runner, client, handler.
struct stack {
  replay_runner runner;
  client backend;
  handler api;

  // The client only keeps a reference: the runner is scripted before use.
  explicit stack(handler_options options = {}) : backend(host_paths{}, runner), api(backend, std::move(options)) {
    script_host(runner);
  }
};

handler_options dry_run_options() {
  handler_options o;
  o.dry_run = true;
  return o;
}

// ---------------------------------------------------------------------------
// Scenarios and their expected replies.

struct scenario {
  const char* name;
  std::string_view request;
  bool dry_run;
  int status;
  bool is_error;
  const char* golden;    // tests/golden/<golden>/response.json, or nullptr
  std::string_view text;  // the exact reply when golden is nullptr
};

const std::vector<scenario>& scenarios() {
  static const std::vector<scenario> all = {
      {"version_websocket", version_websocket, false, 200, false, "version", {}},
      {"getprops_websocket", getprops_websocket, false, 200, false, "getprops", {}},
      {"getprops_rest_http", getprops_rest, false, 200, false, nullptr,
       "HTTP/1.1 200 OK\r\nServer: iohyve-api\r\nContent-Type: text/json; charset=utf-8\r\n"
       "Content-Length: 274\r\n\r\n"
       R"({"args":{"getprops":{"bsdguest":{"autogrub":"\\n","bargs":"-A_-H_-P","boot":"0",)"
       R"("con":"nmdm0","cpu":"1","description":"Tue Feb  2 10:21:07 EST 2016","install":"no",)"
       R"("loader":"bhyveload","name":"bsdguest","os":"default","persist":"1","ram":"256M",)"
       R"("size":"10G","tap":"tap0"}}}})"},
      {"error_malformed_json", getprops_malformed, false, 400, true, nullptr,
       R"({"args":{"code":"400","detail":"invalid JSON at offset 89: Missing a comma or '}' after an )"
       R"(object member.","message":"Bad Request"},"id":"fooid","name":"error","namespace":"error"})"},
      {"error_invalid_name", getprops_bad_name, false, 400, true, nullptr,
       R"({"args":{"getprops":{"code":"400","error":"argument 'name': invalid guest name 'bsd guest': )"
       R"(only letters, digits, '_' and '-' are allowed"}},"id":"fooid","name":"response",)"
       R"("namespace":"sysadm"})"},
      {"create_dry_run", create_dry_run, true, 200, false, nullptr,
       R"({"args":{"create":{"commands":[["/sbin/zfs","get","-H","-p","-o","name,property,source,value",)"
       R"("-s","local,received","-t","filesystem","iohyve:name,iohyve:boot,iohyve:description"],)"
       R"(["/usr/local/sbin/iohyve","create","web","10G"],["/sbin/zfs","get","-H","-p","-o",)"
       R"("name,property,source,value","-s","local,received","-t","filesystem",)"
       R"("iohyve:name,iohyve:boot,iohyve:description"],["/sbin/zfs","get","-H","-o",)"
       R"("name,property,source,value","-s","local,received","-t","filesystem","all"]],"dry_run":"true"}}})"},
  };
  return all;
}

const scenario* find_scenario(std::string_view name) {
  for (const auto& s : scenarios())
    if (name == s.name) return &s;
  return nullptr;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Empty when the reply is the expected one; else what is wrong.
std::string check(const scenario& s, const reply& r) {
  std::string why;
  if (r.status != s.status) why += "status " + std::to_string(r.status) + "; ";
  if (r.is_error != s.is_error) why += "is_error " + std::to_string(r.is_error) + "; ";
  if (s.golden) {
#ifdef IOHYVE_TEST_GOLDEN
    const auto file = std::filesystem::path(IOHYVE_TEST_GOLDEN) / s.golden / "response.json";
    const std::string golden = slurp(file);
    if (golden.empty()) why += "cannot read " + file.string() + "; ";
    else if (auto d = iohyve_test::json_diff(golden, r.text); !d.empty()) why += d + "; ";
#endif
  } else if (!s.text.empty() && r.text != s.text) {
    why += "unexpected text; ";
  }
  return why;
}

// Each scenario once: the benchmark must measure the reply it claims to.
bool verify_all() {
  bool ok = true;
  for (const auto& s : scenarios()) {
    stack st(s.dry_run ? dry_run_options() : handler_options{});
    const reply r = st.api.handle(s.request);
    if (const std::string why = check(s, r); !why.empty()) {
      std::fprintf(stderr, "handler_bench: scenario %s: %s\nreply: %s\n", s.name, why.c_str(), r.text.c_str());
      ok = false;
    }
  }
  return ok;
}

// ---------------------------------------------------------------------------
// End to end: handler::handle().

void bm_handle(benchmark::State& state, const scenario* s) {
  stack st(s->dry_run ? dry_run_options() : handler_options{});
  for (auto _ : state) {
    reply r = st.api.handle(s->request);
    benchmark::DoNotOptimize(r.text.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

// ---------------------------------------------------------------------------
// getprops (WebSocket) cut into the stages handle() runs, to see where the
// time goes. Internal APIs (lib/src): parse_message, find_action +
// parse_request, client::get_props (runner + the two zfs parsers),
// write_response.

void bm_stage_parse_message(benchmark::State& state) {
  for (auto _ : state) {
    auto parsed = detail::parse_message(getprops_websocket);
    benchmark::DoNotOptimize(parsed.message.args.data());
  }
}

void bm_stage_parse_request(benchmark::State& state) {
  const auto parsed = detail::parse_message(getprops_websocket);
  for (auto _ : state) {
    auto action = detail::find_action(parsed.message.args);
    auto req = detail::parse_request(*action, parsed.message.args);
    benchmark::DoNotOptimize(&req);
  }
}

void bm_stage_client_get_props(benchmark::State& state) {
  replay_runner runner;
  script_host(runner);
  client backend(host_paths{}, runner);
  const auto name = guest_name::parse("bsdguest");
  for (auto _ : state) {
    auto props = backend.get_props(*name);
    benchmark::DoNotOptimize(&props);
  }
}

// What the replaying runner itself costs per getprops (its two answers are
// copied out, as command_runner::run returns by value).
void bm_stage_runner_only(benchmark::State& state) {
  replay_runner runner;
  script_host(runner);
  const command records{"/sbin/zfs",
                        {"get", "-H", "-p", "-o", "name,property,source,value", "-s", "local,received",
                         "-t", "filesystem", "iohyve:name,iohyve:boot,iohyve:description"},
                        {}};
  const command props{"/sbin/zfs",
                      {"get", "-H", "-o", "property,source,value", "-s", "local,received,inherited", "all",
                       "tank/iohyve/bsdguest"},
                      {}};
  for (auto _ : state) {
    auto a = runner.run(records);
    auto b = runner.run(props);
    benchmark::DoNotOptimize(a.out.data());
    benchmark::DoNotOptimize(b.out.data());
  }
}

void bm_stage_write_response(benchmark::State& state) {
  replay_runner runner;
  script_host(runner);
  client backend(host_paths{}, runner);
  const auto parsed = detail::parse_message(getprops_websocket);
  const auto action = detail::find_action(parsed.message.args);
  const auto req = detail::parse_request(*action, parsed.message.args);
  const auto props = backend.get_props(std::get<getprops_request>(*req).name);
  const detail::action_outcome outcome{*props};
  for (auto _ : state) {
    std::string text = detail::write_response(parsed.message, *req, outcome, false);
    benchmark::DoNotOptimize(text.data());
  }
}

void register_all() {
  for (const auto& s : scenarios())
    benchmark::RegisterBenchmark((std::string("handle/") + s.name).c_str(), bm_handle, &s);
  benchmark::RegisterBenchmark("stage/getprops/1_parse_message", bm_stage_parse_message);
  benchmark::RegisterBenchmark("stage/getprops/2_parse_request", bm_stage_parse_request);
  benchmark::RegisterBenchmark("stage/getprops/3_client_get_props", bm_stage_client_get_props);
  benchmark::RegisterBenchmark("stage/getprops/3a_runner_only", bm_stage_runner_only);
  benchmark::RegisterBenchmark("stage/getprops/4_write_response", bm_stage_write_response);
}

// --driver SCENARIO N: N calls of handle(), nothing else (for callgrind/perf).
int driver(int argc, char** argv) {
  if (argc < 3 || std::strcmp(argv[2], "list") == 0) {
    for (const auto& s : scenarios()) std::printf("%s\n", s.name);
    return argc < 3 ? 2 : 0;
  }
  const scenario* s = find_scenario(argv[2]);
  if (!s) {
    std::fprintf(stderr, "handler_bench: unknown scenario %s (--driver list)\n", argv[2]);
    return 2;
  }
  const long n = argc > 3 ? std::atol(argv[3]) : 1000;
  stack st(s->dry_run ? dry_run_options() : handler_options{});
  std::size_t bytes = 0;
  reply last;
  for (long i = 0; i < n; ++i) {
    last = st.api.handle(s->request);
    bytes += last.text.size();
  }
  // Checked after the loop, so that exactly n calls of handle() are made.
  if (const std::string why = check(*s, last); !why.empty()) {
    std::fprintf(stderr, "handler_bench: scenario %s: %s\nreply: %s\n", s->name, why.c_str(), last.text.c_str());
    return 1;
  }
  std::printf("%s: %ld requests, %zu reply bytes\n", s->name, n, bytes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--driver") == 0) return driver(argc, argv);
  if (!verify_all()) return 1;
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
