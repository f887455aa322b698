#include "iohyve_api/runner.hpp"
#include "runner/spawn.hpp"

namespace iohyve_api {

std::vector<std::string> command::argv() const {
  std::vector<std::string> all;
  all.reserve(args.size() + 1);
  all.push_back(program);
  all.insert(all.end(), args.begin(), args.end());
  return all;
}

command_result command_runner::run_on_terminal(const command& cmd, const output_sink& on_output,
                                               const std::atomic<bool>* cancel) {
  // Cancelled before it started: nothing runs (and nothing is recorded by
  // a scripted runner); the result reads like a run stopped by SIGTERM.
  if (cancel != nullptr && cancel->load()) return detail::cancelled_before_start();
  command_result result = run(cmd);
  if (on_output) {
    if (!result.out.empty()) on_output(result.out);
    if (!result.err.empty()) on_output(result.err);
  }
  return result;
}

}  // namespace iohyve_api
