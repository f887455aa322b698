// Bearer tokens for the TCP listener: a file of "TOKEN rw|ro" lines that
// only the daemon's user may read, compared in constant time.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "access.hpp"

namespace iohyve_apid {

class token_store {
 public:
  // Reads FILE: one token a line, then "rw" or "ro"; blank lines and lines
  // starting with '#' are skipped. Refuses (false, error set) a file that
  // group or others may read or write, that another user owns, a token
  // shorter than 16 characters, or a malformed line.
  static bool load(const std::string& path, token_store& out, std::string& error);

  // The role of a presented token (role::none if it is not in the file).
  // Every stored token is compared, each through its SHA-256 digest with
  // CRYPTO_memcmp, so the time taken tells nothing about the tokens.
  role check(std::string_view presented) const;

  std::size_t size() const { return entries_.size(); }

 private:
  using digest = std::array<unsigned char, 32>;
  static digest hash(std::string_view text);
  struct entry {
    digest sha256;
    role granted;
  };
  std::vector<entry> entries_;
};

}  // namespace iohyve_apid
