// The library's version.
#pragma once

#include <string_view>

namespace iohyve_api {

inline constexpr std::string_view version_string = "0.1.0";

}  // namespace iohyve_api
