// A command_runner for tests: replays recorded results by exact argv and
// records every command it was asked to run. Exported so that downstream
// users can unit-test their own code against recorded tool output.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "iohyve_api/export.hpp"
#include "iohyve_api/runner.hpp"

namespace iohyve_api::testing {

class IOHYVE_API scripted_runner final : public command_runner {
 public:
  // Every run of exactly this argv (program first) returns result, unless
  // queued results for it remain (see expect_once).
  void on(std::vector<std::string> argv, command_result result);
  // The next run of argv returns result (FIFO, before any on() result).
  void expect_once(std::vector<std::string> argv, command_result result);

  // A command with no scripted result gets a failed result whose
  // spawn_error says "unexpected command: ...", and is recorded.
  command_result run(const command& cmd) override;

  // Every argv run so far, in order.
  std::vector<std::vector<std::string>> calls() const;
  void clear_calls();

  // Helpers to build results.
  static command_result exited(int code, std::string out = {}, std::string err = {});

 private:
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, command_result> always_;
  std::map<std::vector<std::string>, std::deque<command_result>> once_;
  std::vector<std::vector<std::string>> calls_;
};

}  // namespace iohyve_api::testing
