// Boost.Beast/Asio server for iohyve-apid. One translation unit on purpose:
// Beast is header-only and heavy to compile, so everything that includes it
// lives here and is compiled once.
//
// Threads: the io_context threads only read, write, accept and check access;
// every handler call (which may run a command for seconds) is posted to the
// worker pool, and its reply is posted back to the connection's strand.
#include "server.hpp"

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
#include <thread>
#include <vector>

#include "iohyve_api/handler.hpp"
#include "messages.hpp"
#include "tokens.hpp"

namespace iohyve_apid {

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

// ---------------------------------------------------------------- events

std::uint64_t event_hub::add(subscriber s) {
  std::lock_guard lock(mutex_);
  if (closed_) return 0;
  const std::uint64_t id = next_++;
  subscribers_.emplace(id, std::move(s));
  return id;
}

void event_hub::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(id);
}

void event_hub::publish(const std::string& event_json) {
  auto shared = std::make_shared<const std::string>(event_json);
  std::lock_guard lock(mutex_);
  for (auto& [id, s] : subscribers_) s(shared);
}

void event_hub::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  subscribers_.clear();
}

namespace {

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
void log_request(const std::string& peer, std::string_view action, int status, clock_type::time_point started) {
  const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - started).count();
  char line[512];
  const int n = std::snprintf(line, sizeof line, "iohyve-apid: peer=%s action=%.*s status=%d ms=%.2f\n", peer.c_str(),
                              static_cast<int>(action.size()), action.data(), status, ms);
  if (n > 0) std::fwrite(line, 1, std::min(static_cast<std::size_t>(n), sizeof line - 1), stderr);
}

void log_note(const std::string& text) { std::fprintf(stderr, "iohyve-apid: %s\n", text.c_str()); }

std::string_view or_dash(std::string_view s) { return s.empty() ? std::string_view("-") : s; }

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

// ---------------------------------------------------------------- WebSocket

template <class Stream>
class ws_session : public session_base, registered, public std::enable_shared_from_this<ws_session<Stream>> {
 public:
  ws_session(server_state& s, Stream&& stream, connection_info info, beast::flat_buffer&& buffer)
      : registered(s), ws_(std::move(stream)), buffer_(std::move(buffer)), info_(std::move(info)) {}

  ~ws_session() override {
    if (subscription_) state_.events.remove(subscription_);
  }

