// One typed request per action of the API document. Built only from valid
// values (values.hpp), so a request that exists is a request that may run.
#pragma once

#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>
#include <string_view>
#include <variant>
#include <vector>

#include "iohyve_api/values.hpp"

namespace iohyve_api {

// Each request type names its action as the API spells it and says whether
// it changes the host (refused under a read-only policy). Everything else
// per action (argument parsing, dispatch, dry-run plan, response) is found
// by overload on these types, with no generic case: an action added to
// `request` below and forgotten anywhere is a compile error.
struct listvms_request {
  static constexpr std::string_view action = "listvms";
  static constexpr bool changes_host = false;
};
struct fetchiso_request {
  static constexpr std::string_view action = "fetchiso";
  static constexpr bool changes_host = true;
  url source;
};
struct listisos_request {
  static constexpr std::string_view action = "listisos";
  static constexpr bool changes_host = false;
};
struct renameiso_request {
  static constexpr std::string_view action = "renameiso";
  static constexpr bool changes_host = true;
  iso_name source;
  iso_name target;
};
struct rmiso_request {
  static constexpr std::string_view action = "rmiso";
  static constexpr bool changes_host = true;
  iso_name target;
};
struct setup_request {
  static constexpr std::string_view action = "setup";
  static constexpr bool changes_host = true;
  pool_name pool;
  nic_name nic;
};
struct issetup_request {
  static constexpr std::string_view action = "issetup";
  static constexpr bool changes_host = false;
};
struct create_request {
  static constexpr std::string_view action = "create";
  static constexpr bool changes_host = true;
  guest_name name;
  iohyve_api::size disk_size;
};
struct install_request {
  static constexpr std::string_view action = "install";
  static constexpr bool changes_host = true;
  guest_name name;
  iso_name iso;
};
struct start_request {
  static constexpr std::string_view action = "start";
  static constexpr bool changes_host = true;
  guest_name name;
};
struct stop_request {
  static constexpr std::string_view action = "stop";
  static constexpr bool changes_host = true;
  guest_name name;
  bool force = false;
};
struct delete_request {
  static constexpr std::string_view action = "delete";
  static constexpr bool changes_host = true;
  guest_name name;
};
struct adddisk_request {
  static constexpr std::string_view action = "adddisk";
  static constexpr bool changes_host = true;
  guest_name name;
  iohyve_api::size disk_size;
  std::optional<pool_name> pool;  // iohyve's default pool when absent
};
struct listdisks_request {
  static constexpr std::string_view action = "listdisks";
  static constexpr bool changes_host = false;
  guest_name name;
};
struct resizedisk_request {
  static constexpr std::string_view action = "resizedisk";
  static constexpr bool changes_host = true;
  guest_name name;
  disk_name disk;
  iohyve_api::size new_size;
};
struct deletedisk_request {
  static constexpr std::string_view action = "deletedisk";
  static constexpr bool changes_host = true;
  guest_name name;
  disk_name disk;
};
struct version_request {
  static constexpr std::string_view action = "version";
  static constexpr bool changes_host = false;
};
struct getprops_request {
  static constexpr std::string_view action = "getprops";
  static constexpr bool changes_host = false;
  guest_name name;
};
struct setprop_request {
  static constexpr std::string_view action = "setprop";
  static constexpr bool changes_host = true;
  guest_name name;
  std::vector<property> properties;
};

// The table of actions: one alternative per action of the API document.
using request =
    std::variant<listvms_request, fetchiso_request, listisos_request, renameiso_request,
                 rmiso_request, setup_request, issetup_request, create_request, install_request,
                 start_request, stop_request, delete_request, adddisk_request, listdisks_request,
                 resizedisk_request, deletedisk_request, version_request, getprops_request,
                 setprop_request>;

// The action's name as the API spells it ("listvms", "fetchiso", ...).
IOHYVE_API std::string_view action_name(const request& req) noexcept;

// True for actions that change the host (refused under a read-only policy).
IOHYVE_API bool changes_host(const request& req) noexcept;

// Calls f(std::type_identity<T>{}) for each request type T, in the order of
// `request`: for tables derived from it (the action names, parsers).
template <class F>
constexpr void for_each_request_type(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::type_identity<std::variant_alternative_t<I, request>>{}), ...);
  }(std::make_index_sequence<std::variant_size_v<request>>{});
}

}  // namespace iohyve_api
