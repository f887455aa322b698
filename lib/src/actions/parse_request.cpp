#include "actions/parse_request.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

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

constexpr std::array<std::string_view, 19> action_names = {
    "listvms", "fetchiso",  "listisos",  "renameiso",  "rmiso",      "setup",   "issetup",
    "create",  "install",   "start",     "stop",       "delete",     "adddisk", "listdisks",
    "resizedisk", "deletedisk", "version", "getprops", "setprop"};

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

result<request> parse_setprop(arg_reader& in, const arg_list&) {
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

result<request> parse_args(arg_reader& in, const arg_list& args) {
  const std::string_view a = in.action();
  if (a == "listvms") return finish(in, "", listvms_request{});
  if (a == "listisos") return finish(in, "", listisos_request{});
  if (a == "issetup") return finish(in, "", issetup_request{});
  if (a == "version") return finish(in, "", version_request{});
  if (a == "fetchiso") {
    IOHYVE_TRY(u, in.value<url>("url"));
    return finish(in, "url", fetchiso_request{std::move(u)});
  }
  if (a == "renameiso") {
    IOHYVE_TRY(source, in.value<iso_name>("source"));
    IOHYVE_TRY(target, in.value<iso_name>("target"));
    return finish(in, "source, target", renameiso_request{std::move(source), std::move(target)});
  }
  if (a == "rmiso") {
    IOHYVE_TRY(target, in.value<iso_name>("target"));
    return finish(in, "target", rmiso_request{std::move(target)});
  }
  if (a == "setup") {
    IOHYVE_TRY(pool, in.value<pool_name>("pool"));
    IOHYVE_TRY(nic, in.value<nic_name>("nic"));
    return finish(in, "pool, nic", setup_request{std::move(pool), std::move(nic)});
  }
  if (a == "create") {
    IOHYVE_TRY(name, in.value<guest_name>("name"));
    IOHYVE_TRY(sz, in.value<size>("size"));
    return finish(in, "name, size", create_request{std::move(name), std::move(sz)});
  }
  if (a == "install") {
    IOHYVE_TRY(name, in.value<guest_name>("name"));
    IOHYVE_TRY(iso, in.value<iso_name>("iso"));
    return finish(in, "name, iso", install_request{std::move(name), std::move(iso)});
  }
  if (a == "start" || a == "delete" || a == "listdisks" || a == "getprops") {
    IOHYVE_TRY(name, in.value<guest_name>("name"));
    if (a == "start") return finish(in, "name", start_request{std::move(name)});
    if (a == "delete") return finish(in, "name", delete_request{std::move(name)});
    if (a == "listdisks") return finish(in, "name", listdisks_request{std::move(name)});
    return finish(in, "name", getprops_request{std::move(name)});
  }
  if (a == "stop") {
    IOHYVE_TRY(name, in.value<guest_name>("name"));
    IOHYVE_TRY(force, in.flag("force"));
    return finish(in, "name, force", stop_request{std::move(name), force});
  }
  if (a == "adddisk") {
    IOHYVE_TRY(name, in.value<guest_name>("name"));
    IOHYVE_TRY(sz, in.value<size>("size"));
    IOHYVE_TRY(pool, in.optional_value<pool_name>("pool"));
    return finish(in, "name, size, pool",
                  adddisk_request{std::move(name), std::move(sz), std::move(pool)});
  }
  if (a == "resizedisk") {
    IOHYVE_TRY(name, in.value<guest_name>("name"));
    IOHYVE_TRY(disk, in.value<disk_name>("disk"));
    IOHYVE_TRY(sz, in.value<size>("size"));
    return finish(in, "name, disk, size",
                  resizedisk_request{std::move(name), std::move(disk), std::move(sz)});
  }
  if (a == "deletedisk") {
    IOHYVE_TRY(name, in.value<guest_name>("name"));
    IOHYVE_TRY(disk, in.value<disk_name>("disk"));
    return finish(in, "name, disk", deletedisk_request{std::move(name), std::move(disk)});
  }
  if (a == "setprop") return parse_setprop(in, args);
  return bad_request("unknown action " + quote_value(a));  // unreachable after find_action
}

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

result<request> parse_request(std::string_view action, const arg_list& args) {
  arg_reader in(action, args);
  return parse_args(in, args);
}

}  // namespace iohyve_api::detail
