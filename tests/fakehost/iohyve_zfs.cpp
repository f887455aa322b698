// lib/ioh-zfs: a guest's iohyve:* properties. The dataset is
// $pool/iohyve/$name with $pool taken from the guest's disks, so an unknown
// guest becomes the path /iohyve/NAME, which zfs get resolves (and fails on)
// as a path: fixtures 64 and 66.
#include <algorithm>

#include "iohyve.hpp"

namespace fakehost::iohyve {

// __zfs_get NAME PROP
int get(script& sh, const arguments& args) {
  const std::string name = positional(args, 2), prop = positional(args, 3);
  if (prop.empty()) return sh.missing_argument("get <name> <prop>");
  sh.out().print("Getting {} prop {}...\n", name, prop);
  const std::string pool = sh.volume_pool(name);
  return sh.zfs_run({"get", "-H", "-o", "value", "iohyve:" + prop, pool + "/iohyve/" + name});
}

// __zfs_set NAME PROP=VALUE...: one zfs set per pair; the status of the last.
int set(script& sh, const arguments& args) {
  const std::string name = positional(args, 2);
  if (positional(args, 3).empty()) return sh.missing_argument("set <name> <property=value> ...");
  if (!sh.guest_exists(name)) {
    sh.out().print("Guest {} doesn't exist!\n", name);
    return 1;
  }
  const std::string pool = sh.volume_pool(name);
  int status = 0;
  for (std::size_t i = 2; i < args.size(); ++i) {
    sh.out().print("Setting {} {}...\n", name, args[i]);
    status = sh.zfs_run({"set", "iohyve:" + args[i], pool + "/iohyve/" + name});
  }
  return status;
}

// __zfs_getall NAME:
//   zfs get -o property,value all DS | grep iohyve: | sort | sed -e 's/iohyve://g'
// zfs pads the property column to the longest property name of all, so the
// gap after each name varies (formats.md §b.5). Exit status: sed's, 0.
int getall(script& sh, const arguments& args) {
  const std::string name = positional(args, 2);
  if (name.empty()) return sh.missing_argument("getall <name>");
  sh.out().print("Getting {} iohyve properties...\n", name);
  const std::string pool = sh.volume_pool(name);
  auto rows = grep(lines(sh.zfs({"get", "-o", "property,value", "all", pool + "/iohyve/" + name})), "iohyve:");
  std::sort(rows.begin(), rows.end());
  for (const auto& row : rows) {
    std::string edited;
    for (std::size_t at = 0, next; at < row.size(); at = next + 7) {
      next = row.find("iohyve:", at);
      edited.append(row, at, next == std::string::npos ? std::string::npos : next - at);
      if (next == std::string::npos) break;
    }
    sh.out().write(edited + "\n");
  }
  return 0;
}

}  // namespace fakehost::iohyve
