// fuzz_envelope: any bytes as a request message. The envelope parser must
// answer every input with a parsed message or a protocol error; the whole
// handler (in --dry-run mode, so nothing would run) must answer with a
// well-formed reply and plan only validated command lines.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "argv_check.hpp"
#include "envelope/message.hpp"
#include "fuzz_support.hpp"
#include "iohyve_api/client.hpp"
#include "iohyve_api/handler.hpp"
#include "reply_check.hpp"

using namespace iohyve_fuzz;

namespace {

// In dry-run mode the handler must never run anything.
class refusing_runner final : public iohyve_api::command_runner {
 public:
  iohyve_api::command_result run(const iohyve_api::command& cmd) override {
    violated("a dry run ran a command", show(cmd));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto parsed = iohyve_api::detail::parse_message(text);
  if (!parsed.error) {
    for (const auto& a : parsed.message.args)
      if (!is_valid_utf8(a.key) || !is_valid_utf8(a.text)) violated("an argument that is not valid UTF-8", text);
    if (auto e = json_value_violation(parsed.message.id_json); !parsed.message.id_json.empty() && !e.empty())
      violated("id re-serialized as invalid JSON: " + e, parsed.message.id_json);
  }

  static refusing_runner runner;
  static iohyve_api::client client(fuzz_paths(), runner);
  for (bool http : {true, false}) {
    iohyve_api::handler_options options;
    options.dry_run = true;
    options.http_replies = http;
    iohyve_api::handler h(client, options);
    const auto r = h.handle(text);
    if (auto e = reply_violation(r, http); !e.empty()) violated(e, r.text);
    if (parsed.error && !r.is_error) violated("a protocol error answered as a success", r.text);
  }
  return 0;
}
