#include "value.hpp"

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

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string Value::to_json() const {
  if (is_null()) return "null";
  if (is_bool()) return as_bool() ? "true" : "false";
  if (is_int()) return std::to_string(as_int());
  if (std::holds_alternative<double>(data_)) {
    double d = std::get<double>(data_);
    if (!std::isfinite(d)) return "null";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", d);
    return buf;
  }
  if (is_string()) return json_quote(as_string());
  std::string out;
  if (is_array()) {
    out = "[";
    bool first = true;
    for (const auto& v : as_array()) {
      if (!first) out += ',';
      first = false;
      out += v.to_json();
    }
    return out + "]";
  }
  out = "{";
  bool first = true;
  for (const auto& [k, v] : as_object()) {
    if (!first) out += ',';
    first = false;
    out += json_quote(k) + ":" + v.to_json();
  }
  return out + "}";
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
