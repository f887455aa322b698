// The iohyve-api program itself: input forms, batch mode, dry run,
// read-only, exit statuses, and hostile input on stdin.
#include <gtest/gtest.h>

#include "fake_host.hpp"
#include "json_compare.hpp"
#include "test_support.hpp"

using iohyve_test::fake_host;
using iohyve_test::process_output;
using iohyve_test::run_with_input;

namespace {

std::vector<std::string> cli(const fake_host& host, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {IOHYVE_CLI, "--bin-dir", host.bin_dir(), "--rc-conf", host.rc_conf(),
                                   "--vmm-dir", host.vmm_dir()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

TEST(cli, one_request_one_response_and_exit_zero) {
  fake_host host;
  auto r = run_with_input(cli(host), R"({"namespace":"sysadm","name":"iohyve","id":"a1","args":{"action":"version"}})");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(iohyve_test::json_diff(
                R"({"args":{"version":{"version":"iohyve v0.7.9 2017/06/26 I Believe in You, You Can Do the Thing Edition"}},"id":"a1","name":"response","namespace":"sysadm"})",
                r.out),
            "");
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_EQ(r.err, "");
}

TEST(cli, error_response_exits_one) {
  fake_host host;
  auto r = run_with_input(cli(host), R"({"action":"start","name":"nosuch"})");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(R"("code":"404")"), std::string::npos) << r.out;
}

TEST(cli, usage_error_exits_two_with_one_line_on_stderr) {
  fake_host host;
  auto r = run_with_input({IOHYVE_CLI, "--no-such-option"}, "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  r = run_with_input({IOHYVE_CLI, "--timeout", "abc"}, "");
  EXPECT_EQ(r.exit_code, 2);
  r = run_with_input({IOHYVE_CLI, "--bin-dir", "/nonexistent/dir"}, "");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(cli, help_and_version) {
  auto r = run_with_input({IOHYVE_CLI, "--help"}, "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--dry-run"), std::string::npos);
  EXPECT_NE(r.out.find("Example"), std::string::npos);
  r = run_with_input({IOHYVE_CLI, "--version"}, "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("iohyve-api ", 0), 0u) << r.out;
}

TEST(cli, rest_form_gets_an_http_reply) {
  fake_host host;
  auto r = run_with_input(cli(host), "PUT /sysadm/iohyve\n{\n  \"action\" : \"issetup\"\n}\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(R"({"args":{"issetup":{"setup":"false"}}})"), std::string::npos) << r.out;
}

TEST(cli, batch_answers_each_line_in_order_and_survives_bad_lines) {
  fake_host host;
  const std::string input =
      "{\"action\":\"setup\",\"pool\":\"tank\",\"nic\":\"em0\"}\n"
      "this is not json\n"
      "\n"
      "{\"action\":\"create\",\"name\":\"web\",\"size\":\"1G\"}\n"
      "{\"action\":\"listvms\"}\n";
  auto r = run_with_input(cli(host, {"--batch"}), input);
  EXPECT_EQ(r.exit_code, 1) << "one line was an error";
  std::vector<std::string> lines;
  for (std::size_t pos = 0, end; (end = r.out.find('\n', pos)) != std::string::npos; pos = end + 1)
    lines.push_back(r.out.substr(pos, end - pos));
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_NE(lines[0].find(R"("setup":{"nic":"em0","pool":"tank"})"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(R"("code":"400")"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find(R"("create":{"name":"web","size":"1G"})"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find(R"("web":{)"), std::string::npos) << lines[3];
}

TEST(cli, dry_run_prints_argv_arrays_and_changes_nothing) {
  fake_host host;
  host.clear_invocations();
  auto r = run_with_input(cli(host, {"--dry-run"}), R"({"action":"setup","pool":"tank","nic":"em0"})");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("[\"" + host.tool("iohyve") + "\",\"setup\",\"pool=tank\",\"kmod=1\",\"net=em0\"]"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(host.invocations().empty()) << "nothing ran";
  EXPECT_FALSE(host.dataset_exists("tank/iohyve"));
  EXPECT_EQ(iohyve_test::read_file(host.rc_conf()).find("iohyve_flags"), std::string::npos);
}

TEST(cli, read_only_refuses_changes_and_allows_reads) {
  fake_host host;
  auto r = run_with_input(cli(host, {"--read-only"}), R"({"action":"setup","pool":"tank","nic":"em0"})");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(R"("code":"403")"), std::string::npos) << r.out;
  EXPECT_FALSE(host.dataset_exists("tank/iohyve"));
  for (const char* read : {R"({"action":"listvms"})", R"({"action":"listisos"})", R"({"action":"issetup"})",
                           R"({"action":"version"})"}) {
    r = run_with_input(cli(host, {"--read-only"}), read);
    EXPECT_EQ(r.exit_code, 0) << read << " -> " << r.out;
  }
}

TEST(cli, hostile_stdin_gets_an_error_response_never_a_crash) {
  fake_host host;
  const std::string too_big(2u << 20, '{');
  for (const std::string& input : {std::string(), std::string("\xff\xfe\x00\x01", 4), too_big,
                                   std::string("{\"action\":\"listvms\"") /* truncated */}) {
    auto r = run_with_input(cli(host), input);
    EXPECT_EQ(r.exit_code, 1) << r.out.substr(0, 200);
    EXPECT_NE(r.out.find("\"code\":\"4"), std::string::npos) << r.out.substr(0, 200);
    EXPECT_LT(r.out.size(), 2000u);
  }
}

TEST(cli, pretty_output_is_indented_json) {
  fake_host host;
  auto r = run_with_input(cli(host, {"--pretty"}), R"({"action":"issetup"})");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("\n  \"args\": {"), std::string::npos) << r.out;
  EXPECT_EQ(iohyve_test::json_error(r.out), "");
}

}  // namespace
