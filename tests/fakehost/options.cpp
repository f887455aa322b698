#include "options.hpp"

namespace fakehost {

bool parsed_options::has(char c) const {
  for (const auto& [o, v] : options)
    if (o == c) return true;
  return false;
}

std::string parsed_options::value(char c, std::string fallback) const {
  for (auto it = options.rbegin(); it != options.rend(); ++it)
    if (it->first == c) return it->second;
  return fallback;
}

std::vector<std::string> parsed_options::values(char c) const {
  std::vector<std::string> out;
  for (const auto& [o, v] : options)
    if (o == c) out.push_back(v);
  return out;
}

parsed_options parse_options(const std::vector<std::string>& args, std::size_t first, std::string_view spec,
                             bool permute) {
  parsed_options out;
  bool only_operands = false;
  for (std::size_t i = first; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_operands || a.size() < 2 || a[0] != '-') {
      out.operands.push_back(a);
      if (!permute) only_operands = true;
      continue;
    }
    if (a == "--") {
      only_operands = true;
      continue;
    }
    for (std::size_t j = 1; j < a.size(); ++j) {
      char c = a[j];
      auto pos = spec.find(c);
      if (c == ':' || pos == std::string_view::npos) {
        if (!out.unknown) out.unknown = c;
        return out;
      }
      bool takes_argument = pos + 1 < spec.size() && spec[pos + 1] == ':';
      if (!takes_argument) {
        out.options.emplace_back(c, "");
        continue;
      }
      if (j + 1 < a.size()) {
        out.options.emplace_back(c, a.substr(j + 1));
      } else if (i + 1 < args.size()) {
        out.options.emplace_back(c, args[++i]);
      } else {
        out.missing_argument = c;
        return out;
      }
      break;
    }
  }
  return out;
}

}  // namespace fakehost
