#include "faults.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>
#include <vector>

namespace fakehost {

void apply_fault(const state_dir& dir, const std::string& tool) {
  auto faults = read_faults(dir);
  auto it = faults.find(tool);
  if (it == faults.end()) return;
  switch (it->second) {
    case fault::none:
    case fault::missing:
      return;
    case fault::hang:
      while (owner_alive(dir)) std::this_thread::sleep_for(std::chrono::milliseconds(200));
      _exit(124);
    case fault::crash: {
      rlimit no_core{0, 0};
      ::setrlimit(RLIMIT_CORE, &no_core);
      ::signal(SIGSEGV, SIG_DFL);
      ::raise(SIGSEGV);
      _exit(139);
    }
    case fault::garbage: {
      std::random_device seed;
      std::mt19937 random(seed());
      std::vector<char> junk(512 + random() % 4096);
      for (auto& c : junk) c = static_cast<char>(random() & 0xff);
      ssize_t n = ::write(STDOUT_FILENO, junk.data(), junk.size());
      (void)n;
      _exit(0);
    }
  }
}

}  // namespace fakehost
