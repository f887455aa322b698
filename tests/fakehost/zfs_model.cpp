#include "zfs_model.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <system_error>

#include "text.hpp"
#include "zfs_numbers.hpp"
#include "zfs_props.hpp"

namespace fakehost {

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t empty_filesystem_bytes = 96 * kib;  // README: "an empty filesystem refers to 96K"
constexpr std::uint64_t empty_volume_bytes = 56 * kib;      // "an empty volume to 56K"
constexpr std::uint64_t empty_filesystem_logical = 42 * kib;
constexpr std::uint64_t empty_volume_logical = 28 * kib;

// Stable synthetic guids (the fixtures' are synthetic too).
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// `zfs get creation`: "%a %b %e %k:%M %Y" in the emulated host's zone, UTC.
std::string format_creation(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char day[32], time[32];
  std::strftime(day, sizeof day, "%a %b %e", &tm);
  std::snprintf(time, sizeof time, "%2d:%02d %d", tm.tm_hour, tm.tm_min, tm.tm_year + 1900);  // %k:%M %Y
  return std::string(day) + " " + time;
}

}  // namespace

std::string_view type_name(ds_type t) { return t == ds_type::volume ? "volume" : "filesystem"; }

std::string prop_value::source_text() const {
  switch (source) {
    case prop_source::local: return "local";
    case prop_source::default_value: return "default";
    case prop_source::inherited: return "inherited from " + inherited_from;
    case prop_source::received: return "received";
    case prop_source::none: return "-";
  }
  return "-";
}

