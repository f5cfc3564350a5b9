// Reads JSON text back into a Value. The store keeps every request field as the text of
// Value::to_json(); this is its inverse (and accepts any other standard JSON as well).
#pragma once

#include <optional>
#include <string_view>

#include "value.hpp"

namespace stagematch::storage {

// nullopt when the text is not one complete JSON value.
std::optional<Value> parse_json(std::string_view text);

}  // namespace stagematch::storage
