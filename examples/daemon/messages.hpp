// What the daemon itself reads from and writes into messages: the few
// fields it needs before a message goes to the library's handler (to route
// events/subscribe and rpc/auth_token, and to log the action), and the
// envelopes it answers on its own (auth, subscribe, refusals). The
// library's handler does everything else.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace iohyve_apid {

struct message_peek {
  bool is_object = false;
  std::string ns;    // "namespace"
  std::string name;  // "name"
  std::string id_json = "\"\"";  // the request's id as JSON text ("" when absent)
  bool has_id = false;
  std::string action;  // args.action (or the body's action): a short lowercase word, else ""
  std::vector<std::string> event_names;  // events/subscribe: args as a string or an array of strings
  std::string token;  // rpc/auth_token: args.token
};

// Reads a WebSocket envelope or a bare REST body; never throws.
message_peek peek_message(std::string_view text);

// {"args":ARGS,"id":ID,"name":"response","namespace":NS}
std::string response_envelope(const message_peek& request, std::string_view ns, std::string_view args_json);

// The error contract's protocol error for a WebSocket message:
// {"args":{"code":"401","message":"Unauthorized","detail":DETAIL},"id":ID,"name":"error","namespace":"error"}
std::string error_envelope(std::string_view id_json, int code, std::string_view detail);

// The same error as a REST body: {"args":{"code":..,"message":..,"detail":..}}
std::string error_body(int code, std::string_view detail);

// A JSON string literal for text (quoted, escaped).
std::string json_string(std::string_view text);

}  // namespace iohyve_apid
