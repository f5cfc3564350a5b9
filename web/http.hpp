// Requests and responses as the handlers see them, independent of Poco: a handler is a plain
// function of an HttpRequest, so it can be tested without a socket.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "accounts.hpp"
#include "error_status.hpp"
#include "value.hpp"

namespace stagematch {

struct HttpRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // names in lower case
  std::map<std::string, std::string> cookies;
  std::map<std::string, std::string> params;  // from the route pattern: {id}
  std::string body;
  bool secure = false;     // served over https (directly or behind a proxy that says so)
  std::string peer;        // the client's address as the socket sees it (a proxy's, behind nginx)
  std::string client;      // the client's address: the peer, or what a trusted proxy says it saw
  std::string request_id;  // in the answer's X-Request-Id and the log line
  std::string route;       // the route table's pattern that answered ("/api/v1/requests/{id}")

  // Filled in by the session check before the handler runs.
  std::optional<User> user;
  std::string session_cookie;
  std::string csrf_token;
  std::string session_ended;  // why the cookie's session ended (replaced, expired, ...)
  // The token of the forms used before a session exists (log in, activation, password links),
  // from the browser's double-submit cookie; set by the public form guard (pages_account.hpp).
  std::string form_token;

  std::string header(const std::string& lower_name) const;
  std::string param(const std::string& name) const;
  std::string query_value(const std::string& name) const;
  // The posted form's fields, from an application/x-www-form-urlencoded or a
  // multipart/form-data body (first value of each; `form_all` for lists). A file field holds
  // the file's content; `file_names` gives the name the browser sent with it.
  std::map<std::string, std::string> form() const;
  std::vector<std::string> form_all(const std::string& name) const;
  // {"bestand": "2025-2026.yaml"}: the file name of each file field of a multipart body.
  std::map<std::string, std::string> file_names() const;
  Actor actor() const;
  bool is_api() const { return path.rfind("/api/", 0) == 0; }
};

// One part of a multipart/form-data body: a plain field, or a file with its own name.
struct FormPart {
  std::string name;
  std::string file_name;  // empty for a plain field
  std::string content;
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
  // {"error", "message", "fields"} with the error's status (see error_object).
  static HttpResponse error(const DomainError& e);
  static HttpResponse error(int status, const std::string& code, const std::string& message);
};

// The body of every JSON error answer, built only here so that none can miss a member:
// {"error": code, "message": Dutch text, "fields": {name: message}}. `fields` is always there,
// an empty object when no field is at fault, so clients read it without checking first
// (CONTRACT.md). A handler that adds members of its own starts from this object.
Object error_object(const DomainError& e);

std::string url_decode(std::string_view s, bool plus_is_space = true);
std::string url_encode(std::string_view s);
// Text as it may go into the log: control characters (a decoded %0d%0a in a path would start
// a forged line) and backslashes written as \xNN.
std::string loggable(std::string_view text);
std::map<std::string, std::string> parse_query(std::string_view s);
std::vector<std::pair<std::string, std::string>> parse_query_pairs(std::string_view s);
std::map<std::string, std::string> parse_cookies(std::string_view header);
// The boundary of a "multipart/form-data; boundary=..." Content-Type; empty for another type
// or a missing or invalid boundary.
std::string multipart_boundary(std::string_view content_type);
// The parts of a multipart/form-data body (RFC 7578), in order. Malformed input never throws:
// parsing stops at the first thing that does not fit, keeping the parts complete before it.
std::vector<FormPart> parse_multipart(std::string_view body, std::string_view boundary);

// Text with leading and trailing ASCII white space (" \t\r\n\f\v") removed: what a form field
// or a query value means.
std::string trim(std::string_view text);
// A positive id from a path segment, query value or form field ("12"); nullopt for anything
// else: empty, a sign, white space, zero, or more than 18 digits.
std::optional<Id> parse_id(std::string_view text);

}  // namespace stagematch
