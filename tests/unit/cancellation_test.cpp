// SIGTERM and SIGINT to the CLI in the middle of each changing action
// (setup, create, adddisk, delete, fetchiso) against the emulated host, at
// delays spread over the action's own duration, and a hung tool under
// --timeout. After each, the host is in one of the states the README
// ("Hardening") documents for that action, never in between:
//   - the signal came before the CLI blocked it: nothing was done, no reply;
//   - otherwise a synchronous action runs to its end (each command bounded
//     by --timeout) and its reply says what happened: the whole effect and a
//     success reply; exit status 1 tells that the CLI was interrupted;
//   - fetchiso is cancelled: a final "finished" event and no ISO left.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fake_host.hpp"
#include "test_support.hpp"

using iohyve_test::fake_host;
using iohyve_test::run_with_input;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

std::vector<std::string> cli(const fake_host& host, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {IOHYVE_CLI, "--bin-dir", host.bin_dir(), "--rc-conf", host.rc_conf(),
                                   "--vmm-dir", host.vmm_dir()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

void must(const fake_host& host, const std::string& request) {
  const auto r = run_with_input(cli(host), request);
  ASSERT_EQ(r.exit_code, 0) << request << " -> " << r.out << r.err;
}

struct action_case {
  const char* name;
  std::string request;
  std::function<void(const fake_host&)> prepare;  // the state the action starts from
  // true when the host shows the action's whole effect, false when it shows
  // none; a failed test when it shows part of it.
  std::function<bool(const fake_host&)> effect;
};

const char* setup_req = R"({"action":"setup","pool":"tank","nic":"em0"})";
const char* create_req = R"({"action":"create","name":"web","size":"1G"})";

std::vector<action_case> changing_actions() {
  return {
      {"setup", setup_req, [](const fake_host&) {},
       [](const fake_host& h) {
         const bool datasets = h.dataset_exists("tank/iohyve") && h.dataset_exists("tank/iohyve/ISO");
         const bool flags = iohyve_test::read_file(h.rc_conf()).find("iohyve_flags=") != std::string::npos;
         EXPECT_EQ(datasets, flags) << "setup left the datasets and rc.conf disagreeing";
         return datasets && flags;
       }},
      {"create", create_req, [](const fake_host& h) { must(h, setup_req); },
       [](const fake_host& h) {
         const bool guest = h.dataset_exists("tank/iohyve/web");
         EXPECT_EQ(guest, h.dataset_exists("tank/iohyve/web/disk0")) << "a guest without its disk0";
         return guest;
       }},
      {"adddisk", R"({"action":"adddisk","name":"web","size":"2G"})",
       [](const fake_host& h) {
         must(h, setup_req);
         must(h, create_req);
       },
       [](const fake_host& h) {
         const bool disk = h.dataset_exists("tank/iohyve/web/disk1");
         if (disk) {
           EXPECT_EQ(h.property("tank/iohyve/web/disk1", "volsize"), "2G");
         }
         return disk;
       }},
      {"delete", R"({"action":"delete","name":"web"})",
       [](const fake_host& h) {
         must(h, setup_req);
         must(h, create_req);
       },
       [](const fake_host& h) {
         const bool guest = h.dataset_exists("tank/iohyve/web");
         EXPECT_EQ(guest, h.dataset_exists("tank/iohyve/web/disk0")) << "delete left part of the guest";
         return !guest;
       }},
  };
}

struct outcome_counts {
  int not_started = 0, completed = 0;
  int signalled_mid_action = 0;  // completed, and the CLI said on stderr that a signal came while it ran
};

// Runs the action with sig sent after delay; checks the host is in one of
// the documented states. Returns which.
void interrupt_once(const action_case& a, int sig, std::chrono::microseconds delay, outcome_counts& counts) {
  SCOPED_TRACE(std::string(a.name) + " with signal " + std::to_string(sig) + " after " +
               std::to_string(delay.count()) + " us");
  fake_host host;
  a.prepare(host);
  if (testing::Test::HasFatalFailure()) return;
  ASSERT_FALSE(a.effect(host)) << "the effect is there before the action ran";
  const auto r = run_with_input(cli(host), a.request, 60, [&](int pid) {
    std::this_thread::sleep_for(delay);
    ::kill(pid, sig);
  });
  const bool effect = a.effect(host);
  if (r.exit_code == -1) {  // the signal came before the CLI blocked it
    EXPECT_EQ(r.out, "");
    EXPECT_FALSE(effect) << "killed before it started, yet the effect is there";
    ++counts.not_started;
    return;
  }
  // Otherwise the action ran to its end and said so.
  EXPECT_TRUE(effect) << "the CLI answered but the host shows no effect: " << r.out;
  EXPECT_EQ(r.out.find("\"code\""), std::string::npos) << r.out;
  // The exit status follows the response (a success here), signal or not.
  EXPECT_EQ(r.exit_code, 0) << r.out;
  ++counts.completed;
  counts.signalled_mid_action += r.err.find("iohyve-api: interrupted") != std::string::npos;
}

}  // namespace

TEST(Cancellation, SignalsDuringChangingActionsLeaveADocumentedState) {
  std::mt19937 rng(7);
  for (const auto& a : changing_actions()) {
    // How long the action takes here, uninterrupted.
    fake_host probe;
    a.prepare(probe);
    const auto start = clock_type::now();
    must(probe, a.request);
    const auto duration = std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - start);
    std::uniform_int_distribution<long> spread(0, duration.count() * 6 / 5);

    outcome_counts counts;
    for (int sig : {SIGTERM, SIGINT})
      for (int i = 0; i < 3; ++i) interrupt_once(a, sig, std::chrono::microseconds(spread(rng)), counts);
    std::printf("%s (%lld ms uninterrupted): %d signalled runs: %d before start, %d ran to the end "
                "(%d of them signalled while running)\n",
                a.name, static_cast<long long>(duration.count() / 1000), counts.not_started + counts.completed,
                counts.not_started, counts.completed, counts.signalled_mid_action);
    EXPECT_GT(counts.signalled_mid_action, 0) << a.name << ": no signal landed while the action ran";
  }
}

