// The zfs subcommands that change datasets: set, inherit, create, destroy,
// rename. Each checks everything before changing anything, so a failing
// command leaves the state as it was (`zfs set a=1 b=2 ds` is all or
// nothing, as zfs_prop_set_list() is).
#include <ctime>
#include <set>

#include "options.hpp"
#include "zfs_cli.hpp"
#include "zfs_names.hpp"
#include "zfs_numbers.hpp"
#include "zfs_props.hpp"

namespace fakehost::zfs_cli {

namespace {

// prop=value arguments into (name, value) pairs; false after an error.
bool parse_assignments(const std::vector<std::string>& args, std::vector<std::pair<std::string, std::string>>& out,
                       sink& err) {
  std::set<std::string> seen;
  for (const auto& a : args) {
    std::string prop, value;
    if (!parse_assignment(a, prop, value, err)) return false;
    if (!seen.insert(prop).second) {
      err.print("property '{}' specified multiple times\n", prop);
      return false;
    }
    out.emplace_back(prop, value);
  }
  return true;
}

std::string canonical_prop(const std::string& prop) {
  if (is_user_prop_name(prop)) return prop;
  const native_prop* p = find_native_prop(prop);
  return p ? std::string(p->name) : prop;
}

// Guests whose emulated bhyve is running ("bhyve: ioh-NAME"): their disks
// are open, so zfs refuses to destroy them ("dataset is busy").
std::set<std::string> running_guests(session& s) {
  std::set<std::string> out;
  const std::string prefix = "bhyve: ioh-";
  for (const auto& p : s.host().live_processes())
    if (p.title.compare(0, prefix.size(), prefix) == 0) out.insert(p.title.substr(prefix.size()));
  return out;
}

bool volume_in_use(const dataset& d, const std::set<std::string>& running) {
  if (d.type != ds_type::volume) return false;
  auto parts = split(d.name, '/');
  return parts.size() == 4 && parts[1] == "iohyve" && running.count(parts[2]) > 0;
}

}  // namespace

int do_set(session& s, const arguments& args, streams io) {
  zfs_store& store = s.zfs();
  auto o = parse_options(args, 1, "u");
  if (!o.ok()) return option_error(o, io.err, "set");
  const auto& ops = o.operands;
  if (ops.empty()) {
    io.err.write("missing arguments\n");
    return usage(io.err, "set");
  }
  if (ops.size() < 2) {
    io.err.write(ops[0].find('=') == std::string::npos ? "missing property=value argument(s)\n"
                                                       : "missing dataset name(s)\n");
    return usage(io.err, "set");
  }
  std::size_t ds_start = ops.size();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    bool assignment = ops[i].find('=') != std::string::npos;
    if (assignment && ds_start < ops.size()) {
      io.err.write("invalid argument order\n");
      return usage(io.err, "set");
    }
    if (!assignment && ds_start == ops.size()) ds_start = i;
  }
  if (ds_start == ops.size()) {
    io.err.write("missing dataset name(s)\n");
    return usage(io.err, "set");
  }
  std::vector<std::pair<std::string, std::string>> assignments;
  if (!parse_assignments({ops.begin(), ops.begin() + static_cast<std::ptrdiff_t>(ds_start)}, assignments, io.err))
    return 1;

  int status = 0;
  for (std::size_t i = ds_start; i < ops.size(); ++i) {
    const dataset* target = open_dataset(store, ops[i], type_mask{}, false, io.err);
    if (!target) {
      status = 1;
      continue;
    }
    std::vector<std::pair<std::string, std::string>> stored;
    std::string reason;
    for (const auto& [prop, value] : assignments) {
      std::string v;
      if (!validate_assignment(prop, value, target->type, v, reason)) break;
      stored.emplace_back(canonical_prop(prop), v);
    }
    if (stored.size() != assignments.size()) {
      io.err.print("cannot set property for '{}': {}\n", target->name, reason);
      status = 1;
      continue;
    }
    const std::string name = target->name;
    for (const auto& [prop, value] : stored) {
      if (prop == "volsize") {
        // A non-sparse volume's refreservation follows its size.
        const dataset& d = *store.find(name);
        std::uint64_t old_size = store.volsize(d), new_size = 0;
        parse_u64(value, new_size);
        if (store.refreservation(d) == volsize_to_reservation(old_size, default_volblocksize))
          store.set_local(name, "refreservation",
                          std::to_string(volsize_to_reservation(new_size, default_volblocksize)));
      }
      store.set_local(name, prop, value);
    }
  }
  return status;
}

