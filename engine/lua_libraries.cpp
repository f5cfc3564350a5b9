#include "lua_libraries.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <span>

#include "lua_state.hpp"

namespace stagematch {

namespace {

// What a rule may use of each library, named one by one (Redis opens its scripting libraries
// the same way, src/script_lua.c). Left out of base: load, loadfile, dofile and require (they
// load code), print and warn (they reach outside), collectgarbage (the collector is shared
// with the engine's own work). Not opened at all: io, os, package, debug, coroutine.
constexpr std::array<const char*, 18> kBaseAllowed = {
    "_VERSION", "assert",       "error",    "getmetatable", "ipairs", "next",
    "pairs",    "pcall",        "rawequal", "rawget",       "rawlen", "rawset",
    "select",   "setmetatable", "tonumber", "tostring",     "type",   "xpcall"};
// Not string.dump (bytecode), nor pack/unpack (no rule needs binary data).
constexpr std::array<const char*, 13> kStringAllowed = {
    "byte",  "char",  "find", "format",  "gmatch", "gsub", "len",
    "lower", "match", "rep",  "reverse", "sub",    "upper"};
constexpr std::array<const char*, 7> kTableAllowed = {"concat", "insert", "move",  "pack",
                                                      "remove", "sort",   "unpack"};
// Not random and randomseed: the same calendar and moment must always give the same answer.
constexpr std::array<const char*, 23> kMathAllowed = {
    "abs",  "acos", "asin", "atan", "ceil",       "cos",  "exp",        "floor",
    "fmod", "huge", "log",  "max",  "maxinteger", "min",  "mininteger", "modf",
    "pi",   "sin",  "sqrt", "tan",  "tointeger",  "type", "ult"};
constexpr std::array<const char*, 6> kUtf8Allowed = {"char",  "charpattern", "codepoint",
                                                     "codes", "len",         "offset"};

struct Library {
  const char* name;
  lua_CFunction open;
  std::span<const char* const> allowed;
};

// Run once the libraries are open: `setmetatable` refuses __gc metamethods, because Lua runs
// finalizers with the instruction hook switched off (a looping finalizer would never stop).
constexpr std::string_view kGuardSource = R"lua(
local raw_setmetatable, rawget, type, error = setmetatable, rawget, type, error
setmetatable = function(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("__gc metamethods are not allowed in rules", 2)
  end
  return raw_setmetatable(t, mt)
end
)lua";

// Replaces the table on top of the stack by a new one holding only its fields `names`.
void keep_only(lua_State* L, std::span<const char* const> names) {
  lua_createtable(L, 0, static_cast<int>(names.size()));
  for (const char* name : names) {
    lua_getfield(L, -2, name);
    lua_setfield(L, -2, name);
  }
  lua_remove(L, -2);
}

// ---- bounded pattern matching -----------------------------------------------------------------

enum class PatternUse : lua_Integer { kFind, kMatch, kGmatch, kGsub };

// The index after the single-character class at p[i]: '.', '%a', '[set]' or a literal.
std::size_t class_end(std::string_view p, std::size_t i) {
  const char c = p[i++];
  if (c == '%') return std::min(i + 1, p.size());
  if (c != '[') return i;
  if (i < p.size() && p[i] == '^') ++i;
  do {  // the first character of a set is part of it, even ']'
    if (i >= p.size()) return p.size();
    if (p[i++] == '%' && i < p.size()) ++i;
  } while (i < p.size() && p[i] != ']');
  return std::min(i + 1, p.size());
}

// True when `rest` can only close captures or take positions: it matches at once, wherever.
bool always_matches(std::string_view rest) {
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == ')') continue;
    if (rest[i] == '(' && i + 1 < rest.size() && rest[i + 1] == ')') {
      ++i;
      continue;
    }
    return false;
  }
  return true;
}

// One item of a pattern: how much work the matcher does each time it reaches it, how many
// times it may go on to the rest of the pattern, and the work it does once in all (a last
// quantifier counts its run and the match ends: the runs of all matches together are at
// most the subject).
struct ItemCost {
  double work = 1;
  double branches = 1;
  double once = 0;
};

ItemCost next_item(std::string_view p, std::size_t& i, double positions) {
  const char c = p[i];
  const char d = i + 1 < p.size() ? p[i + 1] : '\0';
  if (c == '(' || c == ')') {
    i += (c == '(' && d == ')') ? 2 : 1;
    return {};
  }
  if (c == '%' && d == 'b') {  // %bxy scans to the balancing character
    i = std::min(i + 4, p.size());
    return {positions, 1};
  }
  if (c == '%' && d == 'f') {  // %f[set]: a frontier, one look
    i += 2;
    if (i < p.size()) i = class_end(p, i);
    return {};
  }
  if (c == '%' && std::isdigit(static_cast<unsigned char>(d)) != 0) {  // back-reference
    i += 2;
    return {positions, 1};
  }
  i = class_end(p, i);
  if (i >= p.size() || std::string_view("*+-?").find(p[i]) == std::string_view::npos) return {};
  const char quantifier = p[i++];
  if (quantifier == '?') return {1, 2};
  if (always_matches(p.substr(i))) return {1, 1, positions};
  return {positions, positions};
}

