// Parsers for the output of the tools the backend runs. Pure functions of
// text: no process is run here, so each is unit-tested on captured output
// (tests/fixtures/) and benchmarked (tests/bench/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iohyve_api/client.hpp"
#include "iohyve_api/error.hpp"
#include "iohyve_api/responses.hpp"

namespace iohyve_api::detail {

// A guest as zfs describes it: dataset POOL/iohyve/NAME whose iohyve:name
// property is set locally (or received) to NAME.
struct guest_record {
  std::string dataset;      // "tank/iohyve/web"
  std::string pool;         // "tank"
  std::string name;         // "web"
  std::string boot;         // iohyve:boot value, "" when unset
  std::string description;  // iohyve:description value, verbatim, "" when unset
};

// Output of
//   zfs get -H -p -o name,property,value,source -s local,received -t filesystem
//       iohyve:name,iohyve:boot,iohyve:description
// (fields separated by one tab, values may contain spaces). Only datasets of
// the form POOL/iohyve/NAME whose iohyve:name is NAME with source local or
// received are guests (an inherited iohyve:name, or one naming another
// dataset, is not). Sorted by name, then pool. Empty lines are skipped; a
// malformed line (not 4 fields, empty name or property, unknown source) is
// error{command_failed, "unexpected output from zfs get: line N: '...'"}.
// Lines of one dataset need not be adjacent.
result<std::vector<guest_record>> parse_guest_records(std::string_view zfs_output);

// The one guest called name in the same output, parsed and checked exactly
// as parse_guest_records does (a malformed line anywhere is still an error;
// with the name on several pools, the first pool in name order wins), or
// nullopt. Copies that guest only: actions on one guest need no more.
result<std::optional<guest_record>> find_guest_record(std::string_view zfs_output, std::string_view name);

// Output of `pgrep -lf '^bhyve: ioh-'` on FreeBSD: "PID COMMAND-LINE" lines,
// e.g. "4242 bhyve: ioh-web". Returns the guest names (text after "ioh-") of
// lines whose whole command line is "bhyve: ioh-NAME", sorted, unique.
std::vector<std::string> parse_running_guests(std::string_view pgrep_output);

struct iso_record {
  std::string pool;  // "tank"
  std::string name;  // "FreeBSD-11.1-RELEASE-amd64-bootonly.iso"
};
// Output of `zfs list -H -o name -t filesystem`: keeps exactly the datasets
// POOL/iohyve/ISO/NAME (not ISO itself, not deeper ones). Sorted by name.
std::vector<iso_record> parse_iso_datasets(std::string_view zfs_output);

// Output of `zfs list -H -p -o name,volsize -t volume -r DATASET`: keeps the
// volumes DATASET/diskN exactly (N a plain number), sorted by N, with size
// formatted as zfs prints it (format_zfs_size). A line that is not
// "name<TAB>bytes" is an error.
result<std::vector<disk_info>> parse_guest_disks(std::string_view zfs_output,
                                                 std::string_view guest_dataset);

// Output of `zfs get -H -o property,value -s local,received all DATASET`:
// the iohyve: properties with the prefix stripped, values verbatim
// (spaces and the text "iohyve:" inside values kept), sorted by name.
// Also accepts `-o property,value,source` lines (3 fields) and then keeps
// only local/received ones. Any other line is error{command_failed}.
result<std::vector<property_entry>> parse_guest_properties(std::string_view zfs_output);

// Output of `iohyve version`: one line "iohyve v<version> <YYYY/MM/DD> <edition>".
// Anything else is an error quoting what was printed.
result<std::string> parse_version(std::string_view iohyve_output);

// Bytes as zfs_nicenum prints them: 1024-based, at most 5 characters,
// "0B", "512B", "96K", "10G", "1.50G", "10.2G".
std::string format_zfs_size(std::uint64_t bytes);

// One record of fetch(1)'s output (lines split on '\r' and '\n'), in either
// the terminal format (name padded or cut to 46 bytes glued to "NNN% of ",
// rate, optional ETA) or the closing summary, FreeBSD 10.x or 11.x+.
// nullopt for lines that are not progress (e.g. "Fetching URL...").
// filename is the name as printed, right-trimmed (a torn UTF-8 tail dropped);
// bytes and download_rate are verbatim, padding included (" 231 MB");
// percent_done is -1 when the line has no percentage; final is set for
// lines without a percentage and for 10.x's "100%" line.
std::optional<fetch_progress> parse_fetch_line(std::string_view line);

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
