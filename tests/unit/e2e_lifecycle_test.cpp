// The whole lifecycle against the emulated FreeBSD host, through the
// handler and the real process runner: each response is checked, and so is
// the state the host is left in.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "api_session.hpp"
#include "fake_host.hpp"
#include "test_support.hpp"

using iohyve_test::api_session;
using iohyve_test::fake_host;

using iohyve_test::json_value;
using iohyve_test::str;

namespace {

TEST(e2e, whole_lifecycle) {
  fake_host host;
  iohyve_test::temp_dir media;
  const std::string iso_path = (media.path() / "FreeBSD-14.1-RELEASE-amd64-bootonly.iso").string();
  iohyve_test::write_file(iso_path, std::string(3u << 20, 'i'));
  api_session s(host);

  // setup, issetup
  EXPECT_EQ(str(EXPECT_OK(s, R"({"action":"issetup"})"), "setup"), "false");
  auto a = EXPECT_OK(s, R"({"action":"setup","pool":"tank","nic":"em0"})");
  EXPECT_EQ(str(a, "pool"), "tank");
  EXPECT_TRUE(host.dataset_exists("tank/iohyve/ISO"));
  const std::string rc = iohyve_test::read_file(host.rc_conf());
  EXPECT_NE(rc.find("iohyve_flags=\"kmod=1 net=em0\"\n"), std::string::npos) << rc;
  EXPECT_NE(rc.find("hostname="), std::string::npos) << "other rc.conf lines are kept";
  EXPECT_EQ(str(EXPECT_OK(s, R"({"action":"issetup"})"), "setup"), "true");
  EXPECT_OK(s, R"({"action":"setup","pool":"tank","nic":"em0"})");  // again: still one line
  const std::string rc2 = iohyve_test::read_file(host.rc_conf());
  EXPECT_EQ(rc2.find("iohyve_flags"), rc2.rfind("iohyve_flags")) << rc2;

  // fetchiso (file://), queued; then listisos, renameiso
  a = EXPECT_OK(s, R"({"action":"fetchiso","url":"file://)" + iso_path + "\"}");
  EXPECT_EQ(str(a, "comment"), "Task Queued");
  EXPECT_TRUE(s.handler().wait_for_tasks());
  const auto events = s.events();
  ASSERT_GE(events.size(), 2u);
  EXPECT_NE(events.back().find(R"("state":"finished")"), std::string::npos) << events.back();
  EXPECT_REFUSED(s, R"({"action":"fetchiso","url":"file://)" + iso_path + "\"}", 409);
  a = EXPECT_OK(s, R"({"action":"listisos"})");
  ASSERT_TRUE(a.is_array());
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].text(), "FreeBSD-14.1-RELEASE-amd64-bootonly.iso");
  EXPECT_OK(s, R"({"action":"renameiso","source":"FreeBSD-14.1-RELEASE-amd64-bootonly.iso","target":"fbsd.iso"})");
  EXPECT_TRUE(host.dataset_exists("tank/iohyve/ISO/fbsd.iso"));
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/ISO/FreeBSD-14.1-RELEASE-amd64-bootonly.iso"));
  EXPECT_REFUSED(s, R"({"action":"renameiso","source":"nosuch.iso","target":"x.iso"})", 404);

  // two guests whose names are prefixes of each other
  EXPECT_OK(s, R"({"action":"create","name":"web","size":"10G"})");
  EXPECT_OK(s, R"({"action":"create","name":"web2","size":"8G"})");
  EXPECT_REFUSED(s, R"({"action":"create","name":"web","size":"1G"})", 409);
  EXPECT_EQ(host.property("tank/iohyve/web/disk0", "volsize"), "10G");
  EXPECT_EQ(host.property("tank/iohyve/web2/disk0", "volsize"), "8G");

  a = EXPECT_OK(s, R"({"action":"listvms"})");
  ASSERT_TRUE(a.is_object());
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(str(a["web"], "running"), "NO");
  EXPECT_EQ(str(a["web2"], "rcboot"), "NO");

  // properties
  a = EXPECT_OK(s, R"({"action":"getprops","name":"web"})");
  EXPECT_EQ(str(a["web"], "ram"), "512M");  // iohyve 0.7.9's default
  EXPECT_EQ(str(a["web"], "size"), "10G");
  EXPECT_OK(s, R"({"action":"setprop","name":"web","ram":"1G","cpu":"2","description":"web  server, second floor","boot":"1"})");
  EXPECT_EQ(host.property("tank/iohyve/web", "iohyve:description"), "web  server, second floor");
  a = EXPECT_OK(s, R"({"action":"getprops","name":"web"})");
  EXPECT_EQ(str(a["web"], "ram"), "1G");
  EXPECT_EQ(str(a["web"], "cpu"), "2");
  EXPECT_EQ(str(a["web"], "description"), "web  server, second floor") << "spaces are kept";
  EXPECT_EQ(str(EXPECT_OK(s, R"({"action":"getprops","name":"web2"})")["web2"], "ram"), "512M")
      << "web2 is untouched";
  a = EXPECT_OK(s, R"({"action":"listvms"})");
  EXPECT_EQ(str(a["web"], "description"), "web  server, second floor");
  EXPECT_EQ(str(a["web"], "rcboot"), "YES");

  // disks
  EXPECT_OK(s, R"({"action":"adddisk","name":"web","size":"5G"})");
  EXPECT_TRUE(host.dataset_exists("tank/iohyve/web/disk1"));
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/web2/disk1"));
  a = EXPECT_OK(s, R"({"action":"listdisks","name":"web"})");
  EXPECT_EQ(str(a, "disk0"), "10G");
  EXPECT_EQ(str(a, "disk1"), "5G");
  EXPECT_EQ(a.size(), 2u) << "web2's disk is not web's";
  EXPECT_OK(s, R"({"action":"resizedisk","name":"web","disk":"disk1","size":"6G"})");
  EXPECT_EQ(host.property("tank/iohyve/web/disk1", "volsize"), "6G");
  EXPECT_EQ(host.property("tank/iohyve/web", "iohyve:size"), "10G") << "disk1 does not change the guest size";
  EXPECT_REFUSED(s, R"({"action":"resizedisk","name":"web","disk":"disk1","size":"2G"})", 400);
  EXPECT_REFUSED(s, R"({"action":"resizedisk","name":"web","disk":"disk1","size":"6G"})", 400);
  EXPECT_REFUSED(s, R"({"action":"resizedisk","name":"web","disk":"disk7","size":"60G"})", 404);

  // install, stop, start
  EXPECT_REFUSED(s, R"({"action":"install","name":"web","iso":"nosuch.iso"})", 404);
  EXPECT_OK(s, R"({"action":"install","name":"web","iso":"fbsd.iso"})");
  EXPECT_EQ(host.running_guests(), std::vector<std::string>{"web"});
  EXPECT_REFUSED(s, R"({"action":"start","name":"web"})", 409);
  EXPECT_OK(s, R"({"action":"stop","name":"web","force":true})");
  EXPECT_TRUE(host.running_guests().empty());
  EXPECT_OK(s, R"({"action":"start","name":"web"})");
  a = EXPECT_OK(s, R"({"action":"listvms"})");
  EXPECT_EQ(str(a["web"], "running"), "YES");
  EXPECT_EQ(str(a["web2"], "running"), "NO") << "a prefix is not a match";
  EXPECT_REFUSED(s, R"({"action":"delete","name":"web"})", 409);
  EXPECT_REFUSED(s, R"({"action":"resizedisk","name":"web","disk":"disk1","size":"9G"})", 409);
  EXPECT_TRUE(host.dataset_exists("tank/iohyve/web"));
  EXPECT_OK(s, R"({"action":"stop","name":"web"})");
  for (int i = 0; i < 50 && !host.running_guests().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(host.running_guests().empty());
  EXPECT_REFUSED(s, R"({"action":"stop","name":"web"})", 409);

  // disks again, delete, rmiso
  EXPECT_REFUSED(s, R"({"action":"deletedisk","name":"web","disk":"disk0"})", 400);
  EXPECT_OK(s, R"({"action":"deletedisk","name":"web","disk":"disk1"})");
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/web/disk1"));
  EXPECT_EQ(host.property("tank/iohyve/web", "iohyve:pcidev:1"), std::nullopt) << "its pcidev is gone too";
  EXPECT_REFUSED(s, R"({"action":"deletedisk","name":"web","disk":"disk1"})", 404);
  EXPECT_OK(s, R"({"action":"delete","name":"web"})");
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/web"));
  EXPECT_TRUE(host.dataset_exists("tank/iohyve/web2")) << "deleting web leaves web2 alone";
  EXPECT_REFUSED(s, R"({"action":"delete","name":"web"})", 404);
  EXPECT_OK(s, R"({"action":"rmiso","target":"fbsd.iso"})");
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/ISO/fbsd.iso"));
  a = EXPECT_OK(s, R"({"action":"listvms"})");
  EXPECT_EQ(a.size(), 1u);
  EXPECT_TRUE(a.contains("web2"));
  EXPECT_EQ(str(EXPECT_OK(s, R"({"action":"version"})"), "version"),
            "iohyve v0.7.9 2017/06/26 I Believe in You, You Can Do the Thing Edition");
}

// iohyve leaves an installer's VM loaded in vmm after it stops; deleting
// the guest must not leave that VM behind with nothing left to name it.
TEST(e2e, delete_unloads_a_stopped_guest_still_in_vmm) {
  fake_host host;
  iohyve_test::temp_dir media;
  const std::string iso_path = (media.path() / "boot.iso").string();
  iohyve_test::write_file(iso_path, std::string(1u << 20, 'i'));
  api_session s(host);
  EXPECT_OK(s, R"({"action":"setup","pool":"tank","nic":"em0"})");
  EXPECT_OK(s, R"({"action":"fetchiso","url":"file://)" + iso_path + "\"}");
  ASSERT_TRUE(s.handler().wait_for_tasks());
  EXPECT_OK(s, R"({"action":"create","name":"web","size":"1G"})");
  EXPECT_OK(s, R"({"action":"install","name":"web","iso":"boot.iso"})");
  EXPECT_OK(s, R"({"action":"stop","name":"web"})");
  for (int i = 0; i < 50 && !host.running_guests().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(host.running_guests().empty());
  ASSERT_TRUE(host.vmm_exists("web")) << "the emulated iohyve leaves the installer's VM loaded";
  EXPECT_EQ(str(EXPECT_OK(s, R"({"action":"listvms"})")["web"], "vmm"), "YES");

  host.clear_invocations();
  EXPECT_OK(s, R"({"action":"delete","name":"web"})");
  EXPECT_FALSE(host.vmm_exists("web"));
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/web"));
  const auto calls = host.invocations();
  const auto at = [&](const std::string& prefix) {
    for (std::size_t i = 0; i < calls.size(); ++i)
      if (calls[i].rfind(prefix, 0) == 0) return i;
    return calls.size();
  };
  EXPECT_LT(at("bhyvectl --destroy --vm=ioh-web"), at("zfs destroy -r tank/iohyve/web"))
      << "unloaded before the dataset goes";

  // A guest that is not loaded is deleted without bhyvectl.
  EXPECT_OK(s, R"({"action":"create","name":"db","size":"1G"})");
  host.clear_invocations();
  EXPECT_OK(s, R"({"action":"delete","name":"db"})");
  for (const auto& call : host.invocations()) EXPECT_EQ(call.rfind("bhyvectl", 0), std::string::npos) << call;
}

TEST(e2e, guests_on_two_pools_are_listed_and_found) {
  iohyve_test::fake_host_options options;
  options.pools.push_back({"fast", std::uint64_t{50} << 30});
  fake_host host(options);
  api_session s(host);
  EXPECT_OK(s, R"({"action":"setup","pool":"tank","nic":"em0"})");
  EXPECT_OK(s, R"({"action":"create","name":"a","size":"1G"})");
  EXPECT_OK(s, R"({"action":"setup","pool":"fast","nic":"em0"})");
  EXPECT_OK(s, R"({"action":"create","name":"b","size":"1G"})");
  auto a = EXPECT_OK(s, R"({"action":"listvms"})");
  EXPECT_EQ(a.size(), 2u);
  EXPECT_OK(s, R"({"action":"setprop","name":"a","ram":"512M"})");
  EXPECT_OK(s, R"({"action":"setprop","name":"b","ram":"2G"})");
  a = EXPECT_OK(s, R"({"action":"getprops","name":"b"})");
  EXPECT_EQ(str(a["b"], "ram"), "2G");
}

}  // namespace
