#include "envelope/json_writer.hpp"
#include "text/utf8.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>

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
// Word is std::uint64_t or std::uint32_t (8 or 4 bytes at once).
template <class Word>
constexpr bool word_needs_care(Word w) noexcept {
  constexpr Word ones = static_cast<Word>(0x0101010101010101ull);
  constexpr Word highs = static_cast<Word>(0x8080808080808080ull);
  const auto has_zero = [](Word x) -> Word { return (x - ones) & ~x & highs; };
  const Word below_space = (w - ones * 0x20) & ~w & highs;
  return ((w & highs) | below_space | has_zero(w ^ (ones * '"')) | has_zero(w ^ (ones * '\\'))) != 0;
}

// Copies the Word at s + at to p + at if none of its bytes needs care.
template <class Word>
bool copy_plain_word(const char* s, char* p, std::size_t at) noexcept {
  Word w;
  std::memcpy(&w, s + at, sizeof w);
  if (word_needs_care(w)) return false;
  std::memcpy(p + at, &w, sizeof w);
  return true;
}

// Copies s to p when no byte of it needs care; false (p partly written) if
// one does. Whole words, the last one overlapping the one before it, so
// that a 4- to 8-byte key or value is two loads and two stores, not a byte
// loop.
bool copy_plain(std::string_view s, char* p) noexcept {
  const char* in = s.data();
  const std::size_t n = s.size();
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 <= n; i += 8)
      if (!copy_plain_word<std::uint64_t>(in, p, i)) return false;
    return n % 8 == 0 || copy_plain_word<std::uint64_t>(in, p, n - 8);
  }
  if (n >= 4) return copy_plain_word<std::uint32_t>(in, p, 0) && copy_plain_word<std::uint32_t>(in, p, n - 4);
  for (std::size_t i = 0; i < n; ++i) {
    if (needs_care[static_cast<unsigned char>(in[i])]) return false;
    p[i] = in[i];
  }
  return true;
}

// Length of the prefix of s that can be copied as it is.
std::size_t plain_length(std::string_view s) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (word_needs_care<std::uint64_t>(w)) break;
  }
  while (i < s.size() && !needs_care[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

// Appends s to out as the body of a JSON string (no quotes), escaped.
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

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  append_escaped(out, s);
  out.push_back('"');
}

json_writer::json_writer(bool pretty, std::size_t capacity) : pretty_(pretty) {
  out_.resize(capacity);
}

std::string json_writer::take() noexcept {
  out_.resize(used_);  // shrinking never reallocates
  used_ = 0;
  return std::move(out_);
}

char* json_writer::grow(std::size_t n) {
  out_.resize(std::max(out_.size() * 2, used_ + n));
  return out_.data() + used_;
}

void json_writer::put(std::string_view s) {
  if (s.empty()) return;  // data() may be null
  std::memcpy(room(s.size()), s.data(), s.size());
  used_ += s.size();
}

// '"' + s + close. Plain text (keys, names, sizes: the usual case) is
// checked and copied in one pass by words (copy_plain), without a call to
// memcpy, whose set-up costs more than these short strings; text that needs
// escaping goes through append_escaped. The output is the same either way.
template <std::size_t N>
void json_writer::put_quoted(std::string_view s, const char (&close)[N]) {
  constexpr std::size_t close_size = N - 1;  // without the literal's NUL
  const std::size_t n = 1 + s.size() + close_size;
  char* const start = room(n);
  *start = '"';
  if (copy_plain(s, start + 1)) {
    std::memcpy(start + 1 + s.size(), close, close_size);
    used_ += n;
    return;
  }
  used_ += 1;
  put_escaped(s);
  put(std::string_view(close, close_size));
}

void json_writer::put_escaped(std::string_view s) {
  std::string escaped;
  append_escaped(escaped, s);
  put(escaped);
}

void json_writer::newline() {
  const std::size_t indent = std::size_t{depth_} * 2;
  char* p = room(1 + indent);
  *p = '\n';
  std::memset(p + 1, ' ', indent);
  used_ += 1 + indent;
}

void json_writer::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  const std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
  if (has_members_ & bit) put(',');
  has_members_ |= bit;
  if (pretty_) newline();
}

json_writer& json_writer::open(char bracket) {
  if (depth_ == max_depth) throw std::length_error("json_writer: more than 64 containers open");
  before_value();
  put(bracket);
  has_members_ &= ~(std::uint64_t{1} << depth_);
  ++depth_;
  return *this;
}

json_writer& json_writer::close(char bracket) {
  --depth_;
  const bool had = (has_members_ >> depth_) & 1;
  if (pretty_ && had) newline();
  put(bracket);
  return *this;
}

json_writer& json_writer::begin_object() { return open('{'); }
json_writer& json_writer::end_object() { return close('}'); }
json_writer& json_writer::begin_array() { return open('['); }
json_writer& json_writer::end_array() { return close(']'); }

json_writer& json_writer::key(std::string_view k) {
  before_value();
  if (pretty_) put_quoted(k, "\": ");
  else put_quoted(k, "\":");
  after_key_ = true;
  return *this;
}

json_writer& json_writer::string(std::string_view s) {
  before_value();
  put_quoted(s, "\"");
  return *this;
}

json_writer& json_writer::raw(std::string_view json) {
  before_value();
  put(json);
  return *this;
}

}  // namespace iohyve_api::detail
