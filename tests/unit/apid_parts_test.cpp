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

std::string id_of(const std::string& id_json) {
  const auto p = peek_message(R"({"namespace":"rpc","name":"auth_token","id":)" + id_json + "}");
  EXPECT_TRUE(p.is_object) << id_json;
  EXPECT_TRUE(p.has_id) << id_json;
  return p.id_json;
}

}  // namespace

// The id is echoed in the daemon's own replies in the form RapidJSON's
// Writer gave it: values re-serialized, not copied.
TEST(ApidPeek, IdsOfEveryType) {
  EXPECT_EQ(id_of("null"), "null");
  EXPECT_EQ(id_of("true"), "true");
  EXPECT_EQ(id_of("false"), "false");
  EXPECT_EQ(id_of("0"), "0");
  EXPECT_EQ(id_of("-7"), "-7");
  EXPECT_EQ(id_of("4294967295"), "4294967295");                      // Uint
  EXPECT_EQ(id_of("-9223372036854775808"), "-9223372036854775808");  // Int64
  EXPECT_EQ(id_of("18446744073709551615"), "18446744073709551615");  // Uint64
  EXPECT_EQ(id_of("1.5"), "1.5");
  EXPECT_EQ(id_of("1.0e2"), "100.0");
  EXPECT_EQ(id_of("-2.5E-3"), "-0.0025");
  EXPECT_EQ(id_of("1e30"), "1e30");
  EXPECT_EQ(id_of("18446744073709551616"), "18446744073709553000.0");  // past Uint64: a double
  EXPECT_EQ(id_of(R"("plain")"), R"("plain")");
  EXPECT_EQ(id_of(R"("")"), R"("")");
  EXPECT_EQ(id_of(R"("q\"b\\s\/\u00e9\u0001\n\t")"), "\"q\\\"b\\\\s/\xC3\xA9\\u0001\\n\\t\"");
  EXPECT_EQ(id_of(R"("\ud83d\ude00")"), "\"\xF0\x9F\x98\x80\"");
  EXPECT_EQ(id_of(R"("a\u0000b")"), R"("a\u0000b")");
  EXPECT_EQ(id_of("{}"), "{}");
  EXPECT_EQ(id_of("[]"), "[]");
  EXPECT_EQ(id_of(R"( { "a" : [ 1 , -2.5 , "x" , null , true , { } , [ ] ] , "b\n" : { "c" : false } } )"),
            R"({"a":[1,-2.5,"x",null,true,{},[]],"b\n":{"c":false}})");
  EXPECT_EQ(id_of(R"([[["deep"]],{"k":[{}]}])"), R"([[["deep"]],{"k":[{}]}])");
}

TEST(ApidPeek, FirstIdWins) {
  const auto p = peek_message(R"({"id":{"a":1},"id":2,"namespace":"rpc"})");
  EXPECT_EQ(p.id_json, R"({"a":1})");
}

// What used to need -fno-sanitize=pointer-overflow: strings long enough and
// escaped (RapidJSON's copying reader decoded them into its stack), and an
// object id (its Writer's level stack, its StringBuffer). Each parse has a
// fresh reader, so each of these is a first growth; the sanitizer build
// runs this test under UBSan.
TEST(ApidPeek, LongEscapedStringsAndObjectIds) {
  std::string token;
  std::string token_json;
  for (int i = 0; i < 2000; ++i) {
    token += "t\"\\\n\xC3\xA9";
    token_json += "t\\\"\\\\\\n\\u00e9";
  }
  std::string key(5000, 'k');
  const auto p = peek_message(R"({")" + key + R"(":1,"namespace":"rpc","name":"auth_token","id":{")" + key +
                              R"(":[")" + token_json + R"("]},"args":{"token":")" + token_json + R"("}})");
  EXPECT_TRUE(p.is_object);
  EXPECT_EQ(p.ns, "rpc");
  EXPECT_EQ(p.token, token);
  EXPECT_EQ(p.id_json, "{\"" + key + "\":[" + json_string(token) + "]}");
  // The reply that echoes them.
  const std::string reply = response_envelope(p, "rpc", "[" + json_string(p.token) + ",300]");
  EXPECT_EQ(reply, "{\"args\":[" + json_string(token) + ",300],\"id\":" + p.id_json +
                       R"(,"name":"response","namespace":"rpc"})");
}

