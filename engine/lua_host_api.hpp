// What the product gives rules besides Lua's own libraries: the predicate builder `P`, Brussels
// time `clock` and the shared `helpers` (calendars, rounds, Dutch date texts).
#pragma once

#include <lua.hpp>

namespace stagematch {

// Sets the globals P, clock and helpers. Runs after open_allowed_libraries.
void open_host_api(lua_State* L);

}  // namespace stagematch
