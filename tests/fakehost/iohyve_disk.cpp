// lib/ioh-disk: a guest's extra disks. The guest and disk names are used as
// unanchored regular expressions throughout, as in the script.
#include <cstdio>

#include "column.hpp"
#include "iohyve.hpp"

namespace fakehost::iohyve {

namespace {

// `zfs get -H all` reduced to what iohyve greps it for: the user properties
// of every dataset (own and inherited), one "name<TAB>prop<TAB>value<TAB>
// source" line each.
std::vector<std::string> all_user_property_lines(script& sh) {
  std::vector<std::string> out;
  const zfs_store& store = sh.host().zfs();
  for (const auto& [name, d] : store.datasets())
    for (const auto& prop : store.user_props(d)) {
      auto v = store.get(d, prop, false);
      out.push_back(name + "\t" + prop + "\t" + v->value + "\t" + v->source_text());
    }
  return out;
}

}  // namespace

// __disk_add NAME SIZE [POOL]: disk<last+1> on POOL (default: the pool of
// the guest's disks), then iohyve:pcidev:<last+1> pointing at it. POOL given
// but empty is used as is (${4-$pool}): the zvol fails and a pcidev for
// /dev/zvol//iohyve/NAME/diskN is set anyway (fixture 72). For an unknown
// guest, expr fails on the empty disk number and every zfs call fails
// (fixture 71).
int add_disk(script& sh, const arguments& args) {
  const std::string name = positional(args, 2), size = positional(args, 3);
  if (size.empty()) return sh.missing_argument("add <name> <size> [pool]");
  const std::string pool = sh.volume_pool(name);
  const std::string newpool = args.size() >= 4 ? args[3] : pool;

  std::vector<std::string> numbers;
  for (const auto& line : grep(lines(sh.zfs({"list", "-H"})), "iohyve/" + name + ".*disk")) {
    std::string disk = cut_field(cut_field(line, '/', 4), '\t', 1);
    numbers.push_back(disk.size() > 4 ? disk.substr(4) : std::string());
  }
  version_sort(numbers);
  std::string newdisk;
  std::uint64_t last = 0;
  if (numbers.empty() || !parse_u64(numbers.back(), last))
    sh.err().write("expr: syntax error\n");
  else
    newdisk = std::to_string(last + 1);

  sh.step_aside();  // zfs list, then zfs create: separate processes
  sh.out().print("Creating new zvol for {}...\n", name);
  sh.zfs({"create", newpool + "/iohyve/" + name}, true);
  sh.zfs_run({"create", "-V", size, "-o", "volmode=dev", newpool + "/iohyve/" + name + "/disk" + newdisk});

  sh.step_aside();
  std::vector<std::string> pcis;
  for (const auto& line : grep(all_user_property_lines(sh), "iohyve/" + name + ".*pcidev"))
    pcis.push_back(cut_field(cut_field(line, '\t', 2), ':', 3));
  version_sort(pcis);
  std::uint64_t lastpci = 0;
  std::string newpci = "1";
  if (!pcis.empty() && parse_u64(pcis.back(), lastpci)) newpci = std::to_string(lastpci + 1);
  return sh.zfs_run({"set",
                     "iohyve:pcidev:" + newpci + "=ahci-hd,/dev/zvol/" + newpool + "/iohyve/" + name + "/disk" +
                         newdisk,
                     pool + "/iohyve/" + name});
}

// __disk_remove [-f] NAME DISK: drop the pcidev that mentions DISK, then
// the volume. Without -f the question goes to /dev/tty.
int remove_disk(script& sh, const arguments& args) {
  const bool force = positional(args, 2) == "-f";
  const std::string name = positional(args, force ? 3 : 2), disk = positional(args, force ? 4 : 3);
  if (disk.empty()) return sh.missing_argument("remove [-f] <name> <diskN>");
  if (force) sh.out().print("Removing {} from {}\n", disk, name);
  std::vector<std::string> pools;
  for (const auto& line : grep(lines(sh.zfs({"list", "-H", "-o", "name"})), name + ".*" + disk))
    pools.push_back(cut_field(line, '/', 1));
  // $pool/iohyve/$name with $pool possibly several lines, unquoted.
  const std::string target = join(pools, "\n") + "/iohyve/" + name;
  arguments get_all{"get", "-H", "all"};
  for (const auto& w : words(target)) get_all.push_back(w);
  std::vector<std::string> props;
  for (const auto& line : grep(lines(sh.zfs(get_all)), "pcidev.*" + disk)) props.push_back(cut_field(line, '\t', 2));
  if (props.empty()) {
    sh.out().write("Not a valid PCIDEV property\n");
    return 0;
  }
  if (!force) {
    std::string answer;
    if (FILE* tty = std::fopen("/dev/tty", "r+")) {
      std::fprintf(tty, "Are you sure you want to remove %s from %s [Y/N]? ", disk.c_str(), name.c_str());
      std::fflush(tty);
      char buf[64] = {};
      if (std::fgets(buf, sizeof buf, tty)) answer = buf;
      std::fclose(tty);
    } else {
      sh.err().write("/usr/local/lib/iohyve/ioh-disk: /dev/tty: No such device or address\n");
    }
    if (answer.empty() || (answer[0] != 'y' && answer[0] != 'Y')) {
      sh.out().write("Not removed...\n");
      return 0;
    }
  }
  arguments inherit{"inherit", "-r"};
  for (const auto& w : words(join(props, "\n") + " " + target)) inherit.push_back(w);
  sh.zfs_run(inherit);
  arguments destroy{"destroy"};
  for (const auto& w : words(target + "/" + disk)) destroy.push_back(w);
  return sh.zfs_run(destroy);
}

// __disk_resize NAME DISK SIZE: only while stopped; also overwrites the
// guest's iohyve:size with SIZE, whichever disk it was (formats.md §b.6).
int resize_disk(script& sh, const arguments& args) {
  const std::string name = positional(args, 2), disk = positional(args, 3), size = positional(args, 4);
  if (size.empty()) return sh.missing_argument("resize <name> <diskN> <size>");
  auto matches = grep(lines(sh.zfs({"list", "-H", "-o", "name"})), "iohyve/" + name + ".*" + disk);
  const std::string pool = matches.empty() ? std::string() : cut_field(matches[0], '/', 1);
  sh.out().print("Resizing {} to {}\n", disk, size);
  if (!sh.is_directory("/iohyve/" + pool + "/" + name) && !sh.is_directory("/iohyve/" + name)) {
    sh.out().write("Not a valid guest name\n");
    return 0;
  }
  if (!sh.pgrep("bhyve: ioh-" + name, true).empty()) {
    sh.out().write("Please stop the guest first\n");
    return 0;
  }
  sh.zfs_run({"set", "volsize=" + size, pool + "/iohyve/" + name + "/" + disk});
  return sh.zfs_run({"set", "iohyve:size=" + size, pool + "/iohyve/" + name});
}

// __disk_disks NAME: a column -t table (which also splits the title line).
int disks(script& sh, const arguments& args) {
  const std::string name = positional(args, 2);
  if (name.empty()) return sh.missing_argument("disks <name>");
  const std::string pool = sh.first_pool();
  if (!sh.is_directory("/iohyve/" + pool + "/" + name) && !sh.is_directory("/iohyve/" + name)) {
    sh.out().write("Not a valid guest name\n");
    return 0;
  }
  std::string table = "Listing disks for " + name + "...\ndiskN\tSize\n";
  for (const auto& line : grep(lines(sh.zfs({"list", "-H", "-o", "name,volsize"})), "iohyve.*" + name + ".*disk", true))
    table += cut_field(line, '/', 4) + "\n";
  sh.out().write(column_table(table));
  return 0;
}

}  // namespace fakehost::iohyve
