#include "iohyve_api/host.hpp"

namespace iohyve_api {

host_paths host_paths::from_bin_dir(const std::string& dir) {
  host_paths paths;
  std::string base = dir;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  paths.iohyve = base + "/iohyve";
  paths.zfs = base + "/zfs";
  paths.pgrep = base + "/pgrep";
  paths.bhyvectl = base + "/bhyvectl";
  return paths;
}

}  // namespace iohyve_api
