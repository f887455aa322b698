// Load client for iohyve-apid (a counted measurement, not a timed test):
// plain POSIX sockets and a minimal WebSocket client, so that the client
// costs little next to the server it measures on the same 2 cores.
//
//   apid_bench ws   --unix PATH | --tcp ADDR:PORT [--token T] --connections N --requests N [--action A]
//   apid_bench rest --unix PATH | --tcp ADDR:PORT [--token T] --connections N --requests N [--action A]
//   apid_bench idle --unix PATH | --tcp ADDR:PORT [--token T] --connections N --pid DAEMON_PID
//
// ws: N connections, each sending --requests envelopes one after the other
// (each waits for its reply, whose id is checked). rest: N threads, each
// opening a new connection per request (keep-alive off, as the reference).
// Prints requests/s and the p50/p99 latency. idle: opens N WebSocket
// connections, then prints the daemon's resident memory (VmRSS).
// Every socket has a 10 s receive timeout: a stuck server ends the run.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  std::string mode, unix_path, tcp, token, action = "version";
  int connections = 1, requests = 1000;
  long pid = 0;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "apid_bench: %s\n", what.c_str());
  std::exit(1);
}

int connect_to(const options& o) {
  int fd = -1;
  if (!o.unix_path.empty()) {
    fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, o.unix_path.c_str(), sizeof a.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("connect " + o.unix_path);
  } else {
    const auto colon = o.tcp.rfind(':');
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(std::stoi(o.tcp.substr(colon + 1))));
    if (::inet_pton(AF_INET, o.tcp.substr(0, colon).c_str(), &a.sin_addr) != 1) die("bad address " + o.tcp);
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("connect " + o.tcp);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void send_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) die("send failed");
    off += static_cast<std::size_t>(n);
  }
}

void recv_exact(int fd, char* buf, std::size_t len) {
  std::size_t off = 0;
  while (off < len) {
    const ssize_t n = ::recv(fd, buf + off, len - off, 0);
    if (n <= 0) die("connection closed or timed out");
    off += static_cast<std::size_t>(n);
  }
}

std::string auth_header(const options& o) {
  return o.token.empty() ? std::string() : "Authorization: Bearer " + o.token + "\r\n";
}

// The HTTP upgrade; the fixed key is fine: the server checks the form only.
int ws_connect(const options& o) {
  const int fd = connect_to(o);
  send_all(fd, "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                   auth_header(o) + "\r\n");
  std::string head;
  char c;
  while (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0) {
    recv_exact(fd, &c, 1);
    head += c;
    if (head.size() > 8192) die("upgrade reply too long");
  }
  if (head.compare(0, 12, "HTTP/1.1 101") != 0) die("upgrade refused: " + head.substr(0, head.find('\r')));
  return fd;
}

// One masked text frame (clients must mask, RFC 6455 5.3).
void ws_send(int fd, const std::string& text) {
  std::string frame;
  frame += static_cast<char>(0x81);
  if (text.size() < 126) {
    frame += static_cast<char>(0x80 | text.size());
  } else {
    frame += static_cast<char>(0x80 | 126);
    frame += static_cast<char>((text.size() >> 8) & 0xff);
    frame += static_cast<char>(text.size() & 0xff);
  }
  const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  frame.append(reinterpret_cast<const char*>(mask), 4);
  for (std::size_t i = 0; i < text.size(); ++i) frame += static_cast<char>(text[i] ^ mask[i % 4]);
  send_all(fd, frame);
}

std::string ws_recv(int fd) {
  unsigned char h[2];
  recv_exact(fd, reinterpret_cast<char*>(h), 2);
  std::uint64_t len = h[1] & 0x7f;
  if (len == 126) {
    unsigned char e[2];
    recv_exact(fd, reinterpret_cast<char*>(e), 2);
    len = (e[0] << 8) | e[1];
  } else if (len == 127) {
    unsigned char e[8];
    recv_exact(fd, reinterpret_cast<char*>(e), 8);
    len = 0;
    for (unsigned char b : e) len = (len << 8) | b;
  }
  if ((h[0] & 0x0f) == 0x8) die("the server closed the WebSocket");
  std::string payload(len, '\0');
  recv_exact(fd, payload.data(), len);
  return payload;
}

struct result {
  std::vector<double> latencies_us;
};

void ws_worker(const options& o, int index, result& r) {
  const int fd = ws_connect(o);
  for (int i = 0; i < o.requests; ++i) {
    const std::string id = "b" + std::to_string(index) + "-" + std::to_string(i);
    const auto t0 = clock_type::now();
    ws_send(fd, "{\"namespace\":\"sysadm\",\"name\":\"iohyve\",\"id\":\"" + id + "\",\"args\":{\"action\":\"" +
                    o.action + "\"}}");
    const std::string reply = ws_recv(fd);
    r.latencies_us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
    if (reply.find("\"id\":\"" + id + "\"") == std::string::npos) die("reply for another id: " + reply);
  }
  ::close(fd);
}

void rest_worker(const options& o, result& r) {
  const std::string body = "{\"action\":\"" + o.action + "\"}";
  const std::string request = "PUT /sysadm/iohyve HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" +
                              auth_header(o) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  for (int i = 0; i < o.requests; ++i) {
    const auto t0 = clock_type::now();
    const int fd = connect_to(o);
    send_all(fd, request);
    std::string reply;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0) die("REST reply timed out");
      if (n == 0) break;
      reply.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    r.latencies_us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
    if (reply.compare(0, 12, "HTTP/1.1 200") != 0) die("REST reply: " + reply.substr(0, 200));
  }
}

