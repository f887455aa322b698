// A small streaming JSON writer. The caller emits keys in the order wanted
// (the API's responses are sorted by key, as the reference emits them).
// Strings are written as valid UTF-8 whatever they hold: control characters
// are escaped and invalid byte sequences (tool output is not always UTF-8)
// become U+FFFD.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace iohyve_api::detail {

class json_writer {
 public:
  explicit json_writer(bool pretty = false) : pretty_(pretty) {}

  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view k);
  json_writer& string(std::string_view s);
  // Inserts already serialized JSON (e.g. an echoed request id) verbatim.
  json_writer& raw(std::string_view json);

  // key + string in one call, the most common pair.
  json_writer& member(std::string_view k, std::string_view s) { return key(k).string(s); }

  const std::string& str() const noexcept { return out_; }
  std::string take() noexcept { return std::move(out_); }
  void reserve(std::size_t n) { out_.reserve(n); }

 private:
  void before_value();
  void newline();
  json_writer& close(char bracket);

  std::string out_;
  bool pretty_;
  bool after_key_ = false;
  // One entry per open container: whether it has members yet.
  std::vector<bool> has_members_;
};

// Appends s to out as the body of a JSON string (no quotes), escaped.
void append_escaped(std::string& out, std::string_view s);

}  // namespace iohyve_api::detail
