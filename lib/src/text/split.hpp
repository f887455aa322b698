// Cutting text into lines and fields without copying: views into the text,
// for the parsers of tool output (run on every request) and the few places
// that read a file or a message line by line.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace iohyve_api::detail {

// Lines of text: '\n'-terminated, the last one possibly not ("a\nb" and
// "a\nb\n" are both "a", "b"); '\r' stays in a line. number() counts every
// line, empty ones too, so that an error names the line a user sees in an
// editor.
class line_reader {
 public:
  explicit line_reader(std::string_view text) noexcept : rest_(text) {}

  bool next(std::string_view& line) noexcept {
    if (rest_.empty()) return false;
    const std::size_t nl = rest_.find('\n');
    if (nl == std::string_view::npos) {
      line = rest_;
      rest_ = {};
    } else {
      line = rest_.substr(0, nl);
      rest_.remove_prefix(nl + 1);
    }
    ++number_;
    return true;
  }
  std::size_t number() const noexcept { return number_; }

 private:
  std::string_view rest_;
  std::size_t number_ = 0;
};

// The lines of text that are not empty once their trailing '\r' and blanks
// are cut (as a tool's message is shown), each passed to f until f returns
// false.
template <class F>
void for_each_nonblank_line(std::string_view text, F&& f) {
  line_reader lines(text);
  std::string_view line;
  while (lines.next(line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty() && !f(line)) return;
  }
}

// Splits text on sep into out; returns the number of fields found, or
// out.size() + 1 when there are more than out.size().
template <std::size_t N>
std::size_t split(std::string_view text, char sep, std::array<std::string_view, N>& out) noexcept {
  std::size_t count = 0;
  while (true) {
    const std::size_t at = text.find(sep);
    if (count == N) return N + 1;
    out[count++] = text.substr(0, at);
    if (at == std::string_view::npos) return count;
    text.remove_prefix(at + 1);
  }
}

// Exactly N separated fields: "tank/iohyve/web" on '/' into 3.
template <std::size_t N>
bool split_exact(std::string_view text, char sep, std::array<std::string_view, N>& out) noexcept {
  return split(text, sep, out) == N;
}

// `s` without the copies of `c` at its end.
constexpr std::string_view trim_right(std::string_view s, char c = ' ') noexcept {
  while (!s.empty() && s.back() == c) s.remove_suffix(1);
  return s;
}

}  // namespace iohyve_api::detail
