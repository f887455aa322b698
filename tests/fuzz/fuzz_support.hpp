// What the fuzz targets share: stopping with a message when a property is
// violated, and a command_runner that answers every command with output
// taken from the fuzz input while checking each argv it is asked to run.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "argv_check.hpp"
#include "iohyve_api/runner.hpp"

namespace iohyve_fuzz {

// Prints "property violated: WHAT" and the input's context, then aborts, so
// that libFuzzer records the input as a crash.
[[noreturn]] void violated(std::string_view what, std::string_view context = {});

// The tool paths the fuzz targets give the library (never run: the runner
// below answers instead of starting anything).
iohyve_api::host_paths fuzz_paths();

// Answers the Nth command with the Nth answer, then with "exit 0, no
// output" once they run out. An answer is the text of one part of the fuzz
// input (see fuzz_handler.cpp): its first byte says how the tool ended
// ('0'-'9' exit status, 'T' timed out, 'S' killed by a signal, 'X' could
// not be started, anything else exit 0 with that byte kept as output);
// the rest is stdout, and after a 0x1f byte, stderr.
class answering_runner final : public iohyve_api::command_runner {
 public:
  answering_runner(std::vector<std::string_view> answers, argv_rules rules)
      : answers_(std::move(answers)), rules_(std::move(rules)) {}
  iohyve_api::command_result run(const iohyve_api::command& cmd) override;
  std::size_t runs() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string_view> answers_;
  std::size_t next_ = 0;
  argv_rules rules_;
};

// Splits text on sep (empty parts kept).
std::vector<std::string_view> split_parts(std::string_view text, char sep);

}  // namespace iohyve_fuzz
