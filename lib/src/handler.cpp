#include "iohyve_api/handler.hpp"

#include <chrono>
#include <mutex>

#include "actions/parse_request.hpp"
#include "backend/fetch_output.hpp"
#include "backend/task_queue.hpp"
#include "envelope/message.hpp"
#include "envelope/responses.hpp"
#include "iohyve_api/client.hpp"
#include "text/quote.hpp"

namespace iohyve_api {

using namespace detail;

struct handler::impl {
  client& backend;
  handler_options options;
  std::mutex event_mutex;  // one event at a time reaches the sink
  // Last, so that it is destroyed first: its destructor cancels and joins
  // the tasks, which still use the members above.
  task_queue tasks;

  impl(client& c, handler_options o)
      : backend(c), options(std::move(o)), tasks(options.max_tasks) {}

  reply finish(const parsed_message& msg, int status, bool is_error, std::string body) const {
    reply r;
    r.form = msg.form;
    r.status = status;
    r.is_error = is_error;
    r.text = msg.form == message_form::rest_http && options.http_replies ? frame_http(status, body)
                                                                         : std::move(body);
    return r;
  }

  reply protocol_error(const parsed_message& msg, const error& err) const {
    return finish(msg, static_cast<int>(err.code), true,
                  write_protocol_error(msg, err, options.pretty));
  }

  reply action_error(const parsed_message& msg, std::string_view action, const error& err) const {
    return finish(msg, static_cast<int>(err.code), true,
                  write_action_error(msg, action, err, options.pretty));
  }

  void emit(const fetch_event& ev) {
    std::string text = options.on_event ? write_event(ev, options.pretty) : std::string();
    std::lock_guard lock(event_mutex);
    if (options.on_event) options.on_event(text);
    if (options.on_progress) options.on_progress(progress_of(ev));
  }

  static task_progress progress_of(const fetch_event& ev) {
    task_progress p;
    p.queue_id = ev.process_id;
    p.filename = ev.filename;
    p.percent_done = ev.percent_done.empty() ? -1 : std::stoi(ev.percent_done);
    p.download_rate = ev.download_rate;
    p.finished = ev.state == "finished";
    p.succeeded = p.finished && ev.exit_status == 0;
    p.error = ev.error;
    return p;
  }

  result<action_outcome> queue_fetch(const fetchiso_request& r);
  result<action_outcome> execute(const request& req);
  struct executor;
};

namespace {

template <class T>
result<action_outcome> wrap(result<T> r) {
  if (!r) return std::move(r).error();
  return action_outcome{std::move(r).value()};
}

result<action_outcome> echo(status s) {
  if (!s) return std::move(s).error();
  return action_outcome{echo_outcome{}};
}

std::string percent_text(int percent) { return percent < 0 ? std::string() : std::to_string(percent); }

}  // namespace

result<action_outcome> handler::impl::queue_fetch(const fetchiso_request& r) {
  if (auto s = backend.check_fetch(r.source); !s) return std::move(s).error();
  fetch_event ev;
  ev.state = "running";
  ev.filename = r.source.file_name().str();
  ev.cmd_list = {"iohyve fetch " + r.source.str()};
  ev.process_id = make_queue_id();
  ev.time_started = iso8601_now();
  fetch_ticket ticket{ev.cmd_list.front(), ev.process_id};

  tasks.submit([this, source = r.source, ev](const std::atomic<bool>& cancel) mutable {
    using clock = std::chrono::steady_clock;
    // fetch(1) redraws at most once a second; a few events a second at most
    // keep slow clients from drowning while a fast transfer still shows.
    constexpr auto min_interval = std::chrono::milliseconds(250);
    clock::time_point last{};
    // The task has started: nothing is transferred yet, and no rate is known.
    ev.percent_done = "0";
    emit(ev);
    const status s = backend.fetch_iso(
        source,
        [&](const fetch_progress& p) {
          const auto now = clock::now();
          if (!p.final && now - last < min_interval) return;
          last = now;
          // fetch's closing line has no percentage; the finished event says 100.
          if (p.percent_done >= 0) ev.percent_done = percent_text(p.percent_done);
          ev.download_rate = detail::rate_text(p.download_rate);
          emit(ev);
        },
        &cancel);
    ev.state = "finished";
    ev.time_finished = iso8601_now();
    ev.exit_status = s ? 0 : 1;
    if (s) {
      ev.percent_done = "100";
    } else {
      ev.error = s.error().message;
    }
    emit(ev);
    return s.ok();
  });
  return action_outcome{std::move(ticket)};
}

// Runs each request type through its client member, found by overload:
// there is no generic case, so a request type without an entry here does
// not compile.
struct handler::impl::executor {
  impl& self;
  client& c;

