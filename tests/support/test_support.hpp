// Helpers shared by the tests.
#pragma once

#include <filesystem>
#include <string>

namespace iohyve_test {

// Contents of a file, or a failed test (via ADD_FAILURE) and "" if unreadable.
std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& contents);

// tests/fixtures/<relative>.
std::filesystem::path fixture(const std::string& relative);

// A fresh directory removed (recursively) on destruction.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace iohyve_test