  void start(http::request<http::string_body> req) {
    enrol(this->shared_from_this());
    websocket::stream_base::timeout t{};
    t.handshake_timeout = state_.cfg.request_timeout;
    t.idle_timeout = state_.cfg.idle_timeout;
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "iohyve-apid"); }));
    ws_.read_message_max(iohyve_api::max_message_bytes);
    ws_.async_accept(req, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return self->finish();
      self->do_read();
    });
  }

  void shut_down() override {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
      if (self->closed_) return;
      self->close_after_flush_ = true;
      if (!self->writing_) self->do_close(websocket::close_code::going_away);
    });
  }

 private:
  void do_read() {
    if (reading_ || closed_ || close_after_flush_ || in_flight_ >= state_.cfg.max_inflight_per_connection) return;
    reading_ = true;
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->reading_ = false;
      if (ec) {
        if (ec == websocket::error::message_too_big)
          log_request(self->info_.peer, "-", 413, clock_type::now());  // Beast closes with 1009 "too big"
        return self->finish();
      }
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      self->dispatch(std::move(text));
      self->do_read();
    });
  }

  void dispatch(std::string text) {
    const auto started = clock_type::now();
    const message_peek p = peek_message(text);
    if (p.ns == "rpc") return handle_rpc(p, started);
    if (info_.granted == role::none)
      return auth_failure(p, "authenticate first: {\"namespace\":\"rpc\",\"name\":\"auth_token\",\"id\":ID,"
                             "\"args\":{\"token\":TOKEN}}", started);
    if (p.ns == "events") return handle_events(p, started);
    if (state_.stopping) return reply_error(p, 503, "the server is shutting down", started);
    // Everything else is the library's, on a worker: a slow start must not
    // hold up a later listvms on this connection or any other.
    ++in_flight_;
    ++state_.in_flight;
    iohyve_api::handler& h = state_.handler_for(info_.granted);
    net::post(state_.workers, [self = this->shared_from_this(), &h, text = std::move(text), action = p.action,
                               started]() mutable {
      iohyve_api::reply r = h.handle(text);
      net::post(self->ws_.get_executor(), [self, r = std::move(r), action = std::move(action), started]() mutable {
        --self->in_flight_;
        --self->state_.in_flight;
        log_request(self->info_.peer, or_dash(action), r.status, started);
        self->send(std::make_shared<const std::string>(std::move(r.text)));
        self->do_read();
      });
    });
  }

  void handle_rpc(const message_peek& p, clock_type::time_point started) {
    const std::string what = "rpc/" + p.name;
    if (p.name == "auth_clear") {
      if (info_.token_auth) info_.granted = role::none;
      log_request(info_.peer, "rpc/auth_clear", 200, started);
      return;  // no reply, as the reference
    }
    if (p.name == "auth")
      return auth_failure(p, "password authentication is not offered; use rpc/auth_token with a token", started);
    if (p.name != "auth_token") {
      reply_error(p, 404, "unknown rpc/" + p.name + "; this server accepts rpc/auth_token and rpc/auth_clear",
                  started);
      return;
    }
    if (info_.token_auth) {
      const role r = state_.check_token(p.token);
      if (r == role::none) return auth_failure(p, "the token is not valid", started);
      info_.granted = r;
      info_.auth_failures = 0;
    }
    // The reference's reply: [token, seconds the login stays valid while idle].
    const std::string args =
        "[" + json_string(p.token) + "," + std::to_string(state_.cfg.idle_timeout.count()) + "]";
    log_request(info_.peer, "rpc/auth_token", 200, started);
    send(std::make_shared<const std::string>(response_envelope(p, "rpc", args)));
  }

  void handle_events(const message_peek& p, clock_type::time_point started) {
    if (p.name != "subscribe" && p.name != "unsubscribe")
      return reply_error(p, 404, "unknown events/" + p.name + "; use events/subscribe or events/unsubscribe",
                         started);
    if (p.event_names.empty())
      return reply_error(p, 400, "args must name the events, e.g. [\"dispatcher\"]", started);
    bool dispatcher = false;
    for (const std::string& n : p.event_names) {
      // The reference's three names are accepted; only dispatcher events exist here.
      if (n != "dispatcher" && n != "life-preserver" && n != "system-state")
        return reply_error(p, 400, "unknown event " + json_string(n) + "; this server sends \"dispatcher\" events",
                           started);
      dispatcher |= n == "dispatcher";
    }
    if (dispatcher && p.name == "subscribe" && !subscription_) {
      std::weak_ptr<ws_session> weak = this->shared_from_this();
      auto executor = ws_.get_executor();
      subscription_ = state_.events.add([weak, executor](const std::shared_ptr<const std::string>& ev) {
        net::post(executor, [weak, ev] {
          if (auto self = weak.lock()) self->send(ev);
        });
      });
    } else if (dispatcher && p.name == "unsubscribe" && subscription_) {
      state_.events.remove(subscription_);
      subscription_ = 0;
    }
    // As the reference: one key, the last name given.
    log_request(info_.peer, "events/" + p.name, 200, started);
    send(std::make_shared<const std::string>(
        response_envelope(p, "events", "{" + json_string(p.name) + ":" + json_string(p.event_names.back()) + "}")));
  }

  void reply_error(const message_peek& p, int code, const std::string& detail, clock_type::time_point started) {
    log_request(info_.peer, p.ns + "/" + p.name, code, started);
    send(std::make_shared<const std::string>(error_envelope(p.id_json, code, detail)));
  }

  // 401, and after too many failures 403 and the connection is closed.
  void auth_failure(const message_peek& p, const std::string& detail, clock_type::time_point started) {
    if (++info_.auth_failures >= state_.cfg.max_auth_failures) {
      log_request(info_.peer, "rpc/auth", 403, started);
      send(std::make_shared<const std::string>(
          error_envelope(p.id_json, 403, "too many failed authentication attempts; the connection is closed")));
      close_after_flush_ = true;
      return;
    }
    log_request(info_.peer, "rpc/auth", 401, started);
    send(std::make_shared<const std::string>(error_envelope(p.id_json, 401, detail)));
  }

  // A client that does not read its replies and events is cut off rather
  // than allowed to grow the daemon's memory.
  void send(std::shared_ptr<const std::string> msg) {
    if (closed_) return;
    constexpr std::size_t max_queued_bytes = 16u << 20;
    constexpr std::size_t max_queued_messages = 4096;
    if (queued_bytes_ + msg->size() > max_queued_bytes || queue_.size() >= max_queued_messages) {
      log_note("closing " + info_.peer + ": it does not read its replies (" + std::to_string(queue_.size()) +
               " waiting)");
      queue_.clear();
      return do_close(websocket::close_code::policy_error);
    }
    queued_bytes_ += msg->size();
    queue_.push_back(std::move(msg));
    if (!writing_) write_next();
  }

  void write_next() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) return self->finish();
      self->queued_bytes_ -= self->queue_.front()->size();
      self->queue_.pop_front();
      if (!self->queue_.empty()) return self->write_next();
      if (self->close_after_flush_) self->do_close(websocket::close_code::going_away);
    });
  }

  void do_close(websocket::close_code code) {
    if (closed_) return;
    closed_ = true;
    ws_.async_close(code, [self = this->shared_from_this()](beast::error_code) {});
  }

  void finish() {
    closed_ = true;
    if (subscription_) {
      state_.events.remove(subscription_);
      subscription_ = 0;
    }
  }

  websocket::stream<Stream> ws_;
  beast::flat_buffer buffer_;
  connection_info info_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool reading_ = false;
  bool closed_ = false;
  bool close_after_flush_ = false;
  unsigned in_flight_ = 0;
  std::uint64_t subscription_ = 0;
};

