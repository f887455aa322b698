#include "envelope/json_writer.hpp"
#include "text/utf8.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace iohyve_api::detail {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";


// Bytes that cannot be copied into a JSON string as they are: control
// characters, '"', '\\', and every non-ASCII byte (checked as UTF-8).
constexpr std::array<bool, 256> needs_care = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[static_cast<std::size_t>(c)] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
  return t;
}();

// Whether any of the 8 bytes in w needs care (see needs_care): a byte
// below 0x20, '"', '\\' or a byte with the high bit set. Exact: the
// classic "has a byte less than n / has a zero byte" tests never report a
// byte that is not there (they may misplace it, which does not matter here).
constexpr bool word_needs_care(std::uint64_t w) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t highs = 0x8080808080808080ull;
  const auto has_zero = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
  const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
  return ((w & highs) | below_space | has_zero(w ^ (ones * '"')) | has_zero(w ^ (ones * '\\'))) != 0;
}

// Length of the prefix of s that can be copied as it is.
std::size_t plain_length(std::string_view s) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (word_needs_care(w)) break;
  }
  while (i < s.size() && !needs_care[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

// Appends '"' + s + the N bytes of close in one step when s needs no
// escaping (the usual case: keys, names, sizes); else through
// append_escaped. The output is the same either way.
template <std::size_t N>
void append_quoted(std::string& out, std::string_view s, const char (&close)[N + 1]) {
  if (plain_length(s) != s.size()) {
    out.push_back('"');
    append_escaped(out, s);
    out.append(close, N);
    return;
  }
  const std::size_t at = out.size();
  out.resize(at + 1 + s.size() + N);
  char* p = out.data() + at;
  *p++ = '"';
  if (!s.empty()) std::memcpy(p, s.data(), s.size());  // data() may be null when empty
  std::memcpy(p + s.size(), close, N);
}

}  // namespace

void append_escaped(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // Copy the longest run that needs no escaping in one go.
    const std::size_t run = i + plain_length(s.substr(i));
    out.append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;

    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (std::size_t n = utf8_sequence_length(s.substr(i))) {
        out.append(s.data() + i, n);
        i += n;
      } else {
        out.append("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        out.append("\\u00");
        out.push_back(hex_digits[c >> 4]);
        out.push_back(hex_digits[c & 0xF]);
    }
    ++i;
  }
}

void json_writer::newline() {
  out_.push_back('\n');
  out_.append(has_members_.size() * 2, ' ');
}

void json_writer::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (const std::size_t depth = has_members_.size()) {
    // Indexing a vector<bool> is cheaper than back() (no iterator arithmetic).
    auto has_members = has_members_[depth - 1];
    if (has_members) out_.push_back(',');
    has_members = true;
    if (pretty_) newline();
  }
}

json_writer& json_writer::begin_object() {
  before_value();
  out_.push_back('{');
  has_members_.push_back(false);
  return *this;
}

json_writer& json_writer::close(char bracket) {
  const bool had = has_members_.back();
  has_members_.pop_back();
  if (pretty_ && had) newline();
  out_.push_back(bracket);
  return *this;
}

json_writer& json_writer::end_object() { return close('}'); }

json_writer& json_writer::begin_array() {
  before_value();
  out_.push_back('[');
  has_members_.push_back(false);
  return *this;
}

json_writer& json_writer::end_array() { return close(']'); }

json_writer& json_writer::key(std::string_view k) {
  before_value();
  if (pretty_) append_quoted<3>(out_, k, "\": ");
  else append_quoted<2>(out_, k, "\":");
  after_key_ = true;
  return *this;
}

json_writer& json_writer::string(std::string_view s) {
  before_value();
  append_quoted<1>(out_, s, "\"");
  return *this;
}

json_writer& json_writer::raw(std::string_view json) {
  before_value();
  out_.append(json);
  return *this;
}

}  // namespace iohyve_api::detail
