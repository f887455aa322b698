// Quoting untrusted values and tools' words into error messages, in one way
// for every layer (a request's value, a zfs line, a header line). Private to
// the library.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace iohyve_api::detail {

// At most this many bytes of a value are quoted; the rest becomes "...".
// A 1 MiB value must not produce a 1 MiB message.
inline constexpr std::size_t quote_max_bytes = 64;

// The value in single quotes, safe to show and to put into JSON:
// - printable ASCII is kept, except '\' -> "\\" and '\'' -> "\'";
// - valid UTF-8 sequences of printable characters are kept;
// - everything else (control characters, DEL, C1 controls, invalid UTF-8,
//   NUL) becomes \xNN, one escape per byte (lower-case hex);
// - only the first 64 bytes of the value are shown (never cutting a UTF-8
//   character in two), followed by "..." when something was cut.
// quote_value("a\nb") == "'a\\x0ab'".
std::string quote_value(std::string_view value);

// The same escaping and cutting without the quotes, and with '\'' kept as
// it is, for free text such as a tool's error line: at most `max_bytes` of
// `text` are shown, then "...". printable("cannot open 'x'\r", 200) ==
// "cannot open 'x'\\x0d".
std::string printable(std::string_view text, std::size_t max_bytes = quote_max_bytes);

}  // namespace iohyve_api::detail
