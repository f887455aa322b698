// One typed request per action of the API document. Built only from valid
// values (values.hpp), so a request that exists is a request that may run.
#pragma once

#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "iohyve_api/values.hpp"

namespace iohyve_api {

struct listvms_request {};
struct fetchiso_request { url source; };
struct listisos_request {};
struct renameiso_request { iso_name source; iso_name target; };
struct rmiso_request { iso_name target; };
struct setup_request { pool_name pool; nic_name nic; };
struct issetup_request {};
struct create_request { guest_name name; iohyve_api::size disk_size; };
struct install_request { guest_name name; iso_name iso; };
struct start_request { guest_name name; };
struct stop_request { guest_name name; bool force = false; };
struct delete_request { guest_name name; };
struct adddisk_request {
  guest_name name;
  iohyve_api::size disk_size;
  std::optional<pool_name> pool;  // iohyve's default pool when absent
};
struct listdisks_request { guest_name name; };
struct resizedisk_request { guest_name name; disk_name disk; iohyve_api::size new_size; };
struct deletedisk_request { guest_name name; disk_name disk; };
struct version_request {};
struct getprops_request { guest_name name; };
struct setprop_request { guest_name name; std::vector<property> properties; };

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

}  // namespace iohyve_api
