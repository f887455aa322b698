#include "envelope/message.hpp"

// RapidJSON's SIMD paths skip whitespace and copy plain string runs 16 bytes
// at a time; they exist for in-situ parsing of NUL-terminated text, which is
// what parse_json() does.
#if defined(__SSE4_2__)
#define RAPIDJSON_SSE42
#elif defined(__SSE2__)
#define RAPIDJSON_SSE2
#endif
// The library's RapidJSON lives in a namespace of its own. Its templates are
// inline functions: compiled here with the SIMD macros above, they would
// otherwise share names with the same templates in a program that links the
// library and uses RapidJSON without them, and the linker would keep one
// copy for both (an ODR violation: the SIMD one reads up to 15 bytes past a
// buffer the program did not pad).
#define RAPIDJSON_NAMESPACE iohyve_api_rapidjson
#define RAPIDJSON_NAMESPACE_BEGIN namespace iohyve_api_rapidjson {
#define RAPIDJSON_NAMESPACE_END }

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <array>
#include <memory>
#include <unordered_set>
#include <vector>

#include "envelope/json_writer.hpp"
#include "errors.hpp"
#include "text/quote.hpp"
#include "text/utf8.hpp"

namespace rapidjson = iohyve_api_rapidjson;

namespace iohyve_api::detail {
namespace {

// What JSON allows around values (RFC 8259 "ws"), also skipped before a
// message and a REST body.
constexpr std::string_view json_whitespace = " \t\r\n";

// rapidjson's allocator is stateless: one shared instance spares each reader
// a `new CrtAllocator` per request.
rapidjson::CrtAllocator shared_crt_allocator;

// The keys of every open object, to refuse duplicates: one stack of keys
// shared by all open objects (each knows where its own keys start), so that
// a request's handful of short keys costs no allocation per key or object.
// Keys are views into the message being parsed in place, which outlives the
// parse.
// Linear for the usual handful of keys; an object that grows past 16 keys
// gets a hash set (a 1 MiB message may hold 100,000 keys: quadratic checks
// would hang).
class key_stack {
 public:
  // The storage is per thread and kept between parses (parses on one thread
  // never overlap): no allocation per request.
  key_stack() : keys_(storage()) { keys_.clear(); }

  // Where the keys of an object opened now begin.
  std::size_t mark() const noexcept { return keys_.size(); }

  // False if the object whose keys begin at mark already has key.
  bool insert(std::size_t mark, std::unique_ptr<std::unordered_set<std::string_view>>& hashed,
              std::string_view key) {
    if (hashed) return hashed->insert(key).second;
    const auto first = keys_.begin() + static_cast<std::ptrdiff_t>(mark);
    if (keys_.size() - mark >= 16) {
      hashed = std::make_unique<std::unordered_set<std::string_view>>(first, keys_.end());
      keys_.erase(first, keys_.end());
      return hashed->insert(key).second;
    }
    for (auto it = first; it != keys_.end(); ++it)
      if (*it == key) return false;
    keys_.push_back(key);
    return true;
  }

  // Forgets the keys of the object closed (those from mark on).
  void release(std::size_t mark) { keys_.resize(mark); }

 private:
  static std::vector<std::string_view>& storage() {
    thread_local std::vector<std::string_view> keys = [] {
      std::vector<std::string_view> v;
      v.reserve(64);
      return v;
    }();
    return keys;
  }

