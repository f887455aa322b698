// What the read actions return. Actions that change the host return
// iohyve_api::status: their documented response echoes the request.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "iohyve_api/export.hpp"

namespace iohyve_api {

struct IOHYVE_API vm_info {
  std::string name;
  std::string pool;         // the zfs pool the guest lives on
  std::string dataset;      // "tank/iohyve/web"
  // Why this guest cannot be addressed by name, "" when it can: the name is
  // on several pools, the dataset was renamed (its iohyve:name differs), or
  // the name is not a valid guest name. listvms then keys it by dataset.
  std::string conflict;
  std::string description;  // verbatim, spaces kept
  bool rcboot = false;      // iohyve:boot is 1 (starts with the host)
  bool running = false;     // a "bhyve: ioh-NAME" process exists
  bool vmm = false;         // /dev/vmm/ioh-NAME exists (loaded in the kernel)
  friend bool operator==(const vm_info&, const vm_info&) = default;
};

struct IOHYVE_API disk_info {
  std::string name;       // disk0, disk1, ...
  std::string size;       // as zfs prints it: "10G", "1.50G"
  std::uint64_t bytes = 0;
  friend bool operator==(const disk_info&, const disk_info&) = default;
};

struct IOHYVE_API property_entry {
  std::string name;   // without the "iohyve:" prefix
  std::string value;  // verbatim
  // "" for a value set on the guest itself (local or received); for an
  // inherited value, the dataset it is inherited from ("tank/iohyve").
  std::string inherited_from{};
  friend bool operator==(const property_entry&, const property_entry&) = default;
};

}  // namespace iohyve_api
