// The emulated iohyve 0.7.9: one C++ function per subcommand, each doing
// what the shell function of the same name in pr1ntf/iohyve's lib/ioh-*
// does — the same messages on stdout, the same zfs commands (run in-process
// through run_zfs with the script's redirections), the same exit status
// (the status of the function's last command, so many failures exit 0).
//
// Where the 0.7.9 source could not be consulted, behaviour follows the
// captured outputs in tests/fixtures/fakehost/iohyve-0.7.9 (and calls.log);
// the places where it had to be guessed say so.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "host_state.hpp"
#include "session.hpp"
#include "text.hpp"
#include "tools.hpp"

namespace fakehost::iohyve {

// "$N" of the script: args[0] is $1 (the subcommand); "" when absent.
std::string positional(const arguments& args, std::size_t n);

// What the script's functions share: the host, its output and the shell
// pipelines it keeps repeating.
class script {
 public:
  script(session& s, streams io) : s_(s), io_(io) {}

  session& host() { return s_; }
  const state_dir& dir() const { return s_.dir(); }
  sink& out() { return io_.out; }
  sink& err() { return io_.err; }
  streams io() { return io_; }

  // $(zfs ARGS): the standard output, errors to iohyve's stderr (or to
  // /dev/null with hide_errors). last_status() holds zfs's exit status.
  std::string zfs(const arguments& args, bool hide_errors = false);
  // zfs ARGS, its output going wherever iohyve's goes.
  int zfs_run(const arguments& args);
  int last_status() const { return last_status_; }

  // The real iohyve is a shell script: between the zfs processes it runs,
  // other invocations see and change the host (it takes no lock). Lets them
  // in here, after a pause of the config's "script_gap_ms" (0 by default),
  // so that parallel callers race as they do on a real host.
  void step_aside();

  // zfs list -H | grep iohyve | cut -d '/' -f 1 | head -n1: the pool
  // iohyve takes when none is named (create, fetch, cpiso, disks...).
  std::string first_pool();
  // zfs list -H -t volume | grep iohyve/$name | cut -d '/' -f 1 | head -n1:
  // the pool of a guest's disks ("" for a guest that does not exist, which
  // turns $pool/iohyve/$name into the path /iohyve/$name).
  std::string volume_pool(const std::string& name);
  // __guest_exist: zfs get -H -s local -o value iohyve:name | grep ^$1$
  bool guest_exists(const std::string& name);
  // zfs get -H -s local -o name,value -t filesystem iohyve:name |
  //   grep "<TAB>$name$" | cut -f1
  std::string guest_dataset(const std::string& name);
  // zfs get -H -o value iohyve:PROP $dataset ($dataset unquoted).
  std::string prop(const std::string& dataset, const std::string& name);
  // Guests: "dataset<TAB>name" for every filesystem with a local iohyve:name.
  std::vector<std::pair<std::string, std::string>> guests();

  // [ -d PATH ] on the emulated host.
  bool is_directory(const std::string& path);
  // pgrep -f PATTERN / pgrep -fx PATTERN.
  std::vector<emulated_process> pgrep(const std::string& pattern, bool exact);
  // [ -e /dev/vmm/ioh-NAME ].
  bool vmm_exists(const std::string& name);

  // The kldstat checks at the start of install and start.
  void kernel_module_warnings();
  // "missing argument" / "usage:" / "\t<usage>", exit status 1.
  int missing_argument(std::string_view usage_line);

 private:
  session& s_;
  streams io_;
  int last_status_ = 0;
};

// lib/ioh-setup
int setup(script& sh, const arguments& args);
// lib/ioh-guest, lib/ioh-console, lib/ioh-tap
int list(script& sh, const arguments& args);
int info(script& sh, const arguments& args);
int create(script& sh, const arguments& args);
int install(script& sh, const arguments& args);
int start(script& sh, const arguments& args);
int stop(script& sh, const arguments& args);
int forcekill(script& sh, const arguments& args);
int destroy(script& sh, const arguments& args);
int rename(script& sh, const arguments& args);
int remove_guest(script& sh, const arguments& args);  // `iohyve delete`
int conlist(script& sh, const arguments& args);
int taplist(script& sh, const arguments& args);
// lib/ioh-disk
int add_disk(script& sh, const arguments& args);
int remove_disk(script& sh, const arguments& args);  // `iohyve remove`
int resize_disk(script& sh, const arguments& args);
int disks(script& sh, const arguments& args);
// lib/ioh-iso, lib/ioh-firmware
int isolist(script& sh, const arguments& args);
int fwlist(script& sh, const arguments& args);
int fetch_iso(script& sh, const arguments& args);
int cpiso(script& sh, const arguments& args);
int renameiso(script& sh, const arguments& args);
int rmiso(script& sh, const arguments& args);
// lib/ioh-zfs
int get(script& sh, const arguments& args);
int set(script& sh, const arguments& args);
int getall(script& sh, const arguments& args);

// Booting a guest (__guest_load, __guest_prepare, bhyve): shared by install
// and start. Returns false when the emulated bhyve could not start.
bool boot_guest(script& sh, const std::string& name, const std::string& dataset, const std::string& boot_media,
                const std::string& cd_media, bool supervised);

}  // namespace fakehost::iohyve
