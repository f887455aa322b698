#include "fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>

namespace iohyve_fuzz {

void violated(std::string_view what, std::string_view context) {
  std::fprintf(stderr, "\n==== property violated: %.*s\n", static_cast<int>(what.size()), what.data());
  if (!context.empty())
    std::fprintf(stderr, "==== context: %.*s\n", static_cast<int>(std::min<std::size_t>(context.size(), 2000)),
                 context.data());
  std::abort();
}

iohyve_api::host_paths fuzz_paths() {
  iohyve_api::host_paths p;
  // Nothing here is run or read; vmm_dir must not exist (no guest is
  // loaded), rc_conf is set per target where setup may write it.
  p.vmm_dir = "/nonexistent/iohyve-fuzz/vmm";
  p.rc_conf = "/nonexistent/iohyve-fuzz/rc.conf";
  return p;
}

std::vector<std::string_view> split_parts(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto end = text.find(sep);
    parts.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return parts;
    text.remove_prefix(end + 1);
  }
}

iohyve_api::command_result answering_runner::run(const iohyve_api::command& cmd) {
  if (auto why = argv_violation(cmd, rules_); !why.empty()) violated("unvalidated argv: " + why);
  std::string_view answer;
  {
    std::lock_guard lock(mutex_);
    if (next_ < answers_.size()) answer = answers_[next_];
    ++next_;
  }
  iohyve_api::command_result r;
  r.exit_code = 0;
  if (!answer.empty()) {
    const char how = answer.front();
    bool consumed = true;
    if (how >= '0' && how <= '9') r.exit_code = how - '0';
    else if (how == 'T') r.timed_out = true, r.exit_code = -1;
    else if (how == 'S') r.term_signal = 9, r.exit_code = -1;
    else if (how == 'X') r.spawn_error = "cannot run " + cmd.program + ": fuzzed", r.spawn_errno = 2;
    else consumed = false;
    if (consumed) answer.remove_prefix(1);
  }
  const auto sep = answer.find('\x1f');
  r.out = std::string(answer.substr(0, sep));
  if (sep != std::string_view::npos) r.err = std::string(answer.substr(sep + 1));
  return r;
}

std::size_t answering_runner::runs() const {
  std::lock_guard lock(mutex_);
  return next_;
}

}  // namespace iohyve_fuzz
