// Hostile and malformed requests: each gets an error with the right code and
// a detail naming the problem, and no command is ever run (the scripted
// runner has no answers and records every attempt).
#include <gtest/gtest.h>

#include "iohyve_api/client.hpp"
#include "iohyve_api/handler.hpp"
#include "iohyve_api/testing/scripted_runner.hpp"
#include "json_compare.hpp"
#include "json_value.hpp"

using namespace iohyve_api;

namespace {

struct bad_case {
  const char* label;
  std::string request;
  int code;
  std::string needle;  // must appear in the error message
};

std::string ws(const std::string& args) {
  return R"({"namespace":"sysadm","name":"iohyve","id":"t1","args":)" + args + "}";
}

std::vector<bad_case> cases() {
  const std::string big(1100 * 1024, 'a');
  const std::string long_name(5000, 'x');
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "[";
  return {
      // Not JSON, or not the right JSON.
      {"empty", "", 400, "empty"},
      {"blank", "  \n\t ", 400, "empty"},
      {"truncated", R"({"action":"listvms")", 400, "invalid JSON at offset"},
      {"missing comma", R"({"action":"listvms" "name":"x"})", 400, "invalid JSON at offset 20"},
      {"trailing garbage", R"({"action":"listvms"} x)", 400, "invalid JSON"},
      {"two objects", R"({"action":"listvms"}{"action":"listvms"})", 400, "invalid JSON"},
      {"array", R"([{"action":"listvms"}])", 400, "not an array"},
      {"string", R"("listvms")", 400, "the request must be a JSON object, not a string"},
      {"number", "42", 400, "the request must be a JSON object, not a number"},
      {"null", "null", 400, "the request must be a JSON object, not null"},
      {"boolean", " true\n", 400, "the request must be a JSON object, not a boolean"},
      {"empty array", "[]", 400, "the request must be a JSON object, not an array"},
      {"bare word", "listvms", 400, "invalid JSON at offset 0"},
      {"number then garbage", "7 x", 400, "invalid JSON at offset 2"},
      {"deep array is not recursed", std::string(1u << 19, '['), 400, "nesting is deeper than 32 levels"},
      {"DELETE verb", "DELETE /sysadm/iohyve\n{\"action\":\"listvms\"}", 400, "unsupported HTTP method 'DELETE'"},
      {"lower-case verb is no request line", "put /sysadm/iohyve\n{}", 400, "invalid JSON at offset 0"},
      {"BOM is skipped", "\xEF\xBB\xBF{\"action\":\"lisvms\"}", 400, "unknown action 'lisvms'"},
      {"BOM then not JSON", "\xEF\xBB\xBFnope", 400, "invalid JSON at offset 4"},
      {"BOM then bad JSON", "\xEF\xBB\xBF{\"action\":}", 400, "invalid JSON at offset 13"},
      {"object id, unknown action", R"({"namespace":"sysadm","name":"iohyve","id":{"a":[1,{}]},"args":{"action":"x"}})", 400, "unknown action 'x'"},
      {"array id, unknown action", R"({"namespace":"sysadm","name":"iohyve","id":[[],"x",null],"args":{"action":"x"}})", 400, "unknown action 'x'"},
      {"null args", ws("null"), 400, "'args' must be an object"},
      {"array args", ws(R"(["listvms"])"), 400, "'args' must be an object"},
      {"string args", ws(R"("listvms")"), 400, "'args' must be an object"},
      {"NUL byte", std::string(R"({"action":"list)") + '\0' + R"(vms"})", 400, "NUL byte"},
      {"invalid UTF-8", "{\"action\":\"listvms\",\"name\":\"\xff\xfe\"}", 400,
       "invalid JSON at offset 28: not valid UTF-8"},
      {"invalid UTF-8 after valid", "{\"action\":\"listvms\",\"name\":\"caf\xc3\xa9\xc3\"}", 400,
       "invalid JSON at offset 33: not valid UTF-8"},
      {"invalid UTF-8 in a REST body", "PUT /sysadm/iohyve\n\n{\"action\":\"x\xc0\xaf\"}", 400,
       "invalid JSON at offset 32: not valid UTF-8"},
      {"UTF-8 encoded surrogate", "{\"action\":\"listvms\",\"x\":\"\xed\xa0\x80\"}", 400,
       "invalid JSON at offset 25: not valid UTF-8"},
      {"lone surrogate escape", R"({"action":"getprops","name":"\ud800"})", 400, "invalid JSON"},
      {"too deep", R"({"action":"listvms","x":)" + deep, 400, "deeper than"},
      {"duplicate key", R"({"action":"start","name":"a","name":"b"})", 400, "duplicate key 'name'"},
      {"duplicate envelope key", R"({"namespace":"sysadm","namespace":"x","name":"iohyve","args":{}})", 400, "duplicate key 'namespace'"},
      {"oversized", R"({"action":"listvms","pad":")" + big + "\"}", 413, "bytes"},
      // Envelope problems.
      {"missing namespace", R"({"name":"iohyve","id":"1","args":{"action":"listvms"}})", 400, "missing 'namespace'"},
      {"missing name", R"({"namespace":"sysadm","id":"1","args":{"action":"listvms"}})", 400, "missing 'name'"},
      {"numeric name", R"({"namespace":"sysadm","name":7,"id":"1","args":{"action":"listvms"}})", 400, "'name' must be a string"},
      {"unknown namespace", R"({"namespace":"rpc","name":"iohyve","id":"1","args":{"action":"listvms"}})", 404, "rpc/iohyve"},
      {"unknown name", R"({"namespace":"sysadm","name":"iocage","id":"1","args":{"action":"listvms"}})", 404, "sysadm/iocage"},
      {"REST bad verb", "DELETE /sysadm/iohyve\n\n{\"action\":\"listvms\"}", 400, "DELETE"},
      {"REST bad uri", "PUT sysadm\n\n{\"action\":\"listvms\"}", 400, "invalid URI"},
      {"REST wrong subsystem", "PUT /sysadm/zfs\n\n{\"action\":\"listvms\"}", 404, "sysadm/zfs"},
      {"REST no body", "PUT /sysadm/iohyve\nHost: x\n\n", 400, "no JSON body"},
      {"REST bad header", "PUT /sysadm/iohyve\nnot a header\n\n{\"action\":\"listvms\"}", 400, "header"},
      // The action itself.
      {"no action", R"({"name":"web"})", 400, "missing argument 'action'"},
      {"unknown action", R"({"action":"lisvms"})", 400, "unknown action 'lisvms'"},
      {"numeric action", R"({"action":5})", 400, "'action' must be a string"},
      {"null action", R"({"action":null})", 400, "'action' must be a string"},
      {"action with NUL", R"({"action":"listvms\u0000"})", 400, "unknown action"},
      // Missing keys, one per action that takes any.
      {"fetchiso no url", R"({"action":"fetchiso"})", 400, "missing argument 'url'"},
      {"renameiso no target", R"({"action":"renameiso","source":"a.iso"})", 400, "missing argument 'target'"},
      {"rmiso no target", R"({"action":"rmiso"})", 400, "missing argument 'target'"},
      {"setup no nic", R"({"action":"setup","pool":"tank"})", 400, "missing argument 'nic'"},
      {"create no size", R"({"action":"create","name":"web"})", 400, "missing argument 'size'"},
      {"install no iso", R"({"action":"install","name":"web"})", 400, "missing argument 'iso'"},
      {"start no name", R"({"action":"start"})", 400, "missing argument 'name'"},
      {"stop no name", R"({"action":"stop"})", 400, "missing argument 'name'"},
      {"delete no name", R"({"action":"delete"})", 400, "missing argument 'name'"},
      {"adddisk no size", R"({"action":"adddisk","name":"web"})", 400, "missing argument 'size'"},
      {"listdisks no name", R"({"action":"listdisks"})", 400, "missing argument 'name'"},
      {"resizedisk no disk", R"({"action":"resizedisk","name":"web","size":"20G"})", 400, "missing argument 'disk'"},
      {"deletedisk no disk", R"({"action":"deletedisk","name":"web"})", 400, "missing argument 'disk'"},
      {"getprops no name", R"({"action":"getprops"})", 400, "missing argument 'name'"},
      {"setprop no name", R"({"action":"setprop","ram":"1G"})", 400, "missing argument 'name'"},
      {"setprop nothing to set", R"({"action":"setprop","name":"web"})", 400, "at least one property"},
      // Wrong types.
      {"name is a number", R"({"action":"start","name":5})", 400, "must be a string, not a number"},
      {"name is null", R"({"action":"start","name":null})", 400, "must be a string, not null"},
      {"name is an object", R"({"action":"start","name":{"a":1}})", 400, "must be a string, not an object"},
      {"name is an array", R"({"action":"start","name":["web"]})", 400, "must be a string, not an array"},
      {"size is a number", R"({"action":"create","name":"web","size":10})", 400, "must be a string, not a number"},
      {"force is a string", R"({"action":"stop","name":"web","force":"yes"})", 400, "true or false"},
      {"force is a number", R"({"action":"stop","name":"web","force":1})", 400, "true or false"},
      {"unknown argument", R"({"action":"start","name":"web","nmae":"x"})", 400, "unknown argument 'nmae'"},
      {"argument to listvms", R"({"action":"listvms","all":"yes"})", 400, "unknown argument 'all'"},
      // Hostile names.
      {"name ../x", R"({"action":"start","name":"../x"})", 400, "'../x'"},
      {"name -rf", R"({"action":"delete","name":"-rf"})", 400, "'-rf'"},
      {"name a b", R"({"action":"start","name":"a b"})", 400, "'a b'"},
      {"name $(reboot)", R"x({"action":"start","name":"$(reboot)"})x", 400, "'$(reboot)'"},
      {"name x;y", R"({"action":"start","name":"x;y"})", 400, "'x;y'"},
      {"name backticks", R"({"action":"start","name":"`id`"})", 400, "guest name"},
      {"name newline", R"({"action":"start","name":"a\nb"})", 400, "guest name"},
      {"name empty", R"({"action":"start","name":""})", 400, "guest name"},
      {"name too long", R"({"action":"create","size":"1G","name":")" + long_name + "\"}", 400, "guest name"},
      {"name regex", R"({"action":"getprops","name":".*"})", 400, "'.*'"},
      {"name with NUL escape", R"({"action":"start","name":"web\u0000x"})", 400, "guest name"},
      // Sizes.
      {"size -1G", R"({"action":"create","name":"web","size":"-1G"})", 400, "'-1G'"},
      {"size 0", R"({"action":"create","name":"web","size":"0"})", 400, "'0'"},
      {"size 10Q", R"({"action":"create","name":"web","size":"10Q"})", 400, "'10Q'"},
      {"size 1e9", R"({"action":"adddisk","name":"web","size":"1e9"})", 400, "'1e9'"},
      {"size empty", R"({"action":"resizedisk","name":"web","disk":"disk0","size":""})", 400, "size"},
      {"size overflow", R"({"action":"create","name":"web","size":"99999999999E"})", 400, "size"},
      // Disks, ISOs, pools, NICs.
      {"disk disk", R"({"action":"deletedisk","name":"web","disk":"disk"})", 400, "'disk'"},
      {"disk ../disk1", R"({"action":"deletedisk","name":"web","disk":"../disk1"})", 400, "'../disk1'"},
      {"disk01", R"({"action":"resizedisk","name":"web","disk":"disk01","size":"20G"})", 400, "'disk01'"},
      {"iso with slash", R"({"action":"rmiso","target":"../etc/passwd"})", 400, "'../etc/passwd'"},
      {"iso starting with dash", R"({"action":"rmiso","target":"-rR"})", 400, "'-rR'"},
      {"iso dot", R"({"action":"install","name":"web","iso":"."})", 400, "'.'"},
      {"pool with slash", R"({"action":"setup","pool":"tank/x","nic":"em0"})", 400, "'tank/x'"},
      {"pool reserved", R"({"action":"setup","pool":"mirror","nic":"em0"})", 400, "'mirror'"},
      {"nic injection", R"({"action":"setup","pool":"tank","nic":"em0\"; reboot; \""})", 400, "nic"},
      {"nic newline", R"({"action":"setup","pool":"tank","nic":"em0\nreboot"})", 400, "nic"},
      // URLs.
      {"url javascript", R"({"action":"fetchiso","url":"javascript:x"})", 400, "javascript"},
      {"url traversal", R"({"action":"fetchiso","url":"file:///etc/passwd/../"})", 400, "file:///etc/passwd/../"},
      {"url with space", R"({"action":"fetchiso","url":"http://h/a b.iso"})", 400, "url"},
      {"url no file name", R"({"action":"fetchiso","url":"http://example.org/"})", 400, "url"},
      {"url gopher", R"({"action":"fetchiso","url":"gopher://h/x.iso"})", 400, "gopher"},
      {"url option injection", R"({"action":"fetchiso","url":"-o/etc/passwd"})", 400, "url"},
      // Properties.
      {"prop name", R"({"action":"setprop","name":"web","name2":"x"})", 400, "'name2'"},
      {"prop size", R"({"action":"setprop","name":"web","size":"20G"})", 400, "'size'"},
      {"prop foo=bar", R"({"action":"setprop","name":"web","foo=bar":"1"})", 400, "'foo=bar'"},
      {"prop bhyve_path", R"({"action":"setprop","name":"web","bhyve_path":"/tmp/evil"})", 400, "bhyve_path"},
      {"prop ram garbage", R"({"action":"setprop","name":"web","ram":"lots"})", 400, "'lots'"},
      {"prop cpu zero", R"({"action":"setprop","name":"web","cpu":"0"})", 400, "cpu"},
      {"prop description newline", R"({"action":"setprop","name":"web","description":"a\nb"})", 400, "description"},
      {"prop description too long", R"({"action":"setprop","name":"web","description":")" + std::string(1025, 'd') + "\"}", 400, "description"},
      {"prop number value", R"({"action":"setprop","name":"web","ram":512})", 400, "must be a string"},
      {"prop prefixed", R"({"action":"setprop","name":"web","iohyve:ram":"1G"})", 400, "'iohyve:ram'"},
  };
}

// (code, message) of an error reply in either shape.
std::pair<std::string, std::string> error_of(const std::string& text) {
  std::string json = text;
  if (json.rfind("HTTP/1.1", 0) == 0) json = json.substr(json.find("\r\n\r\n") + 4);
  const auto d = iohyve_test::json_value::parse(json);
  if (!d || !d->contains("args")) return {"", "unparsable: " + json.substr(0, 300)};
  const auto& args = (*d)["args"];
  if (args.contains("detail")) return {args["code"].text(), args["detail"].text()};
  for (const auto& [action, value] : args.members())
    if (value.contains("error")) return {value["code"].text(), value["error"].text()};
  return {"", "no error in: " + json.substr(0, 300)};
}

TEST(bad_input, at_least_sixty_cases) { EXPECT_GE(cases().size(), 60u); }

TEST(bad_input, every_case_is_refused_precisely_and_runs_nothing) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.label);
    iohyve_api::testing::scripted_runner runner;  // no answers: any command would show in calls()
    client backend(host_paths{}, runner);
    handler h(backend);
    const reply r = h.handle(c.request);
    EXPECT_TRUE(r.is_error);
    EXPECT_EQ(r.status, c.code);
    const auto [code, message] = error_of(r.text);
    EXPECT_EQ(code, std::to_string(c.code)) << r.text.substr(0, 400);
    EXPECT_NE(message.find(c.needle), std::string::npos)
        << "message: " << message << "\nexpected to contain: " << c.needle;
    EXPECT_LT(message.size(), 600u) << "messages stay short whatever the input";
    EXPECT_TRUE(runner.calls().empty()) << "a command was run for a bad request";
    const std::string body = r.text.rfind("HTTP/1.1", 0) == 0 ? r.text.substr(r.text.find("\r\n\r\n") + 4) : r.text;
    EXPECT_EQ(iohyve_test::json_error(body), "") << "replies are valid JSON (and UTF-8)";
  }
}