TEST(ApidPeek, InvalidJson) {
  for (const char* text : {"", " ", "{", R"({"a":"\x"})", R"({"a":"\u12"})",
                           R"({"a":"\ud800"})", R"({"a":01})", R"({"a":1e400})", R"({"a":tru})", "{}{}",
                           R"({"a":"unterminated)", "{'a':1}", "\"str\"", "7", "null"}) {
    const auto p = peek_message(text);
    EXPECT_FALSE(p.is_object) << text;
    EXPECT_TRUE(p.ns.empty()) << text;
    EXPECT_FALSE(p.has_id) << text;
    EXPECT_EQ(p.id_json, R"("")") << text;
  }
  // An id read completely before the error is kept for the error reply; one
  // cut short is not.
  EXPECT_EQ(peek_message(R"({"id":[1,{"a":"b"}],"x":})").id_json, R"([1,{"a":"b"}])");
  EXPECT_EQ(peek_message(R"({"id":1)").id_json, "1");
  EXPECT_EQ(peek_message(R"({"id":"k",})").id_json, R"("k")");
  const auto cut = peek_message(R"({"id":[1,{"a":"b"})");
  EXPECT_FALSE(cut.has_id);
  EXPECT_EQ(cut.id_json, R"("")");
  // A NUL byte ends the text, as for any reader of NUL-terminated JSON.
  EXPECT_TRUE(peek_message(std::string("{\"namespace\":\"rpc\"}\0trailing", 28)).is_object);
  EXPECT_FALSE(peek_message(std::string("{\"namespace\":\"rp\0c\"}", 20)).is_object);
}

// At most 32 containers deep, as the library: deeper is not read (and not
// acted on), and 1 MiB of '[' does not recurse a million times.
TEST(ApidPeek, NestingIsBounded) {
  auto nested = [](int containers) {
    std::string text = R"({"namespace":"rpc","id":)";
    for (int i = 1; i < containers; ++i) text += '[';
    text += '1';
    for (int i = 1; i < containers; ++i) text += ']';
    return text + "}";
  };
  const auto ok = peek_message(nested(32));
  EXPECT_TRUE(ok.is_object);
  EXPECT_EQ(ok.ns, "rpc");
  EXPECT_EQ(ok.id_json.size(), 31u * 2 + 1);
  const auto deep = peek_message(nested(33));
  EXPECT_FALSE(deep.is_object);
  EXPECT_TRUE(deep.ns.empty());
  const auto huge = peek_message(R"({"namespace":"rpc","args":)" + std::string(1 << 20, '['));
  EXPECT_FALSE(huge.is_object);
}

TEST(ApidReplies, JsonStringEscapes) {
  EXPECT_EQ(json_string(""), R"("")");
  EXPECT_EQ(json_string("plain text / 100%"), R"("plain text / 100%")");
  EXPECT_EQ(json_string("q\"b\\"), R"("q\"b\\")");
  EXPECT_EQ(json_string("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(json_string(std::string("\0\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001F\x7f\"");
  // Valid UTF-8 as it is: 2, 3 and 4 bytes, the extremes of each.
  const std::string utf8 = "\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF";
  EXPECT_EQ(json_string(utf8), "\"" + utf8 + "\"");
  // Not UTF-8 (the daemon's inputs are checked before; should one not be):
  // each bad byte becomes U+FFFD, so the reply is still valid JSON.
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(json_string("a\xFF" "b"), "\"a" + fffd + "b\"");
  EXPECT_EQ(json_string("\x80"), "\"" + fffd + "\"");
  EXPECT_EQ(json_string("\xC3"), "\"" + fffd + "\"");                     // truncated
  EXPECT_EQ(json_string("\xC0\xAF"), "\"" + fffd + fffd + "\"");          // overlong
  EXPECT_EQ(json_string("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");  // a surrogate
  EXPECT_EQ(json_string("\xF4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // past U+10FFFF
  EXPECT_EQ(error_body(400, "bad \"x\"\n"), R"({"args":{"code":"400","detail":"bad \"x\"\n","message":"Bad Request"}})");
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
