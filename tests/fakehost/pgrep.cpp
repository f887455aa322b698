// pgrep(1), FreeBSD's usr.bin/pkill/pkill.c: patterns are extended regular
// expressions; -f matches the whole argument list (for bhyve, its title),
// -x requires the match to span it, -l adds the name (with -f: the title);
// each match is followed by the delimiter (-d, default newline); exit 0 when
// something matched, 1 when nothing did, 2 for usage errors, 3 when a
// pattern does not compile.
#include "pgrep.hpp"

#include <regex.h>

#include <algorithm>

#include "options.hpp"
#include "tools.hpp"

namespace fakehost {

namespace {

constexpr const char* command_name = "bhyve";  // p_comm of the emulated guests

int pgrep_usage(sink& err) {
  err.write(
      "usage: pgrep [-LSfilnoqvx] [-d delim] [-F pidfile] [-G gid] [-M core] [-N system]\n"
      "             [-P ppid] [-U uid] [-c class] [-g pgrp] [-j jail]\n"
      "             [-s sid] [-t tty] [-u euid] pattern ...\n");
  return 2;
}

}  // namespace

std::optional<std::vector<emulated_process>> pgrep_match(const host_state& host, const std::string& pattern,
                                                         bool full_args, bool exact, bool ignore_case,
                                                         std::string& error) {
  regex_t re;
  int rc = regcomp(&re, pattern.c_str(), REG_EXTENDED | (ignore_case ? REG_ICASE : 0));
  if (rc != 0) {
    char buf[256];
    regerror(rc, &re, buf, sizeof buf);
    error = buf;
    return std::nullopt;
  }
  std::vector<emulated_process> out;
  for (const auto& p : host.live_processes()) {
    const std::string subject = full_args ? p.title : command_name;
    regmatch_t m;
    if (regexec(&re, subject.c_str(), 1, &m, 0) != 0) continue;
    if (exact && (m.rm_so != 0 || static_cast<std::size_t>(m.rm_eo) != subject.size())) continue;
    out.push_back(p);
  }
  regfree(&re);
  return out;
}

int run_pgrep(session& s, const arguments& args, streams io) {
  auto o = parse_options(args, 0, "DF:G:ILM:N:P:SU:ac:d:fg:ij:lnoqs:t:u:vx");
  if (!o.ok()) {
    if (o.unknown) io.err.print("pgrep: illegal option -- {}\n", o.unknown);
    else io.err.print("pgrep: option requires an argument -- {}\n", o.missing_argument);
    return pgrep_usage(io.err);
  }
  if (o.operands.empty()) return pgrep_usage(io.err);
  const bool full = o.has('f');
  const bool exact = o.has('x');
  const std::string delim = o.value('d', "\n");

  std::vector<emulated_process> matched;
  for (const auto& pattern : o.operands) {
    std::string error;
    auto m = pgrep_match(s.host(), pattern, full, exact, o.has('i'), error);
    if (!m) {
      io.err.print("pgrep: Cannot compile regular expression `{}' ({})\n", pattern, error);
      return 3;
    }
    for (const auto& p : *m)
      if (std::none_of(matched.begin(), matched.end(), [&](const auto& q) { return q.pid == p.pid; }))
        matched.push_back(p);
  }
  if (o.has('v')) {
    std::vector<emulated_process> rest;
    for (const auto& p : s.host().live_processes())
      if (std::none_of(matched.begin(), matched.end(), [&](const auto& q) { return q.pid == p.pid; }))
        rest.push_back(p);
    matched = rest;
  }
  std::sort(matched.begin(), matched.end(), [](const auto& a, const auto& b) { return a.pid < b.pid; });
  if ((o.has('n') || o.has('o')) && !matched.empty()) {
    auto by_start = [](const auto& a, const auto& b) { return a.start_time < b.start_time; };
    auto it = o.has('n') ? std::max_element(matched.begin(), matched.end(), by_start)
                         : std::min_element(matched.begin(), matched.end(), by_start);
    matched = {*it};
  }
  if (!o.has('q')) {
    for (const auto& p : matched) {
      if (o.has('l'))
        io.out.print("{} {}{}", p.pid, full ? p.title : command_name, delim);
      else
        io.out.print("{}{}", p.pid, delim);
    }
  }
  return matched.empty() ? 1 : 0;
}

}  // namespace fakehost
