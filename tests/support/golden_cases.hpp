// The golden cases of tests/golden/<action>/: the API document's requests
// (rest.request, websocket.request), the documented responses, and
// host.json, what the scripted host answers to each command in the order
// the backend must run them. Shared by the golden and the plan tests.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "iohyve_api/runner.hpp"

namespace iohyve_test {

struct golden_step {
  std::vector<std::string> argv;
  iohyve_api::command_result result;
};

struct golden_case {
  std::string action;
  std::filesystem::path dir;
  std::vector<golden_step> steps;
  std::vector<std::string> vmm;  // guests loaded in vmm (/dev/vmm/ioh-NAME)
  std::optional<std::string> rc_conf, rc_conf_after;
};

inline void PrintTo(const golden_case& c, std::ostream* os) { *os << c.action; }

// Every case, sorted by action; throws on an unreadable host.json.
std::vector<golden_case> all_golden_cases();

}  // namespace iohyve_test