long rss_kib(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

options parse(int argc, char** argv) {
  if (argc < 2) die("usage: apid_bench ws|rest|idle --unix PATH|--tcp ADDR:PORT [--token T] --connections N ...");
  options o;
  o.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--unix") o.unix_path = v;
    else if (k == "--tcp") o.tcp = v;
    else if (k == "--token") o.token = v;
    else if (k == "--action") o.action = v;
    else if (k == "--connections") o.connections = std::stoi(v);
    else if (k == "--requests") o.requests = std::stoi(v);
    else if (k == "--pid") o.pid = std::stol(v);
    else die("unknown option " + k);
  }
  if (o.unix_path.empty() == o.tcp.empty()) die("give --unix PATH or --tcp ADDR:PORT");
  if (o.connections < 1 || o.connections > 4096 || o.requests < 1 || o.requests > 10000000)
    die("--connections 1..4096, --requests 1..10000000");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const options o = parse(argc, argv);
  if (o.mode == "idle") {
    if (o.pid <= 0) die("idle needs --pid of the daemon");
    const long before = rss_kib(o.pid);
    std::vector<int> fds;
    for (int i = 0; i < o.connections; ++i) fds.push_back(ws_connect(o));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const long after = rss_kib(o.pid);
    std::printf("idle: %d WebSocket connections open; daemon VmRSS %.1f MiB (%.1f MiB before them)\n",
                o.connections, after / 1024.0, before / 1024.0);
    for (int fd : fds) ::close(fd);
    return 0;
  }
  if (o.mode != "ws" && o.mode != "rest") die("mode is ws, rest or idle");
  std::vector<result> results(static_cast<std::size_t>(o.connections));
  std::vector<std::thread> threads;
  const auto t0 = clock_type::now();
  for (int i = 0; i < o.connections; ++i)
    threads.emplace_back([&, i] {
      if (o.mode == "ws") ws_worker(o, i, results[static_cast<std::size_t>(i)]);
      else rest_worker(o, results[static_cast<std::size_t>(i)]);
    });
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
  std::vector<double> all;
  for (auto& r : results) all.insert(all.end(), r.latencies_us.begin(), r.latencies_us.end());
  std::sort(all.begin(), all.end());
  const auto pct = [&](double p) { return all[std::min(all.size() - 1, static_cast<std::size_t>(p * all.size()))]; };
  std::printf("%s %s: %d connection(s) x %d requests: %.0f req/s, p50 %.3f ms, p99 %.3f ms (%.2f s)\n",
              o.mode.c_str(), o.action.c_str(), o.connections, o.requests, all.size() / seconds, pct(0.50) / 1000,
              pct(0.99) / 1000, seconds);
  return 0;
}
