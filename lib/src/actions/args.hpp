// The arguments of a request as the envelope layer hands them over: a flat,
// ordered list of key/value pairs in which every JSON value is reduced to its
// kind and (for scalars) its text. The actions layer sees no JSON library.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace iohyve_api::detail {

enum class arg_kind { string, boolean, number, null, object, array };

struct arg {
  std::string key;
  arg_kind kind = arg_kind::string;
  std::string text;  // string contents; "true"/"false"; the number as written
};

using arg_list = std::vector<arg>;

// "a string", "a number", ... for messages.
std::string_view describe(arg_kind kind) noexcept;

}  // namespace iohyve_api::detail
