// Private to server.cpp (which is the only file that includes it, once):
// the Boost.Beast/Asio names, the state all connections share, and what a
// connection knows about its peer. Split from server.cpp for reading only;
// it is still one translation unit (Beast is heavy to compile).
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <utility>  // before Boost 1.74's asio/awaitable.hpp, which uses std::exchange without it
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstdio>
#include <deque>
#include <map>
#include <thread>
#include <vector>

#include "iohyve_api/handler.hpp"
#include "messages.hpp"
#include "server.hpp"
#include "tokens.hpp"

namespace iohyve_apid::session_detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using unix_protocol = net::local::stream_protocol;
// Unix and TCP connections share one stream type (Asio's generic stream
// protocol): each session template is compiled twice (plain, TLS), not
// three times, which is most of this file's compile time.
using plain_stream = beast::basic_stream<net::generic::stream_protocol>;
using tls_stream = beast::ssl_stream<plain_stream>;
using clock_type = std::chrono::steady_clock;

// ---------------------------------------------------------------- state

class session_base {
 public:
  virtual ~session_base() = default;
  // From any thread: finish what is queued, then close.
  virtual void shut_down() = 0;
};

struct server_state {
  server_state(const server_config& c, iohyve_api::handler& w, iohyve_api::handler& r, event_hub& e)
      : cfg(c), rw(w), ro(r), events(e), workers(c.workers) {}

  const server_config& cfg;
  iohyve_api::handler& rw;
  iohyve_api::handler& ro;
  event_hub& events;

  std::mutex tokens_mutex;
  std::shared_ptr<const token_store> tokens;  // replaced whole on SIGHUP

  std::atomic<unsigned> connections{0};
  std::atomic<unsigned> in_flight{0};  // handler calls not yet answered
  std::atomic<bool> stopping{false};

  std::mutex sessions_mutex;
  std::uint64_t next_session = 1;
  std::map<std::uint64_t, std::weak_ptr<session_base>> sessions;

  std::optional<net::ssl::context> tls;

  // Last: the pool is joined first, then the io_context destroys what is
  // still queued (sessions, whose destructors use the members above).
  net::io_context ioc;
  net::thread_pool workers;

  iohyve_api::handler& handler_for(role r) { return r == role::read_write ? rw : ro; }

  role check_token(std::string_view token) {
    std::shared_ptr<const token_store> t;
    {
      std::lock_guard lock(tokens_mutex);
      t = tokens;
    }
    return t ? t->check(token) : role::none;
  }

  std::uint64_t add_session(std::weak_ptr<session_base> s) {
    std::lock_guard lock(sessions_mutex);
    const std::uint64_t id = next_session++;
    sessions.emplace(id, std::move(s));
    return id;
  }
  void remove_session(std::uint64_t id) {
    std::lock_guard lock(sessions_mutex);
    sessions.erase(id);
  }
};

// One line per request on stderr: peer, action, status, milliseconds.
inline void log_request(const std::string& peer, std::string_view action, int status, clock_type::time_point started) {
  const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - started).count();
  char line[512];
  const int n = std::snprintf(line, sizeof line, "iohyve-apid: peer=%s action=%.*s status=%d ms=%.2f\n", peer.c_str(),
                              static_cast<int>(action.size()), action.data(), status, ms);
  if (n > 0) std::fwrite(line, 1, std::min(static_cast<std::size_t>(n), sizeof line - 1), stderr);
}

inline void log_note(const std::string& text) { std::fprintf(stderr, "iohyve-apid: %s\n", text.c_str()); }

inline std::string_view or_dash(std::string_view s) { return s.empty() ? std::string_view("-") : s; }

// What a connection is and what it may do.
struct connection_info {
  std::string peer;           // for the log: "uid=N" or "ADDR:PORT"
  role granted = role::none;  // Unix: from the peer's credentials; TCP: from a token
  bool token_auth = false;    // TCP: requests must present a bearer token
  std::string refusal;        // Unix peers in neither group: why
  unsigned auth_failures = 0;
};

template <class Stream>
constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

// Registers a session for shutdown and counts it as a connection.
class registered {
 public:
  explicit registered(server_state& s) : state_(s) { ++state_.connections; }
  ~registered() {
    if (id_) state_.remove_session(id_);
    --state_.connections;
  }
  registered(const registered&) = delete;
  registered& operator=(const registered&) = delete;
  void enrol(std::weak_ptr<session_base> self) { id_ = state_.add_session(std::move(self)); }

 protected:
  server_state& state_;

 private:
  std::uint64_t id_ = 0;
};


}  // namespace iohyve_apid::session_detail
