#include "iohyve_api/error.hpp"

namespace iohyve_api {

std::string_view code_string(error_code code) noexcept {
  switch (code) {
    case error_code::bad_request: return "400";
    case error_code::forbidden: return "403";
    case error_code::not_found: return "404";
    case error_code::conflict: return "409";
    case error_code::payload_too_large: return "413";
    case error_code::command_failed: return "500";
    case error_code::tool_missing: return "503";
    case error_code::timed_out: return "504";
  }
  return "500";
}

std::string_view reason_phrase(error_code code) noexcept {
  switch (code) {
    case error_code::bad_request: return "Bad Request";
    case error_code::forbidden: return "Forbidden";
    case error_code::not_found: return "Not Found";
    case error_code::conflict: return "Conflict";
    case error_code::payload_too_large: return "Payload Too Large";
    case error_code::command_failed: return "Internal Server Error";
    case error_code::tool_missing: return "Service Unavailable";
    case error_code::timed_out: return "Gateway Timeout";
  }
  return "Internal Server Error";
}

}  // namespace iohyve_api
