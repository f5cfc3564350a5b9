// Values between the engine and Lua: arguments in, a rule's answer out.
#pragma once

#include <cstddef>
#include <expected>
#include <lua.hpp>
#include <string>

#include "value.hpp"

namespace stagematch {

// Pushes `value` as nil, a boolean, an integer, a float, a string or a table.
void push_value(lua_State* L, const Value& value);

// Converts a rule's answer at `index` to a Value: nil, booleans, numbers, strings, lists (keys
// 1..n) and tables with string keys, at most `max_values` values in all. Otherwise the error
// says what is wrong and where ("rule result.school.message is a function ..."). Runs inside the
// protected evaluation: a Lua error here (stack overflow, memory) is an evaluation failure.
std::expected<Value, std::string> read_result(lua_State* L, int index, std::size_t max_values);

// The error object on top of the stack as text. Calls nothing that can raise a Lua error (no
// __tostring, no number-to-string in place), so it may run unprotected.
std::string error_text(lua_State* L);

}  // namespace stagematch
