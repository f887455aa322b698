#include "messages.hpp"

#include <rapidjson/internal/dtoa.h>
#include <rapidjson/reader.h>

#include <charconv>
#include <cstdint>

namespace iohyve_apid {

namespace {

// The length of the valid UTF-8 sequence that starts text[i], or 0 if none
// does there (a stray continuation byte, a truncated or overlong sequence, a
// surrogate, past U+10FFFF).
std::size_t utf8_sequence_size(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t size = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range (RFC 3629, section 4)
  if (lead >= 0xC2 && lead <= 0xDF) size = 2;
  else if (lead >= 0xE0 && lead <= 0xEF) {
    size = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    size = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() - i < size) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < size; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return size;
}

// Appends text as a JSON string literal: '"' and '\' escaped, control
// characters as \b \f \n \r \t or \u00XX (the forms RapidJSON's Writer
// used here before), valid UTF-8 as it is. What the daemon writes comes
// from WebSocket text messages (UTF-8 checked by Beast) or its own text;
// should a byte not be valid UTF-8 anyway, it becomes U+FFFD, so that the
// reply stays valid JSON.
void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      if (const std::size_t n = utf8_sequence_size(text, i)) {
        out.append(text.substr(i, n));
        i += n;
      } else {
        out += "\xEF\xBF\xBD";  // U+FFFD for the one byte
        ++i;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// Only a plausible action name goes into the log: nothing a client could
// use to forge log lines.
std::string loggable_action(std::string text) {
  if (text.empty() || text.size() > 24) return {};
  for (char c : text)
    if (c < 'a' || c > 'z') return {};
  return text;
}

// RapidJSON's allocator is stateless: one instance spares each reader a
// `new CrtAllocator`.
rapidjson::CrtAllocator shared_allocator;

// Containers open at once in a message the daemon reads, at most: the
// library's own limit (it refuses deeper requests), so that nothing the
// library would refuse is acted on here either. RapidJSON's reader recurses
// once per container; without this bound a 1 MiB message of '[' would
// recurse a million times on an I/O thread.
constexpr int max_depth = 32;

// Appends an id's JSON text as RapidJSON's Writer wrote it before (the
// daemon's own replies have echoed ids in that form since the start):
// commas between members, integers in decimal, doubles in RapidJSON's
// shortest form (dtoa: 1.5, 100.0, 1e30), strings through json_string.
// Not rapidjson::Writer: RapidJSON 1.1.0's Writer (its level stack) and
// StringBuffer offset a null pointer on their first growth, which clang's
// UBSan reports.
class id_text {
 public:
  explicit id_text(std::string& out) : out_(out) {}

  void open(char bracket) {
    before_value();
    out_ += bracket;
    has_members_.push_back(false);
  }
  void close(char bracket) {
    out_ += bracket;
    has_members_.pop_back();
  }
  void key(std::string_view k) {
    before_value();
    append_json_string(out_, k);
    out_ += ':';
    after_key_ = true;
  }
  void literal(std::string_view text) {
    before_value();
    out_ += text;
  }
  void string(std::string_view text) {
    before_value();
    append_json_string(out_, text);
  }
  template <class Integer>
  void integer(Integer i) {
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, i).ptr;
    literal(std::string_view(buf, static_cast<std::size_t>(end - buf)));
  }
  void real(double d) {
    // The reader never produces NaN or infinity (it refuses numbers too
    // big for a double).
    char buf[32];
    const char* end = rapidjson::internal::dtoa(d, buf);
    literal(std::string_view(buf, static_cast<std::size_t>(end - buf)));
  }

 private:
  void before_value() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (has_members_.empty()) return;
    if (has_members_.back()) out_ += ',';
    has_members_.back() = true;
  }

  std::string& out_;
  std::vector<bool> has_members_;  // per open container: a member was written
  bool after_key_ = false;
};

// A SAX pass (rapidjson/reader.h, as the library: Debian's RapidJSON 1.1
// document.h does not compile with clang 19) that keeps the top-level
// namespace, name and id (re-serialized), and from args (or the whole body
// when there is no args) the action, the token, or the event names.
class peek_handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, peek_handler> {
 public:
  explicit peek_handler(message_peek& out) : out_(out), id_(id_buffer_) {}

  bool Null() { return capture([&] { id_.literal("null"); }) && scalar({}, false); }
  bool Bool(bool b) { return capture([&] { id_.literal(b ? "true" : "false"); }) && scalar({}, false); }
  bool Int(int i) { return capture([&] { id_.integer(i); }) && scalar({}, false); }
  bool Uint(unsigned u) { return capture([&] { id_.integer(u); }) && scalar({}, false); }
  bool Int64(std::int64_t i) { return capture([&] { id_.integer(i); }) && scalar({}, false); }
  bool Uint64(std::uint64_t u) { return capture([&] { id_.integer(u); }) && scalar({}, false); }
  bool Double(double d) { return capture([&] { id_.real(d); }) && scalar({}, false); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    const std::string_view text(s, n);
    return capture([&] { id_.string(text); }) && scalar(text, true);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (capturing_) {
      id_.key(std::string_view(s, n));
      return true;
    }
    if (depth_ == 1) key1_.assign(s, n);
    else if (depth_ == 2) key2_.assign(s, n);
    return true;
  }
  bool StartObject() { return open(true); }
  bool EndObject(rapidjson::SizeType) { return close(true); }
  bool StartArray() { return open(false); }
  bool EndArray(rapidjson::SizeType) { return close(false); }

