// What a long-running caller (a daemon linking the library) is left with
// after many requests for guests that do not exist, each under another name:
// `start` of a1, a2, ... through handler::handle(), as a client would send
// them. Each takes guest-NAME's lock, finds no such guest and answers 404.
// Printed: the resident set after 10,000 and after N requests and the
// number of files left in the lock directory (a lock file is removed when
// its lock is released, so 0; before that, one file per name).
//
// A plain program (no Google Benchmark): it counts, it does not time.
//   distinct_names [N [BASE]]     N requests (1000000), lock directory made
//                                 under BASE (/tmp)
// The runner is this file's own and keeps nothing per command: the
// library's testing::scripted_runner records every call, which would grow
// by itself and hide what the library keeps.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "iohyve_api/client.hpp"
#include "iohyve_api/handler.hpp"
#include "iohyve_api/runner.hpp"

namespace {

// Answers the guest lookup (`zfs get ... iohyve:name,...`) with no guests;
// anything else is counted, and the program fails if there is any.
class no_guests_runner final : public iohyve_api::command_runner {
 public:
  explicit no_guests_runner(std::string zfs) : zfs_(std::move(zfs)) {}
  iohyve_api::command_result run(const iohyve_api::command& cmd) override {
    iohyve_api::command_result r;
    if (cmd.program == zfs_ && !cmd.args.empty() && cmd.args.front() == "get") {
      r.exit_code = 0;
    } else {
      ++unexpected;
      r.spawn_error = "unexpected command";
    }
    return r;
  }
  long unexpected = 0;

 private:
  std::string zfs_;
};

// Current resident set in KiB (Linux /proc/self/statm), -1 where there is
// no /proc (FreeBSD: the peak below is what there is).
long rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0;
  long resident = 0;
  if (!(statm >> size >> resident)) return -1;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

// Peak resident set in KiB (ru_maxrss: KiB on Linux and FreeBSD).
long max_rss_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

std::size_t files_in(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

void report(long done, const std::filesystem::path& lock_dir) {
  std::printf("after %8ld requests: rss %ld KiB, peak rss %ld KiB, files in the lock directory %zu\n", done,
              rss_kib(), max_rss_kib(), files_in(lock_dir));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const long total = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const std::string base = argc > 2 ? argv[2] : "/tmp";
  std::string tmpl = base + "/iohyve-api-distinct-names.XXXXXX";
  if (total <= 0 || !::mkdtemp(tmpl.data())) {
    std::fprintf(stderr, "usage: distinct_names [N [BASE]] (N > 0, BASE a writable directory)\n");
    return 2;
  }
  const std::filesystem::path lock_dir = tmpl;

  iohyve_api::host_paths paths;
  paths.lock_dir = lock_dir.string();
  no_guests_runner runner(paths.zfs);
  iohyve_api::client client(paths, runner);
  iohyve_api::handler_options options;
  options.http_replies = false;
  iohyve_api::handler handler(client, options);

  long not_found = 0;
  long other = 0;
  std::string message;
  for (long i = 1; i <= total; ++i) {
    message = R"({"namespace":"sysadm","name":"iohyve","id":"r","args":{"action":"start","name":"a)" +
              std::to_string(i) + R"("}})";
    const iohyve_api::reply r = handler.handle(message);
    if (r.status == 404) {
      ++not_found;
    } else if (++other == 1) {
      std::fprintf(stderr, "unexpected reply (status %d): %s\n", r.status, r.text.c_str());
    }
    if (i == 10'000 || i == total) report(i, lock_dir);
  }
  std::printf("%ld requests: %ld answered 404, %ld otherwise; %ld unexpected commands\n", total, not_found, other,
              runner.unexpected);
  std::filesystem::remove_all(lock_dir);
  return other == 0 && runner.unexpected == 0 ? 0 : 1;
}
