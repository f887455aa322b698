// lib/ioh-iso and lib/ioh-firmware: installation media are filesystems
// POOL/iohyve/ISO/FILE (mounted at /iohyve/ISO/FILE) holding FILE.
#include <system_error>

#include "iohyve.hpp"

namespace fakehost::iohyve {

namespace {

// zfs list -H | grep iohyve/KIND | cut -f 1 | cut -d '/' -f 4 | sed 1d
int list_media(script& sh, const std::string& kind, const std::string& title) {
  sh.out().write(title);
  auto matching = grep(lines(sh.zfs({"list", "-H"})), "iohyve/" + kind);
  for (std::size_t i = 1; i < matching.size(); ++i)
    sh.out().write(cut_field(cut_field(matching[i], '\t', 1), '/', 4) + "\n");
  return 0;
}

// basename(1)
std::string base_name(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  auto slash = path.rfind('/');
  return slash == std::string::npos || path.size() == 1 ? path : path.substr(slash + 1);
}

}  // namespace

int isolist(script& sh, const arguments&) { return list_media(sh, "ISO", "Listing ISO's...\n"); }

int fwlist(script& sh, const arguments&) { return list_media(sh, "Firmware", "Listing Firmware...\n"); }

// __iso_fetch URL: the dataset first (left behind, empty, when the download
// fails: fixture 08), then `fetch URL -o /iohyve/ISO/NAME` (calls.log).
int fetch_iso(script& sh, const arguments& args) {
  const std::string url = positional(args, 2);
  if (url.empty()) return sh.missing_argument("fetchiso <URL>");
  const std::string pool = sh.first_pool();
  const std::string name = base_name(url);
  sh.out().print("Fetching {}...\n", url);
  sh.zfs_run({"create", pool + "/iohyve/ISO/" + name});
  return run_fetch(sh.host(), {url, "-o", "/iohyve/ISO/" + name}, sh.io());
}

// __iso_cpiso PATH: cp(1) into the new dataset (GNU cp, FreeBSD wording).
int cpiso(script& sh, const arguments& args) {
  const std::string location = positional(args, 2);
  if (location.empty()) return sh.missing_argument("cpiso <path>");
  const std::string pool = sh.first_pool();
  const std::string name = base_name(location);
  sh.out().print("Copying {} from {}...\n", name, location);
  sh.zfs_run({"create", pool + "/iohyve/ISO/" + name});
  const zfs_store& store = sh.host().zfs();
  std::error_code ec;
  auto source = store.host_path(location);
  if (!std::filesystem::is_regular_file(source, ec)) {
    sh.err().print("cp: {}: No such file or directory\n", location);
    return 1;
  }
  auto target = store.host_path("/iohyve/ISO/" + name);
  if (std::filesystem::is_directory(target, ec)) target /= name;
  std::filesystem::copy_file(source, target, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) {
    sh.err().print("cp: /iohyve/ISO/{}: {}\n", name, ec.message());
    return 1;
  }
  return 0;
}

// __iso_rename ISO NEWNAME: mv the file, then zfs rename the dataset.
int renameiso(script& sh, const arguments& args) {
  const std::string iso = positional(args, 2), newname = positional(args, 3);
  // Usage line guessed (the 0.7.9 source was not available; rmiso's says <name>).
  if (newname.empty()) return sh.missing_argument("renameiso <name> <newname>");
  const std::string pool = sh.first_pool();
  sh.out().print("Renaming ISO {} to {}...\n", iso, newname);
  const std::string from = "/iohyve/ISO/" + iso + "/" + iso, to = "/iohyve/ISO/" + iso + "/" + newname;
  const zfs_store& store = sh.host().zfs();
  std::error_code ec;
  std::filesystem::rename(store.host_path(from), store.host_path(to), ec);
  if (ec) sh.err().print("mv: rename {} to {}: No such file or directory\n", from, to);
  return sh.zfs_run({"rename", pool + "/iohyve/ISO/" + iso, pool + "/iohyve/ISO/" + newname});
}

// __iso_delete ISO: zfs destroy -rR.
int rmiso(script& sh, const arguments& args) {
  const std::string name = positional(args, 2);
  if (name.empty()) return sh.missing_argument("rmiso <name>");
  const std::string pool = sh.first_pool();
  sh.out().print("Deleting {}...\n", name);
  return sh.zfs_run({"destroy", "-rR", pool + "/iohyve/ISO/" + name});
}

}  // namespace fakehost::iohyve
