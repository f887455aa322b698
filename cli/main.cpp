// iohyve-api: one request on stdin, one response on stdout (or, with
// --batch, one response line per request line). All the work is done by
// libiohyve-api; this file only maps options and streams onto it.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <optional>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "iohyve_api/client.hpp"
#include "iohyve_api/handler.hpp"
#include "iohyve_api/runner.hpp"
#include "iohyve_api/version.hpp"
#include "host_options.hpp"

namespace {

using namespace iohyve_api;

constexpr int exit_ok = 0;
constexpr int exit_error_response = 1;

struct cli_options {
  bool batch = false;
  bool dry_run = false;
  bool read_only = false;
  bool pretty = false;
  bool no_events = false;
  bool progress = false;
  iohyve_cli::host_options host;  // --bin-dir, --timeout, ...: shared with iohyve-apid
};

// Everything the CLI writes while a request and its downloads run: JSON lines
// on stdout and, with --progress, a bar on stderr. One lock for both, so
// that the bar is drawn only between complete stdout writes: before a line
// goes to stdout the bar is erased, after it the bar is drawn again (stdout
// and stderr are often the same terminal).
class console {
 public:
  console(bool events, bool progress) : events_(events), progress_(progress) {}

  // The reply; events received before it are held and follow it.
  void response(const std::string& text) {
    std::lock_guard lock(mutex_);
    write_line(text);
    response_written_ = true;
    for (const auto& e : held_) write_line(e);
    held_.clear();
  }

  void event(const std::string& text) {
    if (!events_) return;
    std::lock_guard lock(mutex_);
    if (!response_written_) held_.push_back(text);
    else write_line(text);
  }

  void progress(const task_progress& p) {
    if (!progress_) return;
    std::lock_guard lock(mutex_);
    bar_ = render(p, estimates_[p.queue_id]);
    erase_bar();
    std::fputs(bar_.c_str(), stderr);
    if (p.finished) {
      std::fputc('\n', stderr);  // a finished bar stays as a line of its own
      bar_.clear();
    }
    bar_shown_ = !bar_.empty();
    std::fflush(stderr);
  }

 private:
  // Estimates the time left from the recent rate: the percentages of the
  // last few seconds, counted from the first sample with data flowing (the
  // connection time before it says nothing about the transfer).
  class eta_estimate {
   public:
    using clock = std::chrono::steady_clock;

    std::optional<long> seconds_left(int percent, clock::time_point now) {
      if (percent <= 0 || percent >= 100) return std::nullopt;
      samples_.push_back({now, percent});
      while (samples_.size() > 2 && now - samples_[1].when >= window) samples_.pop_front();
      const auto& oldest = samples_.front();
      const double seconds = std::chrono::duration<double>(now - oldest.when).count();
      const int done = percent - oldest.percent;
      if (seconds < 0.5 || done <= 0) return std::nullopt;  // too little to go on yet
      return static_cast<long>((100 - percent) * seconds / done + 0.5);
    }

   private:
    static constexpr std::chrono::seconds window{5};
    struct sample {
      clock::time_point when;
      int percent;
    };
    std::deque<sample> samples_;
  };

  static std::string render(const task_progress& p, eta_estimate& eta) {
    std::string line = p.filename + " ";
    const int pct = p.finished && p.succeeded ? 100 : p.percent_done;
    if (pct >= 0) {
      const int filled = pct * 30 / 100;
      line += "[" + std::string(static_cast<std::size_t>(filled), '#') +
              std::string(static_cast<std::size_t>(30 - filled), ' ') + "] " + std::to_string(pct) + "%";
    }
    if (!p.download_rate.empty()) line += "  " + p.download_rate;
    if (!p.finished) {
      if (const auto left = eta.seconds_left(pct, eta_estimate::clock::now()))
        line += fmt::format("  ETA {}m{:02}s", *left / 60, *left % 60);
    } else {
      line += p.succeeded ? "  done" : "  failed: " + p.error;
    }
    return line;
  }

  void erase_bar() {
    if (bar_shown_) std::fputs("\r\033[K", stderr);
    bar_shown_ = false;
  }

  void write_line(const std::string& text) {
    const bool redraw = bar_shown_;
    erase_bar();
    std::fflush(stderr);
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (text.empty() || text.back() != '\n') std::fputc('\n', stdout);
    std::fflush(stdout);
    if (redraw) {
      std::fputs(bar_.c_str(), stderr);
      std::fflush(stderr);
      bar_shown_ = true;
    }
  }

  const bool events_;
  const bool progress_;
  std::mutex mutex_;
  bool response_written_ = false;
  std::vector<std::string> held_;
  std::string bar_;  // the bar as last drawn, to draw it again
  bool bar_shown_ = false;
  std::map<std::string, eta_estimate> estimates_;
};

// Reads all of stdin, but never more than limit + 1 bytes: an endless or
// huge input ends in a 413 reply, not in unbounded memory.
std::string read_stdin(std::size_t limit) {
  std::string text;
  char buf[65536];
  while (text.size() <= limit) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, stdin);
    if (n == 0) break;
    text.append(buf, n);
  }
  return text;
}

