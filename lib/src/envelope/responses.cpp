#include "envelope/responses.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "actions/parse_request.hpp"
#include "envelope/json_writer.hpp"

namespace iohyve_api::detail {
namespace {

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

std::string_view yes_no(bool b) { return b ? "YES" : "NO"; }

// Opens the envelope up to the inside of "args".
void open_envelope(json_writer& w) { w.begin_object().key("args"); }

// Closes "args" and adds id/name/namespace as the form wants.
void close_envelope(json_writer& w, const parsed_message& msg, std::string_view name,
                    std::string_view ns) {
  if (msg.form == message_form::websocket) {
    w.key("id");
    msg.id_json.empty() ? w.string("") : w.raw(msg.id_json);
    // As the reference: without an id the reply is named after the request.
    w.member("name", msg.id_json.empty() && name == "response" ? std::string_view(msg.name) : name);
    w.member("namespace", ns);
  }
  w.end_object();
}

// The echo of a changing action, written by the actions layer.
class json_echo final : public echo_sink {
 public:
  explicit json_echo(json_writer& w) : w_(w) {}
  void member(std::string_view key, std::string_view value) override { w_.member(key, value); }
  void open(std::string_view key) override { w_.key(key).begin_object(); }
  void close() override { w_.end_object(); }

 private:
  json_writer& w_;
};

void write_echo(json_writer& w, const request& req) {
  json_echo out(w);
  echo_arguments(req, out);
}

const std::string& guest_of(const request& req) {
  static const std::string none;
  if (auto* r = std::get_if<getprops_request>(&req)) return r->name.str();
  return none;
}

void write_outcome(json_writer& w, const request& req, const action_outcome& outcome) {
  std::visit(
      overloaded{
          [&](const echo_outcome&) {
            w.begin_object();
            write_echo(w, req);
            w.end_object();
          },
          [&](const std::vector<vm_info>& vms) {
            // A guest that cannot be addressed by name (on several pools,
            // renamed) is keyed by its dataset, which no guest name can
            // equal (it holds '/'), with "conflict" and "dataset" added: a
            // reply never holds a key twice. Keys sorted, as everywhere.
            std::vector<std::pair<std::string_view, const vm_info*>> keyed;
            keyed.reserve(vms.size());
            for (const auto& vm : vms) keyed.emplace_back(vm.conflict.empty() ? vm.name : vm.dataset, &vm);
            if (!std::is_sorted(keyed.begin(), keyed.end()))
              std::sort(keyed.begin(), keyed.end());
            w.begin_object();
            for (const auto& [key, p] : keyed) {
              const vm_info& vm = *p;
              w.key(key).begin_object();
              if (!vm.conflict.empty()) w.member("conflict", vm.conflict).member("dataset", vm.dataset);
              w.member("description", vm.description)
                  .member("rcboot", yes_no(vm.rcboot))
                  .member("running", yes_no(vm.running))
                  .member("vmm", yes_no(vm.vmm));
              w.end_object();
            }
            w.end_object();
          },
          [&](const iso_list& isos) {
            w.begin_array();
            for (const auto& n : isos.names) w.string(n);
            w.end_array();
          },
          [&](const setup_state& s) {
            w.begin_object().member("setup", s.is_setup ? "true" : "false").end_object();
          },
          [&](const std::vector<disk_info>& disks) {
            // Sorted as text, as the reference's QJsonObject sorts its keys.
            std::vector<const disk_info*> sorted;
            for (const auto& d : disks) sorted.push_back(&d);
            std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
            w.begin_object();
            for (const auto* d : sorted) w.member(d->name, d->size);
            w.end_object();
          },
          [&](const version_line& v) { w.begin_object().member("version", v.line).end_object(); },
          [&](const std::vector<property_entry>& props) {
            w.begin_object().key(guest_of(req)).begin_object();
            for (const auto& p : props) w.member(p.name, p.value);
            w.end_object().end_object();
          },
          [&](const fetch_ticket& t) {
            w.begin_object()
                .member("command", t.command)
                .member("comment", "Task Queued")
                .member("queueid", t.queueid)
                .end_object();
          },
          [&](const dry_run_plan& plan) {
            w.begin_object().key("commands").begin_array();
            for (const auto& c : plan.commands) {
              w.begin_array();
              w.string(c.program);
              for (const auto& a : c.args) w.string(a);
              w.end_array();
            }
            w.end_array().member("dry_run", "true").end_object();
          },
      },
      outcome);
}

}  // namespace

std::string write_response(const parsed_message& msg, const request& req,
                           const action_outcome& outcome, bool pretty) {
  json_writer w(pretty);
  open_envelope(w);
  w.begin_object().key(action_name(req));
  write_outcome(w, req, outcome);
  w.end_object();
  close_envelope(w, msg, "response", msg.ns);
  return w.take();
}

std::string write_action_error(const parsed_message& msg, std::string_view action,
                               const error& err, bool pretty) {
  json_writer w(pretty);
  open_envelope(w);
  w.begin_object().key(action).begin_object();
  w.member("code", code_string(err.code)).member("error", err.message);
  w.end_object().end_object();
  close_envelope(w, msg, "response", msg.ns);
  return w.take();
}

std::string write_protocol_error(const parsed_message& msg, const error& err, bool pretty) {
  json_writer w(pretty);
  open_envelope(w);
  w.begin_object()
      .member("code", code_string(err.code))
      .member("detail", err.message)
      .member("message", reason_phrase(err.code))
      .end_object();
  close_envelope(w, msg, "error", "error");
  return w.take();
}

std::string frame_http(int status, std::string_view body) {
  const auto phrase = [&]() -> std::string_view {
    if (status == 200) return "OK";
    return reason_phrase(static_cast<error_code>(status));
  }();
  return fmt::format(
      "HTTP/1.1 {} {}\r\nServer: iohyve-api\r\nContent-Type: text/json; charset=utf-8\r\n"
      "Content-Length: {}\r\n\r\n{}",
      status, phrase, body.size(), body);
}

std::string write_event(const fetch_event& ev, bool pretty) {
  json_writer w(pretty);
  w.begin_object().key("args").begin_object();
  w.member("download_rate", ev.download_rate);
  if (!ev.error.empty()) w.member("error", ev.error);
  w.member("event_system", "sysadm/iohyve");
  if (ev.exit_status) w.member("exit_status", std::to_string(*ev.exit_status));
  w.member("filename", ev.filename).member("percent_done", ev.percent_done);
  w.key("process_details").begin_object();
  w.key("cmd_list").begin_array();
  for (const auto& c : ev.cmd_list) w.string(c);
  w.end_array();
  w.member("process_id", ev.process_id).member("state", ev.state);
  if (!ev.time_finished.empty()) w.member("time_finished", ev.time_finished);
  w.member("time_started", ev.time_started);
  w.end_object();
  w.member("state", ev.state);
  w.end_object();
  w.member("id", "none").member("name", "dispatcher").member("namespace", "events");
  w.end_object();
  return w.take();
}

}  // namespace iohyve_api::detail
