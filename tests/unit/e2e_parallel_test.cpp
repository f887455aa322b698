// Parallel callers as shell scripts make them: several iohyve-api processes
// at once against one emulated host. The emulated iohyve, like the real
// script, lets other callers in between its zfs commands (a pause widens
// that window), so without the library's cross-process locks these tests
// see shared taps and consoles, several "winners" of one name, and two
// pcidevs on one disk, as a real host did.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "api_session.hpp"
#include "fake_host.hpp"
#include "test_support.hpp"

using iohyve_test::fake_host;
using iohyve_test::process_output;
using iohyve_test::run_with_input;

namespace {

constexpr int callers = 4;         // processes started at once
constexpr int rounds = 3;          // each race is run this many times
constexpr int process_timeout = 120;  // seconds: a hung caller fails, never blocks the suite

std::vector<std::string> cli(const fake_host& host) {
  return {IOHYVE_CLI, "--bin-dir", host.bin_dir(), "--rc-conf", host.rc_conf(), "--vmm-dir", host.vmm_dir(),
          "--lock-dir", host.lock_dir(), "--no-events"};
}

// Runs every request in its own CLI process, all at once.
std::vector<process_output> run_together(const fake_host& host, const std::vector<std::string>& requests) {
  std::vector<std::future<process_output>> running;
  for (const auto& request : requests)
    running.push_back(std::async(std::launch::async, [&host, request] {
      return run_with_input(cli(host), request, process_timeout);
    }));
  std::vector<process_output> outputs;
  for (auto& r : running) outputs.push_back(r.get());
  return outputs;
}

// The code of the reply's action ("200" for a success): the first line of
// stdout is the response.
std::string reply_code(const process_output& o) {
  const auto d = iohyve_test::json_value::parse(o.out.substr(0, o.out.find('\n')));
  if (!d || !(*d)["args"].is_object()) return "unparsable";
  const auto& args = (*d)["args"];
  if (args.size() != 1 || !args.members().front().second.is_object()) return "unparsable";
  return args.members().front().second.string_at("code", "200");
}

void expect_agreement(const process_output& o) {
  const std::string code = reply_code(o);
  EXPECT_NE(code, "unparsable") << o.out << o.err;
  EXPECT_EQ(o.exit_code, code == "200" ? 0 : 1) << "exit status and response disagree: " << o.out;
}

std::string create_request(const std::string& name) {
  return R"({"action":"create","name":")" + name + R"(","size":"1G"})";
}

class parallel : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = run_with_input(cli(host), R"({"action":"setup","pool":"tank","nic":"em0"})", process_timeout);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    host.set_script_gap(std::chrono::milliseconds(40));
  }
  fake_host host;
};

TEST_F(parallel, creates_get_distinct_taps_and_consoles) {
  std::vector<std::string> guests;
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::string> requests;
    for (int i = 0; i < callers; ++i) {
      guests.push_back("r" + std::to_string(round) + "g" + std::to_string(i));
      requests.push_back(create_request(guests.back()));
    }
    for (const auto& o : run_together(host, requests)) {
      expect_agreement(o);
      EXPECT_EQ(reply_code(o), "200") << o.out;
    }
  }
  std::map<std::string, std::string> tap_owner, con_owner;
  for (const auto& g : guests) {
    const std::string ds = "tank/iohyve/" + g;
    ASSERT_TRUE(host.dataset_exists(ds + "/disk0")) << g;
    const auto tap = host.property(ds, "iohyve:tap").value_or("?");
    const auto con = host.property(ds, "iohyve:con").value_or("?");
    EXPECT_TRUE(tap_owner.emplace(tap, g).second) << tap << " of " << g << " is also " << tap_owner[tap] << "'s";
    EXPECT_TRUE(con_owner.emplace(con, g).second) << con << " of " << g << " is also " << con_owner[con] << "'s";
  }
}

TEST_F(parallel, creates_of_one_name_have_one_winner_and_the_others_get_409) {
  for (int round = 0; round < rounds; ++round) {
    const std::string name = "same" + std::to_string(round);
    const auto outputs = run_together(host, std::vector<std::string>(callers, create_request(name)));
    int winners = 0;
    for (const auto& o : outputs) {
      expect_agreement(o);
      const std::string code = reply_code(o);
      winners += code == "200";
      if (code != "200") {
        EXPECT_EQ(code, "409") << o.out;
        EXPECT_NE(o.out.find("already exists"), std::string::npos) << o.out;
      }
    }
    EXPECT_EQ(winners, 1) << name;
    EXPECT_TRUE(host.dataset_exists("tank/iohyve/" + name + "/disk0"));
  }
}

