// Boost.Beast/Asio server for iohyve-apid: listeners, start-up and shutdown.
// One translation unit on purpose: Beast is header-only and heavy to
// compile, so this file and the private headers it includes
// (session_state.hpp, http_session.hpp, ws_session.hpp) are compiled once.
//
// Threads: the io_context threads only read, write, accept and check access;
// every handler call (which may run a command for seconds) and every Unix
// peer's group lookup (which may wait for LDAP or NIS) is posted to the
// worker pool, and what follows is posted back to the connection's strand.
#include "server.hpp"

#include "http_session.hpp"
#include "session_state.hpp"
#include "ws_session.hpp"

namespace iohyve_apid {

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


using namespace session_detail;

namespace {

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
    if constexpr (std::is_same_v<Protocol, unix_protocol>) {
      const auto peer = peer_of(socket.native_handle());  // one getsockopt(2): no wait
      if (!peer) {
        connection_info info;
        info.peer = "uid=?";
        info.refusal = "the peer's credentials could not be read";
        return start_session(std::move(socket), std::move(info));
      }
      look_up_role(std::move(socket), *peer);
    } else {
      connection_info info;
      beast::error_code ec;
      const auto ep = socket.remote_endpoint(ec);
      info.peer = ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
      info.token_auth = true;
      start_session(std::move(socket), std::move(info));
    }
  }

  // A Unix peer's groups come from the name service (getpwuid_r,
  // getgrouplist), which with LDAP or NIS may take seconds: asked on a
  // worker, so that one slow lookup does not stall every connection served
  // by this I/O thread. The session starts afterwards, on the socket's
  // strand: nothing is read from the peer before its role is known. Until
  // then the connection counts against --max-connections.
  void look_up_role(typename Protocol::socket socket, peer_identity peer) {
    struct pending {
      pending(server_state& s, typename Protocol::socket&& sock) : state(s), socket(std::move(sock)) {
        ++state.connections;
      }
      ~pending() { --state.connections; }  // the session (if started) counts itself by then
      pending(const pending&) = delete;
      pending& operator=(const pending&) = delete;
      server_state& state;
      typename Protocol::socket socket;
    };
    auto waiting = std::make_shared<pending>(state_, std::move(socket));
    net::post(state_.workers, [self = this->shared_from_this(), waiting, peer] {
      connection_info info;
      info.peer = "uid=" + std::to_string(peer.uid);
      info.granted = role_of(peer, self->state_.cfg.groups);
      info.refusal = "uid " + std::to_string(peer.uid) +
                     " is neither root nor in the read-write or read-only group of this server";
      auto strand = waiting->socket.get_executor();
      net::post(strand, [self, waiting, info = std::move(info)]() mutable {
        self->start_session(std::move(waiting->socket), std::move(info));
      });
    });
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
