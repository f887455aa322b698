// A small streaming JSON writer. The caller emits keys in the order wanted
// (the API's responses are sorted by key, as the reference emits them).
// Strings are written as valid UTF-8 whatever they hold: control characters
// are escaped and invalid byte sequences (tool output is not always UTF-8)
// become U+FFFD.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace iohyve_api::detail {

class json_writer {
 public:
  // capacity: bytes to make room for at once; most replies fit in the
  // default (getprops with the document's 14 properties is 326 bytes).
  explicit json_writer(bool pretty = false, std::size_t capacity = 512);

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

  std::string_view str() const noexcept { return {out_.data(), used_}; }
  std::string take() noexcept;

  // Containers open at once, at most (the API's replies nest 5 deep).
  static constexpr unsigned max_depth = 64;

 private:
  // Where n more bytes go; the caller then adds n to used_.
  char* room(std::size_t n) { return out_.size() - used_ >= n ? out_.data() + used_ : grow(n); }
  char* grow(std::size_t n);
  void put(char c) {
    *room(1) = c;
    ++used_;
  }
  void put(std::string_view s);
  template <std::size_t N>
  void put_quoted(std::string_view s, const char (&close)[N]);  // close: a literal
  void put_escaped(std::string_view s);
  void before_value();
  void newline();
  json_writer& open(char bracket);
  json_writer& close(char bracket);

  // Written by pointer into a string kept at its full size: bytes [0, used_)
  // are the JSON so far. Appending through std::string would check capacity
  // and move the terminator for every piece; this checks once per piece.
  std::string out_;
  std::size_t used_ = 0;
  bool pretty_;
  bool after_key_ = false;
  unsigned depth_ = 0;
  // Bit d set: the container open at depth d (0 = outermost) has members.
  std::uint64_t has_members_ = 0;
};

// Appends s to out as a JSON string, quotes included, escaped as
// json_writer::string() writes it.
void append_json_string(std::string& out, std::string_view s);

}  // namespace iohyve_api::detail
