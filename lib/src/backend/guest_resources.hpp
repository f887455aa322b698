// Host resources guests hold (guest_resources, parsed in zfs_output.hpp): taps,
// null-modem consoles, volumes and host devices named in their properties.
// Pure functions, used to verify create (each guest its own tap and console) and to refuse a
// setprop that would hand a guest what another guest, or the host, owns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "backend/zfs_output.hpp"
#include "iohyve_api/error.hpp"
#include "iohyve_api/values.hpp"

namespace iohyve_api::detail {

// What the guest at `dataset` shares with another guest (a tap, the console,
// or a volume one of its pcidevs uses), as a sentence naming both; "" when
// nothing is shared.
std::string shared_with_other_guest(const std::string& dataset, const std::vector<guest_resources>& all);

// Whether a setprop names a tap, console or pcidev: then it is checked
// against the other guests (check_resources) under the host-wide lock.
bool names_host_resources(const std::vector<property>& properties);

// Checks properties about to be set on the guest at `dataset`: a tap,
// console or volume another guest uses is error{conflict} naming that guest;
// PCI passthrough and any host device or volume that is not one of this
// guest's own zvols is error{forbidden} unless allow_host_devices.
status check_resources(const std::string& dataset, const std::vector<property>& properties,
                       const std::vector<guest_resources>& all, bool allow_host_devices);

}  // namespace iohyve_api::detail
