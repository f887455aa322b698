#include "envelope/json_writer.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

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

// The plain prefix of a string is copied eight bytes at a time and the
// rest escaped: the two parts must join exactly wherever the first escape
// falls, in a key as in a value.
TEST(json_writer, escape_after_a_plain_prefix_of_any_length) {
  for (std::size_t plain = 0; plain < 20; ++plain) {
    const std::string prefix(plain, 'p');
    EXPECT_EQ(escaped(prefix + "\"q\n" + prefix), "\"" + prefix + "\\\"q\\n" + prefix + "\"") << plain;
    json_writer w;
    w.begin_object().member(prefix + "\t", prefix + "\xc3\xa9").end_object();
    EXPECT_EQ(w.str(), "{\"" + prefix + "\\t\":\"" + prefix + "\xc3\xa9\"}") << plain;
  }
}

// The first buffer holds 512 bytes, or what the caller asked for: writing far
// more grows it without losing or reordering anything.
TEST(json_writer, grows_past_its_first_buffer) {
  for (std::size_t capacity : {0u, 1u, 7u, 512u}) {
    json_writer w(false, capacity);
    std::string expected = "[";
    w.begin_array();
    for (int i = 0; i < 2000; ++i) {
      const std::string item = "item-" + std::to_string(i) + (i % 7 == 0 ? "\"" : "");
      w.string(item);
      expected += (i ? ",\"" : "\"") + (i % 7 == 0 ? item.substr(0, item.size() - 1) + "\\\"" : item) + "\"";
    }
    w.end_array();
    expected += "]";
    EXPECT_EQ(w.str(), expected) << capacity;
    EXPECT_EQ(w.take(), expected) << capacity;
  }
}

TEST(json_writer, refuses_to_nest_deeper_than_its_limit) {
  json_writer w;
  for (unsigned i = 0; i < json_writer::max_depth; ++i) w.begin_array();
  EXPECT_THROW(w.begin_array(), std::length_error);
  for (unsigned i = 0; i < json_writer::max_depth; ++i) w.end_array();
  EXPECT_EQ(w.str(), std::string(json_writer::max_depth, '[') + std::string(json_writer::max_depth, ']'));
}

}  // namespace
