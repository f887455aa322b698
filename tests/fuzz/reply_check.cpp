#include "reply_check.hpp"

#include <array>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "argv_check.hpp"

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

std::string_view str(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

bool is_code(const rapidjson::Value& v, int status) {
  return v.IsString() && str(v) == std::to_string(status) && status >= 400 && status <= 599;
}

std::string check_args(const rapidjson::Value& args, const iohyve_api::reply& r) {
  if (!args.IsObject()) return "'args' is not an object";
  // A protocol error: {"code","detail","message"}.
  if (args.HasMember("message")) {
    if (!r.is_error) return "an error body in a reply not marked as an error";
    if (args.MemberCount() != 3 || !args.HasMember("code") || !args.HasMember("detail") ||
        !args["message"].IsString() || !args["detail"].IsString())
      return "a protocol error without exactly code, detail and message";
    if (!is_code(args["code"], r.status)) return "the error code does not match the status";
    return {};
  }
  if (args.MemberCount() != 1) return "'args' of a response has " + std::to_string(args.MemberCount()) + " members";
  const auto& m = *args.MemberBegin();
  if (!is_action(str(m.name))) return "unknown action key '" + std::string(str(m.name)) + "' in a response";
  const auto& body = m.value;
  const bool action_error = body.IsObject() && body.HasMember("error") && body.HasMember("code");
  if (action_error != r.is_error) return "is_error does not match the body";
  if (action_error) {
    if (!body["error"].IsString() || str(body["error"]).empty()) return "an action error without a message";
    if (!is_code(body["code"], r.status)) return "the action error code does not match the status";
  } else if (r.status != 200) {
    return "a success body with status " + std::to_string(r.status);
  } else if (!body.IsObject() && !body.IsArray()) {
    return "an action's result is neither an object nor an array";
  }
  return {};
}

std::string parse(std::string_view json, rapidjson::Document& doc) {
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());  // one value, then whitespace only
  if (doc.HasParseError())
    return std::string("not valid JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()) + " at " +
           std::to_string(doc.GetErrorOffset());
  if (!doc.IsObject()) return "the reply is not a JSON object";
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
  rapidjson::Document doc;
  if (auto e = parse(body, doc); !e.empty()) return e;
  if (!doc.HasMember("args")) return "no 'args' in the reply";
  if (r.form == message_form::websocket) {
    if (doc.MemberCount() != 4 || !doc.HasMember("id") || !doc.HasMember("name") || !doc.HasMember("namespace"))
      return "a WebSocket reply without exactly args, id, name, namespace";
    if (!doc["name"].IsString() || !doc["namespace"].IsString()) return "name or namespace is not a string";
  } else if (doc.MemberCount() != 1) {
    return "a REST reply with more than 'args'";
  }
  return check_args(doc["args"], r);
}

std::string json_value_violation(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (doc.HasParseError()) return std::string(rapidjson::GetParseError_En(doc.GetParseError()));
  return {};
}

std::string event_violation(std::string_view event) {
  if (!is_valid_utf8(event)) return "an event that is not valid UTF-8";
  rapidjson::Document doc;
  if (auto e = parse(event, doc); !e.empty()) return "event: " + e;
  if (!doc.HasMember("namespace") || !doc["namespace"].IsString() || str(doc["namespace"]) != "events" ||
      !doc.HasMember("args") || !doc["args"].IsObject())
    return "an event that is not a dispatcher event";
  const auto& a = doc["args"];
  if (!a.HasMember("state") || !a["state"].IsString()) return "an event without a state";
  return {};
}

}  // namespace iohyve_fuzz
