// The emulated pools and datasets: what `zfs` reads and changes.
//
// A dataset is a name, a type, a few creation-time numbers and its locally
// set properties; everything else (inherited values, defaults, space
// accounting, mountpoints) is computed the way OpenZFS 2.2 shows it. Space is
// a model (see tests/fixtures/fakehost/README.md, "Space numbers are a
// model"): an empty filesystem refers to 96K plus the bytes of its files, a
// volume to 56K, and a volume's refreservation is what `zfs create -V` sets.
//
// A mounted filesystem's files live in <state>/data/<guid>/; an emulated path
// such as /iohyve/ISO/x.iso/x.iso is mapped there through the mountpoints
// (host_path), so ISO files really exist and renames never move files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fakehost {

enum class ds_type { filesystem, volume };
std::string_view type_name(ds_type t);

struct pool {
  std::string name;
  std::uint64_t size = 0;  // bytes
};

struct dataset {
  std::string name;
  ds_type type = ds_type::filesystem;
  std::uint64_t guid = 0;
  std::uint64_t createtxg = 0;
  std::uint64_t objsetid = 0;
  std::int64_t creation = 0;                  // seconds since the epoch
  std::map<std::string, std::string> local;  // locally set properties; sizes in bytes
};

// Where a property's value comes from (the SOURCE column and `-s`).
enum class prop_source { local, default_value, inherited, received, none };

struct prop_value {
  std::string value;
  prop_source source = prop_source::none;
  std::string inherited_from;  // when source == inherited
  // As `zfs get` prints it: "local", "default", "inherited from X", "-".
  std::string source_text() const;
};

class zfs_store {
 public:
  explicit zfs_store(std::filesystem::path data_root) : data_root_(std::move(data_root)) {}

  void load(std::string_view text);
  std::string serialize() const;

  // Pools.
  const std::vector<pool>& pools() const { return pools_; }
  const pool* find_pool(std::string_view name) const;
  void add_pool(const pool& p);  // also creates its root filesystem

  // Datasets, in strcmp order of their names (the order zfs lists them in).
  const std::map<std::string, dataset>& datasets() const { return datasets_; }
  const dataset* find(std::string_view name) const;
  std::vector<const dataset*> descendants(std::string_view name) const;  // excluding name itself
  std::vector<const dataset*> children(std::string_view name) const;     // direct children only
  static std::string parent_name(std::string_view name);                  // "" for a pool root
  static std::string pool_name(std::string_view name);

  // Creates a dataset with the given local properties; the caller validated
  // everything. Filesystems get their (empty) data directory.
  dataset& create(const std::string& name, ds_type type, std::map<std::string, std::string> props,
                  std::int64_t now);
  // Removes one dataset and its files (not its children).
  void destroy(const std::string& name);
  // Renames a dataset and all its descendants.
  void rename(const std::string& from, const std::string& to);
  // Sets or removes a local property value (sizes as byte counts).
  void set_local(const std::string& name, const std::string& prop, const std::string& value);
  void unset_local(const std::string& name, const std::string& prop);

  // Property values as `zfs get` shows them; nullopt when the property does
  // not apply to this type of dataset. Parsable: raw numbers (-p).
  std::optional<prop_value> get(const dataset& ds, std::string_view prop, bool parsable) const;
  // User properties visible on ds (its own, then inherited), sorted by name.
  std::vector<std::string> user_props(const dataset& ds) const;

  // Effective mountpoint ("/iohyve/ISO", "none", "legacy"); "" for volumes.
  std::string mountpoint(const dataset& ds) const;
  bool mounted(const dataset& ds) const;
  std::filesystem::path storage(const dataset& ds) const;

  // Space accounting (bytes).
  std::uint64_t referenced(const dataset& ds) const;
  std::uint64_t used(const dataset& ds) const;
  std::uint64_t available(const dataset& ds) const;
  std::uint64_t refreservation(const dataset& ds) const;
  std::uint64_t volsize(const dataset& ds) const;

  // The dataset mounted at the longest mountpoint that prefixes path (an
  // absolute emulated path), or nullptr; rest is the remainder ("" or "a/b").
  const dataset* mounted_at(std::string_view path, std::string* rest = nullptr) const;
  // The host file for an emulated path: inside a dataset's data directory
  // when the path is under a mounted filesystem, else the path itself.
  std::filesystem::path host_path(std::string_view path) const;

 private:
  // Every change goes through a member function that calls this: the
  // space figures below are memoized until the next change.
  void changed();
  std::uint64_t file_bytes(const dataset& ds) const;
  std::uint64_t logical_referenced(const dataset& ds) const;
  std::uint64_t logical_used(const dataset& ds) const;

  std::filesystem::path data_root_;
  std::vector<pool> pools_;
  std::map<std::string, dataset> datasets_;
  std::uint64_t txg_ = 1;
  std::uint64_t next_objset_ = 50;
  mutable std::map<std::uint64_t, std::uint64_t> file_bytes_cache_;
  mutable std::map<std::string, std::uint64_t> used_cache_;
  mutable std::map<std::string, std::uint64_t> available_cache_;
};

// Lexically normalized absolute path: no "//", ".", ".." or trailing "/".
std::string normalize_path(std::string_view path);

}  // namespace fakehost
