// The JSON face of the library: takes a request message in any of the
// documented forms and returns the documented response.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "iohyve_api/export.hpp"

namespace iohyve_api {

class client;

enum class access_policy { read_write, read_only };

// How the request arrived; the reply takes the same form.
enum class message_form {
  websocket,  // {"namespace":..,"name":..,"id":..,"args":{..}}
  rest_body,  // a bare JSON body: the whole object is the args
  rest_http,  // "PUT /sysadm/iohyve" request line, optional headers, body
};

// Receives dispatcher event envelopes (one compact JSON text each).
// Called from the handler's worker threads, never concurrently for one task;
// it must be thread-safe if tasks run in parallel, and must not block long.
// (Today the handler also holds one mutex around every sink call, so no two
// calls overlap; a sink that blocks holds up every task's progress.)
using event_sink = std::function<void(const std::string& event_json)>;

// The same progress as the events, as values, for callers that draw it
// (the CLI's --progress bar) rather than forward JSON. Same threads as the
// event sink.
struct IOHYVE_API task_progress {
  std::string queue_id;
  std::string filename;
  int percent_done = -1;      // -1 while unknown
  std::string download_rate;  // as fetch prints it, e.g. "5120 kBps"
  bool finished = false;
  bool succeeded = false;     // when finished
  std::string error;          // when finished without success
};
using progress_observer = std::function<void(const task_progress&)>;

struct IOHYVE_API handler_options {
  access_policy policy = access_policy::read_write;
  bool dry_run = false;        // plan and describe commands, run nothing
  bool pretty = false;         // indented JSON for people
  unsigned max_tasks = 2;      // queued tasks (fetchiso) running at once
  // A request in the REST form ("PUT /sysadm/iohyve" + body) gets an HTTP
  // response (status line, headers, body); false: the JSON body alone, e.g.
  // for line-oriented output where every reply must be one line.
  bool http_replies = true;
  event_sink on_event;         // may be empty: events are dropped
  progress_observer on_progress;  // may be empty
};

struct IOHYVE_API reply {
  message_form form = message_form::websocket;
  int status = 200;     // HTTP status: 200, or the error's code
  bool is_error = false;  // a protocol error or an action error
  std::string text;     // what to send back, in the request's form
};

// Threads. handle() may be called from several threads at once, and
// alongside wait_for_tasks() and cancel_tasks(): it reads only its options
// (fixed at construction) and otherwise goes through the client (safe from
// several threads, see client.hpp), the task queue and the event sink, each
// guarded by its own mutex. iohyve-apid does so from its worker pool. The
// one exception is the destructor: no other member may be running or be
// called while it runs.
//
// Limits. At most handler_options::max_tasks downloads run at once (their
// threads are started on first use); further fetchiso requests wait in a
// queue that the handler does not bound (each needs an ISO name no other
// request holds, 409 otherwise). handle() itself is not limited: a caller
// that must bound concurrent requests (a server) does so itself.
class IOHYVE_API handler {
 public:
  // backend must outlive the handler. Starts no thread.
  handler(client& backend, handler_options options = {});
  // Cancels running tasks: each child is stopped, its partial ISO removed and
  // a final "finished" event sent before the destructor returns.
  // Queued tasks still run, each ending at once as cancelled; so this blocks
  // for the download children to stop (SIGTERM, then SIGKILL after
  // process_runner_options::kill_grace, 2 s by default) and an iohyve rmiso
  // per partial ISO.
  ~handler();
  handler(const handler&) = delete;
  handler& operator=(const handler&) = delete;

  // The whole reply, in the request's form.
  // Never throws for any input (only std::bad_alloc). reply::status is 200
  // or the error's code: 400 malformed message or invalid argument; 403 a
  // change under access_policy::read_only, or a host device (client); 404
  // unknown namespace/name or action, or no such guest, disk or ISO; 409;
  // 413 a message over max_message_bytes; 500, 503, 504 from the tools (the
  // client member of the action documents which it returns).
  // Blocks for as long as the action's client member (client.hpp: from
  // microseconds for a dry run to seconds for start and install, longer
  // while another change of the same guest holds its lock), except fetchiso:
  // that returns once check_fetch() has reserved the name, with a queue id;
  // the download runs on a task thread and reports through events.
  reply handle(std::string_view message);

  // Blocks until every queued task has finished; true if all succeeded.
  // A download may take up to 12 hours unless cancelled. Also clears the
  // cancel request, so that tasks queued later run normally.
  bool wait_for_tasks();
  // Asks running and queued tasks to stop (as the destructor does).
  // Returns at once; wait_for_tasks() waits for them to end.
  void cancel_tasks();

 private:
  struct IOHYVE_HIDDEN impl;
  std::unique_ptr<impl> impl_;
};

// The largest message accepted (413 beyond it).
inline constexpr std::size_t max_message_bytes = 1u << 20;

}  // namespace iohyve_api
