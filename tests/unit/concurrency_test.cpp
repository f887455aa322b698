// The handler, its task queue and the client under concurrent use: many
// threads sending mixed requests (changes and reads of a few guests, bad
// input, fetchiso downloads queued and cancelled), and handlers destroyed
// while downloads run. Asserts that changes to one guest never overlap, that
// changes to different guests do, and that every download ends with exactly
// one "finished" report and leaves no partial ISO. Run under ThreadSanitizer
// (tests/run.sh builds it so; see README, "Hardening") it also shows that no
// data race happens.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "iohyve_api/client.hpp"
#include "iohyve_api/handler.hpp"

using namespace iohyve_api;
using namespace std::chrono_literals;

namespace {

constexpr int guest_count = 4;

// A small emulated host kept in memory: guests g0..g3 on pool tank with their
// iohyve properties, and the ISOs. zfs set takes a few milliseconds and
// records how many changes of each guest are in flight at once.
class concurrent_host final : public command_runner {
 public:
  command_result run(const command& cmd) override {
    const auto& a = cmd.args;
    if (cmd.program == paths.pgrep) return exited(1, "");
    if (cmd.program == paths.iohyve && !a.empty() && a[0] == "version")
      return exited(0, "iohyve v0.7.9 2017/05/04 I Think I'll Go for a Walk Edition\n");
    if (cmd.program == paths.iohyve && a.size() == 2 && a[0] == "rmiso") {
      std::lock_guard lock(mutex_);
      isos_.erase(a[1]);
      return exited(0, "");
    }
    if (cmd.program != paths.zfs || a.empty()) return exited(1, "", "unexpected command");
    if (a[0] == "get" && a.back().rfind("iohyve:name", 0) == 0) {
      std::string out;
      for (int i = 0; i < guest_count; ++i) {
        const std::string g = "g" + std::to_string(i);
        out += "tank/iohyve/" + g + "\tiohyve:name\tlocal\t" + g + "\n";  // name,property,source,value
      }
      return exited(0, out);
    }
    if (a[0] == "get" && a.size() == 8) {  // every property of one guest
      std::lock_guard lock(mutex_);
      std::string out;
      for (const auto& [name, value] : props_[a.back()]) out += name + "\tlocal\t" + value + "\n";  // property,source,value
      return exited(0, out);
    }
    if (a[0] == "list") {
      std::lock_guard lock(mutex_);
      std::string out = "tank\ntank/iohyve\ntank/iohyve/ISO\n";
      for (const auto& iso : isos_) out += "tank/iohyve/ISO/" + iso + "\n";
      return exited(0, out);
    }
    if (a[0] == "set") return set(a);
    return exited(1, "", "unexpected zfs command");
  }

  // iohyve fetch: creates the ISO dataset first (as iohyve does), then
  // "downloads" for about 100 ms, printing progress, unless cancelled.
  command_result run_on_terminal(const command& cmd, const output_sink& on_output,
                                 const std::atomic<bool>* cancel) override {
    const std::string iso = cmd.args.back().substr(cmd.args.back().rfind('/') + 1);
    {
      std::lock_guard lock(mutex_);
      isos_.insert(iso);
    }
    for (int step = 1; step <= 20; ++step) {
      if (cancel && cancel->load()) {
        command_result r;
        r.term_signal = 15;
        return r;
      }
      on_output(iso + "                                 " + std::to_string(step * 5) + "% of 1024 kB 1024 kBps\r");
      std::this_thread::sleep_for(5ms);
    }
    return exited(0, "");
  }

  int max_in_flight_one_guest() const { return max_one_.load(); }
  int max_guests_in_flight() const { return max_all_.load(); }
  std::set<std::string> isos() const {
    std::lock_guard lock(mutex_);
    return isos_;
  }

  const host_paths paths = [] {
    host_paths p = host_paths::from_bin_dir("/fake/bin");
    // The client's flock files: a folder of this test's own, not /var/run.
    char dir[] = "/tmp/iohyve-concurrency.XXXXXX";
    if (::mkdtemp(dir) != nullptr) p.lock_dir = dir;
    return p;
  }();
  ~concurrent_host() override {
    std::error_code ignored;
    if (paths.lock_dir.starts_with("/tmp/iohyve-concurrency.")) std::filesystem::remove_all(paths.lock_dir, ignored);
  }

 private:
  static command_result exited(int code, std::string out, std::string err = {}) {
    command_result r;
    r.exit_code = code;
    r.out = std::move(out);
    r.err = std::move(err);
    return r;
  }

