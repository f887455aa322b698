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

class IOHYVE_API handler {
 public:
  handler(client& backend, handler_options options = {});
  // Cancels running tasks: each child is stopped, its partial ISO removed and
  // a final "finished" event sent before the destructor returns.
  ~handler();
  handler(const handler&) = delete;
  handler& operator=(const handler&) = delete;

  // The whole reply, in the request's form.
  reply handle(std::string_view message);

  // Blocks until every queued task has finished; true if all succeeded.
  bool wait_for_tasks();
  // Asks running and queued tasks to stop (as the destructor does).
  void cancel_tasks();

 private:
  struct IOHYVE_HIDDEN impl;
  std::unique_ptr<impl> impl_;
};

// The largest message accepted (413 beyond it).
inline constexpr std::size_t max_message_bytes = 1u << 20;

}  // namespace iohyve_api
