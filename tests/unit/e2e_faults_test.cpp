// When a tool is missing, hangs, crashes or prints garbage, the reply says
// so with the contract's code, in time, and nothing crashes.
#include <gtest/gtest.h>

#include <chrono>

#include "api_session.hpp"
#include "fake_host.hpp"

using iohyve_test::api_session;
using iohyve_test::fake_host;
using iohyve_test::tool_fault;

namespace {

struct outcome {
  int status;
  std::string message;
  std::chrono::milliseconds took;
};

outcome ask(api_session& s, const std::string& body) {
  const auto start = std::chrono::steady_clock::now();
  auto r = s.send(body);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  auto args = s.args_of(r);
  std::string msg = args.string_at("error", r.text);
  return {r.status, msg, took};
}

class faults : public ::testing::Test {
 protected:
  void SetUp() override {
    api_session setup(host);
    ASSERT_FALSE(setup.send(R"({"action":"setup","pool":"tank","nic":"em0"})").is_error);
    ASSERT_FALSE(setup.send(R"({"action":"create","name":"web","size":"1G"})").is_error);
  }
  fake_host host;
};

TEST_F(faults, missing_tool_is_503_naming_the_path) {
  host.make_tool_fail("zfs", tool_fault::missing);
  api_session s(host);
  auto o = ask(s, R"({"action":"listvms"})");
  EXPECT_EQ(o.status, 503) << o.message;
  EXPECT_NE(o.message.find(host.tool("zfs")), std::string::npos) << o.message;
  host.restore_tool("zfs");
  EXPECT_EQ(ask(s, R"({"action":"listvms"})").status, 200);
}

TEST_F(faults, hanging_tool_is_504_within_the_timeout) {
  host.make_tool_fail("iohyve", tool_fault::hang);
  iohyve_api::process_runner_options o;
  o.timeout = std::chrono::milliseconds(500);
  o.kill_grace = std::chrono::milliseconds(200);
  api_session s(host, o);
  auto out = ask(s, R"({"action":"version"})");
  EXPECT_EQ(out.status, 504) << out.message;
  EXPECT_NE(out.message.find("iohyve version"), std::string::npos) << out.message;
  EXPECT_LT(out.took, std::chrono::seconds(10)) << "bounded by the timeout, not by the tool";
}

TEST_F(faults, tool_killed_by_a_signal_is_500) {
  host.make_tool_fail("zfs", tool_fault::crash);
  api_session s(host);
  auto o = ask(s, R"({"action":"getprops","name":"web"})");
  EXPECT_EQ(o.status, 500) << o.message;
  EXPECT_NE(o.message.find("signal"), std::string::npos) << o.message;
}

TEST_F(faults, garbage_output_is_500_with_a_clear_message) {
  host.make_tool_fail("zfs", tool_fault::garbage);
  api_session s(host);
  for (const char* req : {R"({"action":"listvms"})", R"({"action":"getprops","name":"web"})",
                          R"({"action":"listdisks","name":"web"})"}) {
    auto o = ask(s, req);
    EXPECT_EQ(o.status, 500) << req << ": " << o.message;
    EXPECT_NE(o.message.find("unexpected output"), std::string::npos) << o.message;
  }
  host.make_tool_fail("iohyve", tool_fault::garbage);
  auto o = ask(s, R"({"action":"version"})");
  EXPECT_EQ(o.status, 500) << o.message;
}

}  // namespace
