#include "host_state.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "text.hpp"

namespace fakehost {

void host_state::load_host(std::string_view text) {
  interfaces.clear();
  modules.clear();
  sysctls.clear();
  for (const auto& line : lines(text)) {
    auto f = split(line, '\t');
    if (f.size() >= 5 && f[0] == "iface") {
      net_interface i;
      i.name = unescape_field(f[1]);
      i.up = f[2] == "up";
      i.description = unescape_field(f[3]);
      if (!f[4].empty()) i.members = split(unescape_field(f[4]), ',');
      interfaces.push_back(std::move(i));
    } else if (f.size() >= 2 && f[0] == "module") {
      modules.insert(unescape_field(f[1]));
    } else if (f.size() >= 3 && f[0] == "sysctl") {
      sysctls[unescape_field(f[1])] = unescape_field(f[2]);
    }
  }
}

void host_state::load_procs(std::string_view text) {
  procs.clear();
  for (const auto& line : lines(text)) {
    auto f = split(line, '\t');
    std::uint64_t pid = 0;
    emulated_process p;
    if (f.size() < 3 || !parse_u64(f[0], pid) || !parse_u64(f[1], p.start_time)) continue;
    p.pid = static_cast<pid_t>(pid);
    p.title = unescape_field(f[2]);
    procs.push_back(std::move(p));
  }
}

std::string host_state::serialize_host() const {
  std::string out;
  for (const auto& i : interfaces)
    out += "iface\t" + escape_field(i.name) + "\t" + (i.up ? "up" : "down") + "\t" + escape_field(i.description) +
           "\t" + escape_field(join(i.members, ",")) + "\n";
  for (const auto& m : modules) out += "module\t" + escape_field(m) + "\n";
  for (const auto& [k, v] : sysctls) out += "sysctl\t" + escape_field(k) + "\t" + escape_field(v) + "\n";
  return out;
}

std::string host_state::serialize_procs() const {
  std::string out;
  for (const auto& p : procs)
    out += std::to_string(p.pid) + "\t" + std::to_string(p.start_time) + "\t" + escape_field(p.title) + "\n";
  return out;
}

net_interface* host_state::find_interface(std::string_view name) {
  for (auto& i : interfaces)
    if (i.name == name) return &i;
  return nullptr;
}

const net_interface* host_state::find_interface(std::string_view name) const {
  for (const auto& i : interfaces)
    if (i.name == name) return &i;
  return nullptr;
}

std::string host_state::interface_list() const {
  std::vector<std::string> names;
  for (const auto& i : interfaces) names.push_back(i.name);
  return join(names, " ");
}

std::vector<emulated_process> host_state::live_processes() const {
  std::vector<emulated_process> out;
  for (const auto& p : procs)
    if (process_alive(p)) out.push_back(p);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.pid < b.pid; });
  return out;
}

void host_state::prune_dead() {
  std::erase_if(procs, [](const emulated_process& p) { return !process_alive(p); });
}

void host_state::remove_process(pid_t pid) {
  std::erase_if(procs, [pid](const emulated_process& p) { return p.pid == pid; });
}

std::optional<std::uint64_t> process_start_time(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) return std::nullopt;
  // "pid (comm) S ppid ...": comm may contain spaces and ')', so parse from
  // the last ')'. Field 3 is the state, field 22 the start time.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 1));
  std::string field;
  std::vector<std::string> fields;
  while (rest >> field) fields.push_back(field);
  if (fields.size() < 20) return std::nullopt;
  if (fields[0] == "Z" || fields[0] == "X") return std::nullopt;
  std::uint64_t start = 0;
  if (!parse_u64(fields[19], start)) return std::nullopt;
  return start;
}

bool process_alive(const emulated_process& p) {
  auto start = process_start_time(p.pid);
  return start && *start == p.start_time;
}

}  // namespace fakehost