// ---------------------------------------------------------------- HTTP

template <class Stream>
class http_session : public session_base, registered, public std::enable_shared_from_this<http_session<Stream>> {
 public:
  http_session(server_state& s, Stream&& stream, connection_info info)
      : registered(s), stream_(std::move(stream)), info_(std::move(info)) {}

  void start() {
    enrol(this->shared_from_this());
    if constexpr (is_tls<Stream>) {
      lowest().expires_after(state_.cfg.request_timeout);
      stream_.async_handshake(net::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return self->lowest().close();
        self->do_read();
      });
    } else {
      do_read();
    }
  }

  void shut_down() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->closing_ = true;
      if (!self->busy_) self->lowest().close();  // an idle keep-alive connection
    });
  }

 private:
  auto& lowest() { return beast::get_lowest_layer(stream_); }

  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_.cfg.max_header_bytes));
    parser_->body_limit(iohyve_api::max_message_bytes);
    // One deadline for the whole request: a client that trickles it is cut off.
    lowest().expires_after(state_.cfg.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::eof || ec == net::error::connection_reset || closing_)
      return close();
    if (ec == http::error::body_limit)
      return refuse(413, "the message is larger than " + std::to_string(iohyve_api::max_message_bytes) + " bytes");
    if (ec == http::error::header_limit)
      return refuse(431, "the request header is larger than " + std::to_string(state_.cfg.max_header_bytes) +
                             " bytes");
    if (ec) return refuse(400, "malformed HTTP request: " + ec.message());
    http::request<http::string_body> req = parser_->release();
    version_ = req.version();
    if (state_.stopping) return refuse(503, "the server is shutting down");
    if (websocket::is_upgrade(req)) return upgrade(std::move(req));
    handle_rest(std::move(req));
  }

  // The role for a REST request or an upgrade carrying Authorization.
  // Sets code/detail when refused.
  role authorize(const http::request<http::string_body>& req, int& code, std::string& detail) {
    if (!info_.token_auth) {
      code = 403;
      detail = info_.refusal;
      return info_.granted;
    }
    code = 401;
    auto it = req.find(http::field::authorization);
    if (it == req.end()) {
      detail = "send the header 'Authorization: Bearer TOKEN'";
      return role::none;
    }
    const std::string_view value(it->value().data(), it->value().size());
    constexpr std::string_view scheme = "Bearer ";
    if (value.size() <= scheme.size() || !beast::iequals(beast::string_view(value.data(), scheme.size()), beast::string_view(scheme.data(), scheme.size()))) {
      detail = "only 'Authorization: Bearer TOKEN' is accepted";
      return role::none;
    }
    const role r = state_.check_token(value.substr(scheme.size()));
    if (r == role::none) detail = "the token is not valid";
    return r;
  }

  // Counts a failed authentication; after too many, 403 and close.
  void auth_refused(int code, const std::string& detail) {
    if (info_.token_auth && ++info_.auth_failures >= state_.cfg.max_auth_failures)
      return refuse(403, "too many failed authentication attempts; the connection is closed");
    refuse(code, detail, code != 401);
  }

  void handle_rest(http::request<http::string_body> req) {
    int code = 0;
    std::string detail;
    const role r = authorize(req, code, detail);
    if (r == role::none) return auth_refused(code, detail);
    // The library's REST form, without HTTP framing (handler_options::
    // http_replies is off): "VERB TARGET" then the body; it checks the verb
    // and the namespace/name in the target.
    std::string message;
    message.reserve(req.body().size() + req.target().size() + 24);
    message.append(req.method_string().data(), req.method_string().size()).append(" ");
    message.append(req.target().data(), req.target().size()).append(" HTTP/1.1\n\n");
    const std::size_t body_at = message.size();
    message += req.body();
    const bool keep_alive = req.keep_alive();
    busy_ = true;
    ++state_.in_flight;
    iohyve_api::handler& h = state_.handler_for(r);
    const auto started = clock_type::now();
    net::post(state_.workers, [self = this->shared_from_this(), &h, message = std::move(message), body_at,
                               keep_alive, started]() mutable {
      const std::string action = peek_message(std::string_view(message).substr(body_at)).action;
      iohyve_api::reply rep = h.handle(message);
      net::post(self->stream_.get_executor(), [self, rep = std::move(rep), action, keep_alive, started]() mutable {
        --self->state_.in_flight;
        self->busy_ = false;
        log_request(self->info_.peer, or_dash(action), rep.status, started);
        self->send(rep.status, std::move(rep.text), keep_alive);
      });
    });
  }

  void upgrade(http::request<http::string_body> req) {
    role r = role::none;
    if (!info_.token_auth || req.find(http::field::authorization) != req.end()) {
      int code = 0;
      std::string detail;
      r = authorize(req, code, detail);
      if (r == role::none) return auth_refused(code, detail);
    }
    // Without Authorization on TCP, the first message must be rpc/auth_token.
    connection_info info = info_;
    info.granted = r;
    lowest().expires_never();  // the WebSocket stream has its own timeouts
    std::make_shared<ws_session<Stream>>(state_, std::move(stream_), std::move(info), std::move(buffer_))
        ->start(std::move(req));
  }

  void refuse(int code, const std::string& detail, bool close_after = true) {
    log_request(info_.peer, "-", code, clock_type::now());
    send(code, error_body(code, detail), !close_after);
  }

  void send(int status, std::string body, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), version_);
    res->set(http::field::server, "iohyve-apid");
    res->set(http::field::content_type, "text/json; charset=utf-8");
    res->keep_alive(keep_alive && !closing_ && !state_.stopping);
    res->body() = std::move(body);
    res->prepare_payload();
    lowest().expires_after(state_.cfg.request_timeout);
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec || !res->keep_alive()) return self->close();
      self->do_read();
    });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    if constexpr (is_tls<Stream>) {
      lowest().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->lowest().close(); });
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(net::socket_base::shutdown_send, ec);
      lowest().close();
    }
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  connection_info info_;
  unsigned version_ = 11;
  bool busy_ = false;     // a handler call is running for this connection
  bool closing_ = false;  // the server is stopping: no further request
  bool closed_ = false;
};

