// Parsers for the output of the tools the backend runs. Pure functions of
// text: no process is run here, so each is unit-tested on captured output
// (tests/fixtures/) and benchmarked (tests/bench/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "iohyve_api/client.hpp"
#include "iohyve_api/error.hpp"
#include "iohyve_api/responses.hpp"

namespace iohyve_api::detail {

// A guest as zfs describes it: a dataset POOL/iohyve/NAME whose iohyve:name
// property is set locally (or received). Normally iohyve:name is NAME; a
// dataset renamed with `zfs rename` keeps its old iohyve:name.
struct guest_record {
  std::string dataset;      // "tank/iohyve/web"
  std::string pool;         // "tank"
  std::string name;         // "web": the dataset's last component
  std::string boot;         // iohyve:boot value, "" when unset
  std::string description;  // iohyve:description value, verbatim, "" when unset
  std::string iohyve_name;  // iohyve:name value (== name unless renamed)

  // Whether NAME is a valid guest_name and iohyve:name agrees with it: only
  // such a guest can be addressed by name (and iohyve finds it by name).
  bool addressable() const;
};

// Output of
//   zfs get -H -p -o name,property,source,value -s local,received -t filesystem
//       iohyve:name,iohyve:boot,iohyve:description
// zfs -H prints values raw: a tab or a newline inside a value is printed as
// is. The value is the last column, so a record is the three leading fields
// (none of which can hold a tab) and everything after the third tab is the
// value; a line that does not start with leading fields of a record (a
// dataset, a property and a known source) continues the previous record's
// value after a newline. Every dataset POOL/iohyve/NAME with an own (local
// or received) iohyve:name is a guest record; its POOL must be a valid
// pool_name (names from tool output go back into argv), else the whole
// output is an error. Other datasets, whatever their values, are ignored.
// Sorted by name, then pool. Output that does not start with a record, a
// head whose source is unknown, or an invalid pool is
// error{command_failed, "unexpected output from zfs get: line N: '...'"}.
result<std::vector<guest_record>> parse_guest_records(std::string_view zfs_output);

// The records an action on `name` must consider, parsed and checked exactly
// as parse_guest_records does: every dataset POOL/iohyve/NAME and every
// dataset whose iohyve:name is NAME (iohyve looks guests up by that value).
// More than one, or one that is not addressable(), is an ambiguous name.
result<std::vector<guest_record>> find_guest_records(std::string_view zfs_output, std::string_view name);

// The host resources a guest's properties name.
struct guest_resources {
  std::string dataset;               // "tank/iohyve/web"
  std::string name;                  // its iohyve:name
  std::vector<std::string> taps;     // "tap3" (iohyve:tap "tap3=em1,tap4" gives tap3, tap4)
  std::string con;                   // "nmdm3", "" when unset
  std::vector<std::string> pcidevs;  // iohyve:pcidev:N values, "ahci-hd,/dev/zvol/tank/iohyve/web/disk1"
};

// Output of `zfs get -H -o name,property,source,value -s local,received -t
// filesystem all` (commands::guest_resources): every dataset POOL/iohyve/X
// with an own iohyve:name, with its resources, sorted by dataset. Records
// are read as parse_guest_records reads them (the value last, any byte).
result<std::vector<guest_resources>> parse_guest_resources(std::string_view zfs_output);

// Any `zfs get -H -o name,property,source,value` output, read as
// parse_guest_records reads it: each dataset's own (local or received)
// properties as (property, value) pairs, in output order.
struct dataset_properties {
  std::string dataset;
  std::vector<std::pair<std::string, std::string>> properties;
  // The value of property, "" when it is not among them.
  std::string value_of(std::string_view property) const;
};
result<std::vector<dataset_properties>> parse_own_properties(std::string_view zfs_output);

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

// Output of `zfs get -H -o property,source,value -s local,received,inherited
// all DATASET`: the iohyve: properties with the prefix stripped, values
// verbatim (any byte but the newline of a continued value kept as is, tabs
// and the text "iohyve:" inside values kept), sorted by name, each with
// where its value comes from (inherited_from: "" for local or received, the
// dataset for an inherited value). Records are recognised by their leading
// fields as in parse_guest_records; default and unset values are skipped.
// A property name that is not a valid zfs property name (it could go back
// into `zfs inherit`) is error{command_failed}, as is output that does not
// start with a record.
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