std::string normalize_path(std::string_view path) {
  std::vector<std::string> parts;
  for (const auto& part : split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  return "/" + join(parts, "/");
}

void zfs_store::load(std::string_view text) {
  changed();
  pools_.clear();
  datasets_.clear();
  for (const auto& line : lines(text)) {
    auto f = split(line, '\t');
    if (f.empty()) continue;
    if (f[0] == "txg" && f.size() >= 3) {
      parse_u64(f[1], txg_);
      parse_u64(f[2], next_objset_);
    } else if (f[0] == "pool" && f.size() >= 3) {
      pool p;
      p.name = unescape_field(f[1]);
      parse_u64(f[2], p.size);
      pools_.push_back(p);
    } else if (f[0] == "ds" && f.size() >= 7) {
      dataset d;
      d.name = unescape_field(f[1]);
      d.type = f[2] == "volume" ? ds_type::volume : ds_type::filesystem;
      parse_u64(f[3], d.guid);
      parse_u64(f[4], d.createtxg);
      parse_u64(f[5], d.objsetid);
      std::uint64_t creation = 0;
      parse_u64(f[6], creation);
      d.creation = static_cast<std::int64_t>(creation);
      for (std::size_t i = 7; i < f.size(); ++i) {
        auto eq = f[i].find('=');
        if (eq != std::string::npos) d.local[unescape_field(f[i].substr(0, eq))] = unescape_field(f[i].substr(eq + 1));
      }
      datasets_[d.name] = std::move(d);
    }
  }
}

std::string zfs_store::serialize() const {
  std::string out = "txg\t" + std::to_string(txg_) + "\t" + std::to_string(next_objset_) + "\n";
  for (const auto& p : pools_) out += "pool\t" + escape_field(p.name) + "\t" + std::to_string(p.size) + "\n";
  for (const auto& [name, d] : datasets_) {
    out += "ds\t" + escape_field(name) + "\t" + std::string(type_name(d.type)) + "\t" + std::to_string(d.guid) +
           "\t" + std::to_string(d.createtxg) + "\t" + std::to_string(d.objsetid) + "\t" +
           std::to_string(d.creation);
    for (const auto& [k, v] : d.local) out += "\t" + escape_field(k) + "=" + escape_field(v);
    out += "\n";
  }
  return out;
}

const pool* zfs_store::find_pool(std::string_view name) const {
  for (const auto& p : pools_)
    if (p.name == name) return &p;
  return nullptr;
}

void zfs_store::add_pool(const pool& p) {
  pools_.push_back(p);
  create(p.name, ds_type::filesystem, {}, static_cast<std::int64_t>(std::time(nullptr)));
}

const dataset* zfs_store::find(std::string_view name) const {
  auto it = datasets_.find(std::string(name));
  return it == datasets_.end() ? nullptr : &it->second;
}

void zfs_store::changed() {
  file_bytes_cache_.clear();
  used_cache_.clear();
  available_cache_.clear();
}

void zfs_store::set_local(const std::string& name, const std::string& prop, const std::string& value) {
  auto it = datasets_.find(name);
  if (it == datasets_.end()) return;
  it->second.local[prop] = value;
  changed();
}

void zfs_store::unset_local(const std::string& name, const std::string& prop) {
  auto it = datasets_.find(name);
  if (it == datasets_.end()) return;
  it->second.local.erase(prop);
  changed();
}

std::vector<const dataset*> zfs_store::descendants(std::string_view name) const {
  // "NAME/..." sort together, between "NAME/" and "NAME0" ('0' follows '/').
  std::vector<const dataset*> out;
  const std::string prefix = std::string(name) + "/";
  for (auto it = datasets_.lower_bound(prefix); it != datasets_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it)
    out.push_back(&it->second);
  return out;
}

std::vector<const dataset*> zfs_store::children(std::string_view name) const {
  std::vector<const dataset*> out;
  for (const dataset* d : descendants(name))
    if (parent_name(d->name) == name) out.push_back(d);
  return out;
}

std::string zfs_store::parent_name(std::string_view name) {
  auto slash = name.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(name.substr(0, slash));
}

std::string zfs_store::pool_name(std::string_view name) { return std::string(name.substr(0, name.find('/'))); }

dataset& zfs_store::create(const std::string& name, ds_type type, std::map<std::string, std::string> props,
                           std::int64_t now) {
  changed();
  dataset d;
  d.name = name;
  d.type = type;
  d.createtxg = ++txg_;
  d.objsetid = next_objset_++;
  d.guid = splitmix64(d.objsetid * 7919 + d.createtxg);
  d.creation = now;
  d.local = std::move(props);
  dataset& stored = datasets_[name] = std::move(d);
  if (type == ds_type::filesystem) {
    std::error_code ec;
    fs::create_directories(storage(stored), ec);
  }
  return stored;
}

void zfs_store::destroy(const std::string& name) {
  auto it = datasets_.find(name);
  if (it == datasets_.end()) return;
  changed();
  std::error_code ec;
  fs::remove_all(storage(it->second), ec);
  datasets_.erase(it);
}

void zfs_store::rename(const std::string& from, const std::string& to) {
  changed();
  std::vector<std::string> names{from};
  for (const dataset* d : descendants(from)) names.push_back(d->name);
  for (const auto& old_name : names) {
    auto node = datasets_.extract(old_name);
    node.key() = to + old_name.substr(from.size());
    node.mapped().name = node.key();
    datasets_.insert(std::move(node));
  }
}

fs::path zfs_store::storage(const dataset& ds) const { return data_root_ / std::to_string(ds.guid); }

std::string zfs_store::mountpoint(const dataset& ds) const {
  if (ds.type != ds_type::filesystem) return "";
  // Inherited mountpoints are the ancestor's plus the rest of the name.
  for (const dataset* d = &ds; d; d = find(parent_name(d->name))) {
    auto it = d->local.find("mountpoint");
    if (it == d->local.end()) continue;
    const std::string& base = it->second;
    if (base == "none" || base == "legacy" || d == &ds) return base;
    std::string rest = ds.name.substr(d->name.size() + 1);
    return base == "/" ? "/" + rest : base + "/" + rest;
  }
  return "/" + ds.name;
}

bool zfs_store::mounted(const dataset& ds) const {
  if (ds.type != ds_type::filesystem) return false;
  std::string mp = mountpoint(ds);
  auto canmount = ds.local.find("canmount");
  return mp != "none" && mp != "legacy" && (canmount == ds.local.end() || canmount->second != "off");
}

std::uint64_t zfs_store::file_bytes(const dataset& ds) const {
  if (ds.type != ds_type::filesystem) return 0;
  auto cached = file_bytes_cache_.find(ds.guid);
  if (cached != file_bytes_cache_.end()) return cached->second;
  std::uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(storage(ds), ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  file_bytes_cache_[ds.guid] = total;
  return total;
}

std::uint64_t zfs_store::volsize(const dataset& ds) const {
  std::uint64_t v = 0;
  auto it = ds.local.find("volsize");
  if (it != ds.local.end()) parse_u64(it->second, v);
  return v;
}

std::uint64_t zfs_store::refreservation(const dataset& ds) const {
  std::uint64_t v = 0;
  auto it = ds.local.find("refreservation");
  if (it != ds.local.end()) parse_u64(it->second, v);
  return v;
}

std::uint64_t zfs_store::referenced(const dataset& ds) const {
  return ds.type == ds_type::volume ? empty_volume_bytes : empty_filesystem_bytes + file_bytes(ds);
}

namespace {

std::uint64_t unused_refreservation(std::uint64_t refres, std::uint64_t referenced) {
  return refres > referenced ? refres - referenced : 0;
}

}  // namespace

std::uint64_t zfs_store::used(const dataset& ds) const {
  auto cached = used_cache_.find(ds.name);
  if (cached != used_cache_.end()) return cached->second;
  std::uint64_t total = referenced(ds) + unused_refreservation(refreservation(ds), referenced(ds));
  for (const dataset* c : children(ds.name)) total += used(*c);
  used_cache_[ds.name] = total;
  return total;
}

std::uint64_t zfs_store::available(const dataset& ds) const {
  auto cached = available_cache_.find(ds.name);
  if (cached != available_cache_.end()) return cached->second;
  std::uint64_t avail = 0;
  std::string parent = parent_name(ds.name);
  if (parent.empty()) {
    const pool* p = find_pool(ds.name);
    std::uint64_t size = p ? p->size : 0;
    std::uint64_t u = used(ds);
    avail = size > u ? size - u : 0;
  } else {
    const dataset* pd = find(parent);
    // A reservation not yet used is space only this dataset can use.
    avail = (pd ? available(*pd) : 0) + unused_refreservation(refreservation(ds), referenced(ds));
  }
  available_cache_[ds.name] = avail;
  return avail;
}

std::uint64_t zfs_store::logical_referenced(const dataset& ds) const {
  return ds.type == ds_type::volume ? empty_volume_logical : empty_filesystem_logical + file_bytes(ds);
}

std::uint64_t zfs_store::logical_used(const dataset& ds) const {
  std::uint64_t total = logical_referenced(ds);
  for (const dataset* c : children(ds.name)) total += logical_used(*c);
  return total;
}

std::vector<std::string> zfs_store::user_props(const dataset& ds) const {
  std::vector<std::string> own, inherited;
  for (const auto& [k, v] : ds.local)
    if (is_user_prop_name(k)) own.push_back(k);
  for (const dataset* d = find(parent_name(ds.name)); d; d = find(parent_name(d->name)))
    for (const auto& [k, v] : d->local)
      if (is_user_prop_name(k) && !ds.local.count(k) &&
          std::find(inherited.begin(), inherited.end(), k) == inherited.end())
        inherited.push_back(k);
  std::sort(inherited.begin(), inherited.end());
  own.insert(own.end(), inherited.begin(), inherited.end());
  return own;
}

std::optional<prop_value> zfs_store::get(const dataset& ds, std::string_view prop, bool parsable) const {
  if (is_user_prop_name(prop)) {
    for (const dataset* d = &ds; d; d = find(parent_name(d->name))) {
      auto it = d->local.find(std::string(prop));
      if (it == d->local.end()) continue;
      if (d == &ds) return prop_value{it->second, prop_source::local, ""};
      return prop_value{it->second, prop_source::inherited, d->name};
    }
    return prop_value{"-", prop_source::none, ""};
  }
  const native_prop* p = find_native_prop(prop);
  if (!p || !(ds.type == ds_type::volume ? p->volume : p->filesystem)) return std::nullopt;
  const std::string name(p->name);
  auto number = [&](std::uint64_t v) { return parsable ? std::to_string(v) : nice_bytes(v); };
  auto computed = [&](std::string v) { return prop_value{std::move(v), prop_source::none, ""}; };

  switch (p->kind) {
    case prop_kind::computed: {
      if (name == "type") return computed(std::string(type_name(ds.type)));
      if (name == "creation") return computed(parsable ? std::to_string(ds.creation) : format_creation(ds.creation));
      if (name == "used") return computed(number(used(ds)));
      if (name == "available") return computed(number(available(ds)));
      if (name == "referenced" || name == "usedbydataset" || name == "written")
        return computed(number(referenced(ds)));
      if (name == "compressratio" || name == "refcompressratio") return computed(parsable ? "1.00" : "1.00x");
      if (name == "mounted") return computed(mounted(ds) ? "yes" : "no");
      if (name == "createtxg") return computed(std::to_string(ds.createtxg));
      if (name == "guid") return computed(std::to_string(ds.guid));
      if (name == "objsetid") return computed(std::to_string(ds.objsetid));
      if (name == "version") return computed("5");
      if (name == "utf8only") return computed("off");
      if (name == "normalization") return computed("none");
      if (name == "casesensitivity") return computed("sensitive");
      if (name == "usedbysnapshots") return computed(number(0));
      if (name == "usedbychildren") {
        std::uint64_t total = 0;
        for (const dataset* c : children(ds.name)) total += used(*c);
        return computed(number(total));
      }
      if (name == "usedbyrefreservation")
        return computed(number(unused_refreservation(refreservation(ds), referenced(ds))));
      if (name == "logicalused") return computed(number(logical_used(ds)));
      if (name == "logicalreferenced") return computed(number(logical_referenced(ds)));
      return computed("-");
    }
    case prop_kind::fixed:
      if (name == "volblocksize" && parsable) return prop_value{std::to_string(default_volblocksize), prop_source::default_value, ""};
      return prop_value{std::string(p->default_value), prop_source::default_value, ""};
    case prop_kind::number:
    case prop_kind::text:
      break;
  }

  auto display = [&](const std::string& raw) {
    if (p->kind != prop_kind::number) return raw;
    std::uint64_t v = 0;
    if (!parse_u64(raw, v)) return raw;
    if (v == 0 && p->none_when_zero) return parsable ? std::string("0") : std::string("none");
    return number(v);
  };
  if (name == "mountpoint") {
    std::string mp = mountpoint(ds);
    if (ds.local.count("mountpoint")) return prop_value{mp, prop_source::local, ""};
    for (const dataset* d = find(parent_name(ds.name)); d; d = find(parent_name(d->name)))
      if (d->local.count("mountpoint")) return prop_value{mp, prop_source::inherited, d->name};
    return prop_value{mp, prop_source::default_value, ""};
  }
  auto own = ds.local.find(name);
  if (own != ds.local.end()) return prop_value{display(own->second), prop_source::local, ""};
  if (p->inheritable) {
    for (const dataset* d = find(parent_name(ds.name)); d; d = find(parent_name(d->name))) {
      auto it = d->local.find(name);
      if (it != d->local.end()) return prop_value{display(it->second), prop_source::inherited, d->name};
    }
  }
  std::string def(p->default_value);
  if (parsable && def == "none") def = "0";
  if (parsable && name == "recordsize") def = std::to_string(128 * kib);
  return prop_value{def, prop_source::default_value, ""};
}

const dataset* zfs_store::mounted_at(std::string_view path, std::string* rest) const {
  std::string p = normalize_path(path);
  const dataset* best = nullptr;
  std::size_t best_len = 0;
  for (const auto& [name, d] : datasets_) {
    if (!mounted(d)) continue;
    std::string mp = normalize_path(mountpoint(d));
    bool prefix = p == mp || mp == "/" || (p.size() > mp.size() && p.compare(0, mp.size(), mp) == 0 && p[mp.size()] == '/');
    if (prefix && (!best || mp.size() > best_len)) {
      best = &d;
      best_len = mp.size();
    }
  }
  if (best && rest) {
    *rest = p.size() > best_len ? p.substr(best_len == 1 ? 1 : best_len + 1) : std::string();
  }
  return best;
}

fs::path zfs_store::host_path(std::string_view path) const {
  if (path.empty() || path[0] != '/') return fs::path(path);
  std::string rest;
  const dataset* d = mounted_at(path, &rest);
  if (!d) return fs::path(path);
  return rest.empty() ? storage(*d) : storage(*d) / rest;
}

}  // namespace fakehost
