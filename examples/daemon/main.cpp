// iohyve-apid: serves the TrueOS SysAdm "iohyve" API over REST and WebSocket
// (Unix socket and/or TCP), built on libiohyve-api. This file maps options
// onto the library and the server; server.cpp does the networking.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <cstdio>
#include <string>

#include "host_options.hpp"
#include "iohyve_api/client.hpp"
#include "iohyve_api/handler.hpp"
#include "iohyve_api/runner.hpp"
#include "iohyve_api/version.hpp"
#include "server.hpp"

namespace {

constexpr const char* default_socket = "/var/run/iohyve-apid.sock";

constexpr const char* description =
    "iohyve-apid: serve the TrueOS SysAdm \"iohyve\" API (REST and WebSocket) by driving\n"
    "iohyve, zfs, pgrep and bhyvectl through libiohyve-api. Runs in the foreground and logs\n"
    "one line per request to stderr.\n\n"
    "REST: PUT (or GET, POST) /sysadm/iohyve with the JSON body; the HTTP status is the error code.\n"
    "WebSocket: upgrade on any path; text frames carry envelopes; events/subscribe [\"dispatcher\"]\n"
    "for fetchiso progress.\n\n"
    "Access: on the Unix socket, root and --rw-group members may change the host, --ro-group\n"
    "members may only read, anyone else is refused. On TCP, a bearer token from --tokens\n"
    "(lines 'TOKEN rw' or 'TOKEN ro', file mode 600): 'Authorization: Bearer TOKEN', or on a\n"
    "WebSocket a first message {\"namespace\":\"rpc\",\"name\":\"auth_token\",\"id\":1,\"args\":{\"token\":TOKEN}}.\n"
    "TCP on an address other than loopback needs --tls-cert and --tls-key.\n\n"
    "Examples:\n"
    "  iohyve-apid --socket /var/run/iohyve-apid.sock\n"
    "  curl --unix-socket /var/run/iohyve-apid.sock -X PUT -d '{\"action\":\"listvms\"}' http://localhost/sysadm/iohyve\n"
    "  iohyve-apid --socket /var/run/iohyve-apid.sock --listen 127.0.0.1:8880 --tokens /usr/local/etc/iohyve-apid.tokens\n"
    "  curl -H 'Authorization: Bearer TOKEN' -X PUT -d '{\"action\":\"version\"}' http://127.0.0.1:8880/sysadm/iohyve\n"
    "  websocat -H 'Authorization: Bearer TOKEN' ws://127.0.0.1:8880/\n"
    "  iohyve-apid --listen 192.0.2.10:8443 --tokens FILE --tls-cert cert.pem --tls-key key.pem\n\n"
    "Signals: SIGTERM/SIGINT stop (downloads are cancelled, running requests get --shutdown-timeout),\n"
    "SIGHUP reloads the token file.";

struct daemon_options {
  iohyve_cli::host_options host;
  iohyve_apid::server_config server;
  std::string rw_group = "wheel";
  std::string ro_group = "operator";
  unsigned idle_seconds = 300;
  unsigned request_seconds = 30;
  unsigned shutdown_seconds = 10;
  bool dry_run = false;
};

void add_options(CLI::App& app, daemon_options& o) {
  auto& s = o.server;
  app.add_option("--socket", s.socket_path,
                 std::string("Unix domain socket to serve on (REST and WebSocket); without --socket and\n"
                             "--listen: ") + default_socket)
      ->type_name("PATH");
  app.add_option("--listen", s.listen, "TCP address to serve on (loopback unless TLS is configured)")
      ->type_name("ADDR:PORT");
  app.add_option("--tokens", s.tokens_path, "Bearer tokens for TCP clients: 'TOKEN rw|ro' lines, mode 600")
      ->type_name("FILE");
  app.add_option("--tls-cert", s.tls_cert, "TLS certificate chain (PEM) for the TCP listener")->type_name("FILE");
  app.add_option("--tls-key", s.tls_key, "TLS private key (PEM) for the TCP listener")->type_name("FILE");
  app.add_option("--rw-group", o.rw_group, "Unix socket peers in this group may change the host")
      ->capture_default_str()
      ->type_name("NAME");
  app.add_option("--ro-group", o.ro_group, "Unix socket peers in this group may only read")
      ->capture_default_str()
      ->type_name("NAME");
  app.add_option("--max-connections", s.max_connections, "Connections open at once; more get 503")
      ->type_name("N")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--idle-timeout", o.idle_seconds, "Seconds a WebSocket may stay silent (pings are answered)")
      ->type_name("SECONDS")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  app.add_option("--request-timeout", o.request_seconds,
                 "Seconds to send one HTTP request, or to sit idle between requests")
      ->type_name("SECONDS")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_option("--shutdown-timeout", o.shutdown_seconds, "Seconds running requests get after SIGTERM")
      ->type_name("SECONDS")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  app.add_option("--workers", s.workers, "Threads that run requests (actions may take seconds)")
      ->type_name("N")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--io-threads", s.io_threads, "Threads that do socket I/O")
      ->type_name("N")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_flag("--dry-run", o.dry_run, "Validate requests and answer with the commands they would run; run nothing");
  iohyve_cli::add_host_options(app, o.host);
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);  // a client that goes away is a write error, not the end
  CLI::App app{description, "iohyve-apid"};
  app.set_version_flag("--version", std::string("iohyve-apid ") + std::string(iohyve_api::version_string));
  daemon_options o;
  add_options(app, o);
  if (const auto status = iohyve_cli::parse_command_line(app, argc, argv)) return *status;
  if (o.server.socket_path.empty() && o.server.listen.empty()) o.server.socket_path = default_socket;
  o.server.idle_timeout = std::chrono::seconds(o.idle_seconds);
  o.server.request_timeout = std::chrono::seconds(o.request_seconds);
  o.server.shutdown_timeout = std::chrono::seconds(o.shutdown_seconds);
  o.server.groups.rw_gid = iohyve_apid::group_id(o.rw_group);
  o.server.groups.ro_gid = iohyve_apid::group_id(o.ro_group);
  if (!o.server.socket_path.empty()) {
    if (!o.server.groups.rw_gid)
      std::fprintf(stderr, "iohyve-apid: no group '%s' on this host: only root may change the host\n",
                   o.rw_group.c_str());
    if (!o.server.groups.ro_gid)
      std::fprintf(stderr, "iohyve-apid: no group '%s' on this host: no read-only peers\n", o.ro_group.c_str());
  }

  iohyve_api::process_runner_options runner_options;
  runner_options.timeout = o.host.timeout();
  iohyve_api::process_runner runner(runner_options);
  iohyve_api::client backend(o.host.resolved_paths(), runner, o.host.client());

  iohyve_apid::event_hub events;
  iohyve_api::handler_options options;
  options.dry_run = o.dry_run;
  options.max_tasks = o.host.max_tasks;
  options.http_replies = false;  // HTTP framing is the server's job
  options.on_event = [&events](const std::string& e) { events.publish(e); };
  iohyve_api::handler read_write(backend, options);
  options.policy = iohyve_api::access_policy::read_only;
  iohyve_api::handler read_only(backend, options);
  return iohyve_apid::serve(o.server, read_write, read_only, events);
}