TEST_F(parallel, adddisks_on_one_guest_get_distinct_disks_and_slots) {
  auto made = run_with_input(cli(host), create_request("web"), process_timeout);
  ASSERT_EQ(made.exit_code, 0) << made.out;
  int disks = 0;
  for (int round = 0; round < rounds; ++round) {
    const auto outputs =
        run_together(host, std::vector<std::string>(callers, R"({"action":"adddisk","name":"web","size":"1G"})"));
    for (const auto& o : outputs) {
      expect_agreement(o);
      EXPECT_EQ(reply_code(o), "200") << o.out;
    }
    disks += callers;
  }
  // disk1..diskN, each behind exactly one pcidev:1..N.
  std::set<std::string> backed;
  for (int n = 1; n <= disks; ++n) {
    const std::string disk = "tank/iohyve/web/disk" + std::to_string(n);
    EXPECT_TRUE(host.dataset_exists(disk)) << disk;
    const auto pcidev = host.property("tank/iohyve/web", "iohyve:pcidev:" + std::to_string(n));
    ASSERT_TRUE(pcidev.has_value()) << "pcidev:" << n;
    EXPECT_TRUE(backed.insert(*pcidev).second) << "two pcidevs point at " << *pcidev;
  }
  EXPECT_EQ(backed.size(), static_cast<std::size_t>(disks));
  EXPECT_FALSE(host.property("tank/iohyve/web", "iohyve:pcidev:" + std::to_string(disks + 1)).has_value());
}

TEST_F(parallel, a_download_reserves_its_iso_name_across_processes) {
  iohyve_test::temp_dir media;
  const std::string name = "same.iso";
  std::vector<std::string> urls;
  for (const char* dir : {"a", "b"}) {
    std::filesystem::create_directory(media.path() / dir);
    const auto path = media.path() / dir / name;
    iohyve_test::write_file(path, std::string(1u << 20, dir[0]));
    urls.push_back("file://" + path.string());
  }
  host.set_fetch_rate(512u << 10);  // about 2 s each: the downloads overlap
  std::vector<std::string> requests;
  for (int i = 0; i < callers; ++i)
    requests.push_back(R"({"action":"fetchiso","url":")" + urls[static_cast<std::size_t>(i % 2)] + "\"}");
  const auto outputs = run_together(host, requests);
  int winner = -1;
  for (int i = 0; i < callers; ++i) {
    const auto& o = outputs[static_cast<std::size_t>(i)];
    expect_agreement(o);
    const std::string code = reply_code(o);
    if (code == "200") {
      EXPECT_EQ(winner, -1) << "two downloads of one name were accepted";
      winner = i;
    } else {
      EXPECT_EQ(code, "409") << o.out;
    }
  }
  ASSERT_NE(winner, -1);
  const std::string stored = iohyve_test::read_file(host.host_path("/iohyve/ISO/" + name + "/" + name));
  EXPECT_EQ(stored, std::string(1u << 20, winner % 2 ? 'b' : 'a')) << "the ISO is the accepted caller's file";
}

TEST(reservation, a_second_download_of_one_name_in_the_same_process_is_409) {
  fake_host host;
  iohyve_test::api_session s(host);
  ASSERT_EQ(s.send(R"({"action":"setup","pool":"tank","nic":"em0"})").status, 200);
  iohyve_test::temp_dir media;
  const auto path = media.path() / "one.iso";
  iohyve_test::write_file(path, std::string(1u << 20, 'x'));
  host.set_fetch_rate(256u << 10);
  const std::string request = R"({"action":"fetchiso","url":"file://)" + path.string() + "\"}";
  EXPECT_EQ(s.send(request).status, 200);
  auto second = s.send(request);
  EXPECT_EQ(second.status, 409) << second.text;
  EXPECT_NE(second.text.find("being downloaded"), std::string::npos) << second.text;
  s.handler().cancel_tasks();
  EXPECT_FALSE(s.handler().wait_for_tasks());
  EXPECT_EQ(s.send(request).status, 200) << "the name is free again once the download ended";
  s.handler().cancel_tasks();
}

// SIGTERM while create or start runs: the action is finished (the host is
// left consistent) and the exit status agrees with the response printed.
TEST_F(parallel, sigterm_during_create_and_start_exit_status_agrees_with_the_response) {
  host.set_script_gap(std::chrono::milliseconds(1500));  // create is mid-way when the signal comes
  // The signal goes once the CLI runs the action's iohyve command (not
  // after a fixed time, which a loaded machine could make too early).
  const auto term_during = [&](const std::string& command) {
    return [&, command](int pid) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (std::chrono::steady_clock::now() < deadline) {
        const auto calls = host.invocations();
        if (std::find(calls.begin(), calls.end(), command) != calls.end()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      ::kill(pid, SIGTERM);
    };
  };
  auto created = run_with_input(cli(host), create_request("web"), process_timeout, term_during("iohyve create web 1G"));
  expect_agreement(created);
  EXPECT_EQ(reply_code(created), "200") << created.out;
  EXPECT_TRUE(host.dataset_exists("tank/iohyve/web/disk0"));
  auto started =
      run_with_input(cli(host), R"({"action":"start","name":"web"})", process_timeout, term_during("iohyve start web"));
  expect_agreement(started);
  EXPECT_EQ(reply_code(started), "200") << started.out;
  EXPECT_EQ(host.running_guests(), std::vector<std::string>{"web"});
}

}  // namespace
