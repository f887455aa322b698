#include "json_value.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <cstdlib>

namespace iohyve_test {

// RapidJSON SAX handler that builds the tree; numbers keep their text.
class json_builder {
 public:
  bool Null() { return add(json_value{}); }
  bool Bool(bool b) {
    json_value v;
    v.kind_ = json_value::kind::boolean;
    v.boolean_ = b;
    return add(std::move(v));
  }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    json_value v;
    v.kind_ = json_value::kind::number;
    v.text_.assign(s, n);
    v.number_ = std::strtod(v.text_.c_str(), nullptr);
    return add(std::move(v));
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    json_value v;
    v.kind_ = json_value::kind::string;
    v.text_.assign(s, n);
    return add(std::move(v));
  }
  bool StartObject() { return open(json_value::kind::object); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    key_.assign(s, n);
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(json_value::kind::array); }
  bool EndArray(rapidjson::SizeType) { return close(); }
  // Unused with kParseNumbersAsStringsFlag, but the handler concept needs them.
  bool Int(int) { return false; }
  bool Uint(unsigned) { return false; }
  bool Int64(std::int64_t) { return false; }
  bool Uint64(std::uint64_t) { return false; }
  bool Double(double) { return false; }

  json_value take() { return std::move(root_); }

 private:
  // Open containers are kept with the key they will be stored under.
  struct frame {
    json_value value;
    std::string key;
  };

  bool open(json_value::kind k) {
    frame f;
    f.value.kind_ = k;
    f.key = std::move(key_);
    stack_.push_back(std::move(f));
    return true;
  }
  bool close() {
    frame f = std::move(stack_.back());
    stack_.pop_back();
    key_ = std::move(f.key);
    return add(std::move(f.value));
  }
  bool add(json_value v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    json_value& parent = stack_.back().value;
    if (parent.is_object()) parent.members_.emplace_back(std::move(key_), std::move(v));
    else parent.items_.push_back(std::move(v));
    key_.clear();
    return true;
  }

  std::vector<frame> stack_;
  std::string key_;
  json_value root_;
};

std::optional<json_value> json_value::parse(std::string_view text, std::string* error) {
  // In place, on a copy: RapidJSON 1.1.0's other modes grow an internal
  // stack whose first growth offsets a null pointer, which UBSan reports.
  // (Test inputs are not deeply nested; the recursion is fine.)
  constexpr unsigned flags = rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag |
                             rapidjson::kParseInsituFlag | rapidjson::kParseStopWhenDoneFlag;
  std::string copy(text);
  rapidjson::InsituStringStream stream(copy.data());
  rapidjson::Reader reader;
  json_builder builder;
  const rapidjson::ParseResult result = reader.Parse<flags>(stream, builder);
  std::size_t end = stream.Tell();
  while (result && end < text.size() && (text[end] == ' ' || text[end] == '\n' || text[end] == '\t' || text[end] == '\r'))
    ++end;
  if (!result || end != text.size()) {
    if (error) {
      *error = "invalid JSON at offset " + std::to_string(result ? end : result.Offset()) + ": " +
               (result ? "text after the value" : rapidjson::GetParseError_En(result.Code()));
    }
    return std::nullopt;
  }
  return builder.take();
}

bool json_value::contains(std::string_view key) const {
  for (const auto& [k, v] : members_)
    if (k == key) return true;
  return false;
}

const json_value& json_value::operator[](std::string_view key) const {
  static const json_value none;
  for (const auto& [k, v] : members_)
    if (k == key) return v;
  return none;
}

const json_value& json_value::operator[](std::size_t index) const {
  static const json_value none;
  return index < items_.size() ? items_[index] : none;
}

std::string json_value::string_at(std::string_view key, std::string fallback) const {
  const json_value& v = (*this)[key];
  return v.is_string() ? v.text() : fallback;
}

namespace {

void dump_string(const std::string& s, std::string& out) {
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
}

void dump_to(const json_value& v, std::string& out) {
  switch (v.type()) {
    case json_value::kind::null: out += "null"; return;
    case json_value::kind::boolean: out += v.boolean() ? "true" : "false"; return;
    case json_value::kind::number: out += v.text(); return;
    case json_value::kind::string: dump_string(v.text(), out); return;
    case json_value::kind::array: {
      out += '[';
      for (std::size_t i = 0; i < v.items().size(); ++i) {
        if (i) out += ',';
        dump_to(v.items()[i], out);
      }
      out += ']';
      return;
    }
    case json_value::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, m] : v.members()) {
        if (!first) out += ',';
        first = false;
        dump_string(k, out);
        out += ':';
        dump_to(m, out);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string json_value::dump() const {
  std::string out;
  dump_to(*this, out);
  return out;
}

bool operator==(const json_value& a, const json_value& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case json_value::kind::null: return true;
    case json_value::kind::boolean: return a.boolean_ == b.boolean_;
    case json_value::kind::number: return a.number_ == b.number_;
    case json_value::kind::string: return a.text_ == b.text_;
    case json_value::kind::array: return a.items_ == b.items_;
    case json_value::kind::object: {
      // Order-insensitive, as JSON objects are.
      if (a.members_.size() != b.members_.size()) return false;
      for (const auto& [k, v] : a.members_)
        if (!b.contains(k) || !(b[k] == v)) return false;
      return true;
    }
  }
  return false;
}

}  // namespace iohyve_test
