// `zfs get` and `zfs list`: which datasets (zfs_for_each: names sorted by
// strcmp, recursion with -r/-d, types with -t, paths resolved to the
// filesystem mounted there), which properties, and the two output layouts
// (-H: tab-separated, no header; otherwise aligned columns with a header).
#include <algorithm>
#include <cctype>
#include <set>

#include "options.hpp"
#include "zfs_cli.hpp"
#include "zfs_props.hpp"

namespace fakehost::zfs_cli {

namespace {

// The datasets a get/list walks, sorted by name. Explicit arguments must be
// of an accepted type unless recursing (zfs_for_each lets a filesystem name
// the top of a recursive walk whatever -t says).
std::vector<const dataset*> select_datasets(const zfs_store& store, const std::vector<std::string>& args,
                                            const type_mask& types, bool recurse, std::uint64_t depth,
                                            sink& err, int& status) {
  std::set<std::string> names;
  auto within_depth = [&](const dataset& top, const dataset& d) {
    auto below = std::string_view(d.name).substr(top.name.size());
    return static_cast<std::uint64_t>(std::count(below.begin(), below.end(), '/')) <= depth;
  };
  if (args.empty()) {
    for (const auto& [name, d] : store.datasets())
      if (types.accepts(d.type)) names.insert(name);
  }
  for (const auto& arg : args) {
    type_mask arg_types = recurse ? type_mask{true, true, false} : types;
    const dataset* d = open_dataset(store, arg, arg_types, true, err);
    if (!d) {
      status = 1;
      continue;
    }
    if (types.accepts(d->type)) names.insert(d->name);
    if (!recurse) continue;
    for (const dataset* c : store.descendants(d->name))
      if (types.accepts(c->type) && within_depth(*d, *c)) names.insert(c->name);
  }
  std::vector<const dataset*> out;
  for (const auto& n : names) out.push_back(store.find(n));
  return out;
}

bool parse_depth(const parsed_options& o, std::uint64_t& depth, bool& recurse) {
  recurse = o.has('r') || o.has('d');
  depth = UINT64_MAX;
  if (o.has('d')) return parse_u64(o.value('d'), depth);
  return true;
}

// Property names on the command line: "all" or a comma list of known ones.
bool parse_property_list(const std::string& list, bool allow_all, std::vector<std::string>& out, bool& all,
                         sink& err) {
  all = false;
  out.clear();
  for (const auto& p : split(list, ',')) {
    if (p == "all" && allow_all) {
      all = true;
      continue;
    }
    if (p == "name" && !allow_all) {
      out.push_back(p);
      continue;
    }
    if (is_user_prop_name(p) ? valid_user_prop(p) : find_native_prop(p) != nullptr) {
      out.push_back(is_user_prop_name(p) ? p : std::string(find_native_prop(p)->name));
      continue;
    }
    err.print("bad property list: invalid property '{}'\n", p);
    return false;
  }
  return true;
}

bool numeric_column(const std::string& prop) { return prop != "name" && numeric_prop(prop); }

std::string column_header(const std::string& prop) {
  if (prop == "name") return "NAME";
  if (is_user_prop_name(prop)) return prop;
  const native_prop* p = find_native_prop(prop);
  return p ? std::string(p->column) : prop;
}

// Aligned output: every column but the last padded to its width and
// followed by two spaces; right-aligned columns padded on the left.
void print_table(sink& out, const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right,
                 std::vector<std::size_t> widths) {
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      bool last = c + 1 == row.size();
      if (right[c])
        line += std::string(widths[c] - row[c].size(), ' ') + row[c];
      else if (!last)
        line += row[c] + std::string(widths[c] - row[c].size(), ' ');
      else
        line += row[c];
      if (!last) line += "  ";
    }
    out.write(line + "\n");
  }
}

}  // namespace

