// listvms costs the same number of processes whatever the number of guests
// (the emulated host logs every tool invocation). A counted measurement, not
// a timing.
#include <gtest/gtest.h>

#include "api_session.hpp"
#include "fake_host.hpp"
#include "test_support.hpp"

using iohyve_test::api_session;
using iohyve_test::fake_host;

namespace {

std::size_t processes_for_listvms(int guests) {
  fake_host host;
  api_session s(host);
  EXPECT_FALSE(s.send(R"({"action":"setup","pool":"tank","nic":"em0"})").is_error);
  for (int i = 0; i < guests; ++i) {
    auto r = s.send(R"({"action":"create","name":"g)" + std::to_string(i) + R"(","size":"1G"})");
    EXPECT_FALSE(r.is_error) << r.text;
  }
  host.clear_invocations();
  auto r = s.send(R"({"action":"listvms"})");
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(s.args_of(r).size(), static_cast<std::size_t>(guests));
  return host.invocations().size();
}

TEST(process_count, listvms_is_independent_of_the_number_of_guests) {
  const std::size_t one = processes_for_listvms(1);
  EXPECT_EQ(one, 2u) << "one zfs get and one pgrep";
  EXPECT_EQ(processes_for_listvms(10), one);
  EXPECT_EQ(processes_for_listvms(200), one);
}

}  // namespace
