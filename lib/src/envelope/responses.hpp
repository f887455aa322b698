// Serialization of replies: responses, action errors, protocol errors and
// dispatcher events, in the request's form. Keys are emitted sorted, as the
// reference (Qt's QJsonObject) emits them, so output diffs cleanly.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "envelope/message.hpp"
#include "iohyve_api/requests.hpp"
#include "iohyve_api/responses.hpp"
#include "iohyve_api/runner.hpp"

namespace iohyve_api::detail {

// What an action produced, for the writer to shape as documented.
struct echo_outcome {};  // the documented response echoes the request
struct iso_list { std::vector<std::string> names; };
struct setup_state { bool is_setup = false; };
struct version_line { std::string line; };
struct fetch_ticket { std::string command; std::string queueid; };
struct dry_run_plan { std::vector<command> commands; };

using action_outcome =
    std::variant<echo_outcome, std::vector<vm_info>, iso_list, setup_state,
                 std::vector<disk_info>, version_line, std::vector<property_entry>, fetch_ticket,
                 dry_run_plan>;

// The reply text (without HTTP framing) for a successful action.
std::string write_response(const parsed_message& msg, const request& req,
                           const action_outcome& outcome, bool pretty);
// A normal response whose action object carries {"code","error"}.
std::string write_action_error(const parsed_message& msg, std::string_view action,
                               const error& err, bool pretty);
// The reference's error envelope: {"code","detail","message"}, name/namespace "error".
std::string write_protocol_error(const parsed_message& msg, const error& err, bool pretty);

// For the REST form with a request line: status line, headers, body.
std::string frame_http(int status, std::string_view body);

// One dispatcher event of a queued fetchiso (see README, "Events").
struct fetch_event {
  std::string state;  // "running" or "finished"
  std::string filename;
  std::string percent_done;   // "44"; "" when unknown
  std::string download_rate;  // "5120 kBps"; "" when unknown
  std::string time_started;   // ISO 8601, UTC
  std::string time_finished;  // set on "finished"
  std::vector<std::string> cmd_list;
  std::string process_id;  // the queueid
  std::optional<int> exit_status;  // on "finished" (-1: did not run to an exit)
  std::string error;               // on a failed "finished": what went wrong
};
std::string write_event(const fetch_event& ev, bool pretty);

}  // namespace iohyve_api::detail
