#include "actions/parse_request.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "errors.hpp"
#include "text/quote.hpp"
#include "try.hpp"

namespace iohyve_api::detail {

std::string_view describe(arg_kind kind) noexcept {
  switch (kind) {
    case arg_kind::string: return "a string";
    case arg_kind::boolean: return "a boolean";
    case arg_kind::number: return "a number";
    case arg_kind::null: return "null";
    case arg_kind::object: return "an object";
    case arg_kind::array: return "an array";
  }
  return "a value";
}

namespace {

const arg* find(const arg_list& args, std::string_view key) {
  for (const auto& a : args)
    if (a.key == key) return &a;
  return nullptr;
}

// Reads the arguments of one action, remembering which keys were used so
// that anything left over (a typo such as "nmae") can be refused.
class arg_reader {
 public:
  arg_reader(std::string_view action, const arg_list& args) : action_(action), args_(args) {}

  result<std::string_view> text(std::string_view key) {
    const arg* a = find(args_, key);
    if (!a) return bad_request(fmt_missing(key));
    return string_of(*a);
  }

  result<std::optional<std::string_view>> optional_text(std::string_view key) {
    const arg* a = find(args_, key);
    if (!a) return std::optional<std::string_view>{};
    auto t = string_of(*a);
    if (!t) return std::move(t).error();
    return std::optional<std::string_view>{*t};
  }

  // A value type V parsed from the string argument key.
  template <class V>
  result<V> value(std::string_view key) {
    auto t = text(key);
    if (!t) return std::move(t).error();
    return in_context(key, V::parse(*t));
  }

  template <class V>
  result<std::optional<V>> optional_value(std::string_view key) {
    auto t = optional_text(key);
    if (!t) return std::move(t).error();
    if (!*t) return std::optional<V>{};
    auto v = in_context(key, V::parse(**t));
    if (!v) return std::move(v).error();
    return std::optional<V>{std::move(v).value()};
  }

  // "force" may be a JSON boolean or the strings "true"/"false".
  result<bool> flag(std::string_view key) {
    const arg* a = find(args_, key);
    if (!a) return false;
    mark_used(a->key);
    if ((a->kind == arg_kind::boolean || a->kind == arg_kind::string) &&
        (a->text == "true" || a->text == "false"))
      return a->text == "true";
    return bad_request("argument '" + std::string(key) + "' of action '" + std::string(action_) +
                       "' must be true or false, not " +
                       (a->kind == arg_kind::string ? quote_value(a->text) : std::string(describe(a->kind))));
  }

  // Every argument not read so far, except "action".
  std::vector<const arg*> unused() const {
    std::vector<const arg*> rest;
    for (const auto& a : args_)
      if (a.key != "action" && !is_used(a.key)) rest.push_back(&a);
    return rest;
  }

  // Refuses leftovers, naming the arguments the action does take.
  status no_unknown(std::string_view expected) const {
    auto rest = unused();
    if (rest.empty()) return done{};
    std::string msg = "unknown argument " + quote_value(rest.front()->key) + " for action '" +
                      std::string(action_) + "'";
    msg += expected.empty() ? std::string(" (it takes no arguments)")
                            : " (expected: " + std::string(expected) + ")";
    return bad_request(std::move(msg));
  }

  std::string_view action() const { return action_; }

 private:
  std::string fmt_missing(std::string_view key) const {
    return "missing argument '" + std::string(key) + "' for action '" + std::string(action_) + "'";
  }

  // Keys are remembered as views into args_, which outlives the reader; an
  // action reads at most four, so they fit in place without allocating.
  void mark_used(std::string_view key) {
    if (used_count_ < used_.size()) used_[used_count_++] = key;
    else more_used_.push_back(key);
  }

  bool is_used(std::string_view key) const {
    for (std::size_t i = 0; i < used_count_; ++i)
      if (used_[i] == key) return true;
    return std::find(more_used_.begin(), more_used_.end(), key) != more_used_.end();
  }

  result<std::string_view> string_of(const arg& a) {
    mark_used(a.key);
    if (a.kind != arg_kind::string)
      return bad_request("argument '" + a.key + "' of action '" + std::string(action_) +
                         "' must be a string, not " + std::string(describe(a.kind)));
    return std::string_view(a.text);
  }

  template <class V>
  static result<V> in_context(std::string_view key, result<V> r) {
    if (r) return r;
    error e = std::move(r).error();
    e.message = "argument '" + std::string(key) + "': " + e.message;
    return e;
  }

