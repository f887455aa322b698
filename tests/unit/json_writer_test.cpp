#include "envelope/json_writer.hpp"

#include <gtest/gtest.h>

using iohyve_api::detail::json_writer;

namespace {

std::string escaped(std::string_view s) {
  json_writer w;
  w.string(s);
  return w.take();
}

TEST(json_writer, nested_compact) {
  json_writer w;
  w.begin_object().member("a", "1").key("b").begin_array().string("x").string("y").end_array();
  w.key("c").begin_object().end_object().end_object();
  EXPECT_EQ(w.str(), R"({"a":"1","b":["x","y"],"c":{}})");
}

TEST(json_writer, pretty_indents_two_spaces) {
  json_writer w(true);
  w.begin_object().member("a", "1").key("b").begin_array().string("x").end_array().end_object();
  EXPECT_EQ(w.str(), "{\n  \"a\": \"1\",\n  \"b\": [\n    \"x\"\n  ]\n}");
}

TEST(json_writer, escapes_quotes_backslashes_and_controls) {
  EXPECT_EQ(escaped("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(escaped("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(escaped(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
  EXPECT_EQ(escaped(std::string("a\0b", 3)), R"("a\u0000b")");
}

TEST(json_writer, keeps_valid_utf8_and_replaces_invalid_bytes) {
  EXPECT_EQ(escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(escaped("caf\xe9"), "\"caf\xef\xbf\xbd\"");                  // Latin-1 byte
  EXPECT_EQ(escaped("\xc0\xaf"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");        // overlong '/'
  EXPECT_EQ(escaped("\xed\xa0\x80"), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");  // surrogate
  EXPECT_EQ(escaped("\xf4\x90\x80\x80").find("\xef\xbf\xbd"), 1u);      // above U+10FFFF
  EXPECT_EQ(escaped("\xe2\x82"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");        // truncated
}

TEST(json_writer, raw_values_are_inserted_verbatim) {
  json_writer w;
  w.begin_object().key("id").raw("[1,2]").member("n", "x").end_object();
  EXPECT_EQ(w.str(), R"({"id":[1,2],"n":"x"})");
}

}  // namespace
