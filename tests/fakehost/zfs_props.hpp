// The native ZFS properties the emulation knows, in OpenZFS 2.2's property
// table order (the order `zfs get all` prints them in; see the fixture
// zfs/22-after-set-getall-bsdguest).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fakehost {

enum class prop_kind {
  computed,  // read-only statistic or creation-time value; source "-"
  fixed,     // not settable here, shown with source "default" (encryption, context...)
  number,    // settable size (quota, volsize, recordsize); "none" when 0 if none_when_zero
  text,      // settable string or index value (compression, mountpoint, volmode...)
};

struct native_prop {
  std::string_view name;
  std::string_view column;  // `zfs list` header
  bool filesystem;          // applies to filesystems
  bool volume;              // applies to volumes
  prop_kind kind;
  bool inheritable;
  std::string_view default_value;  // as displayed; empty for computed ones
  bool none_when_zero = false;     // quotas and reservations: 0 prints "none"
};

const std::vector<native_prop>& native_props();
const native_prop* find_native_prop(std::string_view name);

// zfs_prop_user(): lower-case letters, digits, "-_.:" and at least one ':'.
bool valid_user_prop(std::string_view name);
inline bool is_user_prop_name(std::string_view name) { return name.find(':') != std::string_view::npos; }

// Properties that are numbers (right-aligned in `zfs list`, raw with -p).
bool numeric_prop(std::string_view name);

}  // namespace fakehost
