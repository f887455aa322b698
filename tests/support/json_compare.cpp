#include "json_compare.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <regex>

namespace iohyve_test {
namespace {

std::string dump(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  std::string s = buf.GetString();
  return s.size() > 200 ? s.substr(0, 200) + "..." : s;
}

bool is_queue_id(const rapidjson::Value& v) {
  static const std::regex pattern(
      R"(^\{[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\}$)");
  return v.IsString() && std::regex_match(v.GetString(), pattern);
}

std::string diff(const rapidjson::Value& e, const rapidjson::Value& a, const std::string& path,
                 bool uuid_queueid) {
  if (e.GetType() != a.GetType() && !(e.IsNumber() && a.IsNumber()))
    return path + ": expected " + dump(e) + ", got " + dump(a);
  if (e.IsObject()) {
    for (auto it = e.MemberBegin(); it != e.MemberEnd(); ++it) {
      const std::string key = it->name.GetString();
      auto found = a.FindMember(it->name);
      if (found == a.MemberEnd()) return path + ": missing key \"" + key + "\"";
      if (uuid_queueid && key == "queueid") {
        if (!is_queue_id(found->value))
          return path + ".queueid: not a braced UUID: " + dump(found->value);
        continue;
      }
      if (auto d = diff(it->value, found->value, path + "." + key, uuid_queueid); !d.empty()) return d;
    }
    for (auto it = a.MemberBegin(); it != a.MemberEnd(); ++it)
      if (!e.HasMember(it->name)) return path + ": unexpected key \"" + std::string(it->name.GetString()) + "\"";
    return "";
  }
  if (e.IsArray()) {
    if (e.Size() != a.Size())
      return path + ": expected " + std::to_string(e.Size()) + " elements, got " + std::to_string(a.Size()) +
             ": " + dump(a);
    for (rapidjson::SizeType i = 0; i < e.Size(); ++i)
      if (auto d = diff(e[i], a[i], path + "[" + std::to_string(i) + "]", uuid_queueid); !d.empty()) return d;
    return "";
  }
  if (e != a) return path + ": expected " + dump(e) + ", got " + dump(a);
  return "";
}

std::string sorted(const rapidjson::Value& v, const std::string& path) {
  if (v.IsObject()) {
    std::string previous;
    bool first = true;
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string key(it->name.GetString(), it->name.GetStringLength());
      if (!first && key < previous) return path + ": key \"" + key + "\" after \"" + previous + "\"";
      first = false;
      if (auto d = sorted(it->value, path + "." + key); !d.empty()) return d;
      previous = std::move(key);
    }
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
      if (auto d = sorted(v[i], path + "[" + std::to_string(i) + "]"); !d.empty()) return d;
  }
  return "";
}

bool parse(std::string_view text, rapidjson::Document& doc, std::string& err) {
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    err = std::string("invalid JSON at offset ") + std::to_string(doc.GetErrorOffset()) + ": " +
          rapidjson::GetParseError_En(doc.GetParseError());
    return false;
  }
  return true;
}

}  // namespace

std::string json_diff(std::string_view expected, std::string_view actual, bool uuid_queueid) {
  rapidjson::Document e, a;
  std::string err;
  if (!parse(expected, e, err)) return "expected: " + err;
  if (!parse(actual, a, err)) return "actual: " + err + ": " + std::string(actual.substr(0, 200));
  return diff(e, a, "$", uuid_queueid);
}

std::string unsorted_keys(std::string_view json) {
  rapidjson::Document d;
  std::string err;
  if (!parse(json, d, err)) return err;
  return sorted(d, "$");
}

std::string json_error(std::string_view text) {
  rapidjson::Document d;
  std::string err;
  return parse(text, d, err) ? "" : err;
}

}  // namespace iohyve_test
