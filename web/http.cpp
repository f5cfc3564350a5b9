#include "http.hpp"

#include <cctype>
#include <charconv>
#include <optional>

namespace stagematch {

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool same_text_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of parameter `wanted` in a header value like
// `form-data; name="bestand"; filename="2025-2026.yaml"` or `multipart/form-data; boundary=x`.
// A quoted value ends at the next quote: browsers percent-encode quotes inside file names and
// send no backslash escapes, and a Windows path must keep its backslashes.
std::optional<std::string> header_parameter(std::string_view value, std::string_view wanted) {
  std::size_t at = value.find(';');
  while (at != std::string_view::npos && at < value.size()) {
    ++at;  // past the ';'
    std::size_t key_end = value.find_first_of("=;", at);
    std::string_view key = trim_blanks(value.substr(at, key_end - at));
    std::string found;
    at = key_end;
    if (at != std::string_view::npos && value[at] == '=') {
      ++at;
      while (at < value.size() && (value[at] == ' ' || value[at] == '\t')) ++at;
      if (at < value.size() && value[at] == '"') {
        std::size_t close = value.find('"', at + 1);
        if (close == std::string_view::npos) return std::nullopt;  // unterminated: not trusted
        found = std::string(value.substr(at + 1, close - at - 1));
        at = close + 1;
      } else {
        std::size_t end = value.find(';', at);
        found = std::string(trim_blanks(value.substr(at, end - at)));
        at = end;
      }
    }
    if (same_text_ignoring_case(key, wanted)) return found;
    if (at != std::string_view::npos) at = value.find(';', at);
  }
  return std::nullopt;
}

// The part's field name and file name from its headers; nullopt when it is not a form-data
// part with a name.
std::optional<FormPart> part_of(std::string_view headers) {
  while (!headers.empty()) {
    std::size_t end = headers.find("\r\n");
    std::string_view line = headers.substr(0, end);
    headers.remove_prefix(end == std::string_view::npos ? headers.size() : end + 2);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos ||
        !same_text_ignoring_case(trim_blanks(line.substr(0, colon)), "content-disposition"))
      continue;
    std::string_view value = trim_blanks(line.substr(colon + 1));
    if (!same_text_ignoring_case(trim_blanks(value.substr(0, value.find(';'))), "form-data"))
      return std::nullopt;
    auto name = header_parameter(value, "name");
    if (!name || name->empty()) return std::nullopt;
    return FormPart{*name, header_parameter(value, "filename").value_or(""), ""};
  }
  return std::nullopt;
}

// What follows a delimiter ("--boundary") that ends at `at`: "--" closes the body; optional
// blanks and a line end start the next part. Anything else: the bytes only looked like one.
struct AfterDelimiter {
  bool valid = false;
  bool last = false;
  std::size_t next = 0;  // where the next part starts
};

