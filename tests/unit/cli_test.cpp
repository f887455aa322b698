// The iohyve-api program itself: input forms, batch mode, dry run,
// read-only, exit statuses, and hostile input on stdin.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/file.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <thread>

#include "fake_host.hpp"
#include "json_compare.hpp"
#include "test_support.hpp"

using iohyve_test::fake_host;
using iohyve_test::process_output;
using iohyve_test::run_with_input;

namespace {

std::vector<std::string> cli(const fake_host& host, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {IOHYVE_CLI, "--bin-dir", host.bin_dir(), "--rc-conf", host.rc_conf(),
                                   "--vmm-dir", host.vmm_dir(), "--lock-dir", host.lock_dir()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

TEST(cli, one_request_one_response_and_exit_zero) {
  fake_host host;
  auto r = run_with_input(cli(host), R"({"namespace":"sysadm","name":"iohyve","id":"a1","args":{"action":"version"}})");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(iohyve_test::json_diff(
                R"({"args":{"version":{"version":"iohyve v0.7.9 2017/06/26 I Believe in You, You Can Do the Thing Edition"}},"id":"a1","name":"response","namespace":"sysadm"})",
                r.out),
            "");
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_EQ(r.err, "");
}

TEST(cli, error_response_exits_one) {
  fake_host host;
  auto r = run_with_input(cli(host), R"({"action":"start","name":"nosuch"})");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(R"("code":"404")"), std::string::npos) << r.out;
}

TEST(cli, usage_error_exits_two_with_one_line_on_stderr) {
  fake_host host;
  auto r = run_with_input({IOHYVE_CLI, "--no-such-option"}, "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  r = run_with_input({IOHYVE_CLI, "--timeout", "abc"}, "");
  EXPECT_EQ(r.exit_code, 2);
  r = run_with_input({IOHYVE_CLI, "--bin-dir", "/nonexistent/dir"}, "");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(cli, help_and_version) {
  auto r = run_with_input({IOHYVE_CLI, "--help"}, "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--dry-run"), std::string::npos);
  EXPECT_NE(r.out.find("Example"), std::string::npos);
  r = run_with_input({IOHYVE_CLI, "--version"}, "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("iohyve-api ", 0), 0u) << r.out;
}

// stdout is always JSON: the REST form gets the document's REST response
// body, no status line or headers (HTTP framing is a server's job).
TEST(cli, rest_form_gets_the_json_body) {
  fake_host host;
  auto r = run_with_input(cli(host), "PUT /sysadm/iohyve\n{\n  \"action\" : \"issetup\"\n}\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "{\"args\":{\"issetup\":{\"setup\":\"false\"}}}\n");
  r = run_with_input(cli(host), "PUT /sysadm/iohyve HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{\"action\":\"start\",\"name\":\"x\"}");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "{\"args\":{\"start\":{\"code\":\"404\",\"error\":\"guest 'x' does not exist\"}}}\n");
}

// Every output line of `out` is one valid JSON text; returns them.
std::vector<std::string> json_lines(const std::string& out) {
  std::vector<std::string> lines;
  for (std::size_t pos = 0, end; (end = out.find('\n', pos)) != std::string::npos; pos = end + 1)
    lines.push_back(out.substr(pos, end - pos));
  EXPECT_TRUE(out.empty() || out.back() == '\n') << "output ends with a newline: " << out;
  for (const auto& l : lines) EXPECT_EQ(iohyve_test::json_error(l), "") << l;
  return lines;
}

// Every request example of the API document (tests/golden), in both forms,
// answers on stdout with exactly one JSON text, then event lines (fetchiso),
// each parsed by a real JSON parser. Errors (a guest the host lacks) count:
// they are JSON too.
TEST(cli, every_documented_request_answers_with_json_lines_only) {
  fake_host host;
  ASSERT_EQ(run_with_input(cli(host), R"({"action":"setup","pool":"tank","nic":"em0"})").exit_code, 0);
  int requests = 0;
  for (const auto& dir : std::filesystem::directory_iterator(IOHYVE_TEST_GOLDEN)) {
    for (const char* form : {"rest.request", "websocket.request"}) {
      const auto file = dir.path() / form;
      if (!std::filesystem::exists(file)) continue;
      ++requests;
      SCOPED_TRACE(file.string());
      auto r = run_with_input(cli(host), iohyve_test::read_file(file), 60);
      const auto lines = json_lines(r.out);
      ASSERT_GE(lines.size(), 1u) << r.err;
      EXPECT_TRUE(lines[0].starts_with("{\"args\":")) << lines[0];
      for (std::size_t i = 1; i < lines.size(); ++i)
        EXPECT_NE(lines[i].find(R"("name":"dispatcher")"), std::string::npos) << "only events follow: " << lines[i];
      if (dir.path().filename() != "fetchiso") {
        EXPECT_EQ(lines.size(), 1u) << r.out;
      }
    }
  }
  EXPECT_EQ(requests, 38);
}

TEST(cli, json_that_is_not_an_object_and_other_verbs_get_a_json_error) {
  fake_host host;
  const std::pair<const char*, const char*> cases[] = {
      {"null", "not null"},
      {"7", "not a number"},
      {"\"x\"", "not a string"},
      {"[]", "not an array"},
      {"DELETE /sysadm/iohyve\n{\"action\":\"listvms\"}", "unsupported HTTP method 'DELETE'"},
      {"\xEF\xBB\xBF[1]", "not an array"},
  };
  for (const auto& [input, detail] : cases) {
    auto r = run_with_input(cli(host), input);
    EXPECT_EQ(r.exit_code, 1) << input;
    const auto lines = json_lines(r.out);
    ASSERT_EQ(lines.size(), 1u) << r.out;
    EXPECT_TRUE(lines[0].starts_with(R"({"args":{"code":"400",)")) << lines[0];
    EXPECT_NE(lines[0].find(detail), std::string::npos) << lines[0];
    // A request line makes it the REST form, whose replies are {"args":...}.
    if (!std::string_view(input).starts_with("DELETE")) {
      EXPECT_NE(lines[0].find(R"("name":"error","namespace":"error")"), std::string::npos) << lines[0];
    }
  }
}

TEST(cli, a_leading_byte_order_mark_is_skipped) {
  fake_host host;
  auto r = run_with_input(cli(host), "\xEF\xBB\xBF{\"action\":\"issetup\"}");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "{\"args\":{\"issetup\":{\"setup\":\"false\"}}}\n");
}

TEST(cli, batch_answers_each_line_in_order_and_survives_bad_lines) {
  fake_host host;
  const std::string input =
      "{\"action\":\"setup\",\"pool\":\"tank\",\"nic\":\"em0\"}\n"
      "this is not json\n"
      "\n"
      "{\"action\":\"create\",\"name\":\"web\",\"size\":\"1G\"}\n"
      "PUT /sysadm/iohyve {\"action\":\"listvms\"}\n"
      "{\"action\":\"listvms\"}\n";
  auto r = run_with_input(cli(host, {"--batch"}), input);
  EXPECT_EQ(r.exit_code, 1) << "lines were errors";
  const auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 6u) << "one reply per line, a blank one too: " << r.out;
  EXPECT_NE(lines[0].find(R"("setup":{"nic":"em0","pool":"tank"})"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(R"("code":"400")"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find(R"("code":"400")"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find("the message is empty"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find(R"("create":{"name":"web","size":"1G"})"), std::string::npos) << lines[3];
  EXPECT_NE(lines[4].find(R"("code":"400")"), std::string::npos) << "a request line alone has no body: " << lines[4];
  EXPECT_NE(lines[5].find(R"("web":{)"), std::string::npos) << lines[5];
}

// --allow-host-devices is the host owner's opt-in for passthrough; the
// lock files go where --lock-dir says (the directory is made there; each
// file is removed when its lock is released).
TEST(cli, host_devices_only_with_allow_host_devices_and_locks_in_lock_dir) {
  fake_host host;
  const std::string input =
      "{\"action\":\"setup\",\"pool\":\"tank\",\"nic\":\"em0\"}\n"
      "{\"action\":\"create\",\"name\":\"web\",\"size\":\"1G\"}\n";
  ASSERT_EQ(run_with_input(cli(host, {"--batch"}), input).exit_code, 0);
  EXPECT_TRUE(std::filesystem::is_directory(host.lock_dir()));
  EXPECT_TRUE(std::filesystem::is_empty(host.lock_dir()));
  const std::string passthru = R"({"action":"setprop","name":"web","pcidev:5":"passthru,2/0/0"})";
  auto refused = run_with_input(cli(host), passthru);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find(R"("code":"403")"), std::string::npos) << refused.out;
  auto allowed = run_with_input(cli(host, {"--allow-host-devices"}), passthru);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out;
  EXPECT_EQ(host.property("tank/iohyve/web", "iohyve:pcidev:5"), "passthru,2/0/0");
}

// --lock-wait bounds how long a change waits for a lock another caller
// holds (here this test, with flock(2) on the guest's lock file).
TEST(cli, lock_wait_answers_504_while_another_caller_holds_the_guest) {
  fake_host host;
  std::filesystem::create_directories(host.lock_dir());
  const std::string path = host.lock_dir() + "/guest-web.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  auto r = run_with_input(cli(host, {"--lock-wait", "0.3"}), R"({"action":"start","name":"web"})");
  ::close(fd);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find(R"("code":"504")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("guest-web.lock"), std::string::npos) << r.out;
  EXPECT_EQ(run_with_input(cli(host, {"--lock-wait", "-1"}), "").exit_code, 2);
}

TEST(cli, dry_run_prints_argv_arrays_and_changes_nothing) {
  fake_host host;
  host.clear_invocations();
  auto r = run_with_input(cli(host, {"--dry-run"}), R"({"action":"setup","pool":"tank","nic":"em0"})");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("[\"" + host.tool("iohyve") + "\",\"setup\",\"pool=tank\",\"kmod=1\",\"net=em0\"]"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(host.invocations().empty()) << "nothing ran";
  EXPECT_FALSE(host.dataset_exists("tank/iohyve"));
  EXPECT_EQ(iohyve_test::read_file(host.rc_conf()).find("iohyve_flags"), std::string::npos);
}

TEST(cli, read_only_refuses_changes_and_allows_reads) {
  fake_host host;
  auto r = run_with_input(cli(host, {"--read-only"}), R"({"action":"setup","pool":"tank","nic":"em0"})");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(R"("code":"403")"), std::string::npos) << r.out;
  EXPECT_FALSE(host.dataset_exists("tank/iohyve"));
  for (const char* read : {R"({"action":"listvms"})", R"({"action":"listisos"})", R"({"action":"issetup"})",
                           R"({"action":"version"})"}) {
    r = run_with_input(cli(host, {"--read-only"}), read);
    EXPECT_EQ(r.exit_code, 0) << read << " -> " << r.out;
  }
}

TEST(cli, hostile_stdin_gets_an_error_response_never_a_crash) {
  fake_host host;
  const std::string too_big(2u << 20, '{');
  for (const std::string& input : {std::string(), std::string("\xff\xfe\x00\x01", 4), too_big,
                                   std::string("{\"action\":\"listvms\"") /* truncated */}) {
    auto r = run_with_input(cli(host), input);
    EXPECT_EQ(r.exit_code, 1) << r.out.substr(0, 200);
    EXPECT_NE(r.out.find("\"code\":\"4"), std::string::npos) << r.out.substr(0, 200);
    EXPECT_LT(r.out.size(), 2000u);
  }
  // The CLI stops reading past 1 MiB: the message says so, never a size.
  auto r = run_with_input(cli(host), too_big);
  EXPECT_NE(r.out.find(R"("code":"413")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("more than 1 MiB"), std::string::npos) << r.out;
}

TEST(cli, pretty_output_is_indented_json) {
  fake_host host;
  auto r = run_with_input(cli(host, {"--pretty"}), R"({"action":"issetup"})");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("\n  \"args\": {"), std::string::npos) << r.out;
  EXPECT_EQ(iohyve_test::json_error(r.out), "");
}

// Runs argv with stderr on a pseudo-terminal and stdout on a pipe (or on the
// same terminal); returns (stdout, what the terminal showed).
std::pair<std::string, std::string> run_with_terminal_stderr(const std::vector<std::string>& argv,
                                                             bool stdout_on_terminal = false) {
  int master = -1, slave = -1;
  EXPECT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  int out[2];
  EXPECT_EQ(pipe(out), 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(stdout_on_terminal ? slave : out[1], 1);
    dup2(slave, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  close(slave);
  close(out[1]);
  std::string stdout_text, terminal;
  char buf[4096];
  for (;;) {
    pollfd fds[2] = {{out[0], POLLIN, 0}, {master, POLLIN, 0}};
    if (poll(fds, 2, 20000) <= 0) break;
    if (fds[1].revents & POLLIN) {
      const ssize_t n = read(master, buf, sizeof buf);
      if (n > 0) terminal.append(buf, static_cast<std::size_t>(n));
    }
    if (fds[0].revents) {
      const ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      stdout_text.append(buf, static_cast<std::size_t>(n));
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  for (ssize_t n; (n = read(master, buf, sizeof buf)) > 0;) terminal.append(buf, static_cast<std::size_t>(n));
  close(master);
  close(out[0]);
  return {stdout_text, terminal};
}

TEST(cli, progress_bar_goes_to_a_terminal_stderr_never_stdout) {
  fake_host host;
  iohyve_test::temp_dir media;
  const std::string iso = (media.path() / "bar.iso").string();
  iohyve_test::write_file(iso, std::string(3u << 20, 'b'));
  host.set_fetch_rate(1u << 20);
  auto setup = run_with_input(cli(host), R"({"action":"setup","pool":"tank","nic":"em0"})");
  ASSERT_EQ(setup.exit_code, 0) << setup.out;
  const std::string request_file = (media.path() / "request.json").string();
  iohyve_test::write_file(request_file, R"({"action":"fetchiso","url":"file://)" + iso + "\"}");
  // stdin from a file: the shell-free way is a tiny wrapper; use the CLI's
  // own reading of stdin through /bin/sh only in this test.
  auto [out, terminal] = run_with_terminal_stderr(
      {"/bin/sh", "-c", "exec \"$0\" \"$@\" < " + request_file, IOHYVE_CLI, "--bin-dir", host.bin_dir(),
       "--rc-conf", host.rc_conf(), "--vmm-dir", host.vmm_dir(), "--lock-dir", host.lock_dir(), "--progress",
       "--no-events"});
  EXPECT_NE(terminal.find("bar.iso ["), std::string::npos) << terminal;
  EXPECT_NE(terminal.find("100%"), std::string::npos) << terminal;
  EXPECT_NE(terminal.find("done"), std::string::npos) << terminal;
  EXPECT_EQ(out.find('['), out.find("[\"")) << "no bar on stdout: " << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << "--no-events: only the response: " << out;
  EXPECT_NE(out.find("Task Queued"), std::string::npos) << out;
}

// stdout on the same terminal as the bar: the bar is erased before anything
// goes to stdout, so the (pretty, multi-line) response is never cut by it.
TEST(cli, progress_bar_never_cuts_into_stdout_on_the_same_terminal) {
  fake_host host;
  iohyve_test::temp_dir media;
  const std::string iso = (media.path() / "tty.iso").string();
  iohyve_test::write_file(iso, std::string(3u << 20, 't'));
  host.set_fetch_rate(1u << 20);
  ASSERT_EQ(run_with_input(cli(host), R"({"action":"setup","pool":"tank","nic":"em0"})").exit_code, 0);
  const std::string request_file = (media.path() / "request.json").string();
  iohyve_test::write_file(request_file, R"({"action":"fetchiso","url":"file://)" + iso + "\"}");
  auto [out, terminal] = run_with_terminal_stderr(
      {"/bin/sh", "-c", "exec \"$0\" \"$@\" < " + request_file, IOHYVE_CLI, "--bin-dir", host.bin_dir(),
       "--rc-conf", host.rc_conf(), "--vmm-dir", host.vmm_dir(), "--progress", "--pretty"},
      true);
  EXPECT_EQ(out, "");
  std::string screen;  // what was written, without the terminal's \r
  for (char c : terminal)
    if (c != '\r') screen += c;
  // The pretty response: from its first line "{" to its last "}".
  const auto begin = screen.find("{\n  \"args\"");
  ASSERT_NE(begin, std::string::npos) << terminal;
  const auto end = screen.find("\n}\n", begin);
  ASSERT_NE(end, std::string::npos) << terminal;
  const std::string response = screen.substr(begin, end + 3 - begin);
  EXPECT_EQ(response.find("tty.iso ["), std::string::npos) << "bar inside the response: " << response;
  EXPECT_EQ(iohyve_test::json_error(response), "") << response;
  EXPECT_NE(screen.find("100%"), std::string::npos) << terminal;
  // Event lines (compact, one a line) are never cut by the bar either.
  for (std::size_t pos = 0; (pos = screen.find("{\"args\":", pos)) != std::string::npos; ++pos) {
    const auto line_end = screen.find('\n', pos);
    ASSERT_NE(line_end, std::string::npos);
    EXPECT_EQ(iohyve_test::json_error(screen.substr(pos, line_end - pos)), "") << screen.substr(pos, line_end - pos);
  }
}

TEST(cli, events_follow_the_response_as_json_lines) {
  fake_host host;
  iohyve_test::temp_dir media;
  const std::string iso = (media.path() / "ev.iso").string();
  iohyve_test::write_file(iso, std::string(1u << 20, 'e'));
  ASSERT_EQ(run_with_input(cli(host), R"({"action":"setup","pool":"tank","nic":"em0"})").exit_code, 0);
  auto r = run_with_input(cli(host), R"({"action":"fetchiso","url":"file://)" + iso + "\"}");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::vector<std::string> lines;
  for (std::size_t pos = 0, end; (end = r.out.find('\n', pos)) != std::string::npos; pos = end + 1)
    lines.push_back(r.out.substr(pos, end - pos));
  ASSERT_GE(lines.size(), 3u) << r.out;
  EXPECT_NE(lines[0].find("Task Queued"), std::string::npos) << "the response comes first";
  EXPECT_NE(lines.back().find(R"("state":"finished")"), std::string::npos) << lines.back();
  for (const auto& l : lines) EXPECT_EQ(iohyve_test::json_error(l), "") << l;
  // A failing download: exit status 1.
  r = run_with_input(cli(host), R"({"action":"fetchiso","url":"file:///nonexistent/x.iso"})");
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

TEST(cli, sigterm_cancels_the_download_prints_the_final_event_and_leaves_nothing) {
  fake_host host;
  iohyve_test::temp_dir media;
  const std::string iso = (media.path() / "slow.iso").string();
  iohyve_test::write_file(iso, std::string(4u << 20, 's'));
  host.set_fetch_rate(256u << 10);  // 16 s if left alone
  ASSERT_EQ(run_with_input(cli(host), R"({"action":"setup","pool":"tank","nic":"em0"})").exit_code, 0);
  const auto start = std::chrono::steady_clock::now();
  auto r = run_with_input(cli(host), R"({"action":"fetchiso","url":"file://)" + iso + "\"}", 60, [&](int pid) {
    for (int i = 0; i < 100 && !host.dataset_exists("tank/iohyve/ISO/slow.iso"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    kill(pid, SIGTERM);
  });
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(12));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const auto last = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);
  EXPECT_NE(last.find(R"("state":"finished")"), std::string::npos) << r.out;
  EXPECT_NE(last.find("cancelled"), std::string::npos) << last;
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/ISO/slow.iso"));
}

}  // namespace