int do_get(session& s, const arguments& args, streams io) {
  const zfs_store& store = s.zfs();
  auto o = parse_options(args, 1, "d:o:s:rt:Hp");
  if (!o.ok()) return option_error(o, io.err, "get");

  std::vector<std::string> fields{"name", "property", "value", "source"};
  if (o.has('o')) {
    fields.clear();
    for (const auto& f : split(o.value('o'), ',')) {
      if (f == "all") {
        fields = {"name", "property", "value", "received", "source"};
      } else if (f == "name" || f == "property" || f == "value" || f == "received" || f == "source") {
        fields.push_back(f);
      } else {
        io.err.print("invalid column name '{}'\n", f);
        return usage(io.err, "get");
      }
    }
  }
  std::set<prop_source> sources{prop_source::local, prop_source::default_value, prop_source::inherited,
                                prop_source::received, prop_source::none};
  if (o.has('s')) {
    sources.clear();
    for (const auto& src : split(o.value('s'), ',')) {
      if (src == "local") sources.insert(prop_source::local);
      else if (src == "default") sources.insert(prop_source::default_value);
      else if (src == "inherited") sources.insert(prop_source::inherited);
      else if (src == "received") sources.insert(prop_source::received);
      else if (src == "none") sources.insert(prop_source::none);
      else if (src == "temporary") continue;
      else {
        io.err.print("invalid source '{}'\n", src);
        return usage(io.err, "get");
      }
    }
  }
  type_mask types;
  std::string bad;
  if (o.has('t') && !parse_types(o.value('t'), types, bad)) {
    io.err.print("invalid type '{}'\n", bad);
    return usage(io.err, "get");
  }
  bool recurse = false;
  std::uint64_t depth = 0;
  if (!parse_depth(o, depth, recurse)) {
    io.err.print("invalid depth '{}'\n", o.value('d'));
    return usage(io.err, "get");
  }
  if (o.operands.empty()) {
    io.err.write("missing property argument\n");
    return usage(io.err, "get");
  }
  std::vector<std::string> props;
  bool all = false;
  if (!parse_property_list(o.operands[0], true, props, all, io.err)) return usage(io.err, "get");

  int status = 0;
  std::vector<std::string> targets(o.operands.begin() + 1, o.operands.end());
  auto selected = select_datasets(store, targets, types, recurse, depth, io.err, status);
  const bool parsable = o.has('p');

  std::vector<std::vector<std::string>> rows;
  std::size_t property_width = 8;  // "PROPERTY"
  for (const dataset* d : selected) {
    std::vector<std::string> names = props;
    if (all) {
      names.clear();
      for (const auto& p : native_props())
        if (d->type == ds_type::volume ? p.volume : p.filesystem) names.emplace_back(p.name);
      for (const auto& u : store.user_props(*d)) names.push_back(u);
    }
    for (const auto& prop : names) {
      property_width = std::max(property_width, prop.size());
      auto v = store.get(*d, prop, parsable);
      if (!v) v = prop_value{"-", prop_source::none, ""};
      if (!sources.count(v->source)) continue;
      std::vector<std::string> row;
      for (const auto& f : fields) {
        if (f == "name") row.push_back(d->name);
        else if (f == "property") row.push_back(prop);
        else if (f == "value") row.push_back(v->value);
        else if (f == "received") row.push_back("-");
        else row.push_back(v->source_text());
      }
      rows.push_back(std::move(row));
    }
  }
  if (o.has('H')) {
    for (const auto& r : rows) io.out.write(join(r, "\t") + "\n");
    return status;
  }
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> header;
  std::vector<std::size_t> widths;
  for (const auto& f : fields) {
    std::string h = f;
    for (auto& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    header.push_back(h);
    widths.push_back(f == "property" ? property_width : 0);
  }
  if (!rows.empty()) {
    table.push_back(header);
    table.insert(table.end(), rows.begin(), rows.end());
  }
  print_table(io.out, table, std::vector<bool>(fields.size(), false), widths);
  return status;
}

int do_list(session& s, const arguments& args, streams io) {
  const zfs_store& store = s.zfs();
  auto o = parse_options(args, 1, "HS:d:o:prs:t:");
  if (!o.ok()) return option_error(o, io.err, "list");

  std::vector<std::string> fields;
  bool all = false;
  if (!parse_property_list(o.value('o', "name,used,available,referenced,mountpoint"), false, fields, all, io.err))
    return usage(io.err, "list");
  type_mask types{true, true, false};
  std::string bad;
  if (o.has('t') && !parse_types(o.value('t'), types, bad)) {
    io.err.print("invalid type '{}'\n", bad);
    return usage(io.err, "list");
  }
  bool recurse = false;
  std::uint64_t depth = 0;
  if (!parse_depth(o, depth, recurse)) {
    io.err.print("invalid depth '{}'\n", o.value('d'));
    return usage(io.err, "list");
  }
  // Sort keys in the order given: (property, descending).
  std::vector<std::pair<std::string, bool>> keys;
  for (const auto& [opt, value] : o.options) {
    if (opt != 's' && opt != 'S') continue;
    std::vector<std::string> key;
    bool unused = false;
    if (!parse_property_list(value, false, key, unused, io.err) || key.size() != 1) return usage(io.err, "list");
    keys.emplace_back(key[0], opt == 'S');
  }

  int status = 0;
  auto selected = select_datasets(store, o.operands, types, recurse, depth, io.err, status);
  const bool parsable = o.has('p');
  auto value_of = [&](const dataset& d, const std::string& prop, bool raw) -> std::string {
    if (prop == "name") return d.name;
    auto v = store.get(d, prop, raw);
    return v ? v->value : "-";
  };
  if (!keys.empty()) {
    std::stable_sort(selected.begin(), selected.end(), [&](const dataset* a, const dataset* b) {
      for (const auto& [prop, descending] : keys) {
        std::string va = value_of(*a, prop, true), vb = value_of(*b, prop, true);
        std::uint64_t na = 0, nb = 0;
        int c = parse_u64(va, na) && parse_u64(vb, nb) ? (na < nb ? -1 : na > nb) : va.compare(vb);
        if (c != 0) return descending ? c > 0 : c < 0;
      }
      return false;
    });
  }

  std::vector<std::vector<std::string>> rows;
  for (const dataset* d : selected) {
    std::vector<std::string> row;
    for (const auto& f : fields) row.push_back(value_of(*d, f, parsable));
    rows.push_back(std::move(row));
  }
  if (o.has('H')) {
    for (const auto& r : rows) io.out.write(join(r, "\t") + "\n");
    return status;
  }
  if (rows.empty()) {
    if (status == 0) io.err.write("no datasets available\n");
    return status;
  }
  std::vector<bool> right;
  std::vector<std::size_t> widths;
  std::vector<std::string> header;
  for (const auto& f : fields) {
    right.push_back(numeric_column(f));
    header.push_back(column_header(f));
    widths.push_back(numeric_column(f) && !parsable ? 5 : 0);
  }
  rows.insert(rows.begin(), header);
  print_table(io.out, rows, right, widths);
  return status;
}

}  // namespace fakehost::zfs_cli
