#include "iohyve_api/requests.hpp"

#include <array>
#include <type_traits>

namespace iohyve_api {
namespace {

// Each action name once: two request types with one name would make the
// second unreachable by name.
consteval bool names_are_unique() {
  std::array<std::string_view, std::variant_size_v<request>> names{};
  std::size_t n = 0;
  for_each_request_type([&](auto type) { names[n++] = decltype(type)::type::action; });
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      if (names[i] == names[j]) return false;
  return true;
}
static_assert(names_are_unique(), "two request types share an action name");

}  // namespace

std::string_view action_name(const request& req) noexcept {
  return std::visit([](const auto& r) { return std::decay_t<decltype(r)>::action; }, req);
}

bool changes_host(const request& req) noexcept {
  return std::visit([](const auto& r) { return std::decay_t<decltype(r)>::changes_host; }, req);
}

}  // namespace iohyve_api
