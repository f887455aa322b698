#include "backend/rc_conf.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>
#include <vector>

#include "test_support.hpp"

using namespace iohyve_api::detail;

namespace {

TEST(rc_conf, appends_when_absent_and_keeps_every_other_byte) {
  const std::string before = "hostname=\"h\"\n# comment  with  spaces\n\nsshd_enable=\"YES\"";
  EXPECT_EQ(with_iohyve_flags(before, "kmod=1 net=em0"),
            before + "\niohyve_flags=\"kmod=1 net=em0\"\n");
  EXPECT_EQ(with_iohyve_flags("", "kmod=1 net=em0"), "iohyve_flags=\"kmod=1 net=em0\"\n");
}

TEST(rc_conf, replaces_existing_lines_in_place) {
  const std::string before = "a=1\niohyve_flags=\"kmod=0 net=re0\"\nb=2\n  iohyve_flags=old\n";
  EXPECT_EQ(with_iohyve_flags(before, "kmod=1 net=em0"),
            "a=1\niohyve_flags=\"kmod=1 net=em0\"\nb=2\niohyve_flags=\"kmod=1 net=em0\"\n");
  // Similar names are other variables.
  EXPECT_EQ(with_iohyve_flags("iohyve_flags_x=1\n#iohyve_flags=\"y\"\n", "v"),
            "iohyve_flags_x=1\n#iohyve_flags=\"y\"\niohyve_flags=\"v\"\n");
}

TEST(rc_conf, issetup_follows_sh_semantics) {
  iohyve_test::temp_dir dir;
  const std::string path = (dir.path() / "rc.conf").string();
  EXPECT_FALSE(*iohyve_flags_set(path));  // no file: not set up
  iohyve_test::write_file(path, "hostname=x\n");
  EXPECT_FALSE(*iohyve_flags_set(path));
  iohyve_test::write_file(path, "iohyve_flags=\"kmod=1 net=em0\"\n");
  EXPECT_TRUE(*iohyve_flags_set(path));
  iohyve_test::write_file(path, "iohyve_flags=\"kmod=1 net=em0\"\niohyve_flags=\"\"\n");
  EXPECT_FALSE(*iohyve_flags_set(path)) << "the last assignment wins";
  iohyve_test::write_file(path, "iohyve_flags=kmod=1 # set up\n");
  EXPECT_TRUE(*iohyve_flags_set(path));
}

TEST(rc_conf, writes_atomically_and_keeps_the_mode) {
  iohyve_test::temp_dir dir;
  const std::string path = (dir.path() / "rc.conf").string();
  iohyve_test::write_file(path, "hostname=x\n");
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  ASSERT_TRUE(set_iohyve_flags(path, "kmod=1 net=em0").ok());
  EXPECT_EQ(iohyve_test::read_file(path), "hostname=x\niohyve_flags=\"kmod=1 net=em0\"\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  // No temporary file left behind.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
  // Again: no second line.
  ASSERT_TRUE(set_iohyve_flags(path, "kmod=1 net=re0").ok());
  EXPECT_EQ(iohyve_test::read_file(path), "hostname=x\niohyve_flags=\"kmod=1 net=re0\"\n");
}

TEST(rc_conf, concurrent_writers_lose_nothing) {
  iohyve_test::temp_dir dir;
  const std::string path = (dir.path() / "rc.conf").string();
  iohyve_test::write_file(path, "keep=1\n");
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] { EXPECT_TRUE(set_iohyve_flags(path, "net=em" + std::to_string(i)).ok()); });
  for (auto& t : threads) t.join();
  const std::string text = iohyve_test::read_file(path);
  EXPECT_EQ(text.rfind("keep=1\niohyve_flags=\"net=em", 0), 0u) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
}

TEST(rc_conf, missing_directory_is_a_clear_error) {
  auto s = set_iohyve_flags("/nonexistent-dir-for-test/rc.conf", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("/nonexistent-dir-for-test"), std::string::npos);
}

}  // namespace
