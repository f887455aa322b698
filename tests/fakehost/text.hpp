// Output sinks and the small text tools (cut, grep, word splitting) that the
// emulated tools are assembled from. iohyve is a shell script built from
// pipelines; the emulation keeps those pipelines recognisable, so a reader can
// hold a function next to the line of lib/ioh-* it reproduces.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fakehost {

// Where a command's output goes: a file descriptor of this process (what a
// real tool writes to), a string (the shell's $(...)), or nowhere
// (> /dev/null). Writes to a descriptor are unbuffered, so stdout and stderr
// keep their relative order exactly as the real tools' write(2) calls do.
class sink {
 public:
  static sink to_fd(int fd);
  static sink capture();
  static sink discard();

  void write(std::string_view text);
  template <typename... Args>
  void print(fmt::format_string<Args...> format, Args&&... args) {
    write(fmt::format(format, std::forward<Args>(args)...));
  }
  const std::string& captured() const { return captured_; }
  // The descriptor this sink writes to, or -1.
  int fd() const { return kind_ == kind::fd ? fd_ : -1; }

 private:
  enum class kind { fd, capture, discard };
  sink(kind k, int fd) : kind_(k), fd_(fd) {}
  kind kind_;
  int fd_;
  std::string captured_;
};

// A command's standard output and standard error.
struct streams {
  sink& out;
  sink& err;
};

// Fields of s separated by sep; empty fields kept (cut(1) semantics).
std::vector<std::string> split(std::string_view s, char sep);
// Lines of s without their '\n'; a final newline does not make an empty line.
std::vector<std::string> lines(std::string_view s);
// sh(1) field splitting of an unquoted expansion with the default IFS.
std::vector<std::string> words(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// cut -d SEP -f N (1-based; a line without SEP is printed whole, as cut does).
std::string cut_field(std::string_view line, char sep, std::size_t n);
// cut -d SEP -f N- (fields N and later).
std::string cut_fields_from(std::string_view line, char sep, std::size_t n);

// grep PATTERN: the lines matching a POSIX basic regular expression. An
// invalid expression matches nothing (grep prints an error; iohyve hides it).
std::vector<std::string> grep(const std::vector<std::string>& input, const std::string& pattern,
                              bool extended = false);
bool grep_matches(const std::string& line, const std::string& pattern, bool extended = false);

// sort -V (version sort, GNU coreutils as in the fixtures' host).
void version_sort(std::vector<std::string>& v);

// Escaping for the state files: one record per line, fields separated by tabs.
std::string escape_field(std::string_view s);
std::string unescape_field(std::string_view s);

// Plain decimal number, or false.
bool parse_u64(std::string_view s, std::uint64_t& out);

}  // namespace fakehost
