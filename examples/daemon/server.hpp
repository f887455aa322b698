// The network side of iohyve-apid: listeners, HTTP (REST) and WebSocket
// sessions on Boost.Beast/Asio, access checks, events to subscribers, and a
// bounded shutdown. Beast stays inside server.cpp (one heavy translation
// unit); this header only uses the standard library.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "peer_credentials.hpp"

namespace iohyve_api {
class handler;
}

namespace iohyve_apid {

struct server_config {
  std::string socket_path;  // --socket: empty = no Unix socket
  std::string listen;       // --listen ADDR:PORT: empty = no TCP listener
  std::string tls_cert;     // --tls-cert / --tls-key: TLS on the TCP listener
  std::string tls_key;
  std::string tokens_path;  // --tokens: required with --listen
  group_policy groups;      // --rw-group / --ro-group
  unsigned io_threads = 1;  // threads that only do socket I/O
  unsigned workers = 8;     // threads that call the handler (actions may block for long)
  unsigned max_connections = 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds idle_timeout{300};   // a connection with nothing to do
  std::chrono::seconds request_timeout{30};  // to send one whole HTTP request once begun
  std::chrono::seconds shutdown_timeout{10};  // SIGTERM: in-flight requests get this long
  unsigned max_inflight_per_connection = 32;  // WebSocket requests being handled at once
  unsigned max_auth_failures = 3;             // then 403 and the connection is closed
};

// Pushes dispatcher events to the WebSocket connections that subscribed.
// publish() is called from the handler's task threads.
class event_hub {
 public:
  using subscriber = std::function<void(const std::shared_ptr<const std::string>&)>;
  std::uint64_t add(subscriber s);
  void remove(std::uint64_t id);
  void publish(const std::string& event_json);
  // Drops every subscriber and refuses new ones (the server has stopped).
  void close();

 private:
  std::mutex mutex_;
  bool closed_ = false;
  std::uint64_t next_ = 1;
  std::map<std::uint64_t, subscriber> subscribers_;
};

// Runs until SIGTERM or SIGINT; SIGHUP reloads the token file. Returns the
// process exit status (0 after a clean shutdown, 2 for a start-up error,
// whose message has gone to stderr).
int serve(const server_config& config, iohyve_api::handler& read_write, iohyve_api::handler& read_only,
          event_hub& events);

}  // namespace iohyve_apid
