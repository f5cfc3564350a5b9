#include "http.hpp"

#include <cctype>

namespace stagematch {

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string url_encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query_pairs(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!s.empty()) {
    auto amp = s.find('&');
    std::string_view part = s.substr(0, amp);
    if (!part.empty()) {
      auto eq = part.find('=');
      out.emplace_back(url_decode(part.substr(0, eq)),
                       eq == std::string_view::npos ? std::string() : url_decode(part.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    s.remove_prefix(amp + 1);
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view s) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : parse_query_pairs(s)) out.emplace(std::move(k), std::move(v));
  return out;
}

std::map<std::string, std::string> parse_cookies(std::string_view header) {
  std::map<std::string, std::string> out;
  while (!header.empty()) {
    auto semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq != std::string_view::npos) out.emplace(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return out;
}

std::string HttpRequest::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string HttpRequest::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::string HttpRequest::query_value(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

std::map<std::string, std::string> HttpRequest::form() const { return parse_query(body); }

std::vector<std::string> HttpRequest::form_all(const std::string& name) const {
  std::vector<std::string> out;
  for (auto& [k, v] : parse_query_pairs(body))
    if (k == name) out.push_back(v);
  return out;
}

Actor HttpRequest::actor() const {
  if (!user) return Actor{};
  return Accounts::actor_of(*user);
}

HttpResponse HttpResponse::json(int status, const Value& value) {
  return HttpResponse{status, "application/json; charset=utf-8", value.to_json(), {}};
}

HttpResponse HttpResponse::html(int status, std::string body) {
  return HttpResponse{status, "text/html; charset=utf-8", std::move(body), {}};
}

HttpResponse HttpResponse::redirect(const std::string& location) {
  return HttpResponse{303, "text/plain; charset=utf-8", "", {{"Location", location}}};
}

HttpResponse HttpResponse::no_content() { return HttpResponse{204, "", "", {}}; }

HttpResponse HttpResponse::error(const DomainError& e) {
  Object o{{"error", e.code}, {"message", e.message}};
  if (!e.fields.empty()) {
    Object fields;
    for (const auto& [k, v] : e.fields) fields[k] = v;
    o["fields"] = std::move(fields);
  }
  return json(e.http_status, Value(std::move(o)));
}

HttpResponse HttpResponse::error(int status, const std::string& code, const std::string& message) {
  return error(DomainError{status, code, message, {}});
}

}  // namespace stagematch
