// Pieces shared by the zfs subcommands (zfs_cli.cpp, zfs_read.cpp,
// zfs_write.cpp). Messages follow OpenZFS 2.2 on FreeBSD 14: errors go to
// stderr and make the command exit 1; usage errors exit 2.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"
#include "session.hpp"
#include "text.hpp"
#include "tools.hpp"

namespace fakehost::zfs_cli {

// Which dataset types a command accepts for an argument.
struct type_mask {
  bool filesystem = true;
  bool volume = true;
  bool snapshot = false;
  bool accepts(ds_type t) const { return t == ds_type::volume ? volume : filesystem; }
};

// "zfs get -t filesystem,volume": the types, or false on an invalid name
// (the name is left in bad).
bool parse_types(std::string_view list, type_mask& out, std::string& bad);

// libzfs zfs_open() (and, when paths are allowed, zfs_path_to_zhandle()):
// the dataset named by arg, or nullptr after printing "cannot open ...".
const dataset* open_dataset(const zfs_store& store, const std::string& arg, const type_mask& types,
                            bool allow_paths, sink& err);

// "usage:\n" + the subcommand's usage text, exit status 2.
int usage(sink& err, std::string_view subcommand);
// "invalid option 'x'" / "missing argument for 'x' option", then usage.
int option_error(const parsed_options& o, sink& err, std::string_view subcommand);

// Parses "prop=value" like parseprop(): false after printing the error.
bool parse_assignment(const std::string& arg, std::string& prop, std::string& value, sink& err);

// Validates one property assignment for a dataset of type t (from `zfs set`
// or `zfs create -o`); returns the value to store (sizes normalized to
// bytes) or sets reason to libzfs's wording ("invalid property 'bogus'").
bool validate_assignment(const std::string& prop, const std::string& value, ds_type t, std::string& stored,
                         std::string& reason);

int do_get(session& s, const arguments& args, streams io);
int do_list(session& s, const arguments& args, streams io);
int do_set(session& s, const arguments& args, streams io);
int do_inherit(session& s, const arguments& args, streams io);
int do_create(session& s, const arguments& args, streams io);
int do_destroy(session& s, const arguments& args, streams io);
int do_rename(session& s, const arguments& args, streams io);

}  // namespace fakehost::zfs_cli
