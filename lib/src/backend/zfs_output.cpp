// Parsers for zfs's output: `zfs get -H` records (guests, their resources,
// their properties, any dataset's own properties) and `zfs list -H` lines
// (ISO datasets, a guest's disks), and sizes as zfs prints them. Formats are
// those of the project's output-format reference, formats.md (cited as §x.y
// below), checked against the captured runs in tests/fixtures/.
//
// They run on every request, so they slice the input with string_view and
// copy only what they return: no regex, no iostreams, one pass per input.
#include "backend/zfs_output.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <tuple>
#include <utility>

#include "backend/tool_output.hpp"
#include "errors.hpp"
#include "iohyve_api/values.hpp"
#include "text/chars.hpp"
#include "text/decimal.hpp"
#include "text/split.hpp"
#include "try.hpp"

namespace iohyve_api::detail {
namespace {

constexpr std::size_t npos = std::string_view::npos;

// string_view's operator<, inlined (it stayed an out-of-line call).
bool less_text(std::string_view a, std::string_view b) noexcept {
  const int c = std::char_traits<char>::compare(a.data(), b.data(), std::min(a.size(), b.size()));
  return c != 0 ? c < 0 : a.size() < b.size();
}

error unexpected_line(std::string_view command, std::size_t number, std::string_view line) {
  std::string message = "unexpected output from ";
  message.append(command);
  message += ": line ";
  message += std::to_string(number);
  message += ": ";
  message += quoted_output(line);
  return command_failed(std::move(message));
}

// The SOURCE column of zfs get (§f; zprop_print_one_property): "local",
// "received", "default", "-", "temporary", "inherited from DATASET".
enum class source_kind { own, other, unknown };

// It runs for every line of every zfs get: by length first, then one
// fixed-size comparison the compiler inlines (string_view's == and
// starts_with stayed out-of-line calls, a third of getprops' parse).
inline bool same_text(std::string_view s, std::string_view word) noexcept {
  return std::char_traits<char>::compare(s.data(), word.data(), word.size()) == 0;
}

source_kind classify_source(std::string_view source) noexcept {
  constexpr std::string_view inherited = "inherited from ";
  switch (source.size()) {
    case 1: return source[0] == '-' ? source_kind::other : source_kind::unknown;
    case 5: return same_text(source, "local") ? source_kind::own : source_kind::unknown;
    case 7: return same_text(source, "default") ? source_kind::other : source_kind::unknown;
    case 8: return same_text(source, "received") ? source_kind::own : source_kind::unknown;
    case 9: return same_text(source, "temporary") ? source_kind::other : source_kind::unknown;
    default:
      return source.size() > inherited.size() && same_text(source, inherited) ? source_kind::other
                                                                               : source_kind::unknown;
  }
}

// A name zfs prints in a leading field: not empty, no control byte (zfs
// refuses those in dataset and property names). Anything else in a line's
// leading position is the continuation of a value that held a newline.
bool is_plain_field(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

// A zfs property name as `zfs inherit` takes it back: lowercase letters,
// digits and ":._-+" (OpenZFS zfs_prop_user / zprop_valid_char), at most
// 256 bytes (ZAP_MAXNAMELEN).
constexpr std::array<bool, 256> property_name_chars = [] {
  std::array<bool, 256> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (char c : std::string_view(":._-+")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool is_property_name(std::string_view s) noexcept {
  constexpr std::size_t max_property_name = 256;
  // Never a leading '-', which an argv would read as an option.
  if (s.empty() || s.size() > max_property_name || s.front() == '-') return false;
  for (char c : s)
    if (!property_name_chars[static_cast<unsigned char>(c)]) return false;
  return true;
}

// Calls keep(fields, value, line_number) for every record of `zfs get -H`
// output whose columns are N leading fields and the value last. zfs prints
// a value raw, so a value may hold tabs (they stay in it: only the first N
// tabs of a record separate fields) and newlines: a line that is_head()
// does not accept continues the value of the record before it. Output that
// does not start with a record is the error. Empty lines before the first
// record are skipped (a value's own empty lines continue it).
template <std::size_t N, class IsHead, class Keep>
status for_each_zfs_record(std::string_view zfs_output, IsHead is_head, Keep keep) {
  line_reader lines(zfs_output);
  std::string_view line;
  std::array<std::string_view, N> fields{};
  std::string_view value;
  std::size_t record_line = 0;
  bool pending = false;
  while (lines.next(line)) {
    std::array<std::string_view, N + 1> split_fields;
    std::string_view rest = line;
    std::size_t found = 0;
    for (; found < N; ++found) {
      const std::size_t tab = rest.find('\t');
      if (tab == npos) break;
      split_fields[found] = rest.substr(0, tab);
      rest.remove_prefix(tab + 1);
    }
    std::array<std::string_view, N> head{};
    std::copy_n(split_fields.begin(), N, head.begin());
    if (found == N && is_head(head)) {
      if (pending) keep(fields, value, record_line);
      fields = head;
      value = rest;
      record_line = lines.number();
      pending = true;
    } else if (pending) {
      // The value continues: it spans from its start to this line's end.
      value = std::string_view(value.data(), static_cast<std::size_t>(line.data() + line.size() - value.data()));
    } else if (!line.empty()) {
      return unexpected_line("zfs get", lines.number(), line);
    }
  }
  if (pending) keep(fields, value, record_line);
  return done{};
}

// Whether the leading fields of a line (dataset, property, source) start a
// record of `zfs get -H -o name,property,source,value` output. zfs prints
// several records per dataset: a dataset name just seen to be plain is not
// scanned again (a comparison is cheaper than the scan).
class dataset_record_head {
 public:
  bool operator()(const std::array<std::string_view, 3>& f) {
    if (classify_source(f[2]) == source_kind::unknown || !is_plain_field(f[1])) return false;
    if ((f[0].empty() || f[0] != last_plain_) && !is_plain_field(f[0])) return false;
    last_plain_ = f[0];
    return true;
  }

 private:
  std::string_view last_plain_;
};

// Calls keep(fields, value) for every record of `zfs get -H -o
// name,property,source,value` output whose value is the dataset's own
// (local or received): the queries ask for those only; be strict anyway.
template <class Keep>
status for_each_own_record(std::string_view zfs_output, Keep keep) {
  dataset_record_head is_head;
  return for_each_zfs_record<3>(
      zfs_output, is_head, [&](const std::array<std::string_view, 3>& f, std::string_view value, std::size_t) {
        if (classify_source(f[2]) == source_kind::own) keep(f, value);
      });
}

// Finds the entry of `dataset` among rows (each with a .dataset), or end.
// zfs prints a dataset's lines together and datasets sorted: the entry is
// the last one, or a new one goes after it. While rows were appended in
// that order (appended_in_order), a dataset after the last cannot be
// earlier either, so listings stay linear; other input is searched.
template <class Rows>
auto find_dataset_row(Rows& rows, std::string_view dataset, bool appended_in_order) {
  if (rows.empty()) return rows.end();
  if (std::string_view(rows.back().dataset) == dataset) return rows.end() - 1;
  if (appended_in_order && std::string_view(rows.back().dataset) < dataset) return rows.end();
  return std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return std::string_view(r.dataset) == dataset; });
}

// Whether appending `dataset` after rows keeps them in zfs's order.
template <class Rows>
bool appends_in_order(const Rows& rows, std::string_view dataset) {
  return rows.empty() || std::string_view(rows.back().dataset) < dataset;
}

// The entry of `dataset` among rows, a new last one when there is none
// (in_order as for find_dataset_row, kept up to date).
template <class Rows>
auto find_or_append_row(Rows& rows, std::string_view dataset, bool& in_order) {
  auto it = find_dataset_row(rows, dataset, in_order);
  if (it != rows.end()) return it;
  in_order = in_order && appends_in_order(rows, dataset);
  rows.emplace_back();
  rows.back().dataset = dataset;
  return rows.end() - 1;
}

// One dataset's iohyve properties, as views into the zfs output.
struct dataset_props {
  std::string_view dataset;
  std::string_view name, boot, description;
  bool has_name = false;
};

void record_property(dataset_props& props, std::string_view property, std::string_view value) {
  if (property == "iohyve:name") {
    props.name = value;
    props.has_name = true;
  } else if (property == "iohyve:boot") {
    props.boot = value;
  } else if (property == "iohyve:description") {
    props.description = value;
  }  // other properties were not asked for: ignore them
}

// The rows of datasets with an own property of the guest-records query,
// one per dataset (zfs prints one dataset's lines together; lines of one
// dataset that are apart are merged, later ones winning).
// With `only`, a record is kept only if it may belong to a guest answering
// to that name: its dataset ends in "/NAME", it sets iohyve:name to NAME, or
// its dataset is already kept (zfs prints iohyve:name first, as asked).
result<std::vector<dataset_props>> dataset_rows(std::string_view zfs_output,
                                                std::optional<std::string_view> only = std::nullopt) {
  std::vector<dataset_props> rows;
  bool in_order = true;
  const status parsed =
      for_each_own_record(zfs_output, [&](const std::array<std::string_view, 3>& f, std::string_view value) {
        if (only && !(f[0].size() > only->size() && f[0].ends_with(*only) && f[0][f[0].size() - only->size() - 1] == '/') &&
            !(f[1] == "iohyve:name" && value == *only) && (rows.empty() || rows.back().dataset != f[0]) &&
            std::none_of(rows.begin(), rows.end(), [&](const dataset_props& r) { return r.dataset == f[0]; }))
          return;
        record_property(*find_or_append_row(rows, f[0], in_order), f[1], value);
      });
  if (!parsed) return parsed.error();
  return rows;
}

struct guest_view {
  std::string_view dataset, pool, name, boot, description, iohyve_name;
};

// POOL/iohyve/NAME with an own iohyve:name, or nullopt.
std::optional<guest_view> as_guest(const dataset_props& props) {
  if (!props.has_name) return std::nullopt;
  std::array<std::string_view, 3> parts;
  if (!split_exact(props.dataset, '/', parts)) return std::nullopt;
  if (parts[1] != "iohyve" || parts[2].empty()) return std::nullopt;
  return guest_view{props.dataset, parts[0], parts[2], props.boot, props.description, props.name};
}

// A guest's pool goes back into argv (as part of its dataset), so it must
// be a valid pool name: zfs cannot print anything else, and output that
// claims so is not trusted. Pools are few: each is checked once.
class pool_checker {
 public:
  status check(const guest_view& g) {
    if (std::find(valid_.begin(), valid_.end(), g.pool) != valid_.end()) return done{};
    if (auto pool = pool_name::parse(g.pool); !pool)
      return command_failed("unexpected output from zfs get: dataset " + quoted_output(g.dataset) + ": " +
                            pool.error().message);
    valid_.push_back(g.pool);
    return done{};
  }

 private:
  std::vector<std::string_view> valid_;
};

bool by_name_then_pool(const guest_view& a, const guest_view& b) noexcept {
  return std::tie(a.name, a.pool) < std::tie(b.name, b.pool);
}

// zfs lists datasets sorted, so the guests of each pool already come sorted
// by name: merging those few runs is much cheaper than sorting from scratch.
// Input with many runs (not from zfs) is simply sorted.
void sort_guests(std::vector<guest_view>& guests) {
  constexpr std::size_t max_runs_to_merge = 8;
  std::size_t runs = 0;
  for (auto it = guests.begin(); it != guests.end() && runs <= max_runs_to_merge; ++runs) {
    it = std::is_sorted_until(it, guests.end(), by_name_then_pool);
  }
  if (runs > max_runs_to_merge) {
    std::sort(guests.begin(), guests.end(), by_name_then_pool);
    return;
  }
  auto run_end = std::is_sorted_until(guests.begin(), guests.end(), by_name_then_pool);
  while (run_end != guests.end()) {
    const auto next_end = std::is_sorted_until(run_end, guests.end(), by_name_then_pool);
    std::inplace_merge(guests.begin(), run_end, next_end, by_name_then_pool);
    run_end = next_end;
  }
}

// The guests of a guest-records output, as views into it, unsorted; with
// `only`, just those that answer to that name (the others are not
// checked: their names go nowhere).
result<std::vector<guest_view>> parse_guest_views(std::string_view zfs_output,
                                                  std::optional<std::string_view> only = std::nullopt) {
  IOHYVE_TRY(rows, dataset_rows(zfs_output, only));
  std::vector<guest_view> guests;
  guests.reserve(only ? 1 : rows.size());
  pool_checker pools;
  for (const auto& row : rows) {
    auto guest = as_guest(row);
    if (!guest || (only && guest->name != *only && guest->iohyve_name != *only)) continue;
    IOHYVE_CHECK(pools.check(*guest));
    guests.push_back(*guest);
  }
  return guests;
}

guest_record to_record(const guest_view& g) {
  return guest_record{std::string(g.dataset),     std::string(g.pool),        std::string(g.name),
                      std::string(g.boot),        std::string(g.description), std::string(g.iohyve_name)};
}

}  // namespace

bool guest_record::addressable() const { return iohyve_name == name && guest_name::parse(name).ok(); }

result<std::vector<guest_record>> parse_guest_records(std::string_view zfs_output) {
  IOHYVE_TRY(guests, parse_guest_views(zfs_output));
  sort_guests(guests);
  std::vector<guest_record> out;
  out.reserve(guests.size());
  for (const auto& g : guests) out.push_back(to_record(g));
  return out;
}

result<std::vector<guest_record>> find_guest_records(std::string_view zfs_output, std::string_view name) {
  IOHYVE_TRY(guests, parse_guest_views(zfs_output, name));
  std::vector<guest_record> out;
  for (const auto& g : guests) out.push_back(to_record(g));
  std::sort(out.begin(), out.end(),
            [](const guest_record& a, const guest_record& b) { return a.dataset < b.dataset; });
  return out;
}

result<std::vector<guest_resources>> parse_guest_resources(std::string_view zfs_output) {
  struct row {
    std::string_view dataset, name, tap, con;
    bool has_name = false;
    std::vector<std::string_view> pcidevs;
  };
  std::vector<row> rows;
  bool in_order = true;
  const status parsed =
      for_each_own_record(zfs_output, [&](const std::array<std::string_view, 3>& f, std::string_view value) {
        if (rows.empty() || rows.back().dataset != f[0]) {
          const auto it = find_or_append_row(rows, f[0], in_order);
          if (it != rows.end() - 1) {
            std::rotate(it, it + 1, rows.end());  // make it the last row
            in_order = false;                     // rows are no longer sorted
          }
        }
        row& r = rows.back();
        if (f[1] == "iohyve:name") {
          r.name = value;
          r.has_name = true;
        } else if (f[1] == "iohyve:tap") {
          r.tap = value;
        } else if (f[1] == "iohyve:con") {
          r.con = value;
        } else if (f[1].starts_with("iohyve:pcidev:")) {
          r.pcidevs.push_back(value);
        }
      });
  if (!parsed) return parsed.error();
  std::vector<guest_resources> out;
  for (const auto& r : rows) {
    std::array<std::string_view, 3> parts;
    if (!r.has_name || !split_exact(r.dataset, '/', parts) || parts[1] != "iohyve" || parts[2].empty()) continue;
    guest_resources g;
    g.dataset = std::string(r.dataset);
    g.name = std::string(r.name);
    g.con = std::string(r.con);
    // "tap0,tap1=em1": the taps, without the interface they are bridged to;
    // "-" is iohyve's "no tap".
    std::string_view taps = r.tap;
    while (!taps.empty() && taps != "-") {
      const std::size_t comma = taps.find(',');
      const std::string_view entry = taps.substr(0, comma);
      const std::string_view tap = entry.substr(0, entry.find('='));
      if (!tap.empty()) g.taps.emplace_back(tap);
      if (comma == npos) break;
      taps.remove_prefix(comma + 1);
    }
    for (auto p : r.pcidevs) g.pcidevs.emplace_back(p);
    out.push_back(std::move(g));
  }
  std::sort(out.begin(), out.end(),
            [](const guest_resources& a, const guest_resources& b) { return a.dataset < b.dataset; });
  return out;
}

std::string dataset_properties::value_of(std::string_view property) const {
  for (const auto& [name, value] : properties)
    if (name == property) return value;
  return {};
}

result<std::vector<dataset_properties>> parse_own_properties(std::string_view zfs_output) {
  std::vector<dataset_properties> out;
  bool in_order = true;
  const status parsed =
      for_each_own_record(zfs_output, [&](const std::array<std::string_view, 3>& f, std::string_view value) {
        find_or_append_row(out, f[0], in_order)->properties.emplace_back(std::string(f[1]), std::string(value));
      });
  if (!parsed) return parsed.error();
  return out;
}

std::vector<iso_record> parse_iso_datasets(std::string_view zfs_output) {
  std::vector<std::array<std::string_view, 4>> isos;
  line_reader lines(zfs_output);
  std::string_view line;
  while (lines.next(line)) {
    std::array<std::string_view, 4> parts;  // POOL, iohyve, ISO, NAME
    if (!split_exact(line, '/', parts)) continue;
    if (parts[0].empty() || parts[1] != "iohyve" || parts[2] != "ISO" || parts[3].empty()) {
      continue;
    }
    if (line.find('\t') != npos) continue;  // not a bare dataset name
    isos.push_back(parts);
  }
  std::sort(isos.begin(), isos.end(), [](const auto& a, const auto& b) {
    return std::tie(a[3], a[0]) < std::tie(b[3], b[0]);
  });
  std::vector<iso_record> out;
  out.reserve(isos.size());
  for (const auto& parts : isos) {
    out.push_back(iso_record{std::string(parts[0]), std::string(parts[3])});
  }
  return out;
}

namespace {

// The N of "diskN": a plain decimal (no sign, no leading zero), as iohyve
// names disks; "disk01" or "disk0a" are someone else's volumes.
bool is_disk_index(std::string_view index) noexcept {
  return all_digits(index) && (index.size() == 1 || index.front() != '0');
}

struct disk_view {
  std::string_view index;  // "10" of disk10
  std::uint64_t bytes = 0;
};

// Numeric order without parsing: for plain decimals, shorter is smaller.
bool by_index(const disk_view& a, const disk_view& b) noexcept {
  if (a.index.size() != b.index.size()) return a.index.size() < b.index.size();
  return a.index < b.index;
}

}  // namespace

result<std::vector<disk_info>> parse_guest_disks(std::string_view zfs_output,
                                                 std::string_view guest_dataset) {
  constexpr std::string_view disk_prefix = "/disk";
  std::vector<disk_view> disks;
  line_reader lines(zfs_output);
  std::string_view line;
  while (lines.next(line)) {
    if (line.empty()) continue;
    std::array<std::string_view, 2> f;  // name, volsize in bytes (-p)
    std::optional<std::uint64_t> bytes;
    if (!split_exact(line, '\t', f) || f[0].empty() || !(bytes = parse_u64(f[1]))) {
      return unexpected_line("zfs list", lines.number(), line);
    }
    std::string_view name = f[0];
    if (!name.starts_with(guest_dataset)) continue;
    name.remove_prefix(guest_dataset.size());
    if (!name.starts_with(disk_prefix)) continue;
    name.remove_prefix(disk_prefix.size());
    if (!is_disk_index(name)) continue;
    disks.push_back(disk_view{name, *bytes});
  }
  std::sort(disks.begin(), disks.end(), by_index);
  std::vector<disk_info> out;
  out.reserve(disks.size());
  for (const auto& d : disks) {
    std::string name = "disk";
    name.append(d.index);
    out.push_back(disk_info{std::move(name), format_zfs_size(d.bytes), d.bytes});
  }
  return out;
}

result<std::vector<property_entry>> parse_guest_properties(std::string_view zfs_output) {
  constexpr std::string_view prefix = "iohyve:";
  std::vector<property_entry> out;
  // At most one entry per line: one allocation for the vector.
  out.reserve(static_cast<std::size_t>(std::count(zfs_output.begin(), zfs_output.end(), '\n')) + 1);
  std::optional<error> bad;
  const auto is_head = [](const std::array<std::string_view, 2>& f) {
    return is_plain_field(f[0]) && classify_source(f[1]) != source_kind::unknown;
  };
  const status parsed = for_each_zfs_record<2>(
      zfs_output, is_head, [&](const std::array<std::string_view, 2>& f, std::string_view value, std::size_t line) {
        if (bad) return;
        if (!is_property_name(f[0])) {
          bad = unexpected_line("zfs get", line, f[0]);
          return;
        }
        const source_kind source = classify_source(f[1]);
        std::string_view inherited_from;
        if (source == source_kind::other) {
          constexpr std::string_view inherited = "inherited from ";
          if (!f[1].starts_with(inherited)) return;  // default, temporary, unset
          inherited_from = f[1].substr(inherited.size());
        }
        // Exactly "iohyve:": iohyve's misspelt "iohvye:vnc_port" (§b.5) is not ours.
        if (f[0].size() <= prefix.size() || !f[0].starts_with(prefix)) return;
        // Built in place (no temporary entry whose strings would be moved).
        property_entry& e = out.emplace_back();
        e.name.assign(f[0].substr(prefix.size()));
        e.value.assign(value);
        if (!inherited_from.empty()) e.inherited_from.assign(inherited_from);
      });
  if (!parsed) return parsed.error();
  if (bad) return std::move(*bad);
  const auto by_name = [](const property_entry& a, const property_entry& b) {
    return less_text(a.name, b.name);
  };
  if (!std::is_sorted(out.begin(), out.end(), by_name)) std::stable_sort(out.begin(), out.end(), by_name);
  return out;
}

std::string format_zfs_size(std::uint64_t bytes) {
  // OpenZFS lib/libzutil/zutil_nicenum.c, zfs_nicenum_format() with
  // ZFS_NICENUM_BYTES (how zfs list/get print byte counts): divide by 1024
  // while >= 1024 (up to E); an exact multiple of the unit prints as an
  // integer ("0B", "10G"), anything else with the most decimals (2, 1, 0)
  // that fits in 5 characters ("1.50G", "10.2G", "96K"). The double
  // arithmetic and printf rounding are zfs's own, so the text is identical.
  static constexpr std::array<char, 7> units = {'B', 'K', 'M', 'G', 'T', 'P', 'E'};
  std::uint64_t n = bytes;
  std::size_t index = 0;
  while (n >= 1024 && index < units.size() - 1) {
    n /= 1024;
    ++index;
  }
  const std::uint64_t unit = std::uint64_t{1} << (10 * index);
  std::array<char, 32> buf{};
  if (index == 0 || bytes % unit == 0) {
    std::snprintf(buf.data(), buf.size(), "%llu%c", static_cast<unsigned long long>(n),
                  units[index]);
  } else {
    const double value = static_cast<double>(bytes) / static_cast<double>(unit);
    for (int decimals = 2; decimals >= 0; --decimals) {
      if (std::snprintf(buf.data(), buf.size(), "%.*f%c", decimals, value, units[index]) <= 5) {
        break;
      }
    }
  }
  return std::string(buf.data());
}

}  // namespace iohyve_api::detail
