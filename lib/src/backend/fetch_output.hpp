// Reading fetch(1)'s progress output: records split from its byte stream,
// each parsed into a fetch_progress. Pure functions of text, unit-tested on
// captured output (tests/fixtures/) and benchmarked (tests/bench/).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "iohyve_api/progress.hpp"

namespace iohyve_api::detail {

// One record of fetch(1)'s output (lines split on '\r' and '\n'), in either
// the terminal format (name padded or cut to 46 bytes glued to "NNN% of ",
// rate, optional ETA) or the closing summary, FreeBSD 10.x or 11.x+.
// nullopt for lines that are not progress (e.g. "Fetching URL...").
// filename is the name as printed, right-trimmed (a torn UTF-8 tail dropped);
// bytes and download_rate are verbatim, padding included (" 231 MB");
// percent_done is -1 when the line has no percentage; final is set for
// lines without a percentage and for 10.x's "100%" line.
std::optional<fetch_progress> parse_fetch_line(std::string_view line);

// A rate as fetch prints it, padded ("  763 MBps", "   0  Bps" where the
// unit prefix is a blank), as clients want it: "763 MBps", "0 Bps" (no
// leading or trailing blanks, one space between number and unit).
std::string rate_text(std::string_view padded);

// Splits a byte stream into records on '\r' and '\n', across chunk borders.
class record_splitter {
 public:
  // Calls on_record(record) for every complete record in chunk.
  template <class F>
  void feed(std::string_view chunk, F&& on_record) {
    for (char c : chunk) {
      if (c == '\r' || c == '\n') {
        if (!pending_.empty()) on_record(std::string_view(pending_));
        pending_.clear();
      } else if (pending_.size() < max_record) {
        pending_.push_back(c);
      }
    }
  }
  // The unterminated rest, if any (call at end of stream).
  template <class F>
  void finish(F&& on_record) {
    if (!pending_.empty()) on_record(std::string_view(pending_));
    pending_.clear();
  }

 private:
  static constexpr std::size_t max_record = 4096;
  std::string pending_;
};

}  // namespace iohyve_api::detail
