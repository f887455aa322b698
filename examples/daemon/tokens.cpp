#include "tokens.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace iohyve_apid {

token_store::digest token_store::hash(std::string_view text) {
  digest d{};
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), d.data(), &len, EVP_sha256(), nullptr);
  return d;
}

bool token_store::load(const std::string& path, token_store& out, std::string& error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = "cannot read the token file " + path;
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = "the token file " + path + " is not a regular file";
    return false;
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    error = "the token file " + path + " is accessible to group or others; chmod 600 it";
    return false;
  }
  if (st.st_uid != ::geteuid()) {
    error = "the token file " + path + " belongs to another user (uid " + std::to_string(st.st_uid) + ")";
    return false;
  }
  std::ifstream in(path);
  if (!in) {
    error = "cannot open the token file " + path;
    return false;
  }
  token_store store;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream words(line);
    std::string token, mode, extra;
    if (!(words >> token) || token.front() == '#') continue;
    const std::string where = path + ":" + std::to_string(number);
    if (!(words >> mode) || (words >> extra) || (mode != "rw" && mode != "ro")) {
      error = where + ": expected 'TOKEN rw' or 'TOKEN ro'";  // never the token itself
      return false;
    }
    if (token.size() < 16) {
      error = where + ": the token is shorter than 16 characters";
      return false;
    }
    store.entries_.push_back({hash(token), mode == "rw" ? role::read_write : role::read_only});
  }
  out = std::move(store);
  return true;
}

role token_store::check(std::string_view presented) const {
  const digest d = hash(presented);
  role found = role::none;
  for (const entry& e : entries_) {
    const bool match = CRYPTO_memcmp(e.sha256.data(), d.data(), d.size()) == 0;
    // No early exit: the loop takes the same time wherever the match is.
    if (match && found == role::none) found = e.granted;
  }
  return found;
}

}  // namespace iohyve_apid