  result<action_outcome> operator()(const listvms_request&) { return wrap(c.list_vms()); }
  result<action_outcome> operator()(const fetchiso_request& r) { return self.queue_fetch(r); }
  result<action_outcome> operator()(const listisos_request&) {
    auto isos = c.list_isos();
    if (!isos) return std::move(isos).error();
    return action_outcome{iso_list{std::move(isos).value()}};
  }
  result<action_outcome> operator()(const renameiso_request& r) { return echo(c.rename_iso(r.source, r.target)); }
  result<action_outcome> operator()(const rmiso_request& r) { return echo(c.remove_iso(r.target)); }
  result<action_outcome> operator()(const setup_request& r) { return echo(c.setup(r.pool, r.nic)); }
  result<action_outcome> operator()(const issetup_request&) {
    auto s = c.is_setup();
    if (!s) return std::move(s).error();
    return action_outcome{setup_state{*s}};
  }
  result<action_outcome> operator()(const create_request& r) { return echo(c.create(r.name, r.disk_size)); }
  result<action_outcome> operator()(const install_request& r) { return echo(c.install(r.name, r.iso)); }
  result<action_outcome> operator()(const start_request& r) { return echo(c.start(r.name)); }
  result<action_outcome> operator()(const stop_request& r) { return echo(c.stop(r.name, r.force)); }
  result<action_outcome> operator()(const delete_request& r) { return echo(c.destroy(r.name)); }
  result<action_outcome> operator()(const adddisk_request& r) {
    // The document's response echoes the request; the new disk's name is
    // not part of it (listdisks shows it).
    auto d = c.add_disk(r.name, r.disk_size, r.pool);
    if (!d) return std::move(d).error();
    return action_outcome{echo_outcome{}};
  }
  result<action_outcome> operator()(const listdisks_request& r) { return wrap(c.list_disks(r.name)); }
  result<action_outcome> operator()(const resizedisk_request& r) {
    return echo(c.resize_disk(r.name, r.disk, r.new_size));
  }
  result<action_outcome> operator()(const deletedisk_request& r) { return echo(c.delete_disk(r.name, r.disk)); }
  result<action_outcome> operator()(const version_request&) {
    auto v = c.version();
    if (!v) return std::move(v).error();
    return action_outcome{version_line{std::move(v).value()}};
  }
  result<action_outcome> operator()(const getprops_request& r) { return wrap(c.get_props(r.name)); }
  result<action_outcome> operator()(const setprop_request& r) { return echo(c.set_props(r.name, r.properties)); }
};

result<action_outcome> handler::impl::execute(const request& req) { return std::visit(executor{*this, backend}, req); }

handler::handler(client& backend, handler_options options)
    : impl_(std::make_unique<impl>(backend, std::move(options))) {}

handler::~handler() = default;  // task_queue's destructor cancels and joins

reply handler::handle(std::string_view message) {
  if (message.size() > max_message_bytes) {
    parsed_message msg;
    msg.form = looks_like_http_request(message) ? message_form::rest_http : message_form::websocket;
    // "More than", not the size: a caller that stops reading past the limit
    // (the CLI does) hands over a prefix, whose size would be wrong.
    return impl_->protocol_error(
        msg, make_error(error_code::payload_too_large,
                        "the message is more than 1 MiB (at most " + std::to_string(max_message_bytes) +
                            " bytes are accepted)"));
  }
  parse_outcome parsed = parse_message(message);
  const parsed_message& msg = parsed.message;
  if (parsed.error) return impl_->protocol_error(msg, *parsed.error);
  if (msg.ns != "sysadm" || msg.name != "iohyve")
    return impl_->protocol_error(
        msg, make_error(error_code::not_found, "unknown namespace/name " + quote_value(msg.ns + "/" + msg.name) +
                                                   "; this API serves sysadm/iohyve"));
  auto action = find_action(msg.args);
  if (!action) return impl_->protocol_error(msg, action.error());
  auto req = parse_request(*action, msg.args);
  if (!req) return impl_->action_error(msg, *action, req.error());
  if (impl_->options.policy == access_policy::read_only && changes_host(*req))
    return impl_->protocol_error(
        msg, make_error(error_code::forbidden, "action '" + std::string(*action) +
                                                   "' changes the host; this server is read-only"));
  if (impl_->options.dry_run) {
    return impl_->finish(msg, 200, false,
                         write_response(msg, *req, dry_run_plan{impl_->backend.plan(*req)},
                                        impl_->options.pretty));
  }
  auto outcome = impl_->execute(*req);
  if (!outcome) return impl_->action_error(msg, *action, outcome.error());
  return impl_->finish(msg, 200, false, write_response(msg, *req, *outcome, impl_->options.pretty));
}

bool handler::wait_for_tasks() { return impl_->tasks.wait_all(); }

void handler::cancel_tasks() { impl_->tasks.cancel_all(); }

}  // namespace iohyve_api
