// Private to server.cpp: one WebSocket connection. Requests go to the
// worker pool and are answered as they finish, each with its id; events
// reach it only after events/subscribe; on TCP the first message may be
// rpc/auth_token.
#pragma once

#include "session_state.hpp"

namespace iohyve_apid::session_detail {

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

}  // namespace iohyve_apid::session_detail
