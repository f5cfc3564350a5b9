// JSON text to a Value: API request bodies, and the request fields the store keeps as the
// text of Value::to_json(). Accepts any standard JSON.
#pragma once

#include <optional>
#include <string_view>

#include "value.hpp"

namespace stagematch {

// nullopt when the text is not one complete JSON value.
std::optional<Value> parse_json(std::string_view text);

}  // namespace stagematch
