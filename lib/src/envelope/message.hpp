// Parsing of request messages in the three documented forms. This file and
// its .cpp are the only code that sees RapidJSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "actions/args.hpp"
#include "iohyve_api/error.hpp"
#include "iohyve_api/handler.hpp"

namespace iohyve_api::detail {

struct parsed_message {
  message_form form = message_form::websocket;
  std::string id_json;  // the request "id" re-serialized compactly; "" if absent
  std::string ns;       // "sysadm" for the REST forms unless the URI says otherwise
  std::string name;     // "iohyve" likewise
  arg_list args;
};

struct parse_outcome {
  parsed_message message;      // form and id_json are set even on error
  std::optional<iohyve_api::error> error;  // a protocol error (400/413), if any
};

// Limits that keep hostile input cheap.
inline constexpr unsigned max_json_depth = 32;

// Detects the form (a body starting with '{' is JSON: with an "args" key a
// WebSocket envelope, otherwise a bare REST body; anything else must be the
// REST form "VERB /namespace/name" + optional headers + JSON body), then
// parses strictly: valid UTF-8, no duplicate keys, depth-bounded, one value.
parse_outcome parse_message(std::string_view text);

// Whether parse_message would take text for the REST form with a request
// line ("PUT /sysadm/iohyve ..."), judged by its first bytes only: for
// replying in the right form to a message too large to parse.
bool looks_like_http_request(std::string_view text);

}  // namespace iohyve_api::detail