// fetchiso: the download is cancelled; the last line is the final event
// saying so, and no ISO dataset is left (iohyve's partial one is removed).
TEST(Cancellation, SignalsDuringFetchisoCancelTheDownloadAndLeaveNoIso) {
  iohyve_test::temp_dir media;
  const std::string iso = (media.path() / "slow.iso").string();
  iohyve_test::write_file(iso, std::string(2u << 20, 's'));
  for (int sig : {SIGTERM, SIGINT}) {
    for (auto delay : {150ms, 600ms}) {
      SCOPED_TRACE("signal " + std::to_string(sig) + " after " + std::to_string(delay.count()) + " ms");
      fake_host host;
      host.set_fetch_rate(256u << 10);  // 8 s if left alone
      must(host, setup_req);
      const auto start = clock_type::now();
      const auto r = run_with_input(cli(host), R"({"action":"fetchiso","url":"file://)" + iso + "\"}", 60,
                                    [&](int pid) {
                                      std::this_thread::sleep_for(delay);
                                      ::kill(pid, sig);
                                    });
      EXPECT_LT(clock_type::now() - start, 5s);
      EXPECT_EQ(r.exit_code, 1) << r.out;
      ASSERT_GT(r.out.size(), 2u);
      const auto last = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);
      EXPECT_NE(last.find(R"("state":"finished")"), std::string::npos) << r.out;
      EXPECT_NE(last.find("cancelled"), std::string::npos) << last;
      EXPECT_FALSE(host.dataset_exists("tank/iohyve/ISO/slow.iso"));
    }
  }
}

// A tool that hangs: the CLI stops it after --timeout, answers 504 and
// leaves the host as it was, even when a signal arrives meanwhile.
TEST(Cancellation, HungToolIsBoundedByTimeoutEvenWhenSignalled) {
  struct hang_case {
    const char* action;
    std::string request;
    const char* tool;
    std::function<void(const fake_host&)> prepare;
  };
  const std::vector<hang_case> cases = {
      {"setup", setup_req, "iohyve", [](const fake_host&) {}},
      {"create", create_req, "iohyve", [](const fake_host& h) { must(h, setup_req); }},
      {"adddisk", R"({"action":"adddisk","name":"web","size":"2G"})", "iohyve",
       [](const fake_host& h) { must(h, setup_req); must(h, create_req); }},
      {"delete", R"({"action":"delete","name":"web"})", "zfs",
       [](const fake_host& h) { must(h, setup_req); must(h, create_req); }},
      {"fetchiso", R"({"action":"fetchiso","url":"file:///media/x.iso"})", "zfs",
       [](const fake_host& h) { must(h, setup_req); }},
  };
  // Each case waits about --timeout + the runner's 2 s grace: run them at once.
  std::vector<std::thread> threads;
  for (const auto& c : cases) {
    threads.emplace_back([&c] {
      fake_host host;
      c.prepare(host);
      host.make_tool_fail(c.tool, iohyve_test::tool_fault::hang);
      const auto start = clock_type::now();
      const auto r = run_with_input(cli(host, {"--timeout", "1"}), c.request, 30, [](int pid) {
        std::this_thread::sleep_for(300ms);
        ::kill(pid, SIGTERM);
      });
      const auto took = clock_type::now() - start;
      EXPECT_LT(took, 6s) << c.action << ": not bounded by --timeout";
      EXPECT_EQ(r.exit_code, 1) << c.action;
      EXPECT_NE(r.out.find(R"("code":"504")"), std::string::npos) << c.action << ": " << r.out;
      host.restore_tool(c.tool);
      EXPECT_FALSE(host.dataset_exists("tank/iohyve/web/disk1")) << c.action;
      EXPECT_FALSE(host.dataset_exists("tank/iohyve/ISO/x.iso")) << c.action;
      const std::string action = c.action;
      if (action == "setup") {
        EXPECT_FALSE(host.dataset_exists("tank/iohyve"));
      } else if (action == "create") {
        EXPECT_FALSE(host.dataset_exists("tank/iohyve/web"));
      } else if (action == "delete") {
        EXPECT_TRUE(host.dataset_exists("tank/iohyve/web/disk0"));
      }
    });
  }
  for (auto& t : threads) t.join();
}