  command_result set(const std::vector<std::string>& a) {
    const std::string& dataset = a.back();
    {
      std::lock_guard lock(mutex_);
      const int mine = ++in_flight_[dataset];
      int guests = 0;
      for (const auto& [ds, n] : in_flight_) guests += n > 0;
      max_one_ = std::max(max_one_.load(), mine);
      max_all_ = std::max(max_all_.load(), guests);
    }
    std::this_thread::sleep_for(3ms);  // long enough for others to overlap
    std::lock_guard lock(mutex_);
    for (std::size_t i = 1; i + 1 < a.size(); ++i) {
      const auto eq = a[i].find('=');
      props_[dataset][a[i].substr(0, eq)] = a[i].substr(eq + 1);
    }
    --in_flight_[dataset];
    return exited(0, "");
  }

  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, std::string>> props_;  // dataset -> iohyve:name -> value
  std::map<std::string, int> in_flight_;
  std::set<std::string> isos_;
  std::atomic<int> max_one_{0};
  std::atomic<int> max_all_{0};
};

struct finished_reports {
  std::mutex mutex;
  std::map<std::string, int> count;       // ISO file name -> "finished" reports
  std::set<std::string> succeeded;
  int events = 0;

  void operator()(const task_progress& p) {
    std::lock_guard lock(mutex);
    if (!p.finished) return;
    ++count[p.filename];
    if (p.succeeded) succeeded.insert(p.filename);
  }
};

}  // namespace

TEST(Concurrency, OneGuestSerializedOthersParallelDownloadsEndCleanly) {
  concurrent_host host;
  client backend(host.paths, host);
  finished_reports reports;
  std::atomic<int> events{0};
  std::atomic<int> queued{0};
  std::mutex queued_mutex;
  std::set<std::string> queued_isos;

  constexpr int threads = 8;
  constexpr int rounds = 6;           // handlers made and destroyed per thread
  constexpr int requests = 24;        // per handler
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  std::atomic<int> failures{0};

  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int round = 0; round < rounds && std::chrono::steady_clock::now() < deadline; ++round) {
        handler_options options;
        options.max_tasks = 2;
        options.on_event = [&](const std::string&) { ++events; };
        options.on_progress = [&](const task_progress& p) { reports(p); };
        handler api(backend, options);
        for (int i = 0; i < requests; ++i) {
          const std::string guest = "g" + std::to_string((t + i) % guest_count);
          const std::string tag = std::to_string(t) + "-" + std::to_string(round) + "-" + std::to_string(i);
          std::string request;
          bool must_succeed = true;
          switch (i % 6) {
            case 0: case 3:
              request = R"({"action":"setprop","name":")" + guest + R"(","description":"set by )" + tag + R"("})";
              break;
            case 1: request = R"({"action":"getprops","name":")" + guest + R"("})"; break;
            case 2: request = R"({"action":"listvms"})"; break;
            case 4: request = R"({"action":"version","id":{"k":[1,2]})"; must_succeed = false; break;  // bad JSON
            case 5: {
              const std::string iso = "iso-" + tag + ".iso";
              request = R"({"action":"fetchiso","url":"file:///media/)" + iso + R"("})";
              std::lock_guard lock(queued_mutex);
              queued_isos.insert(iso);
              ++queued;
              break;
            }
          }
          const reply r = api.handle(request);
          if (must_succeed && r.is_error) {
            ++failures;
            ADD_FAILURE() << request << " -> " << r.text;
          }
        }
        // One handler in three cancels its downloads, one waits for them to
        // succeed, one is destroyed while they run (its destructor cancels).
        if (round % 3 == 0) api.cancel_tasks();
        if (round % 3 == 1 && !api.wait_for_tasks()) ADD_FAILURE() << "a download that was not cancelled failed";
      }
    });
  }
  for (auto& th : pool) th.join();
  ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the test ran out of time";

  EXPECT_EQ(host.max_in_flight_one_guest(), 1) << "two changes of one guest overlapped";
  EXPECT_GE(host.max_guests_in_flight(), 2) << "changes to different guests never ran in parallel";
  EXPECT_EQ(failures.load(), 0);

  // Every download reported its end exactly once; the ISOs left are exactly
  // those whose download succeeded (cancelled ones were removed).
  std::lock_guard lock(reports.mutex);
  EXPECT_EQ(static_cast<int>(reports.count.size()), queued.load());
  for (const auto& iso : queued_isos) EXPECT_EQ(reports.count[iso], 1) << iso;
  EXPECT_EQ(host.isos(), reports.succeeded);
  EXPECT_FALSE(reports.succeeded.empty()) << "no download was let finish";
  EXPECT_LT(static_cast<int>(reports.succeeded.size()), queued.load()) << "no download was cancelled";
  EXPECT_GT(events.load(), queued.load());
}
