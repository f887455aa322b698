// The emulated FreeBSD host: one program, several tools, chosen by the name
// it is invoked by (basename of argv[0]): zfs, zpool, iohyve, pgrep,
// bhyvectl, fetch. Tests link those names to this program in a bin folder;
// the host's state lives in the folder "state" beside it (state.hpp).
//
// Every invocation is logged first (state/invocations.log, one line
// "tool arg1 arg2 ..."), then any injected fault is applied, then the tool
// runs with the state locked.
//
// Invoked as "fakehost" it makes or stops an emulated host for a shell script
// instead (init.hpp): fakehost init DIR [--pool NAME:SIZE]... [--nic NAME]...
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "faults.hpp"
#include "init.hpp"
#include "session.hpp"
#include "state.hpp"
#include "tools.hpp"

namespace {

using fakehost::arguments;
using fakehost::session;
using fakehost::streams;

int dispatch(const std::string& tool, session& s, const arguments& args, streams io) {
  if (tool == "zfs") return fakehost::run_zfs(s, args, io);
  if (tool == "zpool") return fakehost::run_zpool(s, args, io);
  if (tool == "iohyve") return fakehost::run_iohyve(s, args, io);
  if (tool == "pgrep") return fakehost::run_pgrep(s, args, io);
  if (tool == "bhyvectl") return fakehost::run_bhyvectl(s, args, io);
  if (tool == "fetch") return fakehost::run_fetch(s, args, io);
  io.err.print("fakehost: unknown tool '{}' (link this program as zfs, zpool, iohyve, pgrep, bhyvectl or fetch)\n",
               tool);
  return 127;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string argv0 = argc > 0 ? argv[0] : "fakehost";
  const std::string tool = argv0.substr(argv0.rfind('/') + 1);
  const arguments args(argv + (argc > 0 ? 1 : 0), argv + argc);
  if (tool == "fakehost") {
    fakehost::sink out = fakehost::sink::to_fd(1);
    fakehost::sink err = fakehost::sink::to_fd(2);
    return fakehost::run_fakehost_command(args, argv0, streams{out, err});
  }
  auto root = fakehost::locate_state_dir(argv0);
  if (!root) {
    std::fprintf(stderr, "%s: emulated host: no state folder at <dir of %s>/../state\n", tool.c_str(),
                 argv0.c_str());
    return 70;
  }
  const fakehost::state_dir dir(*root);
  dir.log_invocation(tool, args);
  fakehost::apply_fault(dir, tool);

  fakehost::sink out = fakehost::sink::to_fd(1);
  fakehost::sink err = fakehost::sink::to_fd(2);
  try {
    session s(dir);
    return dispatch(tool, s, args, streams{out, err});
  } catch (const std::exception& e) {
    err.print("{}: emulated host failure: {}\n", tool, e.what());
    return 70;
  }
}
