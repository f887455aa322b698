#include "reply_check.hpp"

#include <array>
#include <string>

#include "argv_check.hpp"
#include "json_value.hpp"

namespace iohyve_fuzz {
namespace {

constexpr std::array<std::string_view, 19> actions = {
    "listvms", "fetchiso", "listisos", "renameiso", "rmiso",      "setup",      "issetup",
    "create",  "install",  "start",    "stop",      "delete",     "adddisk",    "listdisks",
    "resizedisk", "deletedisk", "version", "getprops", "setprop"};

bool is_action(std::string_view s) {
  for (auto a : actions)
    if (a == s) return true;
  return false;
}

using iohyve_test::json_value;

bool is_code(const json_value& v, int status) {
  return v.is_string() && v.text() == std::to_string(status) && status >= 400 && status <= 599;
}

std::string check_args(const json_value& args, const iohyve_api::reply& r) {
  if (!args.is_object()) return "'args' is not an object";
  // A protocol error: {"code","detail","message"}.
  if (args.contains("message")) {
    if (!r.is_error) return "an error body in a reply not marked as an error";
    if (args.size() != 3 || !args.contains("code") || !args.contains("detail") || !args["message"].is_string() ||
        !args["detail"].is_string())
      return "a protocol error without exactly code, detail and message";
    if (!is_code(args["code"], r.status)) return "the error code does not match the status";
    return {};
  }
  if (args.size() != 1) return "'args' of a response has " + std::to_string(args.size()) + " members";
  const auto& [name, body] = args.members().front();
  if (!is_action(name)) return "unknown action key '" + name + "' in a response";
  const bool action_error = body.is_object() && body.contains("error") && body.contains("code");
  if (action_error != r.is_error) return "is_error does not match the body";
  if (action_error) {
    if (!body["error"].is_string() || body["error"].text().empty()) return "an action error without a message";
    if (!is_code(body["code"], r.status)) return "the action error code does not match the status";
  } else if (r.status != 200) {
    return "a success body with status " + std::to_string(r.status);
  } else if (!body.is_object() && !body.is_array()) {
    return "an action's result is neither an object nor an array";
  }
  return {};
}

// One JSON object, then whitespace only.
std::string parse(std::string_view json, json_value& doc) {
  std::string error;
  auto parsed = json_value::parse(json, &error);
  if (!parsed) return "not valid JSON: " + error;
  if (!parsed->is_object()) return "the reply is not a JSON object";
  doc = std::move(*parsed);
  return {};
}

}  // namespace

std::string reply_violation(const iohyve_api::reply& r, bool http_replies) {
  if (!is_valid_utf8(r.text)) return "the reply is not valid UTF-8";
  if (r.status != 200 && (r.status < 400 || r.status > 599)) return "status " + std::to_string(r.status);
  std::string_view body = r.text;
  using iohyve_api::message_form;
  if (r.form == message_form::rest_http && http_replies) {
    if (body.substr(0, 9) != "HTTP/1.1 " || body.substr(9, 3) != std::to_string(r.status))
      return "an HTTP reply without the status line of its status";
    const auto end = body.find("\r\n\r\n");
    if (end == std::string_view::npos) return "an HTTP reply without the end of its headers";
    body.remove_prefix(end + 4);
  }
  while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.remove_suffix(1);
  if (body.find('\0') != std::string_view::npos) return "a NUL byte in the reply";
  json_value doc;
  if (auto e = parse(body, doc); !e.empty()) return e;
  if (!doc.contains("args")) return "no 'args' in the reply";
  if (r.form == message_form::websocket) {
    if (doc.size() != 4 || !doc.contains("id") || !doc.contains("name") || !doc.contains("namespace"))
      return "a WebSocket reply without exactly args, id, name, namespace";
    if (!doc["name"].is_string() || !doc["namespace"].is_string()) return "name or namespace is not a string";
  } else if (doc.size() != 1) {
    return "a REST reply with more than 'args'";
  }
  return check_args(doc["args"], r);
}

std::string json_value_violation(std::string_view text) {
  std::string error;
  return json_value::parse(text, &error) ? std::string() : error;
}

std::string event_violation(std::string_view event) {
  if (!is_valid_utf8(event)) return "an event that is not valid UTF-8";
  json_value doc;
  if (auto e = parse(event, doc); !e.empty()) return "event: " + e;
  if (!doc["namespace"].is_string() || doc["namespace"].text() != "events" || !doc["args"].is_object())
    return "an event that is not a dispatcher event";
  if (!doc["args"]["state"].is_string()) return "an event without a state";
  return {};
}

}  // namespace iohyve_fuzz