  std::vector<std::string_view>& keys_;
};

enum class frame_role {
  root,   // the request object
  args,   // its "args" member
  id,     // inside the "id" member: re-serialized for echoing
  other,  // nested content: validated, then dropped
};

struct frame {
  bool is_object = false;
  frame_role role = frame_role::other;
  std::size_t key_mark = 0;  // where this object's keys begin in the key_stack
  std::unique_ptr<std::unordered_set<std::string_view>> hashed_keys;  // past 16 keys
};

// RapidJSON SAX handler: builds the argument lists directly, without a DOM.
// Root members are collected as arguments too, because a request without an
// "args" member is a bare REST body whose whole object is the args.
class request_reader {
 public:
  bool StartObject() { return open(true); }
  bool StartArray() { return open(false); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  bool Key(const char* s, rapidjson::SizeType n, bool) {
    const std::string_view key(s, n);
    frame& f = frames_[depth_ - 1];
    if (!keys_.insert(f.key_mark, f.hashed_keys, key)) return fail(bad_request("duplicate key " + quote_value(key)));
    if (id_depth_ > 0) id_writer_.key(key);
    if (depth_ == 1) root_key_ = key;
    else if (in_args()) args_key_ = key;
    return true;
  }

  bool Null() { return scalar(arg_kind::null, {}); }
  bool Bool(bool b) { return scalar(arg_kind::boolean, b ? "true" : "false"); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    return scalar(arg_kind::number, std::string_view(s, n));
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    return scalar(arg_kind::string, std::string_view(s, n));
  }
  // Not called with kParseNumbersAsStringsFlag; required by the interface.
  bool Int(int) { return true; }
  bool Uint(unsigned) { return true; }
  bool Int64(int64_t) { return true; }
  bool Uint64(uint64_t) { return true; }
  bool Double(double) { return true; }

  std::optional<error> failure;
  bool has_args = false;
  arg_list root_args;  // every member of the root object
  arg_list args;       // members of "args"
  std::string id_json;

 private:
  bool fail(error e) {
    if (!failure) failure = std::move(e);
    return false;
  }

  bool in_args() const { return depth_ == 2 && frames_[1].role == frame_role::args; }

  // Room for a request's arguments at the first one, not one by one.
  static void add(arg_list& list, std::string_view key, arg_kind kind, std::string_view text) {
    if (list.capacity() == 0) list.reserve(8);
    // Filled in place: no temporary strings to move. (Not emplace_back(a, b, c):
    // parenthesized aggregate initialization needs clang 16.)
    arg& a = list.emplace_back();
    a.key.assign(key);
    a.kind = kind;
    a.text.assign(text);
  }

  bool open(bool is_object) {
    if (depth_ >= max_json_depth)
      return fail(bad_request("JSON nesting is deeper than " + std::to_string(max_json_depth) + " levels"));
    const arg_kind kind = is_object ? arg_kind::object : arg_kind::array;
    frame_role role = frame_role::other;
    if (depth_ == 0) {
      if (!is_object) return fail(bad_request("the request must be a JSON object, not an array"));
      role = frame_role::root;
    } else if (id_depth_ > 0 || (depth_ == 1 && root_key_ == "id")) {
      ++id_depth_;
      is_object ? id_writer_.begin_object() : id_writer_.begin_array();
      role = frame_role::id;
    } else if (depth_ == 1 && root_key_ == "args") {
      if (!is_object) return fail(bad_request("'args' must be an object, not an array"));
      has_args = true;
      role = frame_role::args;
    } else if (depth_ == 1) {
      add(root_args, root_key_, kind, {});
    } else if (in_args()) {
      add(args, args_key_, kind, {});
    }
    frame& f = frames_[depth_++];
    f.is_object = is_object;
    f.role = role;
    f.key_mark = keys_.mark();
    return true;
  }

  bool close() {
    frame& f = frames_[depth_ - 1];
    if (id_depth_ > 0) {
      f.is_object ? id_writer_.end_object() : id_writer_.end_array();
      if (--id_depth_ == 0) id_json = id_writer_.take();
    }
    keys_.release(f.key_mark);
    f.hashed_keys.reset();
    --depth_;
    return true;
  }

  bool scalar(arg_kind kind, std::string_view text) {
    if (depth_ == 0) return fail(bad_request("the request must be a JSON object"));
    if (id_depth_ > 0) return write_id_scalar(kind, text);
    if (depth_ == 1) {
      if (root_key_ == "id") {
        // A scalar id, the usual case, is serialized directly; the writer
        // is for ids that are containers.
        id_json.clear();
        if (kind == arg_kind::string) append_json_string(id_json, text);
        else id_json.assign(kind == arg_kind::null ? std::string_view("null") : text);
        return true;
      }
      if (root_key_ == "args")
        return fail(bad_request("'args' must be an object, not " + std::string(describe(kind))));
      add(root_args, root_key_, kind, text);
    } else if (in_args()) {
      add(args, args_key_, kind, text);
    }
    return true;
  }

  // Numbers keep the digits they were sent with (kParseNumbersAsStrings).
  bool write_id_scalar(arg_kind kind, std::string_view text) {
    if (kind == arg_kind::string) id_writer_.string(text);
    else id_writer_.raw(kind == arg_kind::null ? std::string_view("null") : text);
    return true;
  }

  // open() refuses to go deeper than max_json_depth: a fixed array suffices.
  std::array<frame, max_json_depth> frames_;
  std::size_t depth_ = 0;
  key_stack keys_;
  std::string_view root_key_, args_key_;  // views into the message
  unsigned id_depth_ = 0;
  // An id that is an object or array, re-serialized by the library's own
  // writer. (RapidJSON 1.1.0's Writer computes an offset from a null stack
  // pointer on its first container, which UBSan rightly reports.)
  json_writer id_writer_{false, 64};
};

const arg* find_arg(const arg_list& list, std::string_view key) {
  for (const auto& a : list)
    if (a.key == key) return &a;
  return nullptr;
}

// The message, copied to be parsed in place: RapidJSON then decodes strings
// where they are instead of copying each into a stack, and its SIMD paths
// apply (they need NUL-terminated text, which a string_view need not be).
// One buffer per thread, kept between requests unless a big one grew it.
//
// The SIMD paths load aligned 16-byte blocks, so the block holding the
// terminating NUL may extend up to 15 bytes past it: the allocation always
// has simd_padding spare bytes after the text, so that those loads stay
// inside it (AddressSanitizer checks exactly that; the tests run under it).
std::string& in_situ_copy(std::string_view json) {
  constexpr std::size_t keep_capacity = 64 * 1024;
  constexpr std::size_t simd_padding = 64;
  thread_local std::string buffer;
  if (buffer.capacity() > keep_capacity && json.size() <= keep_capacity) std::string().swap(buffer);
  buffer.reserve(json.size() + simd_padding);
  buffer.assign(json);
  return buffer;
}

// "invalid JSON at offset N: REASON", N counted from the start of the
// whole message.
error invalid_json(std::size_t offset, std::string_view reason) {
  return bad_request("invalid JSON at offset " + std::to_string(offset) + ": " + std::string(reason));
}

// Parses a JSON request object into out. base_offset: where json starts in
// the whole message, so that offsets in errors point into what was sent.
// The caller has refused NUL bytes (they would end the in-situ text).
std::optional<error> parse_json(std::string_view json, std::size_t base_offset, parsed_message& out,
                                bool envelope_fields) {
  // UTF-8 is checked here, once for the whole text, rather than by RapidJSON
  // character by character inside strings (kParseValidateEncodingFlag).
  if (const std::size_t bad_byte = utf8_valid_prefix(json); bad_byte != json.size())
    return invalid_json(base_offset + bad_byte, "not valid UTF-8");
  // Recursive parsing is bounded: request_reader refuses to open more than
  // max_json_depth containers, and RapidJSON asks it before descending.
  constexpr unsigned flags = rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag;
  std::string& text = in_situ_copy(json);
  request_reader reader;
  rapidjson::InsituStringStream stream(text.data());
  rapidjson::Reader parser(&shared_crt_allocator);
  const rapidjson::ParseResult ok = parser.Parse<flags>(stream, reader);
  out.id_json = std::move(reader.id_json);
  if (reader.failure) return reader.failure;
  if (!ok) return invalid_json(base_offset + ok.Offset(), rapidjson::GetParseError_En(ok.Code()));
  if (!reader.has_args) {
    out.args = std::move(reader.root_args);
    if (out.form == message_form::websocket) out.form = message_form::rest_body;
    return std::nullopt;
  }
  out.args = std::move(reader.args);
  if (!envelope_fields) return std::nullopt;
  // A WebSocket envelope names its subsystem itself.
  for (const char* field : {"namespace", "name"}) {
    const arg* a = find_arg(reader.root_args, field);
    if (!a) return bad_request(std::string("missing '") + field + "' in the request envelope");
    if (a->kind != arg_kind::string)
      return bad_request(std::string("'") + field + "' must be a string, not " + std::string(describe(a->kind)));
    if (a->text.empty()) return bad_request(std::string("'") + field + "' is empty");
    (std::string_view(field) == "name" ? out.name : out.ns) = a->text;
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "PUT /sysadm/iohyve HTTP/1.1" + optional "Header: value" lines + optional
// blank line + JSON body (the whole object is the args, or an envelope).
std::optional<error> parse_rest_http(std::string_view text, parsed_message& out) {
  out.form = message_form::rest_http;
  std::size_t pos = text.find('\n');
  const std::string_view request_line = trim(text.substr(0, pos));
  const std::size_t sp1 = request_line.find(' ');
  const std::string_view verb = request_line.substr(0, sp1);
  if (verb != "GET" && verb != "PUT" && verb != "POST")
    return bad_request("unsupported HTTP method " + quote_value(verb) +
                       ": expected 'PUT /sysadm/iohyve' (GET and POST are accepted too)");
  std::string_view rest = sp1 == std::string_view::npos ? std::string_view() : trim(request_line.substr(sp1 + 1));
  const std::string_view uri = rest.substr(0, rest.find(' '));
  const std::string_view version = trim(rest.substr(uri.size()));
  if (uri.size() < 2 || uri.front() != '/' || uri.find_first_of("?#") != std::string_view::npos)
    return bad_request("invalid URI " + quote_value(uri) + ": expected /namespace/name, e.g. /sysadm/iohyve");
  if (!version.empty() && version != "HTTP/1.0" && version != "HTTP/1.1")
    return bad_request("unsupported HTTP version " + quote_value(version));
  // As the reference: the namespace is the first path section, the name the last.
  std::string_view path = uri.substr(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const std::size_t first = path.find('/');
  const std::size_t last = path.rfind('/');
  if (first == std::string_view::npos || path.empty())
    return bad_request("invalid URI " + quote_value(uri) + ": expected /namespace/name, e.g. /sysadm/iohyve");
  out.ns = std::string(path.substr(0, first));
  out.name = std::string(path.substr(last + 1));

  // Headers until a blank line or the start of the body.
  while (pos != std::string_view::npos) {
    const std::size_t start = pos + 1;
    const std::string_view rest_text = text.substr(start);
    const std::size_t first_char = rest_text.find_first_not_of(" \t");
    if (first_char != std::string_view::npos && rest_text[first_char] == '{') {
      pos = start;
      break;
    }
    pos = text.find('\n', start);
    const std::string_view line = trim(text.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (line.empty()) {
      pos = pos == std::string_view::npos ? text.size() : pos + 1;
      break;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || line.substr(0, colon).find(' ') != std::string_view::npos)
      return bad_request("invalid header line " + quote_value(line) + ": expected 'Name: value'");
  }
  if (pos == std::string_view::npos) pos = text.size();
  const std::string_view body = text.substr(pos);
  if (body.find_first_not_of(json_whitespace) == std::string_view::npos)
    return bad_request("the REST request has no JSON body");
  return parse_json(body, pos, out, false);
}

constexpr std::string_view utf8_byte_order_mark = "\xEF\xBB\xBF";

// "PUT /...", "DELETE /...": an upper-case method, a space. JSON never
// starts so (its literals are lower-case), so the two forms cannot be
// confused, and any other verb still gets an error that names it.
bool starts_like_request_line(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && text[i] >= 'A' && text[i] <= 'Z') ++i;
  return i > 0 && i < text.size() && text[i] == ' ';
}

std::size_t byte_order_mark_size(std::string_view text) {
  return text.starts_with(utf8_byte_order_mark) ? utf8_byte_order_mark.size() : 0;
}

// Records only the type of the top-level value; everything else is just
// validated, at most max_json_depth levels deep (1 MiB of '[' must not
// recurse a million times).
class root_type_reader : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, root_type_reader> {
 public:
  bool Default() { return note("a JSON value"); }
  bool Null() { return note("null"); }
  bool Bool(bool) { return note("a boolean"); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return note("a number"); }
  bool String(const char*, rapidjson::SizeType, bool) { return note("a string"); }
  bool StartObject() { return open("an object"); }
  bool StartArray() { return open("an array"); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  std::string_view type;
  bool too_deep = false;

 private:
  bool note(std::string_view t) {
    if (type.empty()) type = t;
    return true;
  }
  bool open(std::string_view t) {
    note(t);
    too_deep = ++depth_ > max_json_depth;
    return !too_deep;
  }
  bool close() {
    --depth_;
    return true;
  }
  std::size_t depth_ = 0;
};

// The error for a message that is JSON but not an object ("7", "null",
// "[]"), or not JSON at all. Parsed in place like a request: RapidJSON
// 1.1.0's other modes grow an internal stack whose first growth offsets a
// null pointer (undefined behaviour that UBSan reports).
error describe_non_object(std::string_view json, std::size_t base_offset) {
  if (const std::size_t bad_byte = utf8_valid_prefix(json); bad_byte != json.size())
    return invalid_json(base_offset + bad_byte, "not valid UTF-8");
  constexpr unsigned flags = rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag;
  std::string& text = in_situ_copy(json);
  rapidjson::InsituStringStream stream(text.data());
  root_type_reader reader;
  rapidjson::Reader parser(&shared_crt_allocator);
  const rapidjson::ParseResult ok = parser.Parse<flags>(stream, reader);
  if (reader.too_deep)
    return bad_request("JSON nesting is deeper than " + std::to_string(max_json_depth) + " levels");
  if (!ok) return invalid_json(base_offset + ok.Offset(), rapidjson::GetParseError_En(ok.Code()));
  return bad_request("the request must be a JSON object, not " + std::string(reader.type));
}

}  // namespace

bool looks_like_http_request(std::string_view text) {
  text.remove_prefix(byte_order_mark_size(text));
  const std::size_t start = text.find_first_not_of(json_whitespace);
  return start != std::string_view::npos && starts_like_request_line(text.substr(start));
}

parse_outcome parse_message(std::string_view text) {
  parse_outcome outcome;
  parsed_message& msg = outcome.message;
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    outcome.error = bad_request("the message contains a NUL byte at offset " + std::to_string(nul));
    return outcome;
  }
  // A UTF-8 byte order mark, as some editors and Windows tools write it, is
  // skipped (RFC 8259 allows a parser to ignore it); offsets in errors still
  // count from the first byte sent.
  const std::size_t base = byte_order_mark_size(text);
  const std::string_view body = text.substr(base);
  const std::size_t start = body.find_first_not_of(json_whitespace);
  if (start == std::string_view::npos) {
    outcome.error = bad_request("the message is empty");
    return outcome;
  }
  if (starts_like_request_line(body.substr(start))) {
    outcome.error = parse_rest_http(body.substr(start), msg);
    return outcome;
  }
  if (body[start] != '{') {
    outcome.error = describe_non_object(body, base);
    return outcome;
  }
  msg.form = message_form::websocket;  // becomes rest_body if there is no "args"
  outcome.error = parse_json(body, base, msg, true);
  if (msg.form == message_form::rest_body) {
    msg.ns = "sysadm";
    msg.name = "iohyve";
  }
  return outcome;
}

}  // namespace iohyve_api::detail
