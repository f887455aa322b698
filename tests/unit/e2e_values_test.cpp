// What real hosts hold and the document's examples never show, against the
// emulated host: values with tabs and newlines, inherited values, the same
// guest name on two pools, a dataset renamed with `zfs rename`. One
// dataset's odd value never fails an action on another guest, a reply never
// holds a key twice, and an ambiguous name is refused before anything runs.
#include <gtest/gtest.h>

#include "api_session.hpp"
#include "fake_host.hpp"
#include "test_support.hpp"

using iohyve_test::api_session;
using iohyve_test::fake_host;
using iohyve_test::json_value;
using iohyve_test::str;

namespace {

// Runs a tool of the emulated host directly, as a sysadmin would.
void host_run(const fake_host& host, const std::string& tool, std::vector<std::string> args) {
  args.insert(args.begin(), host.tool(tool));
  auto r = iohyve_test::run_with_input(args, "", 60);
  ASSERT_EQ(r.exit_code, 0) << args[1] << ": " << r.out << r.err;
}

class values : public ::testing::Test {
 protected:
  void SetUp() override {
    EXPECT_OK(s, R"({"action":"setup","pool":"tank","nic":"em0"})");
    EXPECT_OK(s, R"({"action":"create","name":"web","size":"1G"})");
    EXPECT_OK(s, R"({"action":"create","name":"db","size":"1G"})");
  }
  fake_host host;
  api_session s{host};
};

TEST_F(values, a_tab_in_any_value_breaks_no_action) {
  EXPECT_OK(s, R"({"action":"start","name":"db"})");
  host_run(host, "zfs", {"set", "iohyve:description=a\tb", "tank/iohyve/web"});
  host_run(host, "zfs", {"set", "iohyve:foo=x\ty\tlocal", "tank/iohyve/web"});
  host_run(host, "zfs", {"create", "tank/other"});
  host_run(host, "zfs", {"set", "iohyve:description=\t", "tank/other"});

  auto vms = EXPECT_OK(s, R"({"action":"listvms"})");
  ASSERT_TRUE(vms.is_object() && vms.contains("web")) << "listvms";
  EXPECT_EQ(str(vms["web"], "description"), "a\tb");
  auto props = EXPECT_OK(s, R"({"action":"getprops","name":"web"})");
  EXPECT_EQ(str(props["web"], "description"), "a\tb");
  EXPECT_EQ(str(props["web"], "foo"), "x\ty\tlocal");
  EXPECT_OK(s, R"({"action":"listdisks","name":"web"})");
  EXPECT_OK(s, R"({"action":"create","name":"app","size":"1G"})");
  EXPECT_OK(s, R"({"action":"stop","name":"db","force":true})");
  EXPECT_OK(s, R"({"action":"setprop","name":"web","description":"repaired"})");
  EXPECT_EQ(host.property("tank/iohyve/web", "iohyve:description"), "repaired");
}

// zfs -H prints a newline inside a value raw; the value goes on until a line
// starts like a record (dataset, property, source).
TEST_F(values, a_newline_in_a_value_stays_in_that_value) {
  host_run(host, "zfs", {"set", "iohyve:description=first line\nsecond\tline\n", "tank/iohyve/db"});
  host_run(host, "zfs", {"set", "iohyve:note=one\n\nthree", "tank/iohyve/db"});
  auto vms = EXPECT_OK(s, R"({"action":"listvms"})");
  EXPECT_EQ(str(vms["db"], "description"), "first line\nsecond\tline\n");
  EXPECT_EQ(str(vms["web"], "rcboot"), "NO");
  auto props = EXPECT_OK(s, R"({"action":"getprops","name":"db"})");
  EXPECT_EQ(str(props["db"], "description"), "first line\nsecond\tline\n");
  EXPECT_EQ(str(props["db"], "note"), "one\n\nthree");
  EXPECT_EQ(str(props["db"], "ram"), "512M") << "the record after a multi-line value";
  EXPECT_OK(s, R"({"action":"start","name":"web"})");
  EXPECT_OK(s, R"({"action":"stop","name":"web","force":true})");
}

TEST_F(values, getprops_shows_inherited_values) {
  host_run(host, "zfs", {"set", "iohyve:cpu=4", "tank/iohyve"});
  host_run(host, "zfs", {"inherit", "iohyve:cpu", "tank/iohyve/web"});
  host_run(host, "zfs", {"set", "iohyve:owner=ops team", "tank/iohyve"});
  auto props = EXPECT_OK(s, R"({"action":"getprops","name":"web"})");
  EXPECT_EQ(str(props["web"], "cpu"), "4");
  EXPECT_EQ(str(props["web"], "owner"), "ops team");
  props = EXPECT_OK(s, R"({"action":"getprops","name":"db"})");
  EXPECT_EQ(str(props["db"], "cpu"), "1") << "a local value wins over the inherited one";

  auto typed = s.client().get_props(*iohyve_api::guest_name::parse("web"));
  ASSERT_TRUE(typed.ok()) << typed.error().message;
  int seen = 0;
  for (const auto& p : *typed) {
    if (p.name == "cpu") {
      EXPECT_EQ(p.inherited_from, "tank/iohyve");
      ++seen;
    }
    if (p.name == "ram") {
      EXPECT_EQ(p.inherited_from, "");
      ++seen;
    }
  }
  EXPECT_EQ(seen, 2);
}

TEST_F(values, a_renamed_dataset_is_listed_under_its_dataset_and_not_acted_on) {
  host_run(host, "zfs", {"rename", "tank/iohyve/web", "tank/iohyve/www"});
  auto r = s.send(R"({"action":"listvms"})");
  ASSERT_EQ(r.status, 200) << r.text;
  auto vms = s.args_of(r);
  ASSERT_TRUE(vms.contains("tank/iohyve/www")) << r.text;
  EXPECT_FALSE(vms.contains("web")) << r.text;
  EXPECT_FALSE(vms.contains("www")) << r.text;
  EXPECT_EQ(str(vms["tank/iohyve/www"], "dataset"), "tank/iohyve/www");
  EXPECT_NE(str(vms["tank/iohyve/www"], "conflict").find("renamed"), std::string::npos);
  EXPECT_TRUE(vms.contains("db"));
  for (const char* name : {"web", "www"}) {
    const std::string msg =
        EXPECT_REFUSED(s, std::string(R"({"action":"start","name":")") + name + R"("})", 409);
    EXPECT_NE(msg.find("tank/iohyve/www"), std::string::npos) << msg;
  }
  EXPECT_EQ(host.running_guests(), std::vector<std::string>{});
}

TEST(two_pools, the_same_name_on_two_pools_is_listed_twice_under_distinct_keys_and_refused) {
  iohyve_test::fake_host_options o;
  o.pools = {{"tank", std::uint64_t{100} << 30}, {"tank2", std::uint64_t{100} << 30}};
  fake_host host(o);
  api_session s(host);
  EXPECT_OK(s, R"({"action":"setup","pool":"tank","nic":"em0"})");
  host_run(host, "iohyve", {"setup", "pool=tank2"});
  EXPECT_OK(s, R"({"action":"create","name":"twin","size":"1G"})");
  EXPECT_OK(s, R"({"action":"create","name":"solo","size":"1G"})");
  host_run(host, "iohyve", {"create", "twin", "1G", "tank2"});
  ASSERT_TRUE(host.dataset_exists("tank2/iohyve/twin"));

  auto r = s.send(R"({"action":"listvms"})");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.text.find(R"("twin":)"), std::string::npos) << "no key 'twin', let alone twice: " << r.text;
  auto vms = s.args_of(r);
  ASSERT_TRUE(vms.contains("tank/iohyve/twin") && vms.contains("tank2/iohyve/twin")) << r.text;
  EXPECT_NE(str(vms["tank2/iohyve/twin"], "conflict").find("ambiguous"), std::string::npos);
  EXPECT_EQ(str(vms["solo"], "running"), "NO");
  EXPECT_FALSE(vms["solo"].contains("conflict"));

  for (const char* req : {R"({"action":"delete","name":"twin"})", R"({"action":"start","name":"twin"})",
                          R"({"action":"getprops","name":"twin"})", R"({"action":"adddisk","name":"twin","size":"1G"})",
                          R"({"action":"setprop","name":"twin","ram":"1G"})", R"({"action":"listdisks","name":"twin"})"}) {
    const std::string msg = EXPECT_REFUSED(s, req, 409);
    EXPECT_NE(msg.find("tank/iohyve/twin"), std::string::npos) << msg;
    EXPECT_NE(msg.find("tank2/iohyve/twin"), std::string::npos) << msg;
  }
  EXPECT_TRUE(host.dataset_exists("tank/iohyve/twin"));
  EXPECT_TRUE(host.dataset_exists("tank2/iohyve/twin"));
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/twin/disk1"));
  EXPECT_OK(s, R"({"action":"delete","name":"solo"})");
}

}  // namespace
