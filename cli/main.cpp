// iohyve-api: one request on stdin, one response on stdout (or, with
// --batch, one response line per request line). All the work is done by
// libiohyve-api; this file only maps options and streams onto it.
#include <CLI/CLI.hpp>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
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
constexpr int exit_usage = 2;

struct cli_options {
  bool batch = false;
  bool dry_run = false;
  bool read_only = false;
  bool pretty = false;
  bool no_events = false;
  bool progress = false;
  iohyve_cli::host_options host;  // --bin-dir, --timeout, ...: shared with iohyve-apid
};

// Writes whole lines to stdout: responses and events never interleave
// mid-line, and events wait until the response they follow is out.
class output {
 public:
  explicit output(bool events) : events_(events) {}

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

 private:
  static void write_line(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (text.empty() || text.back() != '\n') std::fputc('\n', stdout);
    std::fflush(stdout);
  }

  const bool events_;
  std::mutex mutex_;
  bool response_written_ = false;
  std::vector<std::string> held_;
};

// --progress: one line on stderr (a terminal) per download, redrawn in
// place: bar, percent, rate, ETA. Never on stdout, which carries JSON.
class progress_bar {
 public:
  void update(const task_progress& p) {
    using clock = std::chrono::steady_clock;
    auto& started = started_[p.queue_id];
    if (started == clock::time_point{}) started = clock::now();
    std::string line = "\r" + p.filename + " ";
    const int pct = p.finished && p.succeeded ? 100 : p.percent_done;
    if (pct >= 0) {
      const int filled = pct * 30 / 100;
      line += "[" + std::string(static_cast<std::size_t>(filled), '#') +
              std::string(static_cast<std::size_t>(30 - filled), ' ') + "] " + std::to_string(pct) + "%";
    }
    if (!p.download_rate.empty()) line += "  " + p.download_rate;
    const double elapsed = std::chrono::duration<double>(clock::now() - started).count();
    if (!p.finished && pct > 0 && pct < 100) {
      const long eta = static_cast<long>(elapsed * (100 - pct) / pct);
      line += "  ETA " + std::to_string(eta / 60) + "m" + (eta % 60 < 10 ? "0" : "") + std::to_string(eta % 60) + "s";
    }
    if (p.finished) line += p.succeeded ? "  done" : "  failed: " + p.error;
    line += "\033[K";  // clear the rest of the previous, longer line
    if (p.finished) line += "\n";
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
  }

 private:
  std::map<std::string, std::chrono::steady_clock::time_point> started_;
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
    thread_ = std::thread([this, &h] {
      const sigset_t set = watched();
      for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0 || sig == wake_signal) return;  // the destructor's wake-up
        interrupted_ = true;
        h.cancel_tasks();
      }
    });
  }
  ~signal_watcher() {
    // Wakes the thread at once (a polling wait would delay every exit).
    pthread_kill(thread_.native_handle(), wake_signal);
    thread_.join();
  }
  bool interrupted() const { return interrupted_; }

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
  std::atomic<bool> interrupted_{false};
  std::thread thread_;
};

int run(const cli_options& o) {
  host_paths paths = o.host.resolved_paths();
  process_runner_options runner_options;
  runner_options.timeout = o.host.timeout();
  process_runner runner(runner_options);
  client backend(paths, runner);

  output out(!o.no_events);
  handler_options options;
  options.policy = o.read_only ? access_policy::read_only : access_policy::read_write;
  options.dry_run = o.dry_run;
  options.pretty = o.pretty && !o.batch;  // batch replies are one line each
  options.max_tasks = o.host.max_tasks;
  options.http_replies = !o.batch;  // one line per reply in batch mode
  options.on_event = [&out](const std::string& e) { out.event(e); };
  progress_bar bar;
  if (o.progress && ::isatty(STDERR_FILENO))
    options.on_progress = [&bar](const task_progress& p) { bar.update(p); };
  handler h(backend, options);
  signal_watcher signals(h);

  bool any_error = false;
  if (o.batch) {
    std::ios::sync_with_stdio(false);  // stdin is only read through std::cin here
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
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
  return any_error || !tasks_ok || signals.interrupted() ? exit_error_response : exit_ok;
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
      "a bare REST body {\"action\":..}, or 'PUT /sysadm/iohyve' + optional headers + a JSON body.\n\n"
      "Example:\n"
      "  echo '{\"action\":\"listvms\"}' | iohyve-api --pretty\n\n"
      "Exit status: 0 success, 1 the response is an error (or a download failed), 2 usage error.",
      "iohyve-api"};
  app.set_version_flag("--version", std::string("iohyve-api ") + std::string(iohyve_api::version_string));
  cli_options o;
  add_options(app, o);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "iohyve-api: %s (see --help)\n", e.what());
    return exit_usage;
  }
  return run(o);
}
