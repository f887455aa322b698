// The typed client against scripted tool output: preconditions, iohyve's
// failures that exit 0, and verification of effects. Each test scripts
// exactly the commands the client must run, so a changed plan fails too.
#include <gtest/gtest.h>

#include "iohyve_api/client.hpp"
#include "iohyve_api/testing/scripted_runner.hpp"

using namespace iohyve_api;
using runner_t = iohyve_api::testing::scripted_runner;

namespace {

const std::string zfs = "/sbin/zfs", iohyve = "/usr/local/sbin/iohyve", pgrep = "/bin/pgrep";
const std::vector<std::string> guests_q = {zfs, "get", "-H", "-p", "-o", "name,property,source,value", "-s",
                                           "local,received", "-t", "filesystem",
                                           "iohyve:name,iohyve:boot,iohyve:description"};
const std::vector<std::string> pgrep_q = {pgrep, "-lf", "^bhyve: ioh-"};

std::string guest_lines(const std::string& name) {
  const std::string ds = "tank/iohyve/" + name;
  return ds + "\tiohyve:name\tlocal\t" + name + "\n" + ds + "\tiohyve:boot\tlocal\t0\n" + ds +
         "\tiohyve:description\tlocal\tSun Nov 29 19:47:12 UTC 2026\n";
}

std::vector<std::string> props_q(const std::string& ds) {
  return {zfs, "get", "-H", "-o", "property,source,value", "-s", "local,received,inherited", "all", ds};
}
std::vector<std::string> disks_q(const std::string& ds) {
  return {zfs, "list", "-H", "-p", "-o", "name,volsize", "-t", "volume", "-r", ds};
}

// FreeBSD's tool paths (the argv below are the real ones), with the lock
// files in the test's temporary folder.
host_paths test_paths() {
  host_paths p;
  p.lock_dir = ::testing::TempDir() + "iohyve-api-client-test-locks";
  return p;
}

guest_name g(const char* n) { return *guest_name::parse(n); }
size sz(const char* s) { return *size::parse(s); }

TEST(client, start_fails_when_iohyve_prints_an_error_with_status_zero) {
  runner_t r;
  r.expect_once(guests_q, runner_t::exited(0, guest_lines("web")));
  r.expect_once(pgrep_q, runner_t::exited(1));
  r.expect_once(props_q("tank/iohyve/web"), runner_t::exited(0, "iohyve:template\tlocal\tNO\n"));
  r.expect_once({iohyve, "start", "web"}, runner_t::exited(0, "Guest is already running.\n"));
  client c(test_paths(), r);
  auto s = c.start(g("web"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error_code::command_failed);
  EXPECT_NE(s.error().message.find("Guest is already running."), std::string::npos) << s.error().message;
}

TEST(client, start_refuses_templates_and_running_guests) {
  runner_t r;
  r.on(guests_q, runner_t::exited(0, guest_lines("web")));
  r.expect_once(pgrep_q, runner_t::exited(1));
  r.on(props_q("tank/iohyve/web"), runner_t::exited(0, "iohyve:template\tlocal\tYES\n"));
  client c(test_paths(), r);
  auto s = c.start(g("web"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error_code::conflict);
  EXPECT_NE(s.error().message.find("template"), std::string::npos);
  r.expect_once(pgrep_q, runner_t::exited(0, "77 bhyve: ioh-web\n"));
  s = c.start(g("web"));
  EXPECT_EQ(s.error().code, error_code::conflict);
  EXPECT_NE(s.error().message.find("is running"), std::string::npos);
}

TEST(client, running_means_the_exact_title_not_a_prefix) {
  runner_t r;
  r.on(guests_q, runner_t::exited(0, guest_lines("web")));
  r.on(pgrep_q, runner_t::exited(0, "12 bhyve: ioh-web2\n13 bhyve: ioh-webx (bhyve)\n"));
  r.on(props_q("tank/iohyve/web"), runner_t::exited(0, ""));
  client c(test_paths(), r);
  auto s = c.stop(g("web"), false);
  EXPECT_EQ(s.error().code, error_code::conflict) << s.error().message;
}

TEST(client, create_verifies_that_the_guest_exists) {
  runner_t r;
  r.expect_once(guests_q, runner_t::exited(0, ""));
  r.expect_once({iohyve, "create", "web", "10G"}, runner_t::exited(0, "Creating web...\n"));
  r.expect_once(guests_q, runner_t::exited(0, ""));
  client c(test_paths(), r);
  auto s = c.create(g("web"), sz("10G"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error_code::command_failed);
  EXPECT_NE(s.error().message.find("reported success"), std::string::npos) << s.error().message;
}

TEST(client, create_of_an_existing_guest_is_a_conflict_and_runs_no_iohyve) {
  runner_t r;
  r.expect_once(guests_q, runner_t::exited(0, guest_lines("web")));
  client c(test_paths(), r);
  auto s = c.create(g("web"), sz("10G"));
  EXPECT_EQ(s.error().code, error_code::conflict);
  EXPECT_EQ(r.calls().size(), 1u);
}

TEST(client, adddisk_verifies_a_new_disk) {
  runner_t r;
  const std::string ds = "tank/iohyve/web";
  r.expect_once(guests_q, runner_t::exited(0, guest_lines("web")));
  r.on(disks_q(ds), runner_t::exited(0, ds + "/disk0\t10737418240\n"));
  r.expect_once({iohyve, "add", "web", "5G"}, runner_t::exited(0, "Creating new zvol for web...\n",
                                                               "cannot create 'tank/iohyve/web/disk1': out of space\n"));
  client c(test_paths(), r);
  auto d = c.add_disk(g("web"), sz("5G"), std::nullopt);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, error_code::command_failed);
  EXPECT_NE(d.error().message.find("out of space"), std::string::npos) << d.error().message;
}

TEST(client, resize_refuses_shrinking_with_both_sizes_in_bytes) {
  runner_t r;
  const std::string ds = "tank/iohyve/web";
  r.expect_once(guests_q, runner_t::exited(0, guest_lines("web")));
  r.expect_once(pgrep_q, runner_t::exited(1));
  r.expect_once(disks_q(ds), runner_t::exited(0, ds + "/disk0\t10737418240\n"));
  client c(test_paths(), r);
  auto s = c.resize_disk(g("web"), *disk_name::parse("disk0"), sz("5G"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error_code::bad_request);
  EXPECT_NE(s.error().message.find("5368709120 bytes"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("10737418240 bytes"), std::string::npos) << s.error().message;
}

TEST(client, deletedisk_unhooks_only_the_pcidev_of_that_volume) {
  runner_t r;
  const std::string ds = "tank/iohyve/web";
  r.expect_once(guests_q, runner_t::exited(0, guest_lines("web")));
  r.expect_once(pgrep_q, runner_t::exited(1));
  r.expect_once(disks_q(ds), runner_t::exited(0, ds + "/disk0\t1\n" + ds + "/disk1\t1\n" + ds + "/disk10\t1\n"));
  r.expect_once(props_q(ds), runner_t::exited(0, "iohyve:pcidev:1\tlocal\tahci-hd,/dev/zvol/" + ds +
                                                     "/disk10\niohyve:pcidev:2\tlocal\tahci-hd,/dev/zvol/" + ds +
                                                     "/disk1\niohyve:ram\tlocal\t1G\n"));
  r.expect_once({zfs, "inherit", "iohyve:pcidev:2", ds}, runner_t::exited(0));
  r.expect_once({zfs, "destroy", ds + "/disk1"}, runner_t::exited(0));
  client c(test_paths(), r);
  EXPECT_TRUE(c.delete_disk(g("web"), *disk_name::parse("disk1")).ok());
  EXPECT_EQ(r.calls().size(), 6u);
}

// Names read from tool output go back into argv: validated like client
// input, and a 500 when they fail, with nothing run.
TEST(client, a_pool_name_no_zfs_could_print_never_reaches_argv) {
  runner_t r;
  r.expect_once(guests_q, runner_t::exited(0, "-an/iohyve/web\tiohyve:name\tlocal\tweb\n"));
  client c(test_paths(), r);
  auto s = c.list_disks(g("web"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error_code::command_failed);
  EXPECT_TRUE(s.error().message.starts_with("unexpected output from zfs get: ")) << s.error().message;
  EXPECT_EQ(r.calls().size(), 1u);
}

TEST(client, a_property_name_no_zfs_could_print_never_reaches_zfs_inherit) {
  runner_t r;
  const std::string ds = "tank/iohyve/web";
  r.expect_once(guests_q, runner_t::exited(0, guest_lines("web")));
  r.expect_once(pgrep_q, runner_t::exited(1));
  r.expect_once(disks_q(ds), runner_t::exited(0, ds + "/disk0\t1\n" + ds + "/disk1\t1\n"));
  r.expect_once(props_q(ds), runner_t::exited(0, "iohyve:pcidev:1 -r\tlocal\tahci-hd,/dev/zvol/" + ds + "/disk1\n"));
  client c(test_paths(), r);
  auto s = c.delete_disk(g("web"), *disk_name::parse("disk1"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error_code::command_failed);
  EXPECT_NE(s.error().message.find("unexpected output from zfs get"), std::string::npos) << s.error().message;
  EXPECT_EQ(r.calls().size(), 4u) << "no zfs inherit, no zfs destroy";
}

TEST(client, setprop_is_one_atomic_zfs_set_and_is_verified) {
  runner_t r;
  const std::string ds = "tank/iohyve/web";
  r.expect_once(guests_q, runner_t::exited(0, guest_lines("web")));
  r.expect_once({zfs, "set", "iohyve:ram=2G", "iohyve:description=a  b", ds}, runner_t::exited(0));
  r.expect_once(props_q(ds), runner_t::exited(0, "iohyve:description\tlocal\ta  b\niohyve:ram\tlocal\t1G\n"));
  client c(test_paths(), r);
  auto s = c.set_props(g("web"), {*property::parse("ram", "2G"), *property::parse("description", "a  b")});
  ASSERT_FALSE(s.ok()) << "ram did not land";
  EXPECT_NE(s.error().message.find("iohyve:ram"), std::string::npos) << s.error().message;
}

TEST(client, pgrep_failure_is_an_error_not_an_empty_list) {
  runner_t r;
  r.on(guests_q, runner_t::exited(0, guest_lines("web")));
  r.on(pgrep_q, runner_t::exited(3, "", "pgrep: illegal option -- l\n"));
  client c(test_paths(), r);
  auto vms = c.list_vms();
  ASSERT_FALSE(vms.ok());
  EXPECT_EQ(vms.error().code, error_code::command_failed);
  EXPECT_NE(vms.error().message.find("illegal option"), std::string::npos) << vms.error().message;
}

TEST(client, unknown_guest_is_404_for_every_guest_action) {
  runner_t r;
  r.on(guests_q, runner_t::exited(0, guest_lines("other")));
  r.on(pgrep_q, runner_t::exited(1));
  client c(test_paths(), r);
  const guest_name n = g("web");
  EXPECT_EQ(c.start(n).error().code, error_code::not_found);
  EXPECT_EQ(c.stop(n, true).error().code, error_code::not_found);
  EXPECT_EQ(c.destroy(n).error().code, error_code::not_found);
  EXPECT_EQ(c.get_props(n).error().code, error_code::not_found);
  EXPECT_EQ(c.list_disks(n).error().code, error_code::not_found);
  EXPECT_EQ(c.add_disk(n, sz("1G"), std::nullopt).error().code, error_code::not_found);
  EXPECT_EQ(c.delete_disk(n, *disk_name::parse("disk1")).error().code, error_code::not_found);
  EXPECT_EQ(c.delete_disk(n, *disk_name::parse("disk0")).error().code, error_code::bad_request);
}

TEST(client, force_stop_uses_bhyvectl_on_exactly_that_vm) {
  runner_t r;
  r.expect_once(guests_q, runner_t::exited(0, guest_lines("web")));
  r.expect_once(pgrep_q, runner_t::exited(0, "9 bhyve: ioh-web\n"));
  r.expect_once({"/usr/sbin/bhyvectl", "--force-poweroff", "--vm=ioh-web"}, runner_t::exited(0));
  r.expect_once({"/usr/sbin/bhyvectl", "--destroy", "--vm=ioh-web"}, runner_t::exited(0));
  client c(test_paths(), r);
  EXPECT_TRUE(c.stop(g("web"), true).ok());
  EXPECT_EQ(r.calls().size(), 4u);
}

TEST(client, plan_matches_what_runs) {
  runner_t r;
  client c(test_paths(), r);
  const auto plan = c.plan(request{create_request{g("web"), sz("10G")}});
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan[1].argv(), (std::vector<std::string>{iohyve, "create", "web", "10G"}));
  EXPECT_EQ(plan[0].argv(), guests_q);
  EXPECT_EQ(plan[3].argv(), (std::vector<std::string>{zfs, "get", "-H", "-o", "name,property,source,value", "-s",
                                                      "local,received", "-t", "filesystem", "all"}))
      << "create verifies that the new guest's tap and console are its own";
  EXPECT_TRUE(r.calls().empty());
}

}  // namespace
