// What values.cpp and url.cpp share: the wording of a refused value, and
// the ISO name rule a URL's file name must follow too. Private.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "iohyve_api/error.hpp"

namespace iohyve_api::detail {

// error{bad_request, "invalid <what> '<value>': <reason>"}, the value quoted
// with quote_value().
error invalid_value(std::string_view what, std::string_view value, std::string_view reason);

// invalid_value() saying that at most `max` `unit` are allowed and how long
// the value really is (its quote is cut at 64 bytes); `why` follows.
error value_too_long(std::string_view what, std::string_view value, std::size_t max,
                     std::string_view unit = "bytes", std::string_view why = "");

// Why `text` (non-empty) is not an ISO name, or nullopt when it is one.
std::optional<std::string_view> iso_name_problem(std::string_view text);

}  // namespace iohyve_api::detail
