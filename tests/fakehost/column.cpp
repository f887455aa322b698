#include "column.hpp"

#include <algorithm>
#include <vector>

#include "text.hpp"

namespace fakehost {

namespace {

// Display width of a UTF-8 string: one column per character (the guest
// names and descriptions iohyve prints are not wide characters).
std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

std::string column_table(std::string_view input, std::string_view separators) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : lines(input)) {
    if (line.size() > 2048) continue;  // "line too long" (column prints it on stderr)
    std::vector<std::string> fields;
    std::size_t pos = 0;
    for (;;) {
      pos = line.find_first_not_of(separators, pos);
      if (pos == std::string::npos) break;
      std::size_t end = line.find_first_of(separators, pos);
      fields.push_back(line.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
      if (end == std::string::npos) break;
      pos = end;
    }
    if (!fields.empty()) rows.push_back(std::move(fields));
  }
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c + 1 < row.size(); ++c)
      out += row[c] + std::string(widths[c] - display_width(row[c]) + 2, ' ');
    out += row.back() + "\n";
  }
  return out;
}

}  // namespace fakehost
