// The three request forms and the reply shapes, through the handler.
#include <gtest/gtest.h>

#include "iohyve_api/client.hpp"
#include "iohyve_api/handler.hpp"
#include "iohyve_api/testing/scripted_runner.hpp"
#include "json_compare.hpp"

using namespace iohyve_api;
using iohyve_test::json_diff;

namespace {

const char* version_line = "iohyve v0.7.9 2017/06/26 I Believe in You, You Can Do the Thing Edition";

struct fixture {
  iohyve_api::testing::scripted_runner runner;
  client backend{host_paths{}, runner};
  fixture() {
    runner.on({"/usr/local/sbin/iohyve", "version"},
              iohyve_api::testing::scripted_runner::exited(0, std::string(version_line) + "\n"));
  }
  reply ask(std::string_view message, handler_options options = {}) {
    handler h(backend, std::move(options));
    return h.handle(message);
  }
};

std::string versioned(const std::string& envelope_tail) {
  return std::string(R"({"args":{"version":{"version":")") + version_line + "\"}}" + envelope_tail;
}

TEST(envelope, websocket_string_id_is_echoed) {
  fixture f;
  auto r = f.ask(R"({"namespace":"sysadm","name":"iohyve","id":"abc","args":{"action":"version"}})");
  EXPECT_EQ(r.form, message_form::websocket);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(r.text, versioned(R"(,"id":"abc","name":"response","namespace":"sysadm"})"));
}

TEST(envelope, numeric_and_null_ids_are_echoed_as_given) {
  fixture f;
  auto r = f.ask(R"({"namespace":"sysadm","name":"iohyve","id":7,"args":{"action":"version"}})");
  EXPECT_EQ(r.text, versioned(R"(,"id":7,"name":"response","namespace":"sysadm"})"));
  r = f.ask(R"({"namespace":"sysadm","name":"iohyve","id":null,"args":{"action":"version"}})");
  EXPECT_EQ(r.text, versioned(R"(,"id":null,"name":"response","namespace":"sysadm"})"));
  r = f.ask(R"({"namespace":"sysadm","name":"iohyve","id":{"k":[1,"x"]},"args":{"action":"version"}})");
  EXPECT_EQ(r.text, versioned(R"(,"id":{"k":[1,"x"]},"name":"response","namespace":"sysadm"})"));
}

TEST(envelope, ids_with_escapes_and_booleans_are_echoed_as_the_same_json) {
  fixture f;
  auto r = f.ask(R"({"namespace":"sysadm","name":"iohyve","id":"q\"b\\s\n\u00e9\u0001/","args":{"action":"version"}})");
  EXPECT_EQ(r.text, versioned(",\"id\":\"q\\\"b\\\\s\\n\xc3\xa9\\u0001/\",\"name\":\"response\",\"namespace\":\"sysadm\"}"));
  r = f.ask(R"({"namespace":"sysadm","name":"iohyve","id":true,"args":{"action":"version"}})");
  EXPECT_EQ(r.text, versioned(R"(,"id":true,"name":"response","namespace":"sysadm"})"));
  r = f.ask(R"({"namespace":"sysadm","name":"iohyve","id":-1.5e3,"args":{"action":"version"}})");
  EXPECT_EQ(r.text, versioned(R"(,"id":-1.5e3,"name":"response","namespace":"sysadm"})"));
}

TEST(envelope, without_id_the_reply_is_named_after_the_request) {
  fixture f;
  auto r = f.ask(R"({"namespace":"sysadm","name":"iohyve","args":{"action":"version"}})");
  EXPECT_EQ(r.text, versioned(R"(,"id":"","name":"iohyve","namespace":"sysadm"})"));
}

TEST(envelope, bare_rest_body_gets_a_bare_reply) {
  fixture f;
  auto r = f.ask(R"({"action":"version"})");
  EXPECT_EQ(r.form, message_form::rest_body);
  EXPECT_EQ(r.text, versioned("}"));
}

