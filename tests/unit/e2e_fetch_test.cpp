// fetchiso as a queued task against the emulated host: the response comes at
// once, fetch(1) runs on a pseudo-terminal so that its live progress becomes
// "running" events, and the task ends with one "finished" event. Failures and
// cancellation leave no ISO dataset behind.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <regex>
#include <thread>

#include "api_session.hpp"
#include "fake_host.hpp"
#include "test_support.hpp"

using iohyve_test::api_session;
using iohyve_test::fake_host;

using iohyve_test::json_value;

namespace {

// A one-file HTTP/1.0 server on 127.0.0.1 (an ephemeral port), for the
// http:// case. Loopback only; it stops when destroyed.
class loopback_http_server {
 public:
  explicit loopback_http_server(std::string body) : body_(std::move(body)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~loopback_http_server() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      char buf[4096];
      const ssize_t n = ::read(c, buf, sizeof buf);
      const std::string request(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
      std::string reply;
      if (request.find("GET /missing.iso ") != std::string::npos) {
        reply = "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n";
      } else {
        reply = "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                std::to_string(body_.size()) + "\r\n\r\n" + body_;
      }
      for (std::size_t off = 0; off < reply.size();) {
        const ssize_t w = ::write(c, reply.data() + off, reply.size() - off);
        if (w <= 0) break;
        off += static_cast<std::size_t>(w);
      }
      ::close(c);
    }
  }

  std::string body_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct parsed_event {
  std::string state, percent, rate, error, exit_status, process_id, filename;
};

parsed_event parse_event(const std::string& text) {
  const auto parsed = json_value::parse(text);
  parsed_event e;
  if (!parsed) return e;
  const json_value& d = *parsed;
  const auto& a = d["args"];
  auto get = [](const json_value& v, const char* k) { return v.string_at(k); };
  e.state = get(a, "state");
  e.percent = get(a, "percent_done");
  e.rate = get(a, "download_rate");
  e.error = get(a, "error");
  e.exit_status = get(a, "exit_status");
  e.filename = get(a, "filename");
  e.process_id = get(a["process_details"], "process_id");
  EXPECT_EQ(d["namespace"].text(), "events");
  EXPECT_EQ(d["name"].text(), "dispatcher");
  EXPECT_EQ(d["id"].text(), "none");
  EXPECT_EQ(get(a, "event_system"), "sysadm/iohyve");
  return e;
}

class fetch : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(session.send(R"({"action":"setup","pool":"tank","nic":"em0"})").is_error); }

  std::string queue(const std::string& url) {
    auto r = session.send(R"({"action":"fetchiso","url":")" + url + "\"}");
    EXPECT_FALSE(r.is_error) << r.text;
    auto args = session.args_of(r);
    EXPECT_EQ(args["command"].text(), "iohyve fetch " + url);
    return args["queueid"].text();
  }

  std::vector<parsed_event> events() {
    std::vector<parsed_event> out;
    for (const auto& e : session.events()) out.push_back(parse_event(e));
    return out;
  }

  bool iso_listed(const std::string& name) {
    auto a = session.args_of(session.send(R"({"action":"listisos"})"));
    for (const auto& v : a.items())
      if (name == v.text()) return true;
    return false;
  }

  fake_host host;
  api_session session{host};
  iohyve_test::temp_dir media;
};

TEST_F(fetch, file_url_reports_live_progress_then_finishes) {
  const std::string path = (media.path() / "big.iso").string();
  iohyve_test::write_file(path, std::string(3u << 20, 'x'));
  host.set_fetch_rate(1u << 20);  // about 3 s: fetch redraws once a second
  const std::string id = queue("file://" + path);
  EXPECT_TRUE(session.handler().wait_for_tasks());
  const auto ev = events();
  ASSERT_GE(ev.size(), 3u);
  int with_percent = 0;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    const auto& e = ev[i];
    EXPECT_EQ(e.process_id, id);
    EXPECT_EQ(e.filename, "big.iso");
    if (i > 0 && e.state == "running") {  // fetch's own progress, after the start event
      ++with_percent;
      const int p = std::stoi(e.percent);
      EXPECT_GE(p, 0);
      EXPECT_LE(p, 100);
      EXPECT_TRUE(std::regex_match(e.rate, std::regex("[0-9?]+ [kMG]?Bps"))) << e.rate;
    }
  }
  EXPECT_GE(with_percent, 1) << "fetch's terminal progress was parsed";
  EXPECT_EQ(ev.front().state, "running");
  EXPECT_EQ(ev.front().percent, "0") << "the first event, at the start";
  EXPECT_EQ(ev.front().rate, "") << "no rate is known yet";
  EXPECT_EQ(ev.back().state, "finished");
  EXPECT_EQ(ev.back().exit_status, "0");
  EXPECT_EQ(ev.back().percent, "100");
  EXPECT_TRUE(iso_listed("big.iso"));
  EXPECT_EQ(iohyve_test::read_file(host.host_path("/iohyve/ISO/big.iso/big.iso")).size(), 3u << 20);
}

