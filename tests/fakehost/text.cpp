#include "text.hpp"

#include <regex.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>

namespace fakehost {

sink sink::to_fd(int fd) { return sink(kind::fd, fd); }
sink sink::capture() { return sink(kind::capture, -1); }
sink sink::discard() { return sink(kind::discard, -1); }

void sink::write(std::string_view text) {
  switch (kind_) {
    case kind::capture:
      captured_.append(text);
      return;
    case kind::discard:
      return;
    case kind::fd:
      while (!text.empty()) {
        ssize_t n = ::write(fd_, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // a closed pipe: the real tools lose the text too
        text.remove_prefix(static_cast<std::size_t>(n));
      }
      return;
  }
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.emplace_back(s.substr(start));
      return out;
    }
    out.emplace_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::vector<std::string> lines(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  out = split(s, '\n');
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string current;
  bool in_word = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(std::move(current));
      current.clear();
      in_word = false;
    } else {
      current.push_back(c);
      in_word = true;
    }
  }
  if (in_word) out.push_back(std::move(current));
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out.append(sep);
    out.append(parts[i]);
  }
  return out;
}

std::string cut_field(std::string_view line, char sep, std::size_t n) {
  if (line.find(sep) == std::string_view::npos) return std::string(line);
  auto f = split(line, sep);
  return n >= 1 && n <= f.size() ? f[n - 1] : std::string();
}

std::string cut_fields_from(std::string_view line, char sep, std::size_t n) {
  if (line.find(sep) == std::string_view::npos) return std::string(line);
  auto f = split(line, sep);
  if (n < 1 || n > f.size()) return std::string();
  std::vector<std::string> rest(f.begin() + static_cast<std::ptrdiff_t>(n - 1), f.end());
  return join(rest, std::string_view(&sep, 1));
}

namespace {

// A compiled POSIX regular expression (what grep(1) uses).
class posix_regex {
 public:
  posix_regex(const std::string& pattern, bool extended) {
    ok_ = regcomp(&re_, pattern.c_str(), (extended ? REG_EXTENDED : 0) | REG_NOSUB) == 0;
  }
  ~posix_regex() {
    if (ok_) regfree(&re_);
  }
  posix_regex(const posix_regex&) = delete;
  posix_regex& operator=(const posix_regex&) = delete;
  bool matches(const std::string& s) const { return ok_ && regexec(&re_, s.c_str(), 0, nullptr, 0) == 0; }

 private:
  regex_t re_{};
  bool ok_ = false;
};

}  // namespace

std::vector<std::string> grep(const std::vector<std::string>& input, const std::string& pattern,
                              bool extended) {
  posix_regex re(pattern, extended);
  std::vector<std::string> out;
  for (const auto& l : input)
    if (re.matches(l)) out.push_back(l);
  return out;
}

bool grep_matches(const std::string& line, const std::string& pattern, bool extended) {
  return posix_regex(pattern, extended).matches(line);
}

namespace {

// GNU filevercmp's core (without its suffix handling, which iohyve's inputs
// such as "tap3" or "12" never exercise): digits compare as numbers, other
// characters with letters before non-letters.
int order(char c) {
  if (std::isdigit(static_cast<unsigned char>(c))) return 0;
  if (std::isalpha(static_cast<unsigned char>(c))) return static_cast<unsigned char>(c);
  if (c == '~') return -1;
  return static_cast<unsigned char>(c) + 256;
}

int verrevcmp(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !std::isdigit(static_cast<unsigned char>(a[i]))) ||
           (j < b.size() && !std::isdigit(static_cast<unsigned char>(b[j])))) {
      int ac = i < a.size() ? order(a[i]) : 0;
      int bc = j < b.size() ? order(b[j]) : 0;
      if (ac != bc) return ac - bc;
      ++i;
      ++j;
    }
    while (i < a.size() && a[i] == '0') ++i;
    while (j < b.size() && b[j] == '0') ++j;
    while (i < a.size() && j < b.size() && std::isdigit(static_cast<unsigned char>(a[i])) &&
           std::isdigit(static_cast<unsigned char>(b[j]))) {
      if (!first_diff) first_diff = a[i] - b[j];
      ++i;
      ++j;
    }
    if (i < a.size() && std::isdigit(static_cast<unsigned char>(a[i]))) return 1;
    if (j < b.size() && std::isdigit(static_cast<unsigned char>(b[j]))) return -1;
    if (first_diff) return first_diff;
  }
  return 0;
}

}  // namespace

void version_sort(std::vector<std::string>& v) {
  std::stable_sort(v.begin(), v.end(), [](const std::string& a, const std::string& b) {
    int c = verrevcmp(a, b);
    return c != 0 ? c < 0 : a < b;
  });
}

std::string escape_field(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

std::string unescape_field(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char n = s[++i];
    out += n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n;
  }
  return out;
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace fakehost
