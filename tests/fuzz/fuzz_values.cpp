// fuzz_values: every value type's parse() and the action argument parser.
// Input: a selector byte, then the text (for property: name NUL value; for
// the argument parser: an action index and a list of fuzzed arguments).
// Property: whatever parse() accepts matches the documented grammar
// (argv_check.cpp, written independently of values.cpp and url.cpp), and every command
// a parsed request plans is a validated argv.
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "actions/parse_request.hpp"
#include "argv_check.hpp"
#include "fuzz_support.hpp"
#include "iohyve_api/client.hpp"
#include "iohyve_api/values.hpp"

using namespace iohyve_fuzz;
namespace api = iohyve_api;

namespace {

constexpr std::array<const char*, 19> actions = {
    "listvms", "fetchiso", "listisos", "renameiso", "rmiso",      "setup",      "issetup",
    "create",  "install",  "start",    "stop",      "delete",     "adddisk",    "listdisks",
    "resizedisk", "deletedisk", "version", "getprops", "setprop"};

// Keys the actions read, so that the fuzzer reaches past "unknown argument".
constexpr std::array<const char*, 22> keys = {
    "action", "name", "size", "pool", "nic", "url", "source", "target", "iso", "disk", "force",
    "ram", "cpu", "description", "boot", "loader", "pcidev:1", "mac_tap0", "con", "vnc", "os", "bhyve_path"};

template <class T>
void same_text(const api::result<T>& r, std::string_view text, bool grammar, const char* what) {
  if (!r) return;
  if (!grammar) violated(std::string("accepted outside the grammar of ") + what, text);
  if (r->str() != text) violated(std::string("parse changed the text of a ") + what, r->str());
}

class refusing_runner final : public api::command_runner {
 public:
  api::command_result run(const api::command& cmd) override { violated("plan() ran a command", show(cmd)); }
};

void check_request(FuzzedDataProvider& in) {
  using namespace api::detail;
  const char* action = actions[in.ConsumeIntegralInRange<std::size_t>(0, actions.size() - 1)];
  arg_list args;
  const auto n = in.ConsumeIntegralInRange<int>(0, 8);
  for (int i = 0; i < n && in.remaining_bytes() > 0; ++i) {
    arg a;
    a.key = in.ConsumeBool() ? std::string(keys[in.ConsumeIntegralInRange<std::size_t>(0, keys.size() - 1)])
                             : in.ConsumeRandomLengthString(16);
    a.kind = static_cast<arg_kind>(in.ConsumeIntegralInRange<int>(0, 5));
    a.text = in.ConsumeRandomLengthString(96);
    args.push_back(std::move(a));
  }
  const auto req = parse_request(action, args);
  if (!req) {
    if (req.error().message.empty()) violated("an argument error without a message");
    return;
  }
  if (api::action_name(*req) != action) violated("parse_request built another action's request", action);
  static refusing_runner runner;
  static api::client client(fuzz_paths(), runner);
  argv_rules rules{fuzz_paths(), true};
  for (const auto& cmd : client.plan(*req))
    if (auto why = argv_violation(cmd, rules); !why.empty()) violated("planned an unvalidated argv: " + why);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const int which = in.ConsumeIntegralInRange<int>(0, 8);
  if (which == 8) {
    check_request(in);
    return 0;
  }
  const std::string text = in.ConsumeRemainingBytesAsString();
  switch (which) {
    case 0: same_text(api::guest_name::parse(text), text, is_guest_name(text), "guest name"); break;
    case 1: {
      const auto s = api::size::parse(text);
      same_text(s, text, is_size(text), "size");
      if (s && s->bytes() == 0) violated("a size of zero bytes", text);
      break;
    }
    case 2: {
      const auto d = api::disk_name::parse(text);
      same_text(d, text, is_disk_name(text), "disk name");
      if (d && "disk" + std::to_string(d->index()) != text) violated("disk index does not match", text);
      break;
    }
    case 3: same_text(api::iso_name::parse(text), text, is_iso_name(text), "ISO name"); break;
    case 4: same_text(api::pool_name::parse(text), text, is_pool_name(text), "pool name"); break;
    case 5: same_text(api::nic_name::parse(text), text, is_nic_name(text), "NIC name"); break;
    case 6: {
      const auto u = api::url::parse(text);
      same_text(u, text, is_url(text), "URL");
      if (u && text.substr(text.rfind('/') + 1) != u->file_name().str())
        violated("the URL's file name is not its last component", text);
      break;
    }
    case 7: {
      const auto nul = text.find('\0');
      const std::string name = text.substr(0, nul);
      const std::string value = nul == std::string::npos ? std::string() : text.substr(nul + 1);
      if (auto p = api::property::parse(name, value)) {
        const api::command set{fuzz_paths().zfs, {"set", "iohyve:" + p->name() + "=" + p->value(), "tank/iohyve/g"}, {}};
        if (auto why = argv_violation(set, {fuzz_paths(), false}); !why.empty()) violated("property: " + why);
      }
      break;
    }
    default: break;
  }
  return 0;
}
