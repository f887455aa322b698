#include "json_compare.hpp"

#include "json_value.hpp"

#include <regex>

namespace iohyve_test {
namespace {

std::string dump(const json_value& v) {
  std::string s = v.dump();
  return s.size() > 200 ? s.substr(0, 200) + "..." : s;
}

bool is_queue_id(const json_value& v) {
  static const std::regex pattern(
      R"(^\{[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\}$)");
  return v.is_string() && std::regex_match(v.text(), pattern);
}

std::string diff(const json_value& e, const json_value& a, const std::string& path, bool uuid_queueid) {
  if (e.type() != a.type()) return path + ": expected " + dump(e) + ", got " + dump(a);
  if (e.is_object()) {
    for (const auto& [key, value] : e.members()) {
      if (!a.contains(key)) return path + ": missing key \"" + key + "\"";
      const json_value& found = a[key];
      if (uuid_queueid && key == "queueid") {
        if (!is_queue_id(found)) return path + ".queueid: not a braced UUID: " + dump(found);
        continue;
      }
      if (auto d = diff(value, found, path + "." + key, uuid_queueid); !d.empty()) return d;
    }
    for (const auto& [key, value] : a.members())
      if (!e.contains(key)) return path + ": unexpected key \"" + key + "\"";
    return "";
  }
  if (e.is_array()) {
    if (e.size() != a.size())
      return path + ": expected " + std::to_string(e.size()) + " elements, got " + std::to_string(a.size()) +
             ": " + dump(a);
    for (std::size_t i = 0; i < e.size(); ++i)
      if (auto d = diff(e[i], a[i], path + "[" + std::to_string(i) + "]", uuid_queueid); !d.empty()) return d;
    return "";
  }
  if (!(e == a)) return path + ": expected " + dump(e) + ", got " + dump(a);
  return "";
}

std::string sorted(const json_value& v, const std::string& path) {
  if (v.is_object()) {
    const std::string* previous = nullptr;
    for (const auto& [key, value] : v.members()) {
      if (previous && key < *previous) return path + ": key \"" + key + "\" after \"" + *previous + "\"";
      if (auto d = sorted(value, path + "." + key); !d.empty()) return d;
      previous = &key;
    }
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (auto d = sorted(v[i], path + "[" + std::to_string(i) + "]"); !d.empty()) return d;
  }
  return "";
}

}  // namespace

std::string json_diff(std::string_view expected, std::string_view actual, bool uuid_queueid) {
  std::string err;
  const auto e = json_value::parse(expected, &err);
  if (!e) return "expected: " + err;
  const auto a = json_value::parse(actual, &err);
  if (!a) return "actual: " + err + ": " + std::string(actual.substr(0, 200));
  return diff(*e, *a, "$", uuid_queueid);
}

std::string unsorted_keys(std::string_view json) {
  std::string err;
  const auto v = json_value::parse(json, &err);
  return v ? sorted(*v, "$") : err;
}

std::string json_error(std::string_view text) {
  std::string err;
  return json_value::parse(text, &err) ? "" : err;
}

}  // namespace iohyve_test
