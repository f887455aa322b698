// The transports of the emulated fetch(1) (libfetch's role): file:// URLs
// and plain HTTP to this machine (127.0.0.1 or localhost) only. Errors carry
// libfetch's fetchLastErrString wording ("Not Found", "No address record",
// "Connection refused", "Unsupported URL scheme").
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace fakehost {

struct parsed_url {
  std::string scheme;  // "file", "http", ...
  std::string host;
  int port = 0;
  std::string doc;  // the path, "/dir/file.iso"
};

// fetchParseURL(); false for what libfetch reports as a parse error.
bool parse_url(const std::string& url, parsed_url& out);

class url_reader {
 public:
  virtual ~url_reader() = default;
  // Bytes announced by the server (Content-Length / file size), or -1.
  std::int64_t size() const { return size_; }
  // Reads up to n bytes: > 0 bytes read, 0 at the end, -1 on error (errno).
  virtual long read(char* buffer, std::size_t n) = 0;

 protected:
  std::int64_t size_ = -1;
};

// Maps a path of the emulated host to the file that stands for it.
using path_mapper = std::function<std::filesystem::path(const std::string&)>;

// Opens url for reading, or returns nullptr with error set.
std::unique_ptr<url_reader> open_url(const std::string& url, const path_mapper& map, std::string& error);

}  // namespace fakehost
