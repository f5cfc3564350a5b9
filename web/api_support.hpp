// Small helpers the JSON API handlers share: request bodies, ids, query lists, error answers
// and how the API shows a user. Nothing here builds JSON text by hand: every answer is a Value.
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http.hpp"
#include "store.hpp"

namespace stagematch::api {

// The request body as a JSON object; a 400 `bad_json` answer when it is not one.
std::expected<Value, HttpResponse> json_object_body(const HttpRequest& request);

// The pages' and the API's one reading of ids and of text around white space (http.hpp).
using stagematch::parse_id;
using stagematch::trim;
// An id in a JSON body: a whole number or its digits as text.
std::optional<Id> id_value(const Value& value);

// "a, b,,c" -> {"a", "b", "c"}.
std::vector<std::string> split_list(std::string_view text);

// 422 `validation` with a message per field.
HttpResponse validation_error(
    std::map<std::string, std::string> fields,
    std::string message = "Niet alle velden zijn correct ingevuld. Kijk de aangeduide velden na.");
// 404 `not_found`, the same answer for "does not exist" and "not yours".
HttpResponse not_found(std::string message = "Dit bestaat niet of je hebt er geen toegang toe.");
// A store refusal as an answer (not_found 404; linked, duplicate, conflict, stale 409; ...).
HttpResponse store_error(const StoreError& error);
// 200 {"ok": true}.
HttpResponse ok();

// {"id", "email", "role", "org_id"} (org_id null for an admin).
Value user_json(const User& user);

}  // namespace stagematch::api
