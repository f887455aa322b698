// examples/embed, built with the project, run against the emulated host.
#include <gtest/gtest.h>

#include "fake_host.hpp"
#include "test_support.hpp"

namespace {

TEST(examples, embed_uses_the_handler_and_the_typed_api) {
  iohyve_test::fake_host host;
  auto setup = iohyve_test::run_with_input({host.tool("iohyve"), "setup", "pool=tank", "kmod=1", "net=em0"}, "");
  ASSERT_EQ(setup.exit_code, 0) << setup.out << setup.err;
  auto r = iohyve_test::run_with_input({IOHYVE_EMBED_EXAMPLE, "--bin-dir", host.bin_dir(), "--rc-conf",
                                        host.rc_conf(), "--vmm-dir", host.vmm_dir(), "--lock-dir", host.lock_dir()},
                                       "");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(R"(handler: {"args":{"version":{"version":"iohyve v0.7.9)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("typed:   demo on tank stopped"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("refused: invalid guest name"), std::string::npos) << r.out;
  EXPECT_TRUE(host.dataset_exists("tank/iohyve/demo"));
}

}  // namespace
