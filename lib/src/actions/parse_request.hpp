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

}  // namespace iohyve_api::detail
