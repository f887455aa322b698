// A small read-only JSON tree for tests: what the tests read back out of the
// library's replies. Built with RapidJSON's SAX reader; RapidJSON 1.1.0's DOM
// (document.h) does not compile with clang >= 19 or gcc >= 15, and the tests
// must build with the clang + libc++ toolchain FreeBSD ships.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iohyve_test {

class json_value {
 public:
  enum class kind { null, boolean, number, string, array, object };
  using member = std::pair<std::string, json_value>;

  json_value() = default;  // null

  // nullopt and a message ("invalid JSON at offset N: ...") when `text` is
  // not exactly one valid UTF-8 JSON value.
  static std::optional<json_value> parse(std::string_view text, std::string* error = nullptr);

  kind type() const noexcept { return kind_; }
  bool is_null() const noexcept { return kind_ == kind::null; }
  bool is_bool() const noexcept { return kind_ == kind::boolean; }
  bool is_number() const noexcept { return kind_ == kind::number; }
  bool is_string() const noexcept { return kind_ == kind::string; }
  bool is_array() const noexcept { return kind_ == kind::array; }
  bool is_object() const noexcept { return kind_ == kind::object; }

  // A string's value, or a number's text as written; empty for the rest.
  const std::string& text() const noexcept { return text_; }
  bool boolean() const noexcept { return boolean_; }
  double number() const noexcept { return number_; }

  // Elements of an array, members of an object (in the order written).
  std::size_t size() const noexcept { return is_object() ? members_.size() : items_.size(); }
  const std::vector<json_value>& items() const noexcept { return items_; }
  const std::vector<member>& members() const noexcept { return members_; }

  bool contains(std::string_view key) const;
  // The member's value, or a null value when there is none (or this is not
  // an object), so that lookups chain: reply["args"]["listvms"]["web"].
  const json_value& operator[](std::string_view key) const;
  // The element, or a null value past the end.
  const json_value& operator[](std::size_t index) const;

  // The member's string value, or `fallback` when it is missing or no string.
  std::string string_at(std::string_view key, std::string fallback = {}) const;

  // Compact JSON, for test messages.
  std::string dump() const;

  // Structural equality; numbers compare by value.
  friend bool operator==(const json_value& a, const json_value& b);

 private:
  friend class json_builder;

  kind kind_ = kind::null;
  bool boolean_ = false;
  double number_ = 0;
  std::string text_;
  std::vector<json_value> items_;
  std::vector<member> members_;
};

}  // namespace iohyve_test