int do_inherit(session& s, const arguments& args, streams io) {
  zfs_store& store = s.zfs();
  auto o = parse_options(args, 1, "rS");
  if (!o.ok()) return option_error(o, io.err, "inherit");
  if (o.operands.empty()) {
    io.err.write("missing property argument\n");
    return usage(io.err, "inherit");
  }
  if (o.operands.size() < 2) {
    io.err.write("missing dataset argument\n");
    return usage(io.err, "inherit");
  }
  std::string prop = o.operands[0];
  if (is_user_prop_name(prop)) {
    if (!valid_user_prop(prop)) {
      io.err.print("invalid property '{}'\n", prop);
      return usage(io.err, "inherit");
    }
  } else {
    const native_prop* p = find_native_prop(prop);
    if (!p) {
      io.err.print("invalid property '{}'\n", prop);
      return usage(io.err, "inherit");
    }
    if (p->kind == prop_kind::computed || p->kind == prop_kind::fixed) {
      io.err.print("{} property is read-only\n", prop);
      return 1;
    }
    if (!p->inheritable) {
      io.err.print("'{}' property cannot be inherited\n", prop);
      if (p->none_when_zero) {
        io.err.print("use 'zfs set {}=none' to clear\n", prop);
        io.err.print("use 'zfs inherit -S {}' to revert to received value\n", prop);
      }
      return 1;
    }
    prop = std::string(p->name);
  }
  int status = 0;
  for (std::size_t i = 1; i < o.operands.size(); ++i) {
    const dataset* target = open_dataset(store, o.operands[i], type_mask{}, false, io.err);
    if (!target) {
      status = 1;
      continue;
    }
    std::vector<std::string> names{target->name};
    if (o.has('r'))
      for (const dataset* c : store.descendants(target->name)) names.push_back(c->name);
    for (const auto& n : names) store.unset_local(n, prop);
  }
  return status;
}

int do_create(session& s, const arguments& args, streams io) {
  zfs_store& store = s.zfs();
  auto o = parse_options(args, 1, "PV:b:nso:puv");
  if (!o.ok()) return option_error(o, io.err, "create");
  const bool volume = o.has('V');
  std::uint64_t size = 0;
  if (volume) {
    std::string why;
    auto n = parse_zfs_size(o.value('V'), why);
    if (!n) {
      io.err.print("bad volume size '{}': {}\n", o.value('V'), why);
      return 1;
    }
    size = *n;
  }
  if (o.has('b')) {
    std::string why;
    if (!parse_zfs_size(o.value('b'), why)) {
      io.err.print("bad volume block size '{}': {}\n", o.value('b'), why);
      return 1;
    }
  }
  std::vector<std::pair<std::string, std::string>> assignments;
  if (!parse_assignments(o.values('o'), assignments, io.err)) return 1;
  if (o.operands.empty()) {
    io.err.print("missing {} argument\n", volume ? "volume" : "filesystem");
    return usage(io.err, "create");
  }
  if (o.operands.size() > 1) {
    io.err.write("too many arguments\n");
    return usage(io.err, "create");
  }
  const std::string name = o.operands[0];
  const ds_type type = volume ? ds_type::volume : ds_type::filesystem;

  // zfs_do_create opens the pool first to size the reservation of a
  // non-sparse volume: `zfs create -V 5G /iohyve/x/disk1` fails right here
  // with "cannot open '': name must begin with a letter".
  if (volume && !o.has('s')) {
    std::string pool = zfs_store::pool_name(name);
    if (auto why = pool_name_error(pool)) {
      io.err.print("cannot open '{}': {}\n", pool, *why);
      return 1;
    }
    if (!store.find_pool(pool)) {
      io.err.print("cannot open '{}': no such pool\n", pool);
      return 1;
    }
  }

  auto fail = [&](const std::string& target, const std::string& why) {
    io.err.print("cannot create '{}': {}\n", target, why);
    return 1;
  };
  // check_parents() in libzfs: name, pool, parent, then the dataset itself.
  auto check = [&](const std::string& target) -> std::optional<std::string> {
    if (auto why = dataset_name_error(target)) return *why;
    if (target.find_first_of("@#") != std::string::npos) return "snapshot delimiter '@' is not expected here";
    if (target.find('/') == std::string::npos) return "missing dataset name";
    std::string pool = zfs_store::pool_name(target);
    if (!store.find_pool(pool)) return "no such pool '" + pool + "'";
    const dataset* parent = store.find(zfs_store::parent_name(target));
    if (!parent) return "parent does not exist";
    if (parent->type != ds_type::filesystem) return "parent is not a filesystem";
    if (store.find(target)) return "dataset already exists";
    return std::nullopt;
  };

  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  if (o.has('p') && !dataset_name_error(name)) {
    if (store.find(name)) return 0;
    // zfs_create_ancestors(): the missing filesystems above name.
    auto parts = split(name, '/');
    std::string prefix = parts[0];
    for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
      prefix += "/" + parts[i];
      if (store.find(prefix)) continue;
      if (auto why = check(prefix)) return fail(prefix, *why);
      if (!o.has('n')) store.create(prefix, ds_type::filesystem, {}, now);
    }
  }
  if (auto why = check(name)) return fail(name, *why);

  std::map<std::string, std::string> props;
  for (const auto& [prop, value] : assignments) {
    std::string stored, why;
    if (!validate_assignment(prop, value, type, stored, why)) return fail(name, why);
    props[canonical_prop(prop)] = stored;
  }
  if (volume) {
    if (size == 0) return fail(name, "volume size cannot be zero");
    if (size % default_volblocksize != 0) return fail(name, "volume size must be a multiple of volume block size");
    props["volsize"] = std::to_string(size);
    if (!o.has('s') && !props.count("refreservation"))
      props["refreservation"] = std::to_string(volsize_to_reservation(size, default_volblocksize));
  }
  if (o.has('n')) return 0;
  store.create(name, type, std::move(props), now);
  return 0;
}