TEST(bad_input, protocol_errors_echo_the_id_and_use_the_error_envelope) {
  iohyve_api::testing::scripted_runner runner;
  client backend(host_paths{}, runner);
  handler h(backend);
  const reply r = h.handle(R"({"namespace":"sysadm","name":"iohyve","id":7,"args":{"action":"lisvms"}})");
  EXPECT_EQ(iohyve_test::json_diff(
                R"({"args":{"code":"400","detail":"unknown action 'lisvms'","message":"Bad Request"},"id":7,"name":"error","namespace":"error"})",
                r.text),
            "");
}

// An id that is an object or array is echoed as sent (it was re-serialized
// by RapidJSON's Writer once, which UBSan flagged on its first container).
TEST(bad_input, container_ids_are_echoed_as_sent) {
  iohyve_api::testing::scripted_runner runner;
  client backend(host_paths{}, runner);
  handler h(backend);
  for (const std::string id : {R"({"a":[1,{"b":null}],"c":"\u00e9","d":true})", R"([[],"x",-1.5e3,false])", "{}", "[]"}) {
    const reply r = h.handle(R"({"namespace":"sysadm","name":"iohyve","id":)" + id + R"(,"args":{"action":"lisvms"}})");
    EXPECT_EQ(iohyve_test::json_diff(R"({"args":{"code":"400","detail":"unknown action 'lisvms'","message":"Bad Request"},"id":)" +
                                         id + R"(,"name":"error","namespace":"error"})",
                                     r.text),
              "")
        << id;
  }
}

TEST(bad_input, action_errors_are_responses_with_a_code) {
  iohyve_api::testing::scripted_runner runner;
  client backend(host_paths{}, runner);
  handler h(backend);
  const reply r = h.handle(R"({"namespace":"sysadm","name":"iohyve","id":"x","args":{"action":"start","name":"a b"}})");
  const auto [code, message] = error_of(r.text);
  EXPECT_EQ(code, "400");
  EXPECT_NE(r.text.find(R"("name":"response")"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find(R"({"start":{"code":"400","error":)"), std::string::npos) << r.text;
}

}  // namespace
