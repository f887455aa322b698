// The runner layer: how the library runs a tool. The backend only ever talks
// to a command_runner, so tests can replay recorded output (see
// testing/scripted_runner.hpp) and daemons can add logging or auditing.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iohyve_api/export.hpp"

namespace iohyve_api {

// One process to run: an absolute program path and its arguments (argv[1..]).
// Never interpreted by a shell.
struct IOHYVE_API command {
  std::string program;
  std::vector<std::string> args;
  // Per-command limit; nullopt: the runner's default; zero: no limit.
  std::optional<std::chrono::milliseconds> timeout;

  // argv[0..] as one vector (program first), for logging and dry runs.
  std::vector<std::string> argv() const;
  friend bool operator==(const command& a, const command& b) {
    return a.program == b.program && a.args == b.args;
  }
};

struct IOHYVE_API command_result {
  // Set when the process could not be started at all (missing or
  // non-executable program); then nothing else below is meaningful.
  std::string spawn_error;
  int spawn_errno = 0;

  int exit_code = -1;   // valid when term_signal == 0 and !timed_out
  int term_signal = 0;  // the signal that killed it, or 0
  bool timed_out = false;
  std::string out;  // stdout (for a pty run: the terminal's whole output)
  std::string err;  // stderr
  bool out_truncated = false;  // more than the output cap was produced
  bool err_truncated = false;

  bool started() const noexcept { return spawn_error.empty(); }
  bool succeeded() const noexcept {
    return started() && !timed_out && term_signal == 0 && exit_code == 0;
  }
};

// Called with each chunk of terminal output as it arrives (run_on_terminal).
using output_sink = std::function<void(std::string_view chunk)>;

class IOHYVE_API command_runner {
 public:
  virtual ~command_runner() = default;

  // Runs cmd to completion (or its timeout) and returns what happened.
  // Must be safe to call from several threads at once.
  virtual command_result run(const command& cmd) = 0;

  // Runs cmd with a pseudo-terminal as its controlling terminal and as its
  // stdout and stderr, so that tools which only report progress to a
  // terminal (fetch(1)) do so; each chunk of output goes to on_output as it
  // arrives. Setting *cancel to true stops the child (SIGTERM, then SIGKILL).
  // The default implementation runs cmd normally and passes its output in
  // one chunk, which is what a replaying test runner wants.
  virtual command_result run_on_terminal(const command& cmd, const output_sink& on_output,
                                         const std::atomic<bool>* cancel);
};

struct IOHYVE_API process_runner_options {
  std::chrono::milliseconds timeout{60'000};    // default per-command limit
  std::chrono::milliseconds kill_grace{2'000};  // SIGTERM -> SIGKILL delay
  std::size_t output_cap = 8u << 20;            // bytes kept per stream
};

// Runs real processes with posix_spawn: an argv, never a shell; the clean
// environment PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin
// and LC_ALL=C; stdin from /dev/null; no other inherited descriptors.
// Returns when the child exits, even if a grandchild (bhyve started in the
// background by iohyve) keeps the output pipes open.
class IOHYVE_API process_runner final : public command_runner {
 public:
  explicit process_runner(process_runner_options options = {});
  command_result run(const command& cmd) override;
  command_result run_on_terminal(const command& cmd, const output_sink& on_output,
                                 const std::atomic<bool>* cancel) override;
  const process_runner_options& options() const noexcept { return options_; }

 private:
  process_runner_options options_;
};

}  // namespace iohyve_api
