// Structural JSON comparison for tests: parses both texts and reports the
// first difference with its path. Objects compare regardless of key order;
// check_sorted_keys separately asserts the order the API promises.
#pragma once

#include <string>
#include <string_view>

namespace iohyve_test {

// "" when equal, else a description such as "$.args.listvms.web.running:
// expected \"NO\", got \"YES\"". Values at keys named in pattern_keys
// (e.g. "queueid") are compared by the braced-UUID pattern instead.
std::string json_diff(std::string_view expected, std::string_view actual,
                      bool uuid_queueid = true);

// "" when every object's keys appear in sorted (byte) order.
std::string unsorted_keys(std::string_view json);

// Whether text is one valid JSON value; the parse error otherwise.
std::string json_error(std::string_view text);

}  // namespace iohyve_test
