// Every seed and every regression input of the envelope and handler fuzz
// targets (tests/fuzz/corpus/, tests/fuzz/regressions/), run once through the
// targets' own code and property checks in the normal and sanitizer builds:
// a crash the fuzzer once found stays a failing test here until it is fixed.
// A violated property aborts the process with its description on stderr.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int fuzz_envelope_one_input(const std::uint8_t* data, std::size_t size);
extern "C" int fuzz_handler_one_input(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs(const std::string& target) {
  std::vector<fs::path> files;
  for (const char* kind : {"corpus", "regressions"}) {
    const fs::path dir = fs::path(IOHYVE_FUZZ_DIR) / kind / target;
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replay(const std::string& target, int (*one_input)(const std::uint8_t*, std::size_t)) {
  const auto files = inputs(target);
  ASSERT_GT(files.size(), 10u) << "the " << target << " seeds are missing";
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    const std::string data = read(f);
    EXPECT_EQ(one_input(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()), 0);
  }
}

}  // namespace

TEST(FuzzReplay, EnvelopeSeedsAndRegressions) { replay("envelope", fuzz_envelope_one_input); }
TEST(FuzzReplay, HandlerSeedsAndRegressions) { replay("handler", fuzz_handler_one_input); }
