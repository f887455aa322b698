// The property every fuzz target checks on what the library answers: valid
// UTF-8, one JSON value of the documented shape (README, "Input forms" and
// "Errors"), and a status that agrees with the body.
#pragma once

#include <string>
#include <string_view>

#include "iohyve_api/handler.hpp"

namespace iohyve_fuzz {

// "" when the reply is well-formed, else what is wrong.
std::string reply_violation(const iohyve_api::reply& r, bool http_replies);

// "" when text is one JSON value (any type), valid UTF-8.
std::string json_value_violation(std::string_view text);

// "" when event is a well-formed dispatcher event envelope.
std::string event_violation(std::string_view event);

}  // namespace iohyve_fuzz