// SIGINT/SIGTERM cancel the queued tasks (each then reports its end).
// They are blocked in every thread and taken by this one with sigwait.
class signal_watcher {
 public:
  explicit signal_watcher(handler& h) {
    thread_ = std::thread([&h] {
      const sigset_t set = watched();
      for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0 || sig == wake_signal) return;  // the destructor's wake-up
        // stderr, never stdout (JSON only): a person or a script's log sees
        // why the reply still comes and the downloads end.
        static constexpr char note[] =
            "iohyve-api: interrupted: the running request is finished first; downloads are cancelled\n";
        [[maybe_unused]] const auto written = ::write(STDERR_FILENO, note, sizeof note - 1);
        h.cancel_tasks();
      }
    });
  }
  ~signal_watcher() {
    // Wakes the thread at once (a polling wait would delay every exit).
    pthread_kill(thread_.native_handle(), wake_signal);
    thread_.join();
  }

  // SIGINT and SIGTERM, plus the signal that tells the thread to end.
  static sigset_t watched() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, wake_signal);
    return set;
  }

 private:
  static constexpr int wake_signal = SIGUSR2;
  std::thread thread_;
};

int run(const cli_options& o) {
  host_paths paths = o.host.resolved_paths();
  process_runner_options runner_options;
  runner_options.timeout = o.host.timeout();
  process_runner runner(runner_options);
  client backend(paths, runner, o.host.client());

  console out(!o.no_events, o.progress && ::isatty(STDERR_FILENO));
  handler_options options;
  options.policy = o.read_only ? access_policy::read_only : access_policy::read_write;
  options.dry_run = o.dry_run;
  options.pretty = o.pretty && !o.batch;  // batch replies are one line each
  options.max_tasks = o.host.max_tasks;
  // stdout is always JSON: a request in the REST form ("PUT /sysadm/iohyve"
  // + body) gets the REST response body; HTTP framing is a server's job.
  options.http_replies = false;
  options.on_event = [&out](const std::string& e) { out.event(e); };
  options.on_progress = [&out](const task_progress& p) { out.progress(p); };
  handler h(backend, options);
  signal_watcher signals(h);

  bool any_error = false;
  if (o.batch) {
    std::ios::sync_with_stdio(false);  // stdin is only read through std::cin here
    std::string line;
    // Every line gets one reply, a blank one too (an error): a co-process
    // waits for exactly one answer per line it writes.
    while (std::getline(std::cin, line)) {
      const reply r = h.handle(line);
      any_error |= r.is_error;
      out.response(r.text);
    }
  } else {
    const reply r = h.handle(read_stdin(max_message_bytes));
    any_error = r.is_error;
    out.response(r.text);
  }
  const bool tasks_ok = h.wait_for_tasks();
  // SIGINT/SIGTERM cancel downloads (which then fail); an action already
  // running is finished, so that the host is left consistent, and its
  // response decides the exit status: the status and the output agree.
  return any_error || !tasks_ok ? exit_error_response : exit_ok;
}

void add_options(CLI::App& app, cli_options& o) {
  app.add_flag("--batch", o.batch,
               "Read newline-delimited requests until EOF; write one response line each, flushed");
  app.add_flag("--dry-run", o.dry_run, "Validate and print the commands that would run; run nothing");
  app.add_flag("--read-only", o.read_only, "Refuse every action that changes the host (403)");
  app.add_flag("--pretty", o.pretty, "Indent the JSON for people (not with --batch)");
  app.add_flag("--no-events", o.no_events,
               "Do not print fetchiso progress events (still wait for the download)");
  app.add_flag("--progress", o.progress,
               "Draw a progress bar for fetchiso downloads on stderr, when it is a terminal");
  iohyve_cli::add_host_options(app, o.host);
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread exists, so that every thread inherits the mask.
  sigset_t set = signal_watcher::watched();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  CLI::App app{
      "iohyve-api: answer one TrueOS SysAdm \"iohyve\" API request (JSON on stdin) by driving\n"
      "iohyve, zfs, pgrep and bhyvectl; the response goes to stdout.\n\n"
      "Input forms (detected): a WebSocket envelope {\"namespace\":\"sysadm\",\"name\":\"iohyve\",\"id\":..,\"args\":{..}},\n"
      "a bare REST body {\"action\":..}, or 'PUT /sysadm/iohyve' + optional headers + a JSON body.\n"
      "stdout is always JSON: the response in the request's form (the REST body {\"args\":..} for\n"
      "both REST forms), then one line per fetchiso event.\n\n"
      "Examples:\n"
      "  echo '{\"action\":\"listvms\"}' | iohyve-api --pretty\n"
      "  printf 'PUT /sysadm/iohyve\\n{\"action\":\"version\"}' | iohyve-api\n\n"
      "Without FreeBSD, try it against the project's emulated host (built with the tests):\n"
      "  build/tests/fakehost/fakehost init /tmp/h\n"
      "  echo '{\"action\":\"listvms\"}' | iohyve-api --bin-dir /tmp/h/bin --rc-conf /tmp/h/rc.conf --vmm-dir /tmp/h/vmm\n\n"
      "Exit status: 0 success, 1 the response is an error (or a download failed), 2 usage error.",
      "iohyve-api"};
  app.set_version_flag("--version", std::string("iohyve-api ") + std::string(iohyve_api::version_string));
  cli_options o;
  add_options(app, o);
  if (const auto status = iohyve_cli::parse_command_line(app, argc, argv)) return *status;
  return run(o);
}