  std::string_view action_;
  const arg_list& args_;
  std::array<std::string_view, 8> used_;
  std::size_t used_count_ = 0;
  std::vector<std::string_view> more_used_;
};

// Finishes a request: refuses unknown arguments, otherwise returns req.
template <class Req>
result<request> finish(const arg_reader& in, std::string_view expected, Req req) {
  if (auto s = in.no_unknown(expected); !s) return std::move(s).error();
  return request{std::move(req)};
}

// One parser per request type, found by overload: a request type without
// one does not compile (parse_as below). Each reads the arguments its
// action takes; `expected` names them for the unknown-argument error.

result<request> parse(std::type_identity<listvms_request>, arg_reader& in) { return finish(in, "", listvms_request{}); }
result<request> parse(std::type_identity<listisos_request>, arg_reader& in) { return finish(in, "", listisos_request{}); }
result<request> parse(std::type_identity<issetup_request>, arg_reader& in) { return finish(in, "", issetup_request{}); }
result<request> parse(std::type_identity<version_request>, arg_reader& in) { return finish(in, "", version_request{}); }

result<request> parse(std::type_identity<fetchiso_request>, arg_reader& in) {
  IOHYVE_TRY(u, in.value<url>("url"));
  return finish(in, "url", fetchiso_request{std::move(u)});
}

result<request> parse(std::type_identity<renameiso_request>, arg_reader& in) {
  IOHYVE_TRY(source, in.value<iso_name>("source"));
  IOHYVE_TRY(target, in.value<iso_name>("target"));
  return finish(in, "source, target", renameiso_request{std::move(source), std::move(target)});
}

result<request> parse(std::type_identity<rmiso_request>, arg_reader& in) {
  IOHYVE_TRY(target, in.value<iso_name>("target"));
  return finish(in, "target", rmiso_request{std::move(target)});
}

result<request> parse(std::type_identity<setup_request>, arg_reader& in) {
  IOHYVE_TRY(pool, in.value<pool_name>("pool"));
  IOHYVE_TRY(nic, in.value<nic_name>("nic"));
  return finish(in, "pool, nic", setup_request{std::move(pool), std::move(nic)});
}

result<request> parse(std::type_identity<create_request>, arg_reader& in) {
  IOHYVE_TRY(name, in.value<guest_name>("name"));
  IOHYVE_TRY(sz, in.value<size>("size"));
  return finish(in, "name, size", create_request{std::move(name), std::move(sz)});
}

result<request> parse(std::type_identity<install_request>, arg_reader& in) {
  IOHYVE_TRY(name, in.value<guest_name>("name"));
  IOHYVE_TRY(iso, in.value<iso_name>("iso"));
  return finish(in, "name, iso", install_request{std::move(name), std::move(iso)});
}

// The actions whose only argument is the guest's name.
template <class Req>
result<request> parse_name_only(arg_reader& in) {
  IOHYVE_TRY(name, in.value<guest_name>("name"));
  return finish(in, "name", Req{std::move(name)});
}
result<request> parse(std::type_identity<start_request>, arg_reader& in) { return parse_name_only<start_request>(in); }
result<request> parse(std::type_identity<delete_request>, arg_reader& in) { return parse_name_only<delete_request>(in); }
result<request> parse(std::type_identity<listdisks_request>, arg_reader& in) { return parse_name_only<listdisks_request>(in); }
result<request> parse(std::type_identity<getprops_request>, arg_reader& in) { return parse_name_only<getprops_request>(in); }

result<request> parse(std::type_identity<stop_request>, arg_reader& in) {
  IOHYVE_TRY(name, in.value<guest_name>("name"));
  IOHYVE_TRY(force, in.flag("force"));
  return finish(in, "name, force", stop_request{std::move(name), force});
}

result<request> parse(std::type_identity<adddisk_request>, arg_reader& in) {
  IOHYVE_TRY(name, in.value<guest_name>("name"));
  IOHYVE_TRY(sz, in.value<size>("size"));
  IOHYVE_TRY(pool, in.optional_value<pool_name>("pool"));
  return finish(in, "name, size, pool", adddisk_request{std::move(name), std::move(sz), std::move(pool)});
}

result<request> parse(std::type_identity<resizedisk_request>, arg_reader& in) {
  IOHYVE_TRY(name, in.value<guest_name>("name"));
  IOHYVE_TRY(disk, in.value<disk_name>("disk"));
  IOHYVE_TRY(sz, in.value<size>("size"));
  return finish(in, "name, disk, size", resizedisk_request{std::move(name), std::move(disk), std::move(sz)});
}

result<request> parse(std::type_identity<deletedisk_request>, arg_reader& in) {
  IOHYVE_TRY(name, in.value<guest_name>("name"));
  IOHYVE_TRY(disk, in.value<disk_name>("disk"));
  return finish(in, "name, disk", deletedisk_request{std::move(name), std::move(disk)});
}

// Every argument but "name" is a property to set.
result<request> parse(std::type_identity<setprop_request>, arg_reader& in) {
  IOHYVE_TRY(name, in.value<guest_name>("name"));
  std::vector<property> props;
  for (const arg* a : in.unused()) {
    if (a->kind != arg_kind::string)
      return bad_request("property " + quote_value(a->key) + " must be a string, not " +
                         std::string(describe(a->kind)));
    auto p = property::parse(a->key, a->text);
    if (!p) return std::move(p).error();
    props.push_back(std::move(p).value());
  }
  if (props.empty())
    return bad_request("action 'setprop' needs at least one property to set, e.g. \"ram\": \"512M\"");
  return request{setprop_request{std::move(name), std::move(props)}};
}

// The echo of each request type, next to its parser so that an argument's
// name is written in one file; found by overload like the parsers.

void echo(const listvms_request&, echo_sink&) {}  // a listing
void echo(const listisos_request&, echo_sink&) {}  // a listing
void echo(const issetup_request&, echo_sink&) {}  // the setup state
void echo(const version_request&, echo_sink&) {}  // the version line
void echo(const listdisks_request&, echo_sink&) {}  // a listing
void echo(const getprops_request&, echo_sink&) {}  // a listing
void echo(const fetchiso_request&, echo_sink&) {}  // the queued task's ticket

void echo(const renameiso_request& r, echo_sink& out) {
  out.member("source", r.source.str());
  out.member("target", r.target.str());
}
void echo(const rmiso_request& r, echo_sink& out) { out.member("target", r.target.str()); }
void echo(const setup_request& r, echo_sink& out) {
  out.member("nic", r.nic.str());
  out.member("pool", r.pool.str());
}
void echo(const create_request& r, echo_sink& out) {
  out.member("name", r.name.str());
  out.member("size", r.disk_size.str());
}
void echo(const install_request& r, echo_sink& out) {
  out.member("iso", r.iso.str());
  out.member("name", r.name.str());
}
void echo(const start_request& r, echo_sink& out) { out.member("name", r.name.str()); }
void echo(const stop_request& r, echo_sink& out) { out.member("name", r.name.str()); }
void echo(const delete_request& r, echo_sink& out) { out.member("name", r.name.str()); }
void echo(const adddisk_request& r, echo_sink& out) {
  out.open(r.name.str());
  if (r.pool) out.member("pool", r.pool->str());
  out.member("size", r.disk_size.str());
  out.close();
}
void echo(const resizedisk_request& r, echo_sink& out) {
  out.member("disk", r.disk.str());
  out.member("name", r.name.str());
  out.member("size", r.new_size.str());
}
void echo(const deletedisk_request& r, echo_sink& out) {
  out.member("disk", r.disk.str());
  out.member("name", r.name.str());
}
void echo(const setprop_request& r, echo_sink& out) {
  std::vector<const property*> sorted;
  sorted.reserve(r.properties.size());
  for (const auto& p : r.properties) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name() < b->name(); });
  out.open(r.name.str());
  for (const auto* p : sorted) out.member(p->name(), p->value());
  out.close();
}

