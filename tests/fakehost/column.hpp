// FreeBSD column(1) -t (usr.bin/column/column.c, maketbl), which formats
// iohyve's tables (reference/formats.md §e): blank lines dropped, fields
// split on any run of separator characters (so empty fields vanish), every
// field but a row's last padded to its column's width plus two spaces.
#pragma once

#include <string>
#include <string_view>

namespace fakehost {

// `column -t` (separators " \t") or `column -ts^` (separators "^").
std::string column_table(std::string_view input, std::string_view separators = " \t");

}  // namespace fakehost
