#include "value.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace stagematch {

namespace {
const Value kNull;
}

const Value& Value::operator[](std::string_view key) const {
  if (!is_object()) return kNull;
  const auto& obj = as_object();
  auto it = obj.find(key);
  return it == obj.end() ? kNull : it->second;
}

bool Value::has(std::string_view key) const {
  return is_object() && as_object().find(key) != as_object().end();
}

namespace {

// Appends `s` as a JSON string: runs of plain characters are copied at once.
void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        out += buf;
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

// The whole tree into one buffer: a page of fifty requests is one string, not thousands.
void append_json(std::string& out, const Value& v) {
  if (v.is_null()) {
    out += "null";
  } else if (v.is_bool()) {
    out += v.as_bool() ? "true" : "false";
  } else if (v.is_int()) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_int());
    out.append(buf, end);
  } else if (v.is_number()) {
    double d = v.as_number();
    if (!std::isfinite(d)) {
      out += "null";
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.15g", d);
      out += buf;
    }
  } else if (v.is_string()) {
    append_quoted(out, v.as_string());
  } else if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& item : v.as_array()) {
      if (!first) out += ',';
      first = false;
      append_json(out, item);
    }
    out += ']';
  } else {
    out += '{';
    bool first = true;
    for (const auto& [k, item] : v.as_object()) {
      if (!first) out += ',';
      first = false;
      append_quoted(out, k);
      out += ':';
      append_json(out, item);
    }
    out += '}';
  }
}

}  // namespace

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_quoted(out, s);
  return out;
}

std::string Value::to_json() const {
  std::string out;
  out.reserve(256);
  append_json(out, *this);
  return out;
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) return a.as_int() == b.as_int();
    return a.as_number() == b.as_number();
  }
  if (a.data_.index() != b.data_.index()) return false;
  if (a.is_array()) return a.as_array() == b.as_array();
  if (a.is_object()) return a.as_object() == b.as_object();
  return a.data_ == b.data_;
}

}  // namespace stagematch
