// --dry-run shows what a real run does: for every golden case (the API
// document's requests), the plan the handler answers with in dry-run mode
// is compared, command by command, with the commands the golden host
// records for the real run. Both are built by backend/commands.cpp, so a
// difference means the plan skipped or invented a step.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "golden_cases.hpp"
#include "iohyve_api/client.hpp"
#include "iohyve_api/handler.hpp"
#include "iohyve_api/testing/scripted_runner.hpp"
#include "json_value.hpp"
#include "test_support.hpp"

using namespace iohyve_api;
using iohyve_test::golden_case;
using iohyve_test::json_value;

namespace {

using argv_t = std::vector<std::string>;

bool is_pool_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.' || c == ':';
}

// Whether a planned argument matches a real one: "<pool>" stands for a pool
// name and "<N>" for a number, which only a lookup on the host would tell.
bool arg_matches(std::string_view plan, std::string_view real) {
  if (plan.empty()) return real.empty();
  for (const auto& [placeholder, accepts] :
       {std::pair<std::string_view, bool (*)(char)>{"<pool>", is_pool_char},
        std::pair<std::string_view, bool (*)(char)>{"<N>", [](char c) { return c >= '0' && c <= '9'; }}}) {
    if (!plan.starts_with(placeholder)) continue;
    for (std::size_t n = 1; n <= real.size() && accepts(real[n - 1]); ++n)
      if (arg_matches(plan.substr(placeholder.size()), real.substr(n))) return true;
    return false;
  }
  return !real.empty() && plan.front() == real.front() && arg_matches(plan.substr(1), real.substr(1));
}

bool argv_matches(const argv_t& plan, const argv_t& real) {
  if (plan.size() != real.size()) return false;
  for (std::size_t i = 0; i < plan.size(); ++i)
    if (!arg_matches(plan[i], real[i])) return false;
  return true;
}

std::string show(const argv_t& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

// Planned commands that run only on some answers of the host, and may
// therefore be missing from a real run (or repeat in it). Everything else
// must match one real command, in order.
bool runs_only_sometimes(const std::string& action, const argv_t& planned) {
  // delete unloads the guest from vmm only when it is still loaded there.
  if (action == "delete") return planned.size() > 1 && planned[1] == "--destroy";
  // deletedisk unhooks every pcidev that points at the disk: zero or more.
  if (action == "deletedisk") return planned.size() > 1 && planned[1] == "inherit";
  return false;
}

// The plan in a dry-run reply: args.ACTION.commands.
std::vector<argv_t> planned_commands(const std::string& reply, const std::string& action) {
  std::string error;
  const auto parsed = json_value::parse(reply, &error);
  if (!parsed) {
    ADD_FAILURE() << "not JSON: " << error << ": " << reply;
    return {};
  }
  const json_value& result = (*parsed)["args"][action];
  EXPECT_EQ(result["dry_run"].text(), "true") << reply;
  std::vector<argv_t> out;
  for (const auto& c : result["commands"].items()) {
    argv_t argv;
    for (const auto& a : c.items()) argv.push_back(a.text());
    out.push_back(std::move(argv));
  }
  return out;
}

class dry_run : public ::testing::TestWithParam<golden_case> {};

TEST_P(dry_run, plan_is_what_the_real_run_ran) {
  const golden_case& c = GetParam();
  iohyve_test::temp_dir tmp;
  iohyve_api::testing::scripted_runner runner;  // nothing is scripted: a dry run runs nothing
  host_paths paths;                 // FreeBSD defaults, as host.json records them
  paths.rc_conf = (tmp.path() / "rc.conf").string();
  paths.vmm_dir = (tmp.path() / "vmm").string();
  paths.lock_dir = (tmp.path() / "locks").string();
  client backend(paths, runner);
  handler_options options;
  options.dry_run = true;
  handler h(backend, options);
  const reply r = h.handle(iohyve_test::read_file(c.dir / "websocket.request"));
  ASSERT_FALSE(r.is_error) << r.text;
  EXPECT_TRUE(runner.calls().empty());

  const auto plan = planned_commands(r.text, c.action);
  std::size_t next = 0;  // the next real command to match
  for (const auto& planned : plan) {
    const bool optional = runs_only_sometimes(c.action, planned);
    if (next < c.steps.size() && argv_matches(planned, c.steps[next].argv)) {
      ++next;
      while (optional && next < c.steps.size() && argv_matches(planned, c.steps[next].argv)) ++next;
      continue;
    }
    EXPECT_TRUE(optional) << c.action << ": planned '" << show(planned) << "', but the real run "
                          << (next < c.steps.size() ? "ran '" + show(c.steps[next].argv) + "'" : "ran nothing more");
    if (!optional) return;
  }
  for (; next < c.steps.size(); ++next)
    ADD_FAILURE() << c.action << ": the real run also ran '" << show(c.steps[next].argv) << "', which the plan lacks";
}

INSTANTIATE_TEST_SUITE_P(golden, dry_run, ::testing::ValuesIn(iohyve_test::all_golden_cases()),
                         [](const auto& info) { return info.param.action; });

TEST(dry_run_matching, placeholders_stand_for_names_and_numbers_only) {
  EXPECT_TRUE(arg_matches("<pool>/iohyve/web", "tank/iohyve/web"));
  EXPECT_TRUE(arg_matches("iohyve:pcidev:<N>", "iohyve:pcidev:12"));
  EXPECT_FALSE(arg_matches("<pool>/iohyve/web", "tank/iohyve/web2"));
  EXPECT_FALSE(arg_matches("<pool>/iohyve/web", "/iohyve/web"));
  EXPECT_FALSE(arg_matches("<pool>/iohyve/web", "tank/x/iohyve/web"));
  EXPECT_FALSE(arg_matches("iohyve:pcidev:<N>", "iohyve:pcidev:"));
  EXPECT_FALSE(arg_matches("iohyve:pcidev:<N>", "iohyve:pcidev:1a"));
  EXPECT_TRUE(argv_matches({"/sbin/zfs", "destroy", "<pool>/iohyve/web/disk1"},
                           {"/sbin/zfs", "destroy", "tank/iohyve/web/disk1"}));
  EXPECT_FALSE(argv_matches({"/sbin/zfs", "destroy"}, {"/sbin/zfs", "destroy", "x"}));
}

}  // namespace
