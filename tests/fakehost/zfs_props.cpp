#include "zfs_props.hpp"

namespace fakehost {

namespace {

constexpr bool fs = true;
constexpr bool no = false;
constexpr bool vol = true;

}  // namespace

const std::vector<native_prop>& native_props() {
  using k = prop_kind;
  // name, column, filesystem, volume, kind, inheritable, default, none_when_zero
  static const std::vector<native_prop> table = {
      {"type", "TYPE", fs, vol, k::computed, no, ""},
      {"creation", "CREATION", fs, vol, k::computed, no, ""},
      {"used", "USED", fs, vol, k::computed, no, ""},
      {"available", "AVAIL", fs, vol, k::computed, no, ""},
      {"referenced", "REFER", fs, vol, k::computed, no, ""},
      {"compressratio", "RATIO", fs, vol, k::computed, no, ""},
      {"mounted", "MOUNTED", fs, no, k::computed, no, ""},
      {"quota", "QUOTA", fs, no, k::number, no, "none", true},
      {"reservation", "RESERV", fs, vol, k::number, no, "none", true},
      {"volsize", "VOLSIZE", no, vol, k::number, no, ""},
      {"volblocksize", "VOLBLOCK", no, vol, k::fixed, no, "16K"},
      {"recordsize", "RECSIZE", fs, no, k::number, true, "128K"},
      {"mountpoint", "MOUNTPOINT", fs, no, k::text, true, ""},
      {"sharenfs", "SHARENFS", fs, no, k::text, true, "off"},
      {"checksum", "CHECKSUM", fs, vol, k::text, true, "on"},
      {"compression", "COMPRESS", fs, vol, k::text, true, "on"},
      {"atime", "ATIME", fs, no, k::text, true, "on"},
      {"devices", "DEVICES", fs, no, k::text, true, "on"},
      {"exec", "EXEC", fs, no, k::text, true, "on"},
      {"setuid", "SETUID", fs, no, k::text, true, "on"},
      {"readonly", "RDONLY", fs, vol, k::text, true, "off"},
      {"jailed", "JAILED", fs, no, k::text, true, "off"},
      {"snapdir", "SNAPDIR", fs, no, k::text, true, "hidden"},
      {"aclmode", "ACLMODE", fs, no, k::text, true, "discard"},
      {"aclinherit", "ACLINHERIT", fs, no, k::text, true, "restricted"},
      {"createtxg", "CREATETXG", fs, vol, k::computed, no, ""},
      {"canmount", "CANMOUNT", fs, no, k::text, no, "on"},
      {"xattr", "XATTR", fs, no, k::text, true, "on"},
      {"copies", "COPIES", fs, vol, k::text, true, "1"},
      {"version", "VERSION", fs, no, k::computed, no, ""},
      {"utf8only", "UTF8ONLY", fs, no, k::computed, no, ""},
      {"normalization", "NORMALIZATION", fs, no, k::computed, no, ""},
      {"casesensitivity", "CASE", fs, no, k::computed, no, ""},
      {"vscan", "VSCAN", fs, no, k::text, true, "off"},
      {"nbmand", "NBMAND", fs, no, k::text, true, "off"},
      {"sharesmb", "SHARESMB", fs, no, k::text, true, "off"},
      {"refquota", "REFQUOTA", fs, no, k::number, no, "none", true},
      {"refreservation", "REFRESERV", fs, vol, k::number, no, "none", true},
      {"guid", "GUID", fs, vol, k::computed, no, ""},
      {"primarycache", "PRIMARYCACHE", fs, vol, k::text, true, "all"},
      {"secondarycache", "SECONDARYCACHE", fs, vol, k::text, true, "all"},
      {"usedbysnapshots", "USEDSNAP", fs, vol, k::computed, no, ""},
      {"usedbydataset", "USEDDS", fs, vol, k::computed, no, ""},
      {"usedbychildren", "USEDCHILD", fs, vol, k::computed, no, ""},
      {"usedbyrefreservation", "USEDREFRESERV", fs, vol, k::computed, no, ""},
      {"logbias", "LOGBIAS", fs, vol, k::text, true, "latency"},
      {"objsetid", "OBJSETID", fs, vol, k::computed, no, ""},
      {"dedup", "DEDUP", fs, vol, k::text, true, "off"},
      {"mlslabel", "MLSLABEL", fs, vol, k::fixed, no, "none"},
      {"sync", "SYNC", fs, vol, k::text, true, "standard"},
      {"dnodesize", "DNSIZE", fs, no, k::text, true, "legacy"},
      {"refcompressratio", "REFRATIO", fs, vol, k::computed, no, ""},
      {"written", "WRITTEN", fs, vol, k::computed, no, ""},
      {"logicalused", "LUSED", fs, vol, k::computed, no, ""},
      {"logicalreferenced", "LREFER", fs, vol, k::computed, no, ""},
      {"volmode", "VOLMODE", fs, vol, k::text, true, "default"},
      {"filesystem_limit", "FSLIMIT", fs, no, k::fixed, no, "none"},
      {"snapshot_limit", "SSLIMIT", fs, vol, k::fixed, no, "none"},
      {"filesystem_count", "FSCOUNT", fs, no, k::fixed, no, "none"},
      {"snapshot_count", "SSCOUNT", fs, vol, k::fixed, no, "none"},
      {"snapdev", "SNAPDEV", fs, vol, k::text, true, "hidden"},
      {"acltype", "ACLTYPE", fs, no, k::text, true, "nfsv4"},
      {"context", "CONTEXT", fs, vol, k::fixed, no, "none"},
      {"fscontext", "FSCONTEXT", fs, vol, k::fixed, no, "none"},
      {"defcontext", "DEFCONTEXT", fs, vol, k::fixed, no, "none"},
      {"rootcontext", "ROOTCONTEXT", fs, vol, k::fixed, no, "none"},
      {"relatime", "RELATIME", fs, no, k::text, true, "on"},
      {"redundant_metadata", "REDUND_MD", fs, vol, k::text, true, "all"},
      {"overlay", "OVERLAY", fs, no, k::text, true, "on"},
      {"encryption", "ENCRYPTION", fs, vol, k::fixed, no, "off"},
      {"keylocation", "KEYLOCATION", fs, vol, k::fixed, no, "none"},
      {"keyformat", "KEYFORMAT", fs, vol, k::fixed, no, "none"},
      {"pbkdf2iters", "PBKDF2ITERS", fs, vol, k::fixed, no, "0"},
      {"special_small_blocks", "SPECIAL_SMALL_BLOCKS", fs, no, k::text, true, "0"},
      {"prefetch", "PREFETCH", fs, vol, k::text, true, "all"},
  };
  return table;
}

const native_prop* find_native_prop(std::string_view name) {
  for (const auto& p : native_props())
    if (p.name == name) return &p;
  // The abbreviations zfs accepts on the command line.
  static const std::pair<std::string_view, std::string_view> aliases[] = {
      {"avail", "available"},   {"refer", "referenced"}, {"ratio", "compressratio"},
      {"reserv", "reservation"}, {"refreserv", "refreservation"}, {"recsize", "recordsize"},
      {"volblock", "volblocksize"}, {"compress", "compression"}, {"rdonly", "readonly"},
      {"lused", "logicalused"}, {"lrefer", "logicalreferenced"}, {"refratio", "refcompressratio"},
  };
  for (const auto& [alias, full] : aliases)
    if (alias == name) return find_native_prop(full);
  return nullptr;
}

bool valid_user_prop(std::string_view name) {
  bool separator = false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
              c == ':';
    if (!ok) return false;
    if (c == ':') separator = true;
  }
  return separator && name.size() < 256;
}

bool numeric_prop(std::string_view name) {
  static const std::string_view numeric[] = {
      "used", "available", "referenced", "quota", "reservation", "volsize", "volblocksize",
      "recordsize", "createtxg", "refquota", "refreservation", "usedbysnapshots", "usedbydataset",
      "usedbychildren", "usedbyrefreservation", "objsetid", "written", "logicalused",
      "logicalreferenced", "guid", "special_small_blocks", "pbkdf2iters",
  };
  for (auto n : numeric)
    if (n == name) return true;
  return false;
}

}  // namespace fakehost