// The action names, in the order of `request` (derived, never listed by hand).
constexpr auto action_names = [] {
  std::array<std::string_view, std::variant_size_v<request>> names{};
  std::size_t n = 0;
  for_each_request_type([&](auto type) { names[n++] = decltype(type)::type::action; });
  return names;
}();

#undef IOHYVE_TRY

}  // namespace

result<std::string_view> find_action(const arg_list& args) {
  const arg* a = find(args, "action");
  if (!a) return bad_request("missing argument 'action' (one of: listvms, fetchiso, listisos, ...)");
  if (a->kind != arg_kind::string)
    return bad_request("argument 'action' must be a string, not " + std::string(describe(a->kind)));
  for (std::string_view name : action_names)
    if (a->text == name) return name;
  return bad_request("unknown action " + quote_value(a->text));
}

void echo_arguments(const request& req, echo_sink& out) {
  std::visit([&](const auto& r) { echo(r, out); }, req);
}

result<request> parse_request(std::string_view action, const arg_list& args) {
  arg_reader in(action, args);
  std::optional<result<request>> parsed;
  for_each_request_type([&](auto type) {
    if (!parsed && decltype(type)::type::action == action) parsed = parse(type, in);
  });
  if (!parsed) return bad_request("unknown action " + quote_value(action));  // find_action accepted it: unreachable
  return std::move(*parsed);
}

}  // namespace iohyve_api::detail
