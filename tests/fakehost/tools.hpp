// Entry points of the emulated tools. Each takes its arguments (argv[1..]),
// the locked host and where its output goes, and returns its exit status.
// The emulated iohyve calls run_zfs/run_zpool/run_fetch in-process, the way
// the real script runs those commands, with output captured or discarded as
// the script's redirections do.
#pragma once

#include <string>
#include <vector>

#include "session.hpp"
#include "text.hpp"

namespace fakehost {

using arguments = std::vector<std::string>;

int run_zfs(session& s, const arguments& args, streams io);
int run_zpool(session& s, const arguments& args, streams io);
int run_pgrep(session& s, const arguments& args, streams io);
int run_bhyvectl(session& s, const arguments& args, streams io);
int run_iohyve(session& s, const arguments& args, streams io);

// fetch(1) does not keep the host locked while it transfers: it takes what it
// needs (the mountpoints, for output paths under /iohyve) from s, unlocks it
// and relocks it before returning.
int run_fetch(session& s, const arguments& args, streams io);

}  // namespace fakehost
