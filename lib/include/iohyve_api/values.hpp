// Value types that can only hold valid values. Every argument that reaches a
// command line has passed through one of these parse() functions, so the
// backend may put .str() into an argv without further checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "iohyve_api/export.hpp"
#include "iohyve_api/error.hpp"

namespace iohyve_api {

// A guest (VM) name: letters, digits, '_' and '-', first character a letter
// or digit, 1..27 bytes, so that bhyve's VM name "ioh-NAME" fits its limit
// of 31 bytes. ASCII only: iohyve uses it in unquoted shell words and in
// grep ^NAME$, so nothing else may pass.
class IOHYVE_API guest_name {
 public:
  static result<guest_name> parse(std::string_view text);
  const std::string& str() const noexcept { return value_; }
  friend bool operator==(const guest_name&, const guest_name&) = default;
  friend auto operator<=>(const guest_name&, const guest_name&) = default;

 private:
  explicit guest_name(std::string v) : value_(std::move(v)) {}
  std::string value_;
};

// A zfs size such as "10G", "1.5T", "512M", "8589934592", "20GB".
// DIGITS ["." DIGITS] [K|M|G|T|P|E] [B], case-insensitive, 1..20 characters;
// a lone "B" after the number means bytes. Suffixes are 1024-based, as zfs
// reads them. No sign, space, exponent ("1e9") or hex ("0x10"); "KiB" is not
// accepted. bytes() is computed as zfs does: integers exactly (refused if
// they overflow 64 bits), decimals as double * 2^shift, truncated ("1.1K" is
// 1126); it is never zero ("0", "0.0001" are refused).
class IOHYVE_API size {
 public:
  static result<size> parse(std::string_view text);
  const std::string& str() const noexcept { return text_; }  // as given
  std::uint64_t bytes() const noexcept { return bytes_; }
  friend bool operator==(const size&, const size&) = default;

 private:
  size(std::string t, std::uint64_t b) : text_(std::move(t)), bytes_(b) {}
  std::string text_;
  std::uint64_t bytes_;
};

// A guest disk: "disk0", "disk1", ... (no leading zeros, index < 1000).
class IOHYVE_API disk_name {
 public:
  static result<disk_name> parse(std::string_view text);
  const std::string& str() const noexcept { return value_; }
  unsigned index() const noexcept { return index_; }
  friend bool operator==(const disk_name&, const disk_name&) = default;

 private:
  disk_name(std::string v, unsigned i) : value_(std::move(v)), index_(i) {}
  std::string value_;
  unsigned index_;
};

// An ISO file name as iohyve stores it: one zfs dataset component
// (letters, digits, '_', '-', '.', ':'), not starting with '-' or '.'
// (so never "." or ".."), 1..200 bytes, no '/'. zfs would also take spaces;
// iohyve splits unquoted words on them, so they are refused.
class IOHYVE_API iso_name {
 public:
  static result<iso_name> parse(std::string_view text);
  const std::string& str() const noexcept { return value_; }
  friend bool operator==(const iso_name&, const iso_name&) = default;

 private:
  explicit iso_name(std::string v) : value_(std::move(v)) {}
  std::string value_;
};

// A zfs pool name as OpenZFS's pool_namecheck()/zpool_name_valid() accept
// it, minus spaces: starts with a letter, then letters, digits, '_', '-',
// '.', ':'; at most 239 bytes; not "log" and not beginning with "mirror",
// "raidz", "draid" or "spare" (names zfs reserves).
class IOHYVE_API pool_name {
 public:
  static result<pool_name> parse(std::string_view text);
  const std::string& str() const noexcept { return value_; }
  friend bool operator==(const pool_name&, const pool_name&) = default;

 private:
  explicit pool_name(std::string v) : value_(std::move(v)) {}
  std::string value_;
};

// A FreeBSD network interface name such as "em0", "re0", "igb1", "vlan10",
// "lagg0": a letter, then letters, digits, '_' or '.', at most 15 bytes.
// It is written into rc.conf, which sh sources at boot: nothing else may pass.
class IOHYVE_API nic_name {
 public:
  static result<nic_name> parse(std::string_view text);
  const std::string& str() const noexcept { return value_; }
  friend bool operator==(const nic_name&, const nic_name&) = default;

 private:
  explicit nic_name(std::string v) : value_(std::move(v)) {}
  std::string value_;
};

// A download URL for fetchiso, at most 2048 bytes:
// - scheme http, https, ftp or file, in lower case ("HTTP://" is refused
//   rather than rewritten), followed by "://";
// - only ASCII letters, digits and - . _ ~ : / @ % + , = (no whitespace,
//   control characters, quotes, backslash, '$', '*', '[' ... and no
//   non-ASCII bytes: percent-encode them); '%' must start a %XX escape;
// - no query string or fragment ('?', '#');
// - http/https/ftp: [user[:pass]@]host[:port] with a non-empty host of
//   letters, digits, '-', '.', '_' and a port 1..65535; file: "file:///path";
// - path segments are non-empty and neither "." nor ".." nor contain '/',
//   '\' or control characters, also after percent-decoding;
// - the path does not end with '/', and its last component, taken as is
//   (no percent-decoding, so no '%'), is a valid iso_name: file_name().
class IOHYVE_API url {
 public:
  static result<url> parse(std::string_view text);
  const std::string& str() const noexcept { return value_; }
  const std::string& scheme() const noexcept { return scheme_; }
  const iso_name& file_name() const noexcept { return file_; }
  friend bool operator==(const url& a, const url& b) { return a.value_ == b.value_; }

 private:
  url(std::string v, std::string s, iso_name f)
      : value_(std::move(v)), scheme_(std::move(s)), file_(std::move(f)) {}
  std::string value_;
  std::string scheme_;
  iso_name file_;
};

// One iohyve guest property and its value, e.g. ram=512M. The name is given
// without the "iohyve:" prefix. Only properties iohyve 0.7.9 reads are
// accepted (autogrub, bargs, boot, con, cpu, description, fw, loader,
// mac_tapN, net, os, pcidev:N, persist, ram, sectorsize, tap, template, utc,
// vnc, vnc_h, vnc_ip, vnc_port, vnc_tablet, vnc_w, vnc_wait), each value
// non-empty, valid UTF-8 and checked for its type (see properties.cpp).
// "name" and "size" are not settable (iohyve derives them), nor "install"
// (iohyve rewrites it on every install and start), nor "bhyve_path" (iohyve
// executes it as root on the next start).
class IOHYVE_API property {
 public:
  static result<property> parse(std::string_view name, std::string_view value);
  const std::string& name() const noexcept { return name_; }    // without "iohyve:"
  const std::string& value() const noexcept { return value_; }
  friend bool operator==(const property&, const property&) = default;

 private:
  property(std::string n, std::string v) : name_(std::move(n)), value_(std::move(v)) {}
  std::string name_;
  std::string value_;
};

}  // namespace iohyve_api
