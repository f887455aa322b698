// Value types that can only hold valid values. Every argument that reaches a
// command line has passed through one of these parse() functions, so the
// backend may put .str() into an argv without further checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "iohyve_api/error.hpp"

namespace iohyve_api {

// A guest (VM) name: letters, digits, '_' and '-', first character a letter
// or digit, 1..27 bytes, so that bhyve's VM name "ioh-NAME" fits its limit.
class guest_name {
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
// Integer or decimal, optional K/M/G/T/P/E suffix (1024-based, as zfs reads
// it), optional trailing B; never zero, never negative, no exponent.
class size {
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
class disk_name {
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
// (letters, digits, '_', '-', '.', ':'), not starting with '-' or '.',
// at most 200 bytes, no '/'.
class iso_name {
 public:
  static result<iso_name> parse(std::string_view text);
  const std::string& str() const noexcept { return value_; }
  friend bool operator==(const iso_name&, const iso_name&) = default;

 private:
  explicit iso_name(std::string v) : value_(std::move(v)) {}
  std::string value_;
};

// A zfs pool name: starts with a letter, then letters, digits, '_', '-',
// '.', ':'; not a reserved name (mirror, raidz..., spare, log, ...).
class pool_name {
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
class nic_name {
 public:
  static result<nic_name> parse(std::string_view text);
  const std::string& str() const noexcept { return value_; }
  friend bool operator==(const nic_name&, const nic_name&) = default;

 private:
  explicit nic_name(std::string v) : value_(std::move(v)) {}
  std::string value_;
};

// A download URL for fetchiso: scheme http, https, ftp or file; no
// whitespace, control characters or quotes; its last path component (the
// name iohyve gives the ISO) must be a valid iso_name; no "." or ".."
// path segments.
class url {
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

// One iohyve guest property and its value, e.g. ram=512M. Only properties
// iohyve knows are accepted, each value checked for its type. "name" and
// "size" are not settable (iohyve derives them), nor "bhyve_path" (iohyve
// executes it as root on the next start). "pcidev:N" is allowed.
class property {
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
