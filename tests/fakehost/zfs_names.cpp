#include "zfs_names.hpp"

#include <cctype>

#include "text.hpp"

namespace fakehost {

namespace {

constexpr std::size_t max_dataset_name = 256;  // ZFS_MAX_DATASET_NAME_LEN

bool valid_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':' || c == ' ';
}

}  // namespace

std::optional<std::string> dataset_name_error(std::string_view name) {
  if (name.size() >= max_dataset_name) return "name is too long";
  if (!name.empty() && name[0] == '/') return "leading slash in name";
  if (name.empty()) return "empty component or misplaced '@' or '#' delimiter in name";
  std::size_t delimiters = 0;
  for (char c : name)
    if (c == '@' || c == '#') ++delimiters;
  if (delimiters > 1) return "multiple '@' and/or '#' delimiters in name";
  auto components = split(name, '/');
  for (std::size_t i = 0; i < components.size(); ++i) {
    const std::string& part = components[i];
    if (part.empty()) {
      if (i + 1 == components.size()) return "trailing slash in name";
      return "empty component or misplaced '@' or '#' delimiter in name";
    }
    if (part == ".") return "self reference, '.' is found in name";
    if (part == "..") return "parent reference, '..' is found in name";
    for (char c : part)
      if (!valid_name_char(c) && c != '@' && c != '#') return std::string("invalid character '") + c + "' in name";
  }
  return std::nullopt;
}

std::optional<std::string> pool_name_error(std::string_view name) {
  if (name.size() >= max_dataset_name) return "name is too long";
  for (char c : name)
    if (!valid_name_char(c)) return std::string("invalid character '") + c + "' in pool name";
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) return "name must begin with a letter";
  for (std::string_view reserved : {"mirror", "raidz", "draid", "spare", "log"})
    if (name.substr(0, reserved.size()) == reserved) return "name is reserved";
  return std::nullopt;
}

}  // namespace fakehost
