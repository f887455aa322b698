#include "iohyve_api/requests.hpp"

#include <type_traits>

namespace iohyve_api {
namespace {

template <class T>
constexpr std::string_view name_of() {
  if constexpr (std::is_same_v<T, listvms_request>) return "listvms";
  else if constexpr (std::is_same_v<T, fetchiso_request>) return "fetchiso";
  else if constexpr (std::is_same_v<T, listisos_request>) return "listisos";
  else if constexpr (std::is_same_v<T, renameiso_request>) return "renameiso";
  else if constexpr (std::is_same_v<T, rmiso_request>) return "rmiso";
  else if constexpr (std::is_same_v<T, setup_request>) return "setup";
  else if constexpr (std::is_same_v<T, issetup_request>) return "issetup";
  else if constexpr (std::is_same_v<T, create_request>) return "create";
  else if constexpr (std::is_same_v<T, install_request>) return "install";
  else if constexpr (std::is_same_v<T, start_request>) return "start";
  else if constexpr (std::is_same_v<T, stop_request>) return "stop";
  else if constexpr (std::is_same_v<T, delete_request>) return "delete";
  else if constexpr (std::is_same_v<T, adddisk_request>) return "adddisk";
  else if constexpr (std::is_same_v<T, listdisks_request>) return "listdisks";
  else if constexpr (std::is_same_v<T, resizedisk_request>) return "resizedisk";
  else if constexpr (std::is_same_v<T, deletedisk_request>) return "deletedisk";
  else if constexpr (std::is_same_v<T, version_request>) return "version";
  else if constexpr (std::is_same_v<T, getprops_request>) return "getprops";
  else return "setprop";
}

template <class T>
constexpr bool is_read_only() {
  return std::is_same_v<T, listvms_request> || std::is_same_v<T, listisos_request> ||
         std::is_same_v<T, issetup_request> || std::is_same_v<T, listdisks_request> ||
         std::is_same_v<T, version_request> || std::is_same_v<T, getprops_request>;
}

}  // namespace

std::string_view action_name(const request& req) noexcept {
  return std::visit([](const auto& r) { return name_of<std::decay_t<decltype(r)>>(); }, req);
}

bool changes_host(const request& req) noexcept {
  return std::visit([](const auto& r) { return !is_read_only<std::decay_t<decltype(r)>>(); }, req);
}

}  // namespace iohyve_api
