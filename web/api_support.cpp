#include "api_support.hpp"

#include <algorithm>
#include <cctype>

#include "domain_errors.hpp"
#include "json.hpp"

namespace stagematch::api {

std::expected<Value, HttpResponse> json_object_body(const HttpRequest& request) {
  // Only application/json: a form on another site can send text/plain or a urlencoded body
  // without asking, but not this type.
  std::string type = request.header("content-type");
  type = trim(type.substr(0, type.find(';')));
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type != "application/json")
    return std::unexpected(
        HttpResponse::error(415, "unsupported_media_type",
                            "Stuur de inhoud als JSON, met Content-Type: application/json."));
  std::optional<Value> parsed = parse_json(request.body);
  if (!parsed)
    return std::unexpected(
        HttpResponse::error(400, "bad_json", "De inhoud van het verzoek is geen geldige JSON."));
  if (!parsed->is_object())
    return std::unexpected(HttpResponse::error(
        400, "bad_json", "De inhoud van het verzoek moet een JSON-object zijn."));
  return std::move(*parsed);
}

std::optional<Id> id_value(const Value& value) {
  if (value.is_int()) return value.as_int() > 0 ? std::optional<Id>(value.as_int()) : std::nullopt;
  if (value.is_string()) return parse_id(value.as_string());
  return std::nullopt;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    auto comma = text.find(',');
    std::string part = trim(text.substr(0, comma));
    if (!part.empty()) out.push_back(std::move(part));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

HttpResponse validation_error(std::map<std::string, std::string> fields, std::string message) {
  return HttpResponse::error(
      DomainError{ErrorKind::invalid, "validation", std::move(message), std::move(fields)});
}

HttpResponse not_found(std::string message) {
  return HttpResponse::error(
      DomainError{ErrorKind::not_found, "not_found", std::move(message), {}});
}

HttpResponse ok() { return HttpResponse::json(200, Object{{"ok", true}}); }

Value user_json(const User& user) {
  return Object{{"id", user.id},
                {"email", user.email},
                {"role", user.role},
                {"org_id", user.org_id ? Value(*user.org_id) : Value()}};
}

std::optional<std::string> text_member(const Value& body, std::string_view key, Fields& fields,
                                       const std::string& message, std::string fallback) {
  const Value& v = body[key];
  if (v.is_null()) return fallback;
  if (!v.is_string()) {
    fields[std::string(key)] = message;
    return std::nullopt;
  }
  return v.as_string();
}

Value warnings_json(const std::vector<FieldProblem>& problems) {
  Object out;
  for (const auto& p : problems)
    if (!out.contains(p.field)) out[p.field] = p.message;
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace stagematch::api
