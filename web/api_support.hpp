// Small helpers the JSON API handlers share: request bodies, ids, query lists, error answers
// and how the API shows a user. Nothing here builds JSON text by hand: every answer is a Value.
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts.hpp"
#include "field_problem.hpp"
#include "http.hpp"

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
inline constexpr const char* kNotFound = "Dit bestaat niet of je hebt er geen toegang toe.";
HttpResponse not_found(std::string message = kNotFound);
// 200 {"ok": true}.
HttpResponse ok();

// {"id", "email", "role", "org_id"} (org_id null for an admin).
Value user_json(const User& user);

// ---- reading bodies and queries, shared by the handlers ----------------------------------------

// Dutch messages per field of a body or query, as validation_error takes them.
using Fields = std::map<std::string, std::string>;

// A text member of a body: absent or null is `fallback`; anything but text is refused (nullopt,
// with `message` in `fields`).
std::optional<std::string> text_member(const Value& body, std::string_view key, Fields& fields,
                                       const std::string& message, std::string fallback = {});

// The first problem per field, as {"field": "message"}.
Value warnings_json(const std::vector<FieldProblem>& problems);

// "a, b, c" for a list of codes, as the messages name them.
std::string join(const std::vector<std::string>& parts, std::string_view separator);
bool contains(const std::vector<std::string>& list, const std::string& s);

}  // namespace stagematch::api
