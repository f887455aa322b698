#include "fetch_url.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "text.hpp"

namespace fakehost {

bool parse_url(const std::string& url, parsed_url& out) {
  out = parsed_url{};
  auto colon = url.find(':');
  if (colon == std::string::npos || colon == 0) {
    out.doc = url;  // no scheme: libfetch gives it none, fetchXGet refuses it
    return true;
  }
  out.scheme = url.substr(0, colon);
  for (auto& c : out.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string rest = url.substr(colon + 1);
  if (rest.compare(0, 2, "//") != 0) {
    out.doc = rest;
    return true;
  }
  rest = rest.substr(2);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.doc = slash == std::string::npos ? "/" : rest.substr(slash);
  auto at = authority.rfind('@');
  if (at != std::string::npos) authority = authority.substr(at + 1);
  auto port_colon = authority.rfind(':');
  if (port_colon != std::string::npos && authority.find(']') == std::string::npos) {
    std::uint64_t port = 0;
    std::string digits = authority.substr(port_colon + 1);
    if (!digits.empty() && (!parse_u64(digits, port) || port > 65535)) return false;
    out.port = static_cast<int>(port);
    authority = authority.substr(0, port_colon);
  }
  out.host = authority;
  return true;
}

namespace {

class file_reader final : public url_reader {
 public:
  explicit file_reader(int fd, std::int64_t size) : fd_(fd) { size_ = size; }
  ~file_reader() override { ::close(fd_); }
  file_reader(const file_reader&) = delete;
  file_reader& operator=(const file_reader&) = delete;
  long read(char* buffer, std::size_t n) override {
    ssize_t got;
    while ((got = ::read(fd_, buffer, n)) < 0 && errno == EINTR) {
    }
    return static_cast<long>(got);
  }

 private:
  int fd_;
};

// An HTTP/1.1 response body: Content-Length, chunked, or until close.
class http_reader final : public url_reader {
 public:
  http_reader(int fd, std::string pending, std::int64_t length, bool chunked)
      : fd_(fd), pending_(std::move(pending)), chunked_(chunked), remaining_(length) {
    size_ = chunked ? -1 : length;
  }
  ~http_reader() override { ::close(fd_); }
  http_reader(const http_reader&) = delete;
  http_reader& operator=(const http_reader&) = delete;

  long read(char* buffer, std::size_t n) override {
    if (chunked_) return read_chunked(buffer, n);
    if (remaining_ == 0) return 0;
    if (remaining_ > 0) n = std::min<std::size_t>(n, static_cast<std::size_t>(remaining_));
    long got = raw_read(buffer, n);
    if (got > 0 && remaining_ > 0) remaining_ -= got;
    return got;
  }

 private:
  long raw_read(char* buffer, std::size_t n) {
    if (!pending_.empty()) {
      std::size_t k = std::min(n, pending_.size());
      std::memcpy(buffer, pending_.data(), k);
      pending_.erase(0, k);
      return static_cast<long>(k);
    }
    ssize_t got;
    while ((got = ::recv(fd_, buffer, n, 0)) < 0 && errno == EINTR) {
    }
    return static_cast<long>(got);
  }

  // One line of the chunk framing (without CRLF); false at end of stream.
  bool read_line(std::string& line) {
    line.clear();
    char c;
    for (;;) {
      if (raw_read(&c, 1) <= 0) return false;
      if (c == '\n') break;
      if (c != '\r') line += c;
    }
    return true;
  }

  long read_chunked(char* buffer, std::size_t n) {
    if (done_) return 0;
    if (chunk_left_ == 0) {
      std::string line;
      if (chunk_started_ && !read_line(line)) return -1;  // CRLF after the previous chunk
      if (!read_line(line)) return -1;
      chunk_started_ = true;
      chunk_left_ = std::strtoll(line.c_str(), nullptr, 16);
      if (chunk_left_ == 0) {
        done_ = true;
        return 0;
      }
    }
    long got = raw_read(buffer, std::min<std::size_t>(n, static_cast<std::size_t>(chunk_left_)));
    if (got > 0) chunk_left_ -= got;
    return got;
  }

  int fd_;
  std::string pending_;
  bool chunked_;
  std::int64_t remaining_;
  std::int64_t chunk_left_ = 0;
  bool chunk_started_ = false;
  bool done_ = false;
};

// libfetch's http_errlist (the reasons fetch(1) prints).
std::string http_reason(int code) {
  switch (code) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Time-out";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Requested Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Time-out";
    case 505: return "HTTP Version not supported";
    default: return "Unknown HTTP error";
  }
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::unique_ptr<url_reader> open_http(parsed_url url, std::string& error) {
  for (int redirects = 0; redirects < 6; ++redirects) {
    // Only this machine: the emulated host has no network.
    if (url.host != "127.0.0.1" && url.host != "localhost") {
      error = "No address record";
      return nullptr;
    }
    int port = url.port ? url.port : 80;
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = std::strerror(errno);
      return nullptr;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      error = std::strerror(errno);
      ::close(fd);
      return nullptr;
    }
    std::string request = "GET " + url.doc + " HTTP/1.1\r\nHost: " + url.host + ":" + std::to_string(port) +
                          "\r\nUser-Agent: fetch libfetch/2.0\r\nConnection: close\r\n\r\n";
    for (std::size_t sent = 0; sent < request.size();) {
      ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        error = std::strerror(errno);
        ::close(fd);
        return nullptr;
      }
      sent += static_cast<std::size_t>(n);
    }
    std::string head;
    std::size_t end = std::string::npos;
    char buf[4096];
    while ((end = head.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = n == 0 ? "Connection reset by peer" : std::strerror(errno);
        ::close(fd);
        return nullptr;
      }
      head.append(buf, static_cast<std::size_t>(n));
    }
    std::string body = head.substr(end + 4);
    auto header_lines = split(head.substr(0, end), '\n');
    int code = 0;
    if (header_lines.empty() || std::sscanf(header_lines[0].c_str(), "HTTP/%*d.%*d %d", &code) != 1) {
      error = "Protocol error";
      ::close(fd);
      return nullptr;
    }
    std::int64_t length = -1;
    bool chunked = false;
    std::string location;
    for (std::size_t i = 1; i < header_lines.size(); ++i) {
      std::string line = header_lines[i];
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = lower(line.substr(0, colon));
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      if (name == "content-length") length = std::strtoll(value.c_str(), nullptr, 10);
      if (name == "transfer-encoding" && lower(value).find("chunked") != std::string::npos) chunked = true;
      if (name == "location") location = value;
    }
    if ((code == 301 || code == 302 || code == 303 || code == 307 || code == 308) && !location.empty()) {
      ::close(fd);
      parsed_url next;
      if (location[0] == '/') {
        next = url;
        next.doc = location;
      } else if (!parse_url(location, next) || next.scheme != "http") {
        error = "Unsupported URL scheme";
        return nullptr;
      }
      url = next;
      continue;
    }
    if (code != 200) {
      error = http_reason(code);
      ::close(fd);
      return nullptr;
    }
    return std::make_unique<http_reader>(fd, std::move(body), length, chunked);
  }
  error = "Too many redirects";
  return nullptr;
}

}  // namespace

std::unique_ptr<url_reader> open_url(const std::string& url, const path_mapper& map, std::string& error) {
  parsed_url u;
  if (!parse_url(url, u)) {
    error = "parse error";
    return nullptr;
  }
  if (u.scheme == "file") {
    std::string path = u.doc;
    int fd = ::open(map(path).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = std::strerror(errno);
      return nullptr;
    }
    std::int64_t size = ::lseek(fd, 0, SEEK_END);
    ::lseek(fd, 0, SEEK_SET);
    return std::make_unique<file_reader>(fd, size);
  }
  if (u.scheme == "http") return open_http(u, error);
  if (u.scheme == "https" || u.scheme == "ftp") {
    // Only a host on the emulated machine's own network could be reached,
    // and TLS/FTP are not emulated.
    error = u.host == "127.0.0.1" || u.host == "localhost" ? "Protocol not supported" : "No address record";
    return nullptr;
  }
  error = "Unsupported URL scheme";
  return nullptr;
}

}  // namespace fakehost
