#include "messages.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace iohyve_apid {

namespace {

std::string to_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string string_member(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// Only a plausible action name goes into the log: nothing a client could
// use to forge log lines.
std::string loggable_action(std::string text) {
  if (text.empty() || text.size() > 24) return {};
  for (char c : text)
    if (c < 'a' || c > 'z') return {};
  return text;
}

const char* reason_of(int code) {
  switch (code) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

std::string error_args(int code, std::string_view detail) {
  return "{\"code\":\"" + std::to_string(code) + "\",\"detail\":" + json_string(detail) +
         ",\"message\":\"" + reason_of(code) + "\"}";
}

}  // namespace

std::string json_string(std::string_view text) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buf.GetString(), buf.GetSize());
}

message_peek peek_message(std::string_view text) {
  message_peek out;
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) return out;
  out.is_object = true;
  out.ns = string_member(doc, "namespace");
  out.name = string_member(doc, "name");
  if (auto id = doc.FindMember("id"); id != doc.MemberEnd()) {
    out.has_id = true;
    out.id_json = to_json(id->value);
  }
  auto args = doc.FindMember("args");
  const rapidjson::Value& body = args != doc.MemberEnd() ? args->value : static_cast<const rapidjson::Value&>(doc);
  if (body.IsObject()) {
    out.action = loggable_action(string_member(body, "action"));
    out.token = string_member(body, "token");
  } else if (body.IsString()) {
    out.event_names.emplace_back(body.GetString(), body.GetStringLength());
  } else if (body.IsArray()) {
    for (const auto& v : body.GetArray())
      if (v.IsString()) out.event_names.emplace_back(v.GetString(), v.GetStringLength());
      else out.event_names.emplace_back();  // not a name: refused by the caller
  }
  return out;
}

std::string response_envelope(const message_peek& request, std::string_view ns, std::string_view args_json) {
  // As the reference: "response" when the request had an id, else the request's name.
  const std::string name = request.has_id ? std::string("response") : request.name;
  return "{\"args\":" + std::string(args_json) + ",\"id\":" + request.id_json + ",\"name\":" + json_string(name) +
         ",\"namespace\":" + json_string(ns) + "}";
}

std::string error_envelope(std::string_view id_json, int code, std::string_view detail) {
  return "{\"args\":" + error_args(code, detail) + ",\"id\":" + std::string(id_json) +
         ",\"name\":\"error\",\"namespace\":\"error\"}";
}

std::string error_body(int code, std::string_view detail) { return "{\"args\":" + error_args(code, detail) + "}"; }

}  // namespace iohyve_apid
