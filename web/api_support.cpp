#include "api_support.hpp"

#include <cctype>

#include "json.hpp"

namespace stagematch::api {

std::expected<Value, HttpResponse> json_object_body(const HttpRequest& request) {
  // Only application/json: a form on another site can send text/plain or a urlencoded body
  // without asking, but not this type.
  std::string type = request.header("content-type");
  type = trim(type.substr(0, type.find(';')));
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type != "application/json")
    return std::unexpected(HttpResponse::error(
        415, "unsupported_media_type", "Stuur de inhoud als JSON, met Content-Type: application/json."));
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
  return HttpResponse::error(DomainError{422, "validation", std::move(message), std::move(fields)});
}

HttpResponse not_found(std::string message) {
  return HttpResponse::error(404, "not_found", message);
}

HttpResponse store_error(const StoreError& error) {
  if (error.code == "not_found") return not_found();
  if (error.code == "linked" || error.code == "duplicate" || error.code == "conflict" ||
      error.code == "stale" || error.code == "already_accepted")
    return HttpResponse::error(409, error.code, error.message);
  return HttpResponse::error(503, "unavailable",
                             "De databank is even niet bereikbaar. Probeer het zo meteen opnieuw.");
}

HttpResponse ok() { return HttpResponse::json(200, Object{{"ok", true}}); }

Value user_json(const User& user) {
  return Object{{"id", user.id},
                {"email", user.email},
                {"role", user.role},
                {"org_id", user.org_id ? Value(*user.org_id) : Value()}};
}

}  // namespace stagematch::api
