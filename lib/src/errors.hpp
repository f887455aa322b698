// The library's own shorthands for make_error() with the codes it returns
// most, so that each layer does not define its own bad() or failed().
// Private (not installed): a client builds an error with make_error() or
// error{...}; these names are no promise of the public API.
#pragma once

#include <string>
#include <utility>

#include "iohyve_api/error.hpp"

namespace iohyve_api::detail {

// 400: an invalid or missing argument, a malformed message.
inline error bad_request(std::string message) { return make_error(error_code::bad_request, std::move(message)); }

// 404: an unknown guest, disk or ISO.
inline error not_found(std::string message) { return make_error(error_code::not_found, std::move(message)); }

// 409: exists already, is running, is not running, is held by another guest.
inline error conflict(std::string message) { return make_error(error_code::conflict, std::move(message)); }

// 500: a tool ran and failed, printed what it should not, or did not do
// what it reported.
inline error command_failed(std::string message) {
  return make_error(error_code::command_failed, std::move(message));
}

}  // namespace iohyve_api::detail