AfterDelimiter after_delimiter(std::string_view body, std::size_t at) {
  if (body.substr(at, 2) == "--") return {true, true, at + 2};
  while (at < body.size() && (body[at] == ' ' || body[at] == '\t')) ++at;
  if (body.substr(at, 2) == "\r\n") return {true, false, at + 2};
  return {};
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
      out.emplace_back(url_decode(part.substr(0, eq)), eq == std::string_view::npos
                                                           ? std::string()
                                                           : url_decode(part.substr(eq + 1)));
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
    if (eq != std::string_view::npos)
      out.emplace(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return out;
}

std::string multipart_boundary(std::string_view content_type) {
  std::string_view type = trim_blanks(content_type.substr(0, content_type.find(';')));
  if (!same_text_ignoring_case(type, "multipart/form-data")) return "";
  std::string boundary = header_parameter(content_type, "boundary").value_or("");
  // RFC 2046: 1 to 70 characters, not ending in a space.
  if (boundary.empty() || boundary.size() > 70 || boundary.back() == ' ') return "";
  return boundary;
}

std::vector<FormPart> parse_multipart(std::string_view body, std::string_view boundary) {
  std::vector<FormPart> parts;
  if (boundary.empty()) return parts;
  const std::string dash_boundary = "--" + std::string(boundary);
  const std::string delimiter = "\r\n" + dash_boundary;
  // The first delimiter opens the body or follows a preamble, which is ignored.
  std::size_t at = 0;
  if (body.starts_with(dash_boundary)) {
    at = dash_boundary.size();
  } else {
    at = body.find(delimiter);
    if (at == std::string_view::npos) return parts;
    at += delimiter.size();
  }
  for (AfterDelimiter after = after_delimiter(body, at); after.valid && !after.last;) {
    at = after.next;
    // The part's headers end at an empty line; a part without headers starts with one.
    std::string_view headers;
    std::size_t content_start = at + 2;
    if (body.substr(at, 2) != "\r\n") {
      std::size_t headers_end = body.find("\r\n\r\n", at);
      if (headers_end == std::string_view::npos) break;
      headers = body.substr(at, headers_end - at);
      if (headers.find(delimiter) != std::string_view::npos) break;  // no empty line: garbled
      content_start = headers_end + 4;
    }
    // The content ends at the next delimiter. A part whose delimiter never came is left out: a
    // cut-off upload is not a file.
    std::size_t content_end = body.find(delimiter, content_start);
    while (content_end != std::string_view::npos &&
           !(after = after_delimiter(body, content_end + delimiter.size())).valid)
      content_end = body.find(delimiter, content_end + 1);
    if (content_end == std::string_view::npos) break;
    if (auto part = part_of(headers)) {
      part->content = std::string(body.substr(content_start, content_end - content_start));
      parts.push_back(std::move(*part));
    }
  }
  return parts;
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

namespace {

// The form's fields in body order, whichever of the two encodings a browser used.
std::vector<std::pair<std::string, std::string>> form_pairs(const HttpRequest& req) {
  std::string content_type = req.header("content-type");
  if (!same_text_ignoring_case(trim_blanks(content_type.substr(0, content_type.find(';'))),
                               "multipart/form-data"))
    return parse_query_pairs(req.body);
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& part : parse_multipart(req.body, multipart_boundary(content_type)))
    out.emplace_back(std::move(part.name), std::move(part.content));
  return out;
}

}  // namespace

std::map<std::string, std::string> HttpRequest::form() const {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : form_pairs(*this)) out.emplace(std::move(k), std::move(v));
  return out;
}

std::vector<std::string> HttpRequest::form_all(const std::string& name) const {
  std::vector<std::string> out;
  for (auto& [k, v] : form_pairs(*this))
    if (k == name) out.push_back(std::move(v));
  return out;
}

std::map<std::string, std::string> HttpRequest::file_names() const {
  std::map<std::string, std::string> out;
  std::string boundary = multipart_boundary(header("content-type"));
  for (auto& part : parse_multipart(body, boundary))
    if (!part.file_name.empty()) out.emplace(std::move(part.name), std::move(part.file_name));
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

Object error_object(const DomainError& e) {
  Object fields;
  for (const auto& [k, v] : e.fields) fields[k] = v;
  return Object{{"error", e.code}, {"message", e.message}, {"fields", std::move(fields)}};
}

HttpResponse HttpResponse::error(const DomainError& e) {
  return json(http_status(e), Value(error_object(e)));
}

HttpResponse HttpResponse::error(int status, const std::string& code, const std::string& message) {
  return json(status, Value(error_object(DomainError{ErrorKind::invalid, code, message, {}})));
}

std::string loggable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == '\\') {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    } else {
      out += c;
    }
  }
  return out;
}

std::string trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  auto last = text.find_last_not_of(kSpace);
  return std::string(text.substr(first, last - first + 1));
}

std::optional<Id> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  Id out = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc{} || end != text.data() + text.size() || out <= 0) return std::nullopt;
  return out;
}

}  // namespace stagematch