// A step of Lua's matcher takes a few machine instructions, a Lua instruction some tens: this
// many matching steps count as one instruction.
constexpr double kPatternStepsPerInstruction = 8;

// The function the checked one stands for, its name and its PatternUse are its upvalues.
int checked_pattern_function(lua_State* L) {
  const auto use = static_cast<PatternUse>(lua_tointeger(L, lua_upvalueindex(3)));
  if (lua_isstring(L, 1) != 0 && lua_isstring(L, 2) != 0) {
    std::size_t subject_size = 0;
    std::size_t pattern_size = 0;
    lua_tolstring(L, 1, &subject_size);
    const char* pattern = lua_tolstring(L, 2, &pattern_size);
    const bool plain = use == PatternUse::kFind && lua_toboolean(L, 4) != 0;
    const double steps =
        pattern_steps({pattern, pattern_size}, subject_size, use != PatternUse::kGmatch, plain);
    const std::uint64_t limit = budget_of(L).limits->max_instructions;
    const double instructions = steps / kPatternStepsPerInstruction;
    const auto cost = instructions > static_cast<double>(limit)
                          ? limit + 1
                          : static_cast<std::uint64_t>(instructions);
    if (charge_instructions(L, cost)) {
      return luaL_error(L,
                        "%s: dit patroon vraagt te veel zoekwerk in een tekst van %I tekens (meer "
                        "dan de limiet van %I instructies per evaluatie toelaat); gebruik een "
                        "eenvoudiger patroon of een kortere tekst",
                        lua_tostring(L, lua_upvalueindex(2)),
                        static_cast<lua_Integer>(subject_size), static_cast<lua_Integer>(limit));
    }
  }
  return lua_tocfunction(L, lua_upvalueindex(1))(L);
}

// Replaces string.find, match, gmatch and gsub in the string table on top of the stack.
void bound_pattern_functions(lua_State* L) {
  constexpr std::array<std::pair<const char*, PatternUse>, 4> kFunctions = {
      {{"find", PatternUse::kFind},
       {"match", PatternUse::kMatch},
       {"gmatch", PatternUse::kGmatch},
       {"gsub", PatternUse::kGsub}}};
  for (const auto& [name, use] : kFunctions) {
    lua_getfield(L, -1, name);
    lua_pushfstring(L, "string.%s", name);
    lua_pushinteger(L, static_cast<lua_Integer>(use));
    lua_pushcclosure(L, checked_pattern_function, 3);
    lua_setfield(L, -2, name);
  }
}

// getmetatable("") answers a text instead of the metatable shared by all strings, and methods
// on strings ("x"):upper() find the allowed string table, not the library's own.
void protect_string_metatable(lua_State* L, int string_table) {
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_pushvalue(L, string_table);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "the string metatable is protected");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);
}

}  // namespace

double pattern_steps(std::string_view pattern, std::size_t subject_size, bool anchorable,
                     bool plain) {
  const double positions = static_cast<double>(subject_size) + 1;
  if (plain) return positions * (static_cast<double>(pattern.size()) + 1);
  std::size_t i = 0;
  const bool anchored = anchorable && pattern.starts_with('^');
  if (anchored) i = 1;
  double reached = 1;  // how often the matcher may reach the current item, per start
  double steps = 1;
  double once = 0;
  while (i < pattern.size()) {
    const ItemCost item = next_item(pattern, i, positions);
    steps += reached * item.work;
    reached *= item.branches;
    once += item.once;
  }
  steps += reached;
  return (anchored ? steps : positions * steps) + once;
}

void open_allowed_libraries(lua_State* L) {
  const std::array<Library, 4> libraries = {{{LUA_STRLIBNAME, luaopen_string, kStringAllowed},
                                             {LUA_TABLIBNAME, luaopen_table, kTableAllowed},
                                             {LUA_MATHLIBNAME, luaopen_math, kMathAllowed},
                                             {LUA_UTF8LIBNAME, luaopen_utf8, kUtf8Allowed}}};
  luaL_requiref(L, LUA_GNAME, luaopen_base, 0);
  keep_only(L, kBaseAllowed);
  const int globals = lua_gettop(L);
  for (const Library& library : libraries) {
    luaL_requiref(L, library.name, library.open, 0);
    keep_only(L, library.allowed);
    lua_setfield(L, globals, library.name);
  }
  lua_pushvalue(L, globals);
  lua_setfield(L, globals, LUA_GNAME);
  lua_getfield(L, globals, LUA_STRLIBNAME);
  bound_pattern_functions(L);
  protect_string_metatable(L, lua_gettop(L));
  lua_pop(L, 1);
  lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
  run_builtin_chunk(L, kGuardSource, "=sandbox");
  lua_pop(L, 1);
}

}  // namespace stagematch