TEST_F(fetch, http_url_from_a_loopback_server) {
  loopback_http_server server(std::string(2u << 20, 'h'));
  queue("http://127.0.0.1:" + std::to_string(server.port()) + "/netinstall.iso");
  EXPECT_TRUE(session.handler().wait_for_tasks());
  const auto ev = events();
  ASSERT_GE(ev.size(), 2u);
  EXPECT_EQ(ev.back().state, "finished");
  EXPECT_EQ(ev.back().exit_status, "0") << ev.back().error;
  EXPECT_TRUE(iso_listed("netinstall.iso"));
}

TEST_F(fetch, http_404_finishes_with_the_error_and_leaves_nothing) {
  loopback_http_server server("unused");
  queue("http://127.0.0.1:" + std::to_string(server.port()) + "/missing.iso");
  EXPECT_FALSE(session.handler().wait_for_tasks());
  const auto ev = events();
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().state, "finished");
  EXPECT_EQ(ev.back().exit_status, "1");
  EXPECT_NE(ev.back().error.find("Not Found"), std::string::npos) << ev.back().error;
  EXPECT_FALSE(iso_listed("missing.iso"));
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/ISO/missing.iso"));
}

TEST_F(fetch, missing_file_finishes_with_the_error_and_leaves_nothing) {
  queue("file://" + (media.path() / "nosuch.iso").string());
  EXPECT_FALSE(session.handler().wait_for_tasks());
  const auto ev = events();
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().state, "finished");
  EXPECT_FALSE(ev.back().error.empty());
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/ISO/nosuch.iso"));
}

TEST_F(fetch, cancelling_mid_download_leaves_nothing) {
  const std::string path = (media.path() / "slow.iso").string();
  iohyve_test::write_file(path, std::string(4u << 20, 's'));
  host.set_fetch_rate(256u << 10);  // 16 s if left alone
  queue("file://" + path);
  for (int i = 0; i < 100 && !host.dataset_exists("tank/iohyve/ISO/slow.iso"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  session.handler().cancel_tasks();
  EXPECT_FALSE(session.handler().wait_for_tasks());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
  const auto ev = events();
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().state, "finished");
  EXPECT_NE(ev.back().error.find("cancelled"), std::string::npos) << ev.back().error;
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/ISO/slow.iso"));
  EXPECT_FALSE(iso_listed("slow.iso"));
}

TEST_F(fetch, destroying_the_handler_cancels_and_reports_the_end) {
  const std::string path = (media.path() / "gone.iso").string();
  iohyve_test::write_file(path, std::string(4u << 20, 'g'));
  host.set_fetch_rate(256u << 10);
  iohyve_api::process_runner runner;
  iohyve_api::client backend(iohyve_test::paths_of(host), runner);
  std::vector<std::string> seen;
  std::mutex seen_mutex;
  {
    iohyve_api::handler_options o;
    o.on_event = [&](const std::string& e) {
      std::lock_guard lock(seen_mutex);
      seen.push_back(e);
    };
    iohyve_api::handler h(backend, o);
    auto r = h.handle(R"({"action":"fetchiso","url":"file://)" + path + "\"}");
    ASSERT_FALSE(r.is_error) << r.text;
    for (int i = 0; i < 100 && !host.dataset_exists("tank/iohyve/ISO/gone.iso"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }  // ~handler: cancel, wait, clean up
  ASSERT_FALSE(seen.empty());
  const auto last = parse_event(seen.back());
  EXPECT_EQ(last.state, "finished");
  EXPECT_NE(last.error.find("cancelled"), std::string::npos) << last.error;
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/ISO/gone.iso"));
}

TEST_F(fetch, an_existing_iso_is_refused_before_queueing) {
  const std::string path = (media.path() / "dup.iso").string();
  iohyve_test::write_file(path, "small");
  queue("file://" + path);
  EXPECT_TRUE(session.handler().wait_for_tasks());
  auto r = session.send(R"({"action":"fetchiso","url":"file://)" + path + "\"}");
  EXPECT_EQ(r.status, 409) << r.text;
}

}  // namespace
