#include "iohyve_api/testing/scripted_runner.hpp"

#include <cerrno>
#include <utility>

namespace iohyve_api::testing {

namespace {

std::string join(const std::vector<std::string>& argv) {
  std::string joined;
  for (const std::string& word : argv) {
    if (!joined.empty()) joined += ' ';
    joined += word;
  }
  return joined;
}

}  // namespace

void scripted_runner::on(std::vector<std::string> argv, command_result result) {
  const std::lock_guard<std::mutex> lock(mutex_);
  always_.insert_or_assign(std::move(argv), std::move(result));
}

void scripted_runner::expect_once(std::vector<std::string> argv, command_result result) {
  const std::lock_guard<std::mutex> lock(mutex_);
  once_[std::move(argv)].push_back(std::move(result));
}

command_result scripted_runner::run(const command& cmd) {
  std::vector<std::string> argv = cmd.argv();
  const std::lock_guard<std::mutex> lock(mutex_);
  calls_.push_back(argv);
  if (auto queued = once_.find(argv); queued != once_.end() && !queued->second.empty()) {
    command_result result = std::move(queued->second.front());
    queued->second.pop_front();
    if (queued->second.empty()) once_.erase(queued);
    return result;
  }
  if (auto always = always_.find(argv); always != always_.end()) return always->second;
  command_result unexpected;
  unexpected.spawn_error = "unexpected command: " + join(argv);
  unexpected.spawn_errno = ENOENT;
  return unexpected;
}

std::vector<std::vector<std::string>> scripted_runner::calls() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return calls_;
}

void scripted_runner::clear_calls() {
  const std::lock_guard<std::mutex> lock(mutex_);
  calls_.clear();
}

command_result scripted_runner::exited(int code, std::string out, std::string err) {
  command_result result;
  result.exit_code = code;
  result.out = std::move(out);
  result.err = std::move(err);
  return result;
}

}  // namespace iohyve_api::testing
