// Requests and responses as the handlers see them, independent of Poco: a handler is a plain
// function of an HttpRequest, so it can be tested without a socket.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "accounts.hpp"
#include "value.hpp"

namespace stagematch {

struct HttpRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // names in lower case
  std::map<std::string, std::string> cookies;
  std::map<std::string, std::string> params;   // from the route pattern: {id}
  std::string body;
  bool secure = false;  // served over https (directly or behind a proxy that says so)

  // Filled in by the session check before the handler runs.
  std::optional<User> user;
  std::string session_cookie;
  std::string csrf_token;
  std::string session_ended;  // why the cookie's session ended (replaced, expired, ...)

  std::string header(const std::string& lower_name) const;
  std::string param(const std::string& name) const;
  std::string query_value(const std::string& name) const;
  // application/x-www-form-urlencoded body fields (first value of each; `all_form` for lists).
  std::map<std::string, std::string> form() const;
  std::vector<std::string> form_all(const std::string& name) const;
  Actor actor() const;
  bool is_api() const { return path.rfind("/api/", 0) == 0; }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static HttpResponse json(int status, const Value& value);
  static HttpResponse html(int status, std::string body);
  static HttpResponse redirect(const std::string& location);  // 303 See Other
  static HttpResponse no_content();
  // {"error", "message", "fields"} with the error's status.
  static HttpResponse error(const DomainError& e);
  static HttpResponse error(int status, const std::string& code, const std::string& message);
};

std::string url_decode(std::string_view s, bool plus_is_space = true);
std::string url_encode(std::string_view s);
std::map<std::string, std::string> parse_query(std::string_view s);
std::vector<std::pair<std::string, std::string>> parse_query_pairs(std::string_view s);
std::map<std::string, std::string> parse_cookies(std::string_view header);

}  // namespace stagematch
