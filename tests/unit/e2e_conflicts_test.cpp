// Names iohyve reserves or matches as substrings, resources that belong to
// another guest or to the host, and the smaller traps a sysadmin meets on a
// real host, against the emulated one: each refused with a clear code
// before anything changes, or made to work.
#include <gtest/gtest.h>

#include "api_session.hpp"
#include "fake_host.hpp"
#include "test_support.hpp"

using iohyve_test::api_session;
using iohyve_test::fake_host;
using iohyve_test::json_value;
using iohyve_test::str;

namespace {

class conflicts : public ::testing::Test {
 protected:
  void SetUp() override {
    EXPECT_OK(s, R"({"action":"setup","pool":"tank","nic":"em0"})");
    EXPECT_OK(s, R"({"action":"create","name":"web","size":"1G"})");
    EXPECT_OK(s, R"({"action":"create","name":"web2","size":"1G"})");
  }
  fake_host host;
  api_session s{host};
};

TEST_F(conflicts, names_iohyve_reserves_are_400_and_nothing_runs) {
  for (const char* name : {"ISO", "Firmware"}) {
    host.clear_invocations();
    const std::string msg =
        EXPECT_REFUSED(s, std::string(R"({"action":"create","name":")") + name + R"(","size":"1G"})", 400);
    EXPECT_NE(msg.find("reserved"), std::string::npos) << msg;
    EXPECT_EQ(host.invocations(), std::vector<std::string>{}) << name;
  }
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/ISO/disk0"));
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/Firmware/disk0"));
}

// iohyve 0.7.9 looks for a running guest with `pgrep -f ioh-NAME`, so web2
// running makes it believe web runs: refused at once, naming the cause.
TEST_F(conflicts, web_cannot_boot_while_web2_runs_and_the_reply_says_why) {
  iohyve_test::temp_dir media;
  const auto iso = media.path() / "fbsd.iso";
  iohyve_test::write_file(iso, std::string(4096, 'i'));
  EXPECT_OK(s, R"({"action":"fetchiso","url":"file://)" + iso.string() + "\"}");
  ASSERT_TRUE(s.handler().wait_for_tasks());
  EXPECT_OK(s, R"({"action":"start","name":"web2"})");
  for (const std::string req : {R"({"action":"start","name":"web"})",
                                R"({"action":"install","name":"web","iso":"fbsd.iso"})"}) {
    host.clear_invocations();
    const std::string msg = EXPECT_REFUSED(s, req, 409);
    EXPECT_NE(msg.find("'web2'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("pgrep -f ioh-web"), std::string::npos) << msg;
    for (const auto& call : host.invocations()) EXPECT_EQ(call.rfind("iohyve", 0), std::string::npos) << call;
  }
  EXPECT_EQ(host.running_guests(), std::vector<std::string>{"web2"});
  // Not the other way round: web2 is no substring of web.
  EXPECT_OK(s, R"({"action":"stop","name":"web2","force":true})");
  EXPECT_OK(s, R"({"action":"start","name":"web"})");
  EXPECT_OK(s, R"({"action":"start","name":"web2"})");
  EXPECT_EQ(host.running_guests(), (std::vector<std::string>{"web", "web2"}));
  EXPECT_OK(s, R"({"action":"stop","name":"web","force":true})");
  EXPECT_OK(s, R"({"action":"stop","name":"web2","force":true})");
}

TEST_F(conflicts, setprop_refuses_another_guests_tap_console_and_volume) {
  const auto tap = host.property("tank/iohyve/web2", "iohyve:tap").value_or("?");
  const auto con = host.property("tank/iohyve/web2", "iohyve:con").value_or("?");
  std::string msg = EXPECT_REFUSED(s, R"({"action":"setprop","name":"web","tap":")" + tap + "\"}", 409);
  EXPECT_NE(msg.find("'web2'"), std::string::npos) << msg;
  msg = EXPECT_REFUSED(s, R"({"action":"setprop","name":"web","con":")" + con + "\"}", 409);
  EXPECT_NE(msg.find("'web2'"), std::string::npos) << msg;
  msg = EXPECT_REFUSED(s, R"({"action":"setprop","name":"web","pcidev:3":"ahci-hd,/dev/zvol/tank/iohyve/web2/disk0"})", 409);
  EXPECT_NE(msg.find("web2"), std::string::npos) << msg;
  msg = EXPECT_REFUSED(s, R"({"action":"setprop","name":"web","pcidev:3":"virtio-net,)" + tap + "\"}", 409);
  EXPECT_NE(msg.find("'web2'"), std::string::npos) << msg;
  EXPECT_EQ(host.property("tank/iohyve/web", "iohyve:pcidev:3"), std::nullopt);
  EXPECT_NE(host.property("tank/iohyve/web", "iohyve:tap"), tap);
  // Free ones and the guest's own volume are fine.
  EXPECT_OK(s, R"({"action":"setprop","name":"web","tap":"tap77","con":"nmdm77"})");
  EXPECT_OK(s, R"({"action":"setprop","name":"web","pcidev:3":"ahci-hd,/dev/zvol/tank/iohyve/web/disk0"})");
}

TEST_F(conflicts, host_devices_need_the_owners_opt_in) {
  for (const char* value : {"passthru,2/0/0", "ahci-hd,/dev/ada1", "virtio-blk,/dev/zvol/tank/other"}) {
    const std::string msg =
        EXPECT_REFUSED(s, std::string(R"({"action":"setprop","name":"web","pcidev:4":")") + value + "\"}", 403);
    EXPECT_NE(msg.find("allow-host-devices"), std::string::npos) << msg;
  }
  EXPECT_EQ(host.property("tank/iohyve/web", "iohyve:pcidev:4"), std::nullopt);

  iohyve_api::process_runner runner;
  iohyve_api::client_options allow;
  allow.allow_host_devices = true;
  iohyve_api::client allowed(iohyve_test::paths_of(host), runner, allow);
  auto prop = iohyve_api::property::parse("pcidev:4", "passthru,2/0/0");
  ASSERT_TRUE(prop.ok());
  auto set = allowed.set_props(*iohyve_api::guest_name::parse("web"), {*prop});
  EXPECT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(host.property("tank/iohyve/web", "iohyve:pcidev:4"), "passthru,2/0/0");
}

TEST_F(conflicts, rmiso_refuses_the_iso_a_running_installer_boots) {
  iohyve_test::temp_dir media;
  for (const char* name : {"a.iso", "b.iso"}) {
    const auto iso = media.path() / name;
    iohyve_test::write_file(iso, std::string(4096, 'i'));
    EXPECT_OK(s, R"({"action":"fetchiso","url":"file://)" + iso.string() + "\"}");
    ASSERT_TRUE(s.handler().wait_for_tasks());
  }
  EXPECT_OK(s, R"({"action":"install","name":"web","iso":"a.iso"})");
  const std::string msg = EXPECT_REFUSED(s, R"({"action":"rmiso","target":"a.iso"})", 409);
  EXPECT_NE(msg.find("'web'"), std::string::npos) << msg;
  EXPECT_TRUE(host.dataset_exists("tank/iohyve/ISO/a.iso"));
  EXPECT_OK(s, R"({"action":"rmiso","target":"b.iso"})");  // another ISO: fine
  EXPECT_OK(s, R"({"action":"stop","name":"web","force":true})");
  EXPECT_OK(s, R"({"action":"rmiso","target":"a.iso"})");  // the installer is gone
  EXPECT_FALSE(host.dataset_exists("tank/iohyve/ISO/a.iso"));
}

TEST_F(conflicts, resize_to_a_size_that_is_no_multiple_of_the_block_size_is_400) {
  const std::string msg =
      EXPECT_REFUSED(s, R"({"action":"resizedisk","name":"web","disk":"disk0","size":"3000001K"})", 400);
  EXPECT_NE(msg.find("block size"), std::string::npos) << msg;
  EXPECT_NE(msg.find("16384 bytes"), std::string::npos) << msg;
  EXPECT_EQ(host.property("tank/iohyve/web/disk0", "volsize"), "1G");
  EXPECT_OK(s, R"({"action":"resizedisk","name":"web","disk":"disk0","size":"3000000K"})");
}

TEST(not_set_up, create_before_setup_is_409_saying_so) {
  fake_host host;
  api_session s(host);
  const std::string msg = EXPECT_REFUSED(s, R"({"action":"create","name":"web","size":"1G"})", 409);
  EXPECT_NE(msg.find("iohyve is not set up on this host"), std::string::npos) << msg;
  // Find the guest, iohyve create, look for POOL/iohyve; nothing else.
  EXPECT_EQ(host.invocations().size(), 3u);
}

}  // namespace
