// Parsers for zfs's output (`zfs get -H` records, `zfs list -H` lines) and
// sizes as zfs prints them. Pure functions of text: no process is run here,
// so each is unit-tested on captured output (tests/fixtures/) and
// benchmarked (tests/bench/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// Bytes as zfs_nicenum prints them: 1024-based, at most 5 characters,
// "0B", "512B", "96K", "10G", "1.50G", "10.2G".
std::string format_zfs_size(std::uint64_t bytes);

}  // namespace iohyve_api::detail