// ---------------------------------------------------------------- listeners

// Over the connection limit: a short 503 (plain HTTP) and close.
template <class Socket>
void refuse_busy(Socket socket, bool plain_http) {
  if (!plain_http) return;  // a TLS client would not understand it; just close
  static const std::string text =
      "HTTP/1.1 503 Service Unavailable\r\nServer: iohyve-apid\r\nContent-Type: text/json; charset=utf-8\r\n"
      "Connection: close\r\nContent-Length: " +
      std::to_string(error_body(503, "too many connections").size()) + "\r\n\r\n" +
      error_body(503, "too many connections");
  auto s = std::make_shared<Socket>(std::move(socket));
  net::async_write(*s, net::buffer(text), [s](beast::error_code, std::size_t) {
    beast::error_code ec;
    s->shutdown(net::socket_base::shutdown_send, ec);
    s->close(ec);
  });
}

template <class Protocol>
class listener : public std::enable_shared_from_this<listener<Protocol>> {
 public:
  using acceptor_type = net::basic_socket_acceptor<Protocol>;
  listener(server_state& s, acceptor_type&& a) : state_(s), acceptor_(std::move(a)) {}

  void start() { do_accept(); }
  void stop() {
    net::post(acceptor_.get_executor(), [self = this->shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(state_.ioc), [self = this->shared_from_this()](
                                                             beast::error_code ec, typename Protocol::socket socket) {
      if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
      if (!ec) self->accepted(std::move(socket));
      else log_note("accept: " + ec.message());
      self->do_accept();
    });
  }

  void accepted(typename Protocol::socket socket) {
    if (state_.connections >= state_.cfg.max_connections) {
      log_note("refused a connection: " + std::to_string(state_.cfg.max_connections) + " are open (--max-connections)");
      return refuse_busy(std::move(socket), !state_.tls || std::is_same_v<Protocol, unix_protocol>);
    }
    connection_info info;
    if constexpr (std::is_same_v<Protocol, unix_protocol>) {
      const auto peer = peer_of(socket.native_handle());
      if (peer) {
        info.peer = "uid=" + std::to_string(peer->uid);
        info.granted = role_of(*peer, state_.cfg.groups);
        info.refusal = "uid " + std::to_string(peer->uid) +
                       " is neither root nor in the read-write or read-only group of this server";
      } else {
        info.peer = "uid=?";
        info.refusal = "the peer's credentials could not be read";
      }
      start_session(std::move(socket), std::move(info));
    } else {
      beast::error_code ec;
      const auto ep = socket.remote_endpoint(ec);
      info.peer = ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
      info.token_auth = true;
      start_session(std::move(socket), std::move(info));
    }
  }

  void start_session(typename Protocol::socket socket, connection_info info) {
    plain_stream stream{net::generic::stream_protocol::socket(std::move(socket))};
    if (state_.tls && !std::is_same_v<Protocol, unix_protocol>) {
      std::make_shared<http_session<tls_stream>>(state_, tls_stream(std::move(stream), *state_.tls), std::move(info))
          ->start();
    } else {
      std::make_shared<http_session<plain_stream>>(state_, std::move(stream), std::move(info))->start();
    }
  }

  server_state& state_;
  acceptor_type acceptor_;
};

// "ADDR:PORT" or "[ADDR]:PORT", numeric only.
std::optional<tcp::endpoint> parse_listen(const std::string& text, std::string& error) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    error = "--listen wants ADDR:PORT, e.g. 127.0.0.1:8443 or [::1]:8443";
    return std::nullopt;
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    error = "--listen: invalid port in '" + text + "'";
    return std::nullopt;
  }
  beast::error_code ec;
  const auto addr = net::ip::make_address(host, ec);
  if (ec) {
    error = "--listen: '" + host + "' is not a numeric IP address";
    return std::nullopt;
  }
  return tcp::endpoint(addr, static_cast<unsigned short>(port));
}

