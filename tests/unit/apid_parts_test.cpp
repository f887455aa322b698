// The daemon's parts that need no network: reading envelopes before they
// reach the handler (messages.cpp) and the token file (tokens.cpp).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "messages.hpp"
#include "tokens.hpp"

using namespace iohyve_apid;

TEST(ApidPeek, EnvelopeFields) {
  const auto p = peek_message(
      R"({"namespace":"sysadm","name":"iohyve","id":{"n":[1,"x"]},"args":{"action":"listvms","token":"t"}})");
  EXPECT_TRUE(p.is_object);
  EXPECT_EQ(p.ns, "sysadm");
  EXPECT_EQ(p.name, "iohyve");
  EXPECT_TRUE(p.has_id);
  EXPECT_EQ(p.id_json, R"({"n":[1,"x"]})");
  EXPECT_EQ(p.action, "listvms");
  EXPECT_EQ(p.token, "t");
}

TEST(ApidPeek, BareRestBodyAndNumericId) {
  const auto p = peek_message(R"({"action":"create","name":"web","id":7})");
  EXPECT_EQ(p.action, "create");
  EXPECT_EQ(p.id_json, "7");
}

TEST(ApidPeek, EventNamesAsStringOrArray) {
  EXPECT_EQ(peek_message(R"({"namespace":"events","name":"subscribe","args":"dispatcher"})").event_names,
            std::vector<std::string>{"dispatcher"});
  const auto p = peek_message(R"({"namespace":"events","name":"subscribe","args":["dispatcher",3,{"a":1}]})");
  EXPECT_EQ(p.event_names, (std::vector<std::string>{"dispatcher", "", ""}));  // non-names are refused later
}

TEST(ApidPeek, NothingTrustedFromBadJson) {
  EXPECT_FALSE(peek_message("[1,2]").is_object);
  const auto p = peek_message(R"({"namespace":"rpc","id":"k","args":{"token":"abc"} trailing)");
  EXPECT_FALSE(p.is_object);
  EXPECT_TRUE(p.ns.empty());
  EXPECT_TRUE(p.token.empty());
  EXPECT_EQ(p.id_json, R"("k")");  // still echoed in the error reply
}

TEST(ApidPeek, OnlyPlainActionNamesAreLogged) {
  EXPECT_EQ(peek_message("{\"action\":\"list\\nvms status=200\"}").action, "");
  EXPECT_EQ(peek_message(R"({"action":"LISTVMS"})").action, "");
  EXPECT_EQ(peek_message(R"({"args":{"action":"version"},"action":"create"})").action, "version");
}

TEST(ApidReplies, ErrorAndResponseEnvelopes) {
  EXPECT_EQ(error_envelope("\"x\"", 401, "say \"who\""),
            R"({"args":{"code":"401","detail":"say \"who\"","message":"Unauthorized"},"id":"x","name":"error","namespace":"error"})");
  EXPECT_EQ(error_body(413, "big"), R"({"args":{"code":"413","detail":"big","message":"Payload Too Large"}})");
  auto p = peek_message(R"({"namespace":"events","name":"subscribe","id":"s","args":["dispatcher"]})");
  EXPECT_EQ(response_envelope(p, "events", R"({"subscribe":"dispatcher"})"),
            R"({"args":{"subscribe":"dispatcher"},"id":"s","name":"response","namespace":"events"})");
  p = peek_message(R"({"namespace":"events","name":"subscribe","args":["dispatcher"]})");
  EXPECT_EQ(response_envelope(p, "events", "{}"), R"({"args":{},"id":"","name":"subscribe","namespace":"events"})");
}

namespace {

std::string write_tokens(const std::string& text, mode_t mode) {
  char path[] = "/tmp/apid-tokens.XXXXXX";
  const int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::fchmod(fd, mode);
  ::close(fd);
  return path;
}

}  // namespace

TEST(ApidTokens, RolesFromTheFile) {
  const auto path = write_tokens("# comment\n\nrw-token-0123456789 rw\n  ro-token-0123456789 ro  \n", 0600);
  token_store store;
  std::string error;
  ASSERT_TRUE(token_store::load(path, store, error)) << error;
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.check("rw-token-0123456789"), role::read_write);
  EXPECT_EQ(store.check("ro-token-0123456789"), role::read_only);
  EXPECT_EQ(store.check("rw-token-012345678"), role::none);
  EXPECT_EQ(store.check(""), role::none);
  ::unlink(path.c_str());
}

TEST(ApidTokens, RefusesFilesOthersMayReadAndBadLines) {
  token_store store;
  std::string error;
  auto path = write_tokens("rw-token-0123456789 rw\n", 0640);
  EXPECT_FALSE(token_store::load(path, store, error));
  EXPECT_NE(error.find("group or others"), std::string::npos) << error;
  ::unlink(path.c_str());
  path = write_tokens("short rw\n", 0600);
  EXPECT_FALSE(token_store::load(path, store, error));
  EXPECT_NE(error.find("shorter than 16"), std::string::npos) << error;
  ::unlink(path.c_str());
  path = write_tokens("secret-token-0123456789 admin\n", 0600);
  EXPECT_FALSE(token_store::load(path, store, error));
  EXPECT_EQ(error.find("secret-token"), std::string::npos) << "the token is not in the message: " << error;
  ::unlink(path.c_str());
  EXPECT_FALSE(token_store::load("/nonexistent/tokens", store, error));
}
