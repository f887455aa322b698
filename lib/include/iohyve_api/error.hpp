// Errors as values: every fallible call in the library returns a result<T>,
// never throws for bad input or a failed command.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "iohyve_api/export.hpp"

namespace iohyve_api {

// The codes of the error contract (see README, "Errors"). They double as
// HTTP status codes for REST callers and as the "code" string in responses.
enum class error_code : int {
  bad_request = 400,        // invalid or missing argument, malformed message
  forbidden = 403,          // a change refused by a read-only policy
  not_found = 404,          // unknown guest, disk, ISO, namespace or action
  conflict = 409,           // exists already, is running, is not running
  payload_too_large = 413,  // message over the size limit
  command_failed = 500,     // a tool ran and failed; message has its words
  tool_missing = 503,       // a tool is not installed or not executable
  timed_out = 504,          // a tool did not finish in time
};

// "400", "404", ... as the reference spells codes (strings, not numbers).
IOHYVE_API std::string_view code_string(error_code code) noexcept;
// "Bad Request", "Not Found", ... (HTTP reason phrases).
IOHYVE_API std::string_view reason_phrase(error_code code) noexcept;

struct IOHYVE_API error {
  error_code code = error_code::bad_request;
  std::string message;  // precise and human readable: what, where, expected

  friend bool operator==(const error&, const error&) = default;
};

// A value or an error. Deliberately tiny (std::expected is C++23).
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  // Written iohyve_api::error throughout: inside this class, plain "error"
  // names the accessor below.
  result(iohyve_api::error err) : state_(std::in_place_index<1>, std::move(err)) {}

  bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const iohyve_api::error& error() const& { return std::get<1>(state_); }
  iohyve_api::error&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, iohyve_api::error> state_;
};

// For calls that return nothing on success.
struct IOHYVE_API done {
  friend bool operator==(done, done) = default;
};
using status = result<done>;

inline error make_error(error_code code, std::string message) {
  return error{code, std::move(message)};
}

}  // namespace iohyve_api
