// Every request example of the API document, in both forms, answered with
// the documented response. tests/golden/<action>/ holds the document's
// requests verbatim (rest.request, websocket.request), the documented
// response (response.json; rest.response.json where the document shows a
// separate REST one), and host.json: what the scripted host answers to each
// command, in the order the backend must run them.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "iohyve_api/client.hpp"
#include "iohyve_api/handler.hpp"
#include "iohyve_api/testing/scripted_runner.hpp"
#include "golden_cases.hpp"
#include "json_compare.hpp"
#include "json_value.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace iohyve_api;
using iohyve_test::json_diff;
using iohyve_test::read_file;

using iohyve_test::json_value;

namespace {

using iohyve_test::golden_case;

std::vector<golden_case> all_cases() { return iohyve_test::all_golden_cases(); }

// The body of an HTTP reply ("HTTP/1.1 200 OK\r\n...\r\n\r\nBODY").
std::string http_body(const std::string& reply, int& status) {
  status = std::stoi(reply.substr(9, 3));
  const auto end = reply.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : reply.substr(end + 4);
}

// {"args": <args of the WebSocket response>} for the REST form.
std::string rest_expectation(const golden_case& c) {
  if (fs::exists(c.dir / "rest.response.json")) return read_file(c.dir / "rest.response.json");
  const auto ws = json_value::parse(read_file(c.dir / "response.json"));
  if (!ws) throw std::runtime_error("bad response.json in " + c.dir.string());
  return R"({"args":)" + (*ws)["args"].dump() + "}";
}

class golden : public ::testing::TestWithParam<std::tuple<golden_case, std::string>> {};

TEST_P(golden, documented_request_gets_documented_response) {
  const auto& [c, form] = GetParam();
  iohyve_test::temp_dir tmp;
  iohyve_api::testing::scripted_runner runner;
  for (const auto& s : c.steps) runner.expect_once(s.argv, s.result);
  host_paths paths;  // FreeBSD defaults: the argv in host.json are the real ones
  paths.rc_conf = (tmp.path() / "rc.conf").string();
  paths.vmm_dir = (tmp.path() / "vmm").string();
  paths.lock_dir = (tmp.path() / "locks").string();
  fs::create_directory(paths.vmm_dir);
  for (const auto& v : c.vmm) iohyve_test::write_file(fs::path(paths.vmm_dir) / ("ioh-" + v), "");
  if (c.rc_conf) iohyve_test::write_file(paths.rc_conf, *c.rc_conf);

  client backend(paths, runner);
  std::mutex events_mutex;
  std::vector<std::string> events;
  handler_options options;
  options.on_event = [&](const std::string& e) {
    std::lock_guard lock(events_mutex);
    events.push_back(e);
  };
  handler h(backend, options);
  const std::string request = read_file(c.dir / (form + ".request"));
  const reply r = h.handle(request);
  EXPECT_TRUE(h.wait_for_tasks()) << c.action;

  std::string body = r.text;
  if (form == "rest") {
    ASSERT_EQ(r.form, message_form::rest_http);
    int status = 0;
    body = http_body(r.text, status);
    EXPECT_EQ(status, 200) << r.text;
    EXPECT_EQ(json_diff(rest_expectation(c), body), "") << body;
  } else {
    ASSERT_EQ(r.form, message_form::websocket);
    EXPECT_EQ(json_diff(read_file(c.dir / "response.json"), body), "") << body;
  }
  EXPECT_FALSE(r.is_error) << body;
  EXPECT_EQ(iohyve_test::unsorted_keys(body), "") << body;

  // The backend ran exactly the scripted commands, in order.
  std::vector<std::vector<std::string>> expected_calls;
  for (const auto& s : c.steps) expected_calls.push_back(s.argv);
  EXPECT_EQ(runner.calls(), expected_calls);

  if (c.rc_conf_after) {
    EXPECT_EQ(read_file(paths.rc_conf), *c.rc_conf_after);
  }
  if (c.action == "fetchiso") {
    ASSERT_GE(events.size(), 2u);
    EXPECT_NE(events.back().find(R"("state":"finished")"), std::string::npos) << events.back();
    EXPECT_NE(events.back().find(R"("exit_status":"0")"), std::string::npos) << events.back();
    EXPECT_EQ(iohyve_test::unsorted_keys(events.back()), "");
  }
}

INSTANTIATE_TEST_SUITE_P(
    api_document, golden, ::testing::Combine(::testing::ValuesIn(all_cases()), ::testing::Values("rest", "websocket")),
    [](const auto& info) { return std::get<0>(info.param).action + "_" + std::get<1>(info.param); });

// One golden case per action of the table (the request variant), each in
// the folder named after its action.
TEST(golden_set, covers_every_action) {
  const auto cases = all_cases();
  EXPECT_EQ(cases.size(), std::variant_size_v<request>);
  for_each_request_type([&](auto type) {
    const std::string_view name = decltype(type)::type::action;
    EXPECT_TRUE(std::any_of(cases.begin(), cases.end(), [&](const golden_case& c) { return c.action == name; }))
        << "no tests/golden/" << name;
  });
}

}  // namespace
