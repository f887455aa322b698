// zfs(8) and zpool(8): the dispatcher, the shared argument checks and the
// few zpool queries iohyve makes (`zpool status POOL` in `iohyve setup`).
#include "zfs_cli.hpp"

#include <cctype>
#include <system_error>

#include "options.hpp"
#include "zfs_names.hpp"
#include "zfs_numbers.hpp"
#include "zfs_props.hpp"

namespace fakehost {

namespace zfs_cli {

namespace {

// get_usage() in OpenZFS 2.2's zfs_main.c (without the property table that
// follows for get/set/list: see the fixtures' README).
std::string_view usage_text(std::string_view subcommand) {
  if (subcommand == "create")
    return "\tcreate [-Pnpuv] [-o property=value] ... <filesystem>\n"
           "\tcreate [-Pnpsv] [-b blocksize] [-o property=value] ... -V <size> <volume>\n";
  if (subcommand == "destroy")
    return "\tdestroy [-fnpRrv] <filesystem|volume>\n"
           "\tdestroy [-dnpRrv] <filesystem|volume>@<snap>[%<snap>][,...]\n"
           "\tdestroy <filesystem|volume>#<bookmark>\n";
  if (subcommand == "get")
    return "\tget [-rHp] [-d max] [-o \"all\" | field[,...]]\n"
           "\t    [-t type[,...]] [-s source[,...]]\n"
           "\t    <\"all\" | property[,...]> [filesystem|volume|snapshot|bookmark] ...\n";
  if (subcommand == "inherit") return "\tinherit [-rS] <property> <filesystem|volume|snapshot> ...\n";
  if (subcommand == "list")
    return "\tlist [-Hp] [-r|-d max] [-o property[,...]] [-s property]...\n"
           "\t    [-S property]... [-t type[,...]] [filesystem|volume|snapshot] ...\n";
  if (subcommand == "rename")
    return "\trename [-f] <filesystem|volume|snapshot> <filesystem|volume|snapshot>\n"
           "\trename -p [-f] <filesystem|volume> <filesystem|volume>\n"
           "\trename -u [-f] <filesystem> <filesystem>\n"
           "\trename -r <snapshot> <snapshot>\n";
  if (subcommand == "set") return "\tset [-u] <property=value> ... <filesystem|volume|snapshot> ...\n";
  return "";
}

int general_usage(sink& err) {
  err.write(
      "usage: zfs command args ...\n"
      "where 'command' is one of the following:\n\n"
      "\tversion\n\n");
  for (std::string_view c : {"create", "destroy", "rename", "list", "set", "get", "inherit"}) err.write(usage_text(c));
  err.write("\nEach dataset is of the form: pool/[dataset/]*dataset[@name]\n");
  return 2;
}

}  // namespace

int usage(sink& err, std::string_view subcommand) {
  err.write("usage:\n");
  err.write(usage_text(subcommand));
  return 2;
}

int option_error(const parsed_options& o, sink& err, std::string_view subcommand) {
  if (o.unknown)
    err.print("invalid option '{}'\n", o.unknown);
  else
    err.print("missing argument for '{}' option\n", o.missing_argument);
  return usage(err, subcommand);
}

bool parse_types(std::string_view list, type_mask& out, std::string& bad) {
  out = type_mask{false, false, false};
  for (const auto& t : split(list, ',')) {
    if (t == "filesystem") {
      out.filesystem = true;
    } else if (t == "volume") {
      out.volume = true;
    } else if (t == "snapshot" || t == "snap" || t == "bookmark") {
      out.snapshot = true;
    } else if (t == "all") {
      out = type_mask{true, true, true};
    } else {
      bad = t;
      return false;
    }
  }
  return true;
}

const dataset* open_dataset(const zfs_store& store, const std::string& arg, const type_mask& types,
                            bool allow_paths, sink& err) {
  if (allow_paths && !arg.empty() && arg[0] == '/') {
    std::error_code ec;
    if (!std::filesystem::exists(store.host_path(arg), ec)) {
      err.print("cannot open '{}': No such file or directory\n", arg);
      return nullptr;
    }
    const dataset* d = store.mounted_at(arg);
    if (!d) {
      err.print("'{}': not a ZFS filesystem\n", arg);
      return nullptr;
    }
    if (!types.accepts(d->type)) {
      err.print("cannot open '{}': operation not applicable to datasets of this type\n", arg);
      return nullptr;
    }
    return d;
  }
  if (auto why = dataset_name_error(arg)) {
    err.print("cannot open '{}': {}\n", arg, *why);
    return nullptr;
  }
  const dataset* d = arg.find_first_of("@#") == std::string::npos ? store.find(arg) : nullptr;
  if (!d) {
    err.print("cannot open '{}': dataset does not exist\n", arg);
    return nullptr;
  }
  if (!types.accepts(d->type)) {
    err.print("cannot open '{}': operation not applicable to datasets of this type\n", arg);
    return nullptr;
  }
  return d;
}

bool parse_assignment(const std::string& arg, std::string& prop, std::string& value, sink& err) {
  auto eq = arg.find('=');
  if (eq == std::string::npos) {
    err.write("missing '=' for property argument\n");
    return false;
  }
  prop = arg.substr(0, eq);
  value = arg.substr(eq + 1);
  return true;
}

bool validate_assignment(const std::string& prop, const std::string& value, ds_type t, std::string& stored,
                         std::string& reason) {
  if (is_user_prop_name(prop)) {
    if (!valid_user_prop(prop)) {
      reason = "invalid property '" + prop + "'";
      return false;
    }
    if (value.size() >= 8192) {  // ZFS_MAXPROPLEN
      reason = "property value too long";
      return false;
    }
    stored = value;
    return true;
  }
  const native_prop* p = find_native_prop(prop);
  if (!p) {
    reason = "invalid property '" + prop + "'";
    return false;
  }
  if (p->kind == prop_kind::computed || p->kind == prop_kind::fixed) {
    reason = "'" + std::string(p->name) + "' is readonly";
    return false;
  }
  if (!(t == ds_type::volume ? p->volume : p->filesystem)) {
    reason = "'" + std::string(p->name) + "' does not apply to datasets of this type";
    return false;
  }
  if (p->kind == prop_kind::number) {
    if (p->none_when_zero && value == "none") {
      stored = "0";
      return true;
    }
    auto n = parse_zfs_size(value, reason);
    if (!n) return false;
    if (p->name == "volsize") {
      if (*n == 0) {
        reason = "volume size cannot be zero";
        return false;
      }
      if (*n % default_volblocksize != 0) {
        reason = "'volsize' must be a multiple of volume block size (16K)";
        return false;
      }
    }
    stored = std::to_string(*n);
    return true;
  }
  if (p->name == "mountpoint" && value != "none" && value != "legacy" && (value.empty() || value[0] != '/')) {
    reason = "'mountpoint' must be an absolute path, 'none', or 'legacy'";
    return false;
  }
  if (p->name == "volmode" && value != "default" && value != "geom" && value != "dev" && value != "none" &&
      value != "full") {
    reason = "'volmode' must be one of 'default | full | geom | dev | none'";
    return false;
  }
  stored = value;
  return true;
}

}  // namespace zfs_cli

int run_zfs(session& s, const arguments& args, streams io) {
  using namespace zfs_cli;
  if (args.empty()) return general_usage(io.err);
  const std::string& sub = args[0];
  if (sub == "get") return do_get(s, args, io);
  if (sub == "list") return do_list(s, args, io);
  if (sub == "set") return do_set(s, args, io);
  if (sub == "inherit") return do_inherit(s, args, io);
  if (sub == "create") return do_create(s, args, io);
  if (sub == "destroy") return do_destroy(s, args, io);
  if (sub == "rename") return do_rename(s, args, io);
  if (sub == "version") {
    io.out.write("zfs-2.2.0-FreeBSD_g95785196f\nzfs-kmod-2.2.0-FreeBSD_g95785196f\n");
    return 0;
  }
  io.err.print("unrecognized command '{}'\n", sub);
  return general_usage(io.err);
}

namespace {

int zpool_usage(sink& err) {
  err.write(
      "usage: zpool command args ...\n"
      "where 'command' is one of the following:\n\n"
      "\tlist [-gHLpPv] [-o property[,...]] [-T d|u] [pool] ...\n"
      "\t    [interval [count]]\n"
      "\tstatus [-c [script1,script2,...]] [-igLpPstvxD]  [-T d|u] [pool] ...\n"
      "\t    [interval [count]]\n");
  return 2;
}

// zpool_open(): the pool, or nullptr after "cannot open 'x': ...".
const pool* open_pool(const zfs_store& store, const std::string& name, sink& err) {
  if (auto why = pool_name_error(name)) {
    err.print("cannot open '{}': {}\n", name, *why);
    return nullptr;
  }
  const pool* p = store.find_pool(name);
  if (!p) err.print("cannot open '{}': no such pool\n", name);
  return p;
}

}  // namespace

int run_zpool(session& s, const arguments& args, streams io) {
  if (args.empty()) return zpool_usage(io.err);
  const zfs_store& store = s.zfs();
  auto selected = [&](const parsed_options& o, int& status) {
    std::vector<const pool*> out;
    if (o.operands.empty()) {
      for (const auto& p : store.pools()) out.push_back(&p);
      return out;
    }
    for (const auto& name : o.operands) {
      if (const pool* p = open_pool(store, name, io.err))
        out.push_back(p);
      else
        status = 1;
    }
    return out;
  };
  if (args[0] == "status") {
    auto o = parse_options(args, 1, "c:igLpPstvxDT:");
    if (!o.ok()) return zpool_usage(io.err);
    int status = 0;
    auto pools = selected(o, status);
    if (pools.empty() && status == 0) {
      io.err.write("no pools available\n");
      return 0;
    }
    for (std::size_t i = 0; i < pools.size(); ++i) {
      if (i) io.out.write("\n");
      io.out.print(
          "  pool: {0}\n state: ONLINE\nconfig:\n\n"
          "\tNAME        STATE     READ WRITE CKSUM\n"
          "\t{0:<10}  ONLINE       0     0     0\n"
          "\t  ada{1:<6}  ONLINE       0     0     0\n\n"
          "errors: No known data errors\n",
          pools[i]->name, i + 1);
    }
    return status;
  }
  if (args[0] == "list") {
    auto o = parse_options(args, 1, "gHLpPvo:T:");
    if (!o.ok()) return zpool_usage(io.err);
    int status = 0;
    auto pools = selected(o, status);
    bool scripted = o.has('H');
    auto fields = split(o.value('o', "name,size,alloc,free,health"), ',');
    if (!scripted) {
      std::vector<std::string> header;
      for (auto f : fields) {
        for (auto& c : f) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        header.push_back(f);
      }
      io.out.write(join(header, "  ") + "\n");
    }
    for (const pool* p : pools) {
      const dataset* root = store.find(p->name);
      std::uint64_t alloc = root ? store.used(*root) : 0;
      std::vector<std::string> row;
      for (const auto& f : fields) {
        bool raw = o.has('p');
        auto num = [&](std::uint64_t v) { return raw ? std::to_string(v) : nice_bytes(v); };
        if (f == "name") row.push_back(p->name);
        else if (f == "size") row.push_back(num(p->size));
        else if (f == "alloc" || f == "allocated") row.push_back(num(alloc));
        else if (f == "free") row.push_back(num(p->size > alloc ? p->size - alloc : 0));
        else if (f == "health") row.push_back("ONLINE");
        else row.push_back("-");
      }
      io.out.write(join(row, scripted ? "\t" : "  ") + "\n");
    }
    return status;
  }
  io.err.print("unrecognized command '{}'\n", args[0]);
  return zpool_usage(io.err);
}

}  // namespace fakehost
