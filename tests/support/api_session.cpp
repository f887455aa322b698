#include "api_session.hpp"

namespace iohyve_test {

iohyve_api::host_paths paths_of(const fake_host& host) {
  iohyve_api::host_paths p = iohyve_api::host_paths::from_bin_dir(host.bin_dir());
  p.rc_conf = host.rc_conf();
  p.vmm_dir = host.vmm_dir();
  p.lock_dir = host.lock_dir();
  return p;
}

api_session::api_session(fake_host& host, iohyve_api::process_runner_options runner_options)
    : runner_(runner_options),
      client_(paths_of(host), runner_),
      handler_(client_, [this] {
        iohyve_api::handler_options o;
        o.on_event = [this](const std::string& e) {
          std::lock_guard lock(events_mutex_);
          events_.push_back(e);
        };
        return o;
      }()) {}

iohyve_api::reply api_session::send(const std::string& body) { return handler_.handle(body); }

json_value api_session::args_of(const iohyve_api::reply& r) const {
  const auto d = json_value::parse(r.text);
  if (!d || !d->contains("args")) return {};
  const json_value& a = (*d)["args"];
  if (a.is_object() && a.size() == 1 && !a.contains("code")) return a.members().front().second;
  return a;
}

std::vector<std::string> api_session::events() {
  std::lock_guard lock(events_mutex_);
  return events_;
}

}  // namespace iohyve_test
