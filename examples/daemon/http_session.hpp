// Private to server.cpp: one HTTP connection (plain or TLS, Unix or TCP):
// REST requests one at a time, or an upgrade handed to ws_session.
#pragma once

#include "session_state.hpp"
#include "ws_session.hpp"

namespace iohyve_apid::session_detail {

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

}  // namespace iohyve_apid::session_detail
