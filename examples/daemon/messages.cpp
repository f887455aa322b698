#include "messages.hpp"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace iohyve_apid {

namespace {

// Only a plausible action name goes into the log: nothing a client could
// use to forge log lines.
std::string loggable_action(std::string text) {
  if (text.empty() || text.size() > 24) return {};
  for (char c : text)
    if (c < 'a' || c > 'z') return {};
  return text;
}

// A SAX pass (rapidjson/reader.h, as the library: Debian's RapidJSON 1.1
// document.h does not compile with clang 19) that keeps the top-level
// namespace, name and id (re-serialized), and from args (or the whole body
// when there is no args) the action, the token, or the event names.
class peek_handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, peek_handler> {
 public:
  explicit peek_handler(message_peek& out) : out_(out), id_writer_(id_buffer_) {}

  bool Null() { return capture([&](auto& w) { return w.Null(); }) && scalar({}, false); }
  bool Bool(bool b) { return capture([&](auto& w) { return w.Bool(b); }) && scalar({}, false); }
  bool Int(int i) { return capture([&](auto& w) { return w.Int(i); }) && scalar({}, false); }
  bool Uint(unsigned u) { return capture([&](auto& w) { return w.Uint(u); }) && scalar({}, false); }
  bool Int64(std::int64_t i) { return capture([&](auto& w) { return w.Int64(i); }) && scalar({}, false); }
  bool Uint64(std::uint64_t u) { return capture([&](auto& w) { return w.Uint64(u); }) && scalar({}, false); }
  bool Double(double d) { return capture([&](auto& w) { return w.Double(d); }) && scalar({}, false); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return capture([&](auto& w) { return w.RawNumber(s, n, copy); }) && scalar({}, false);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return capture([&](auto& w) { return w.String(s, n, copy); }) && scalar(std::string_view(s, n), true);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    if (capturing_) return id_writer_.Key(s, n, copy);
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
    if (!capturing_) {  // a scalar id
      out_.has_id = true;
      const bool ok = write(id_writer_);
      out_.id_json.assign(id_buffer_.GetString(), id_buffer_.GetSize());
      return ok;
    }
    return write(id_writer_);
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
    if (capturing_) {
      ++depth_;
      return object ? id_writer_.StartObject() : id_writer_.StartArray();
    }
    if (depth_ == 0) {
      root_object_ = object;
      if (!object) return false;  // not an envelope: stop reading
    } else if (depth_ == 1 && key1_ == "id" && !out_.has_id) {
      capturing_ = true;
      capture_depth_ = depth_ + 1;
      ++depth_;
      return object ? id_writer_.StartObject() : id_writer_.StartArray();
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
      const bool ok = object ? id_writer_.EndObject() : id_writer_.EndArray();
      if (depth_-- == capture_depth_) {
        capturing_ = false;
        out_.has_id = true;
        out_.id_json.assign(id_buffer_.GetString(), id_buffer_.GetSize());
      }
      return ok;
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
  rapidjson::StringBuffer id_buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> id_writer_;
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
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buf.GetString(), buf.GetSize());
}

message_peek peek_message(std::string_view text) {
  message_peek out;
  peek_handler handler(out);
  rapidjson::Reader reader;
  rapidjson::MemoryStream ms(text.data(), text.size());
  const bool ok = !reader.Parse(ms, handler).IsError();
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
