// fuzz_handler: the whole handler, with a runner that answers every command
// with output taken from the input. Input: parts separated by 0x1e; the
// first is the request message, each further part the answer to the next
// command (see answering_runner in fuzz_support.hpp). Properties: every argv
// the runner receives is validated (argv_check.cpp), every reply and every
// fetchiso event is valid UTF-8 JSON of the documented shape.
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "iohyve_api/client.hpp"
#include "iohyve_api/handler.hpp"
#include "reply_check.hpp"

using namespace iohyve_fuzz;

namespace {

// start and install give bhyve up to 5.5 s to show in pgrep (client.cpp,
// verify_running); with fuzzed pgrep output that is most inputs. Sleeps of
// the thread that runs handle() return at once, so that the fuzzer spends
// its time on code, not on waiting (libFuzzer's own threads still sleep).
thread_local bool skip_sleeps = false;

}  // namespace

extern "C" int nanosleep(const struct timespec* request, struct timespec* remaining) {
  if (skip_sleeps) return 0;
  return static_cast<int>(::syscall(SYS_nanosleep, request, remaining));
}

namespace {

// setup writes rc.conf: a private temporary folder per input, removed after
// it (an atexit handler would not run when libFuzzer stops or a finding
// aborts), on tmpfs where there is one, since rc.conf is fsynced.
class scratch_rc_conf {
 public:
  scratch_rc_conf() {
    const char* tmp = std::getenv("TMPDIR");
    const bool shm = ::access("/dev/shm", W_OK) == 0;
    dir_ = std::string(shm ? "/dev/shm" : tmp && *tmp ? tmp : "/tmp") + "/iohyve-fuzz-XXXXXX";
    if (!::mkdtemp(dir_.data())) violated("cannot create a temporary directory");
  }
  ~scratch_rc_conf() {
    ::unlink(path().c_str());
    ::rmdir(dir_.c_str());
  }
  std::string path() const { return dir_ + "/rc.conf"; }

 private:
  std::string dir_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parts = split_parts(text, '\x1e');
  const std::string_view message = parts.front();
  parts.erase(parts.begin());

  const scratch_rc_conf rc_conf;
  iohyve_api::host_paths paths = fuzz_paths();
  paths.rc_conf = rc_conf.path();
  answering_runner runner(std::move(parts), argv_rules{paths, false});
  iohyve_api::client client(paths, runner);

  std::mutex events_mutex;
  std::vector<std::string> events;
  iohyve_api::handler_options options;
  options.http_replies = !message.empty() && (message.back() & 1);
  options.on_event = [&](const std::string& e) {
    std::lock_guard lock(events_mutex);
    events.push_back(e);
  };
  {
    iohyve_api::handler h(client, options);
    skip_sleeps = true;
    const auto r = h.handle(message);
    skip_sleeps = false;
    if (auto e = reply_violation(r, options.http_replies); !e.empty()) violated(e, r.text);
    h.wait_for_tasks();
  }
  for (const auto& e : events)
    if (auto why = event_violation(e); !why.empty()) violated(why, e);
  return 0;
}
