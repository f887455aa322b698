// iohyve itself (the `iohyve` script and lib/ioh-cmd's __parse_cmd): the
// version, the help text, the dispatcher, and the helpers the lib/ioh-*
// functions share.
#include "iohyve.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <system_error>

#include "guest.hpp"
#include "pgrep.hpp"

namespace fakehost {

namespace iohyve {

std::string positional(const arguments& args, std::size_t n) {
  return n >= 1 && n <= args.size() ? args[n - 1] : std::string();
}

std::string script::zfs(const arguments& args, bool hide_errors) {
  sink captured = sink::capture();
  sink hidden = sink::discard();
  last_status_ = run_zfs(s_, args, streams{captured, hide_errors ? hidden : io_.err});
  return captured.captured();
}

int script::zfs_run(const arguments& args) {
  last_status_ = run_zfs(s_, args, io_);
  return last_status_;
}

void script::step_aside() {
  std::uint64_t gap_ms = 0;
  parse_u64(dir().config("script_gap_ms", "0"), gap_ms);
  s_.unlock();
  if (gap_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
  s_.relock();
}

std::string script::first_pool() {
  auto matching = grep(lines(zfs({"list", "-H"})), "iohyve");
  return matching.empty() ? std::string() : cut_field(matching[0], '/', 1);
}

std::string script::volume_pool(const std::string& name) {
  auto matching = grep(lines(zfs({"list", "-H", "-t", "volume"})), "iohyve/" + name);
  return matching.empty() ? std::string() : cut_field(matching[0], '/', 1);
}

bool script::guest_exists(const std::string& name) {
  return !grep(lines(zfs({"get", "-H", "-s", "local", "-o", "value", "iohyve:name"})), "^" + name + "$").empty();
}

std::string script::guest_dataset(const std::string& name) {
  auto rows = lines(zfs({"get", "-H", "-s", "local", "-o", "name,value", "-t", "filesystem", "iohyve:name"}));
  std::vector<std::string> found;
  for (const auto& row : grep(rows, "\t" + name + "$")) found.push_back(cut_field(row, '\t', 1));
  return join(found, "\n");
}

std::string script::prop(const std::string& dataset, const std::string& name) {
  arguments args{"get", "-H", "-o", "value", "iohyve:" + name};
  for (const auto& w : words(dataset)) args.push_back(w);
  auto value = zfs(args);
  while (!value.empty() && value.back() == '\n') value.pop_back();
  return value;
}

std::vector<std::pair<std::string, std::string>> script::guests() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row : lines(zfs({"get", "-H", "-s", "local,received", "-o", "name,value", "-t", "filesystem",
                                    "iohyve:name"})))
    out.emplace_back(cut_field(row, '\t', 1), cut_field(row, '\t', 2));
  return out;
}

bool script::is_directory(const std::string& path) {
  if (path.empty()) return false;
  std::error_code ec;
  return std::filesystem::is_directory(s_.zfs().host_path(path), ec);
}

std::vector<emulated_process> script::pgrep(const std::string& pattern, bool exact) {
  std::string error;
  auto matched = pgrep_match(s_.host(), pattern, true, exact, false, error);
  if (!matched) {
    io_.err.print("pgrep: Cannot compile regular expression `{}' ({})\n", pattern, error);
    return {};
  }
  return *matched;
}

bool script::vmm_exists(const std::string& name) {
  std::error_code ec;
  return std::filesystem::exists(vmm_file(s_.dir(), "ioh-" + name), ec);
}

void script::kernel_module_warnings() {
  // Reconstructed from formats.md §b.6 (the [sic] "vmmm" is iohyve's).
  const auto& modules = s_.host().modules;
  if (!modules.count("vmm")) {
    io_.out.write("Kernel module vmmm not loaded, use iohyve setup kmod=1 to load it.\n");
    io_.out.write("Guest will likely not boot until it's loaded.\n");
  }
  if (!modules.count("nmdm")) io_.out.write("Kernel module nmdm not loaded.\n");
}

int script::missing_argument(std::string_view usage_line) {
  io_.out.print("missing argument\nusage:\n\t{}\n", usage_line);
  return 1;
}

namespace {

int version(script& sh, const arguments&) {
  sh.out().write("iohyve v0.7.9 2017/06/26 I Believe in You, You Can Do the Thing Edition\n");
  return 0;
}

// __help, verbatim (fixture 02-help, including its space-indented lines).
int help(script& sh, const arguments&) {
  sh.out().write(
      "iohyve  version\n"
      "\tsetup <pool=poolname> [kmod=0|1] [net=iface]\n"
      "\tlist [-l]\n"
      "\tinfo [-vsdl]\n"
      "\tisolist\n"
      "\tfwlist\n"
      "\tfetchiso <URL>\n"
      "\tcpiso <path>\n"
      "\trenameiso <ISO> <newname>\n"
      "\trmiso <ISO>\n"
      "\tfetchfw <URL>\n"
      "\tcpfw <path>\n"
      "\trenamefw <firmware> <newname>\n"
      "\trmfw <firmware>\n"
      "\tcreate <name> <size> [pool]\n"
      "\tinstall <name> <ISO>\n"
      "\tload <name> <path/to/bootdisk>\n"
      "\tboot <name> [runmode] [pcidevices]\n"
      "\tstart <name> [-s | -a]\n"
      "\tstop <name>\n"
      "\tforcekill <name>\n"
      "\tscram\n"
      "\tdestroy <name>\n"
      "\trename <name> <newname>\n"
      "\tdelete [-f] <name>\n"
      "\tset <name> <property=value> ...\n"
      "\tget <name> <prop>\n"
      "\trmprop [-f] <name> <property>\n"
      "\tgetall <name>\n"
      "\tadd <name> <size>\n"
      "\tremove [-f] <name> <diskN>\n"
      "\tresize <name> <diskN> <size>\n"
      "\tdisks <name>\n"
      "\tsnap <name>@<snap>\n"
      "\troll <name>@<snap>\n"
      "\trmsnap [-f] <name>@<snap>\n"
      "\tclone [-r] <name> <clonename>\n"
      "\texport <name>\n"
      "\tsnaplist\n"
      "\ttaplist\n"
      "        tapadd <name> [iface]\n"
      "        tapdel <name> <tap>\n"
      "\tactivetaps\n"
      "\tconlist\n"
      "\tconsole <name>\n"
      "\tconreset\n"
      "\thelp\n");
  return 0;
}

using handler = int (*)(script&, const arguments&);

struct command_entry {
  std::string_view name;
  handler run;  // nullptr: a real iohyve command this emulation leaves out
};

const command_entry commands[] = {
    {"version", version},     {"setup", setup},         {"list", list},
    {"info", info},           {"isolist", isolist},     {"fwlist", fwlist},
    {"fetchiso", fetch_iso},  {"fetch", fetch_iso},     {"cpiso", cpiso},
    {"renameiso", renameiso}, {"rmiso", rmiso},         {"fetchfw", nullptr},
    {"cpfw", nullptr},        {"renamefw", nullptr},    {"rmfw", nullptr},
    {"create", create},       {"install", install},     {"load", nullptr},
    {"boot", nullptr},        {"start", start},         {"uefi", nullptr},
    {"stop", stop},           {"forcekill", forcekill}, {"scram", nullptr},
    {"destroy", destroy},     {"rename", rename},       {"delete", remove_guest},
    {"set", set},             {"get", get},             {"rmprop", nullptr},
    {"getall", getall},       {"fix-bargs", nullptr},   {"add", add_disk},
    {"remove", remove_disk},  {"resize", resize_disk},  {"disks", disks},
    {"snap", nullptr},        {"roll", nullptr},        {"rmsnap", nullptr},
    {"clone", nullptr},       {"export", nullptr},      {"snaplist", nullptr},
    {"taplist", taplist},     {"tapadd", nullptr},      {"tapdel", nullptr},
    {"activetaps", nullptr},  {"conlist", conlist},     {"console", nullptr},
    {"conreset", nullptr},    {"help", help},           {"-h", help},
};

}  // namespace

}  // namespace iohyve

int run_iohyve(session& s, const arguments& args, streams io) {
  iohyve::script sh(s, io);
  if (args.empty()) return iohyve::help(sh, args);
  for (const auto& c : iohyve::commands) {
    if (c.name != args[0]) continue;
    if (!c.run) {
      io.err.print("fakehost: 'iohyve {}' is not emulated\n", args[0]);
      return 1;
    }
    return c.run(sh, args);
  }
  io.out.print("'{}' is not a valid command!\nTry 'iohyve help' for more info.\n", args[0]);
  return 1;
}

}  // namespace fakehost
