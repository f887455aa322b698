#include "golden_cases.hpp"

#include <algorithm>
#include <stdexcept>

#include "iohyve_api/testing/scripted_runner.hpp"
#include "json_value.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace iohyve_test {
namespace {

golden_case load(const fs::path& dir) {
  golden_case c;
  c.action = dir.filename().string();
  c.dir = dir;
  std::string error;
  const auto parsed = json_value::parse(read_file(dir / "host.json"), &error);
  if (!parsed) throw std::runtime_error("bad host.json in " + dir.string() + ": " + error);
  const json_value& host = *parsed;
  for (const auto& s : host["steps"].items()) {
    golden_step step;
    for (const auto& a : s["argv"].items()) step.argv.push_back(a.text());
    step.result = iohyve_api::testing::scripted_runner::exited(static_cast<int>(s["exit"].number()),
                                                               s["stdout"].text(), s["stderr"].text());
    c.steps.push_back(std::move(step));
  }
  for (const auto& v : host["vmm"].items()) c.vmm.push_back(v.text());
  if (host.contains("rc_conf")) c.rc_conf = host["rc_conf"].text();
  if (host.contains("rc_conf_after")) c.rc_conf_after = host["rc_conf_after"].text();
  return c;
}

}  // namespace

std::vector<golden_case> all_golden_cases() {
  std::vector<golden_case> cases;
  for (const auto& entry : fs::directory_iterator(IOHYVE_TEST_GOLDEN))
    if (entry.is_directory()) cases.push_back(load(entry.path()));
  std::sort(cases.begin(), cases.end(), [](auto& a, auto& b) { return a.action < b.action; });
  return cases;
}

}  // namespace iohyve_test
