// Where the tools and files the library touches live. Tools are never looked
// up on PATH: every path is absolute and explicit.
#pragma once

#include <string>

#include "iohyve_api/export.hpp"

namespace iohyve_api {

struct IOHYVE_API host_paths {
  std::string iohyve = "/usr/local/sbin/iohyve";
  std::string zfs = "/sbin/zfs";
  std::string pgrep = "/bin/pgrep";
  std::string bhyvectl = "/usr/sbin/bhyvectl";
  std::string rc_conf = "/etc/rc.conf";
  std::string vmm_dir = "/dev/vmm";  // holds ioh-NAME while a guest is loaded
  // flock(2) files that keep parallel callers (threads or processes) apart
  // on changes to one guest and on host-wide resources (taps, consoles,
  // the ISO a download writes). Made if missing; every caller that changes
  // the same host must use the same directory.
  std::string lock_dir = "/var/run/iohyve-api";

  // All four tools taken from one directory (e.g. an emulated host for tests).
  static host_paths from_bin_dir(const std::string& dir);
};

}  // namespace iohyve_api