  void finish() {
    out_.is_object = root_object_;
    const bool has_args = args_seen_;
    out_.action = loggable_action(has_args ? args_action_ : top_action_);
    out_.token = has_args ? args_token_ : top_token_;
  }

 private:
  template <class F>
  bool capture(F write) {
    if (!capturing_ && !(depth_ == 1 && key1_ == "id" && !out_.has_id)) return true;
    write();
    if (!capturing_) {  // a scalar id
      out_.has_id = true;
      out_.id_json = id_buffer_;
    }
    return true;
  }

  // A scalar value at the current place.
  bool scalar(std::string_view text, bool is_string) {
    if (capturing_) return true;
    if (depth_ == 1) {
      if (key1_ == "namespace" && is_string) out_.ns = text;
      else if (key1_ == "name" && is_string) out_.name = text;
      else if (key1_ == "action" && is_string) top_action_ = text;
      else if (key1_ == "token" && is_string) top_token_ = text;
      else if (key1_ == "args") {
        args_seen_ = true;
        if (is_string) out_.event_names.emplace_back(text);
      }
    } else if (depth_ == 2 && key1_ == "args") {
      if (args_is_array_) out_.event_names.emplace_back(is_string ? text : std::string_view());
      else if (key2_ == "action" && is_string) args_action_ = text;
      else if (key2_ == "token" && is_string) args_token_ = text;
    }
    return true;
  }

  bool open(bool object) {
    if (depth_ == max_depth) return false;  // too deep: stop reading (the message is then not trusted)
    const char bracket = object ? '{' : '[';
    if (capturing_) {
      ++depth_;
      id_.open(bracket);
      return true;
    }
    if (depth_ == 0) {
      root_object_ = object;
      if (!object) return false;  // not an envelope: stop reading
    } else if (depth_ == 1 && key1_ == "id" && !out_.has_id) {
      capturing_ = true;
      capture_depth_ = depth_ + 1;
      ++depth_;
      id_.open(bracket);
      return true;
    } else if (depth_ == 1 && key1_ == "args") {
      args_seen_ = true;
      args_is_array_ = !object;
    } else if (depth_ == 2 && key1_ == "args" && args_is_array_) {
      out_.event_names.emplace_back();  // not a name: refused by the caller
    }
    ++depth_;
    return true;
  }

  bool close(bool object) {
    if (capturing_) {
      id_.close(object ? '}' : ']');
      if (depth_-- == capture_depth_) {
        capturing_ = false;
        out_.has_id = true;
        out_.id_json = id_buffer_;
      }
      return true;
    }
    --depth_;
    return true;
  }

  message_peek& out_;
  int depth_ = 0;
  std::string key1_, key2_;
  bool root_object_ = false;
  bool args_seen_ = false;
  bool args_is_array_ = false;
  std::string top_action_, args_action_, top_token_, args_token_;
  bool capturing_ = false;
  int capture_depth_ = 0;
  std::string id_buffer_;
  id_text id_;
};

const char* reason_of(int code) {
  switch (code) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

std::string error_args(int code, std::string_view detail) {
  return "{\"code\":\"" + std::to_string(code) + "\",\"detail\":" + json_string(detail) +
         ",\"message\":\"" + reason_of(code) + "\"}";
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

message_peek peek_message(std::string_view text) {
  message_peek out;
  peek_handler handler(out);
  // Parsed in place, in a copy: RapidJSON then decodes strings where they
  // are instead of in its internal stack, whose first growth offsets a null
  // pointer in 1.1.0 (UBSan reports it). Numbers are parsed, not kept as
  // text (kParseNumbersAsStringsFlag), which needs no stack either; full
  // precision (kParseFullPrecisionFlag) would. A NUL byte ends the text, as
  // it did for the MemoryStream read before.
  std::string copy(text);
  rapidjson::InsituStringStream stream(copy.data());
  rapidjson::Reader reader(&shared_allocator);
  const bool ok = !reader.Parse<rapidjson::kParseInsituFlag>(stream, handler).IsError();
  handler.finish();
  if (!ok) {
    message_peek invalid;  // what was read is not trusted; the id (if read) is kept for the error reply
    invalid.id_json = out.id_json;
    invalid.has_id = out.has_id;
    return invalid;
  }
  return out;
}

std::string response_envelope(const message_peek& request, std::string_view ns, std::string_view args_json) {
  // As the reference: "response" when the request had an id, else the request's name.
  const std::string name = request.has_id ? std::string("response") : request.name;
  return "{\"args\":" + std::string(args_json) + ",\"id\":" + request.id_json + ",\"name\":" + json_string(name) +
         ",\"namespace\":" + json_string(ns) + "}";
}

std::string error_envelope(std::string_view id_json, int code, std::string_view detail) {
  return "{\"args\":" + error_args(code, detail) + ",\"id\":" + std::string(id_json) +
         ",\"name\":\"error\",\"namespace\":\"error\"}";
}

std::string error_body(int code, std::string_view detail) { return "{\"args\":" + error_args(code, detail) + "}"; }

}  // namespace iohyve_apid