TEST(envelope, rest_form_with_headers_gets_an_http_reply) {
  fixture f;
  auto r = f.ask("PUT /sysadm/iohyve HTTP/1.1\r\nAuthorization: Basic eDp5\r\nContent-Type: application/json\r\n\r\n"
                 "{\"action\" : \"version\"}\r\n");
  EXPECT_EQ(r.form, message_form::rest_http);
  const std::string body = versioned("}");
  EXPECT_EQ(r.text, "HTTP/1.1 200 OK\r\nServer: iohyve-api\r\nContent-Type: text/json; charset=utf-8\r\n"
                    "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
}

TEST(envelope, rest_form_without_blank_line_as_in_the_document) {
  fixture f;
  auto r = f.ask("PUT /sysadm/iohyve\n{\n  \"action\" : \"version\"\n}\n");
  EXPECT_EQ(r.form, message_form::rest_http);
  EXPECT_NE(r.text.find(versioned("}")), std::string::npos) << r.text;
}

TEST(envelope, rest_error_carries_the_code_as_http_status) {
  fixture f;
  auto r = f.ask("PUT /sysadm/iohyve\n\n{\"action\":\"start\",\"name\":\"a b\"}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.text.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << r.text;
}

TEST(envelope, pretty_output_is_the_same_json) {
  fixture f;
  handler_options o;
  o.pretty = true;
  auto r = f.ask(R"({"namespace":"sysadm","name":"iohyve","id":"p","args":{"action":"version"}})", o);
  EXPECT_NE(r.text.find("\n  \"args\": {"), std::string::npos) << r.text;
  EXPECT_EQ(json_diff(versioned(R"(,"id":"p","name":"response","namespace":"sysadm"})"), r.text), "");
}

TEST(envelope, read_only_policy_refuses_changes_with_403) {
  fixture f;
  handler_options o;
  o.policy = access_policy::read_only;
  auto r = f.ask(R"({"action":"create","name":"web","size":"10G"})", o);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.text.find("\"code\":\"403\""), std::string::npos) << r.text;
  EXPECT_TRUE(f.runner.calls().empty());
  r = f.ask(R"({"action":"version"})", o);
  EXPECT_EQ(r.status, 200);
}

TEST(envelope, dry_run_lists_commands_and_runs_nothing) {
  fixture f;
  handler_options o;
  o.dry_run = true;
  auto r = f.ask(R"({"action":"create","name":"web","size":"10G"})", o);
  EXPECT_EQ(r.status, 200) << r.text;
  EXPECT_NE(r.text.find(R"(["/usr/local/sbin/iohyve","create","web","10G"])"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find(R"("dry_run":"true")"), std::string::npos) << r.text;
  EXPECT_TRUE(f.runner.calls().empty());
}

// Messages are parsed in a per-thread copy that a big message grows and a
// small one after it shrinks again: neither may see the other's bytes.
TEST(envelope, a_big_message_then_small_ones_parse_independently) {
  fixture f;
  const std::string small = R"({"namespace":"sysadm","name":"iohyve","id":"s","args":{"action":"version"}})";
  const std::string big_value(900 * 1024, 'x');
  for (int round = 0; round < 2; ++round) {
    auto big = f.ask(R"({"namespace":"sysadm","name":"iohyve","id":"b","args":{"action":"version","pad":")" +
                     big_value + "\"}}");
    EXPECT_EQ(big.status, 400) << big.text.substr(0, 200);
    EXPECT_NE(big.text.find("'pad'"), std::string::npos) << big.text.substr(0, 300);
    EXPECT_NE(big.text.find(R"("id":"b")"), std::string::npos);
    auto r = f.ask(small);
    EXPECT_EQ(r.text, versioned(R"(,"id":"s","name":"response","namespace":"sysadm"})"));
    auto shorter = f.ask(R"({"action":"version"})");
    EXPECT_EQ(shorter.text, R"({"args":{"version":{"version":")" + std::string(version_line) + "\"}}}");
  }
}

TEST(envelope, tool_output_that_is_not_utf8_still_gives_valid_json) {
  iohyve_api::testing::scripted_runner runner;
  runner.on({"/usr/local/sbin/iohyve", "version"},
            iohyve_api::testing::scripted_runner::exited(0, "iohyve v0.7.9 2017/06/26 Caf\xe9 \x01 Edition\n"));
  client backend(host_paths{}, runner);
  handler h(backend);
  auto r = h.handle(R"({"action":"version"})");
  EXPECT_EQ(iohyve_test::json_error(r.text), "") << r.text;
}

}  // namespace

namespace {

// A message too large to parse is answered in the form its first bytes
// show, by the same rule the parser uses: a request line after an optional
// byte order mark and blanks is the HTTP form, anything else is not.
TEST(envelope, oversize_message_is_answered_in_the_form_it_starts_with) {
  fixture f;
  const std::string filler(max_message_bytes + 1, ' ');
  handler_options http;
  http.http_replies = true;
  const reply put = f.ask("\xEF\xBB\xBF \r\nPUT /sysadm/iohyve\r\n\r\n{" + filler + "}", http);
  EXPECT_EQ(put.status, 413);
  EXPECT_EQ(put.form, message_form::rest_http);
  EXPECT_TRUE(put.text.starts_with("HTTP/1.1 413 ")) << put.text.substr(0, 80);
  for (const std::string head : {"Hello world ", "{\"args\":"}) {
    const reply other = f.ask(head + filler, http);
    EXPECT_EQ(other.status, 413) << head;
    EXPECT_EQ(other.form, message_form::websocket) << head;
    EXPECT_TRUE(other.text.starts_with("{")) << head << ": " << other.text.substr(0, 80);
  }
}

}  // namespace