bool load_tokens(server_state& st, std::string& error) {
  auto store = std::make_shared<token_store>();
  if (!token_store::load(st.cfg.tokens_path, *store, error)) return false;
  std::lock_guard lock(st.tokens_mutex);
  st.tokens = std::move(store);
  return true;
}

}  // namespace

// ---------------------------------------------------------------- serve

int serve(const server_config& cfg, iohyve_api::handler& read_write, iohyve_api::handler& read_only,
          event_hub& events) {
  server_state st(cfg, read_write, read_only, events);
  auto fail = [](const std::string& text) {
    log_note(text);
    return 2;
  };

  std::shared_ptr<listener<tcp>> tcp_listener;
  if (!cfg.listen.empty()) {
    std::string error;
    const auto ep = parse_listen(cfg.listen, error);
    if (!ep) return fail(error);
    const bool tls = !cfg.tls_cert.empty() || !cfg.tls_key.empty();
    if (tls && (cfg.tls_cert.empty() || cfg.tls_key.empty())) return fail("--tls-cert and --tls-key go together");
    if (!ep->address().is_loopback() && !tls)
      return fail("refusing to listen on " + cfg.listen +
                  " without TLS: tokens would cross the network in clear; give --tls-cert and --tls-key, or listen on "
                  "127.0.0.1");
    if (cfg.tokens_path.empty()) return fail("--listen needs --tokens FILE: TCP clients authenticate with a token");
    if (!load_tokens(st, error)) return fail(error);
    if (tls) {
      try {
        st.tls.emplace(net::ssl::context::tls_server);
        st.tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                            net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                            net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
        st.tls->use_certificate_chain_file(cfg.tls_cert);
        st.tls->use_private_key_file(cfg.tls_key, net::ssl::context::pem);
      } catch (const std::exception& e) {
        return fail("TLS: cannot use " + cfg.tls_cert + " and " + cfg.tls_key + ": " + e.what());
      }
    }
    try {
      tcp::acceptor a(st.ioc);
      a.open(ep->protocol());
      a.set_option(net::socket_base::reuse_address(true));
      a.bind(*ep);
      a.listen(net::socket_base::max_listen_connections);
      tcp_listener = std::make_shared<listener<tcp>>(st, std::move(a));
    } catch (const std::exception& e) {
      return fail("cannot listen on " + cfg.listen + ": " + e.what());
    }
  }

  std::shared_ptr<listener<unix_protocol>> unix_listener;
  if (!cfg.socket_path.empty()) {
    // A socket left by a previous run is replaced; any other file is not.
    struct stat sb {};
    if (::lstat(cfg.socket_path.c_str(), &sb) == 0) {
      if (!S_ISSOCK(sb.st_mode)) return fail(cfg.socket_path + " exists and is not a socket");
      ::unlink(cfg.socket_path.c_str());
    }
    try {
      unix_protocol::acceptor a(st.ioc);
      a.open(unix_protocol());
      a.bind(unix_protocol::endpoint(cfg.socket_path));
      a.listen(net::socket_base::max_listen_connections);
      // Anyone may connect: the peer's credentials decide what it may do.
      ::chmod(cfg.socket_path.c_str(), 0666);
      unix_listener = std::make_shared<listener<unix_protocol>>(st, std::move(a));
    } catch (const std::exception& e) {
      return fail("cannot listen on " + cfg.socket_path + ": " + e.what());
    }
  }
  if (!tcp_listener && !unix_listener) return fail("nothing to listen on: give --socket PATH and/or --listen ADDR:PORT");

  if (unix_listener) unix_listener->start();
  if (tcp_listener) tcp_listener->start();
  log_note("serving" + (cfg.socket_path.empty() ? std::string() : " on " + cfg.socket_path) +
           (cfg.listen.empty() ? std::string() : std::string(" on ") + (st.tls ? "https://" : "http://") + cfg.listen));

  // SIGTERM/SIGINT: stop accepting, cancel downloads (their final events go
  // to subscribers), let in-flight requests finish within shutdown_timeout,
  // close every connection, exit 0. SIGHUP: reload the tokens.
  net::signal_set signals(st.ioc, SIGTERM, SIGINT, SIGHUP);
  std::thread canceller;
  std::atomic<bool> tasks_done{false};
  net::steady_timer poll(st.ioc);
  clock_type::time_point deadline{};
  bool sessions_closed = false;
  std::function<void()> check_stop = [&] {
    const auto now = clock_type::now();
    if (!sessions_closed && ((tasks_done && st.in_flight == 0) || now >= deadline)) {
      if (st.in_flight) log_note(std::to_string(st.in_flight.load()) + " request(s) still running at the deadline");
      sessions_closed = true;
      deadline = now + std::chrono::seconds(2);  // for the connections to close
      std::vector<std::shared_ptr<session_base>> all;
      {
        std::lock_guard lock(st.sessions_mutex);
        for (auto& [id, w] : st.sessions)
          if (auto s = w.lock()) all.push_back(std::move(s));
      }
      for (auto& s : all) s->shut_down();
    } else if (sessions_closed && (st.connections == 0 || now >= deadline)) {
      st.ioc.stop();
      return;
    }
    poll.expires_after(std::chrono::milliseconds(20));
    poll.async_wait([&](beast::error_code ec) {
      if (!ec) check_stop();
    });
  };
  std::function<void(beast::error_code, int)> on_signal = [&](beast::error_code ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      if (!cfg.tokens_path.empty()) {
        std::string error;
        if (load_tokens(st, error)) log_note("SIGHUP: tokens reloaded from " + cfg.tokens_path);
        else log_note("SIGHUP: kept the previous tokens: " + error);
      }
      signals.async_wait(on_signal);
      return;
    }
    if (st.stopping.exchange(true)) return;
    log_note("stopping: no new connections; downloads cancelled; requests running get " +
             std::to_string(cfg.shutdown_timeout.count()) + " s");
    if (unix_listener) unix_listener->stop();
    if (tcp_listener) tcp_listener->stop();
    deadline = clock_type::now() + cfg.shutdown_timeout;
    canceller = std::thread([&] {
      read_write.cancel_tasks();
      read_write.wait_for_tasks();  // each cancelled task sends its final event first
      tasks_done = true;
    });
    check_stop();
  };
  signals.async_wait(on_signal);

  std::vector<std::thread> io;
  for (unsigned i = 1; i < cfg.io_threads; ++i) io.emplace_back([&] { st.ioc.run(); });
  st.ioc.run();
  for (auto& t : io) t.join();
  if (canceller.joinable()) canceller.join();
  st.workers.join();
  events.close();  // no event may reach a session after this
  if (!cfg.socket_path.empty()) ::unlink(cfg.socket_path.c_str());
  log_note("stopped");
  return 0;
}

}  // namespace iohyve_apid