int do_destroy(session& s, const arguments& args, streams io) {
  zfs_store& store = s.zfs();
  auto o = parse_options(args, 1, "vpndfrR");
  if (!o.ok()) return option_error(o, io.err, "destroy");
  if (o.operands.empty()) {
    io.err.write("missing dataset argument\n");
    return usage(io.err, "destroy");
  }
  if (o.operands.size() > 1) {
    io.err.write("too many arguments\n");
    return usage(io.err, "destroy");
  }
  const std::string& arg = o.operands[0];
  auto at = arg.find_first_of("@#");
  if (at != std::string::npos) {
    // No snapshots or bookmarks are emulated.
    if (!open_dataset(store, arg.substr(0, at), type_mask{}, false, io.err)) return 1;
    io.err.write("could not find any snapshots to destroy; check snapshot names.\n");
    return 1;
  }
  const dataset* target = open_dataset(store, arg, type_mask{}, false, io.err);
  if (!target) return 1;
  const bool recursive = o.has('r') || o.has('R');
  const bool pool_root = target->name.find('/') == std::string::npos;
  if (pool_root && !recursive) {
    io.err.print("cannot destroy '{0}': operation does not apply to pools\n"
                 "use 'zfs destroy -r {0}' to destroy all datasets in the pool\n"
                 "use 'zpool destroy {0}' to destroy the pool itself\n",
                 target->name);
    return 1;
  }
  auto below = store.descendants(target->name);
  if (!below.empty() && !recursive) {
    io.err.print("cannot destroy '{}': {} has children\n", target->name,
                 target->type == ds_type::volume ? "volume" : "filesystem");
    io.err.write("use '-r' to destroy the following datasets:\n");
    for (const dataset* d : below) io.err.print("{}\n", d->name);
    return 1;
  }
  std::vector<std::string> doomed;
  for (auto it = below.rbegin(); it != below.rend(); ++it) doomed.push_back((*it)->name);
  if (!pool_root) doomed.push_back(target->name);
  auto running = running_guests(s);
  for (const auto& n : doomed) {
    if (volume_in_use(*store.find(n), running)) {
      io.err.print("cannot destroy '{}': dataset is busy\n", n);
      return 1;
    }
  }
  if (o.has('n')) {
    if (o.has('v'))
      for (const auto& n : doomed) io.out.print("would destroy {}\n", n);
    return 0;
  }
  for (const auto& n : doomed) {
    if (o.has('v')) io.out.print("will destroy {}\n", n);
    store.destroy(n);
  }
  return 0;
}

int do_rename(session& s, const arguments& args, streams io) {
  zfs_store& store = s.zfs();
  auto o = parse_options(args, 1, "fpur");
  if (!o.ok()) return option_error(o, io.err, "rename");
  if (o.operands.empty()) {
    io.err.write("missing source dataset argument\n");
    return usage(io.err, "rename");
  }
  if (o.operands.size() < 2) {
    io.err.write("missing target dataset argument\n");
    return usage(io.err, "rename");
  }
  if (o.operands.size() > 2) {
    io.err.write("too many arguments\n");
    return usage(io.err, "rename");
  }
  const dataset* source = open_dataset(store, o.operands[0], type_mask{}, false, io.err);
  if (!source) return 1;
  const std::string from = source->name;
  const std::string to = o.operands[1];
  auto fail = [&](const std::string& why) {
    io.err.print("cannot rename to '{}': {}\n", to, why);
    return 1;
  };
  if (auto why = dataset_name_error(to)) return fail(*why);
  if (zfs_store::pool_name(from) != zfs_store::pool_name(to) || from.find('/') == std::string::npos)
    return fail("datasets must be within same pool");
  if (to.compare(0, from.size() + 1, from + "/") == 0)
    return fail("New dataset name cannot be a descendant of current dataset name");
  if (store.find(to)) return fail("dataset already exists");
  std::string parent = zfs_store::parent_name(to);
  if (!store.find(parent)) {
    if (!o.has('p')) return fail("parent does not exist");
    auto parts = split(parent, '/');
    std::string prefix = parts[0];
    for (std::size_t i = 1; i < parts.size(); ++i) {
      prefix += "/" + parts[i];
      if (!store.find(prefix))
        store.create(prefix, ds_type::filesystem, {}, static_cast<std::int64_t>(std::time(nullptr)));
    }
  } else if (store.find(parent)->type != ds_type::filesystem) {
    return fail("parent is not a filesystem");
  }
  store.rename(from, to);
  return 0;
}

}  // namespace fakehost::zfs_cli
