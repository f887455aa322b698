// Turns an argument list into a typed, validated request.
#pragma once

#include <string_view>

#include "actions/args.hpp"
#include "iohyve_api/error.hpp"
#include "iohyve_api/requests.hpp"

namespace iohyve_api::detail {

// The "action" argument. Missing, not a string, or not one of the 19
// actions: a bad_request error (a protocol error for the handler).
result<std::string_view> find_action(const arg_list& args);

// Builds the request for action (a name find_action accepted) from args:
// every required argument present, every value a string of the right form
// (booleans also accepted for "force"), no unknown argument. The error
// names the argument and what was expected.
result<request> parse_request(std::string_view action, const arg_list& args);

// Where echo_arguments() writes: a JSON object under construction (the
// envelope layer implements it), keys in the order they are given.
class echo_sink {
 public:
  virtual void member(std::string_view key, std::string_view value) = 0;
  virtual void open(std::string_view key) = 0;  // a nested object under key
  virtual void close() = 0;                      // ... ends here

 protected:
  ~echo_sink() = default;
};

// The documented response of a changing action echoes its arguments, keys
// sorted as the reference writes them (adddisk and setprop nest them under
// the guest's name). Actions that answer with data (listings, fetchiso's
// ticket) echo nothing.
void echo_arguments(const request& req, echo_sink& out);

}  // namespace iohyve_api::detail
