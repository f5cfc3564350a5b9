// Which of Lua's own libraries a rule may use, opened by allow-list: everything a rule can reach
// is named here, and anything Lua adds in a later version stays out until it is named too.
#pragma once

#include <cstddef>
#include <lua.hpp>
#include <string_view>

namespace stagematch {

// Replaces the state's globals with the allowed parts of base, string, table, math and utf8
// (nothing that loads code, reaches outside the evaluation, keeps state between evaluations or
// is not deterministic), protects the string metatable, refuses __gc metamethods and bounds
// the work of string.find, match, gmatch and gsub.
void open_allowed_libraries(lua_State* L);

// A generous upper estimate of the steps Lua's pattern matcher may take for `pattern` over a
// subject of `subject_size` bytes: every quantifier that more pattern follows may retry at each
// position of the subject. `anchorable` is false for gmatch, where '^' is an ordinary character.
double pattern_steps(std::string_view pattern, std::size_t subject_size, bool anchorable,
                     bool plain);

}  // namespace stagematch
