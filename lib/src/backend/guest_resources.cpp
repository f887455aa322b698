#include "backend/guest_resources.hpp"

#include <algorithm>

#include "errors.hpp"

namespace iohyve_api::detail {

namespace {

std::string owner(const guest_resources& g) { return "guest '" + g.name + "' (" + g.dataset + ")"; }

// A pcidev value is a bhyve -s argument without its slot: DEVICE[,BACKING[,OPTIONS]].
struct pcidev_parts {
  std::string_view device, backing;
};

pcidev_parts split_pcidev(std::string_view value) {
  const std::size_t comma = value.find(',');
  if (comma == std::string_view::npos) return {value, {}};
  std::string_view rest = value.substr(comma + 1);
  return {value.substr(0, comma), rest.substr(0, rest.find(','))};
}

// The guest dataset a zvol path belongs to: "/dev/zvol/POOL/iohyve/G/disk1"
// gives "POOL/iohyve/G"; "" for anything else.
std::string_view guest_of_zvol(std::string_view backing) {
  constexpr std::string_view zvol = "/dev/zvol/";
  if (!backing.starts_with(zvol)) return {};
  const std::string_view path = backing.substr(zvol.size());
  const std::size_t pool_end = path.find('/');
  if (pool_end == std::string_view::npos || path.substr(pool_end, 8) != "/iohyve/") return {};
  const std::size_t guest_end = path.find('/', pool_end + 8);
  if (guest_end == std::string_view::npos) return {};
  return path.substr(0, guest_end);
}

bool is_tap_device(std::string_view device) { return device == "virtio-net" || device == "e1000"; }

const guest_resources* other_with_tap(const std::string& dataset, std::string_view tap,
                                      const std::vector<guest_resources>& all) {
  for (const auto& g : all) {
    if (g.dataset == dataset) continue;
    if (std::find(g.taps.begin(), g.taps.end(), tap) != g.taps.end()) return &g;
    for (const auto& p : g.pcidevs) {
      const auto parts = split_pcidev(p);
      if (is_tap_device(parts.device) && parts.backing == tap) return &g;
    }
  }
  return nullptr;
}

const guest_resources* other_with_con(const std::string& dataset, std::string_view con,
                                      const std::vector<guest_resources>& all) {
  for (const auto& g : all)
    if (g.dataset != dataset && !con.empty() && g.con == con) return &g;
  return nullptr;
}

const guest_resources* other_with_backing(const std::string& dataset, std::string_view backing,
                                          const std::vector<guest_resources>& all) {
  for (const auto& g : all) {
    if (g.dataset == dataset) continue;
    for (const auto& p : g.pcidevs)
      if (split_pcidev(p).backing == backing) return &g;
  }
  return nullptr;
}

std::vector<std::string_view> taps_of(std::string_view value) {
  std::vector<std::string_view> taps;
  while (!value.empty() && value != "-") {
    const std::size_t comma = value.find(',');
    const std::string_view entry = value.substr(0, comma);
    taps.push_back(entry.substr(0, entry.find('=')));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return taps;
}

error host_device(const property& p, std::string_view why) {
  return make_error(error_code::forbidden,
                    "iohyve:" + p.name() + "=" + p.value() + " " + std::string(why) +
                        "; only the host's owner can allow that (iohyve-api --allow-host-devices, "
                        "client_options::allow_host_devices)");
}

}  // namespace

std::string shared_with_other_guest(const std::string& dataset, const std::vector<guest_resources>& all) {
  const auto me = std::find_if(all.begin(), all.end(), [&](const guest_resources& g) { return g.dataset == dataset; });
  if (me == all.end()) return {};
  for (const auto& tap : me->taps)
    if (const auto* other = other_with_tap(dataset, tap, all)) return tap + " is also used by " + owner(*other);
  if (const auto* other = other_with_con(dataset, me->con, all)) return me->con + " is also used by " + owner(*other);
  for (const auto& p : me->pcidevs) {
    const auto parts = split_pcidev(p);
    if (parts.backing.empty() || is_tap_device(parts.device)) continue;
    if (const auto* other = other_with_backing(dataset, parts.backing, all))
      return std::string(parts.backing) + " is also used by " + owner(*other);
  }
  return {};
}

status check_resources(const std::string& dataset, const std::vector<property>& properties,
                       const std::vector<guest_resources>& all, bool allow_host_devices) {
  for (const auto& p : properties) {
    if (p.name() == "tap") {
      for (auto tap : taps_of(p.value()))
        if (const auto* other = other_with_tap(dataset, tap, all))
          return conflict(std::string(tap) + " is used by " + owner(*other));
    } else if (p.name() == "con") {
      if (const auto* other = other_with_con(dataset, p.value(), all))
        return conflict(p.value() + " is used by " + owner(*other));
    } else if (p.name().starts_with("pcidev:")) {
      const auto parts = split_pcidev(p.value());
      if (parts.device == "passthru") {
        if (!allow_host_devices) return host_device(p, "passes host PCI hardware through to the guest");
      } else if (is_tap_device(parts.device)) {
        if (const auto* other = other_with_tap(dataset, parts.backing, all))
          return conflict(std::string(parts.backing) + " is used by " + owner(*other));
      } else if (parts.backing.starts_with("/dev/")) {
        const std::string_view volume_owner = guest_of_zvol(parts.backing);
        if (!volume_owner.empty() && volume_owner != dataset) {
          const auto other = std::find_if(all.begin(), all.end(),
                                          [&](const guest_resources& g) { return g.dataset == volume_owner; });
          return conflict(std::string(parts.backing) + " is a volume of " +
                          (other != all.end() ? owner(*other) : "the guest dataset " + std::string(volume_owner)));
        }
        if (volume_owner.empty() && !allow_host_devices)
          return host_device(p, "hands a host device to the guest");
        if (const auto* other = other_with_backing(dataset, parts.backing, all))
          return conflict(std::string(parts.backing) + " is used by " + owner(*other));
      }
    }
  }
  return done{};
}

bool names_host_resources(const std::vector<property>& properties) {
  return std::any_of(properties.begin(), properties.end(), [](const property& p) {
    return p.name() == "tap" || p.name() == "con" || p.name().starts_with("pcidev:");
  });
}

}  // namespace iohyve_api::detail
