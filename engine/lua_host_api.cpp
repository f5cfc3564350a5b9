#include "lua_host_api.hpp"

#include <array>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "local_time.hpp"
#include "lua_embedded.hpp"
#include "lua_state.hpp"

namespace stagematch {

namespace {

// clock.* accepts instants from 1900-01-01 00:00 UTC up to 9999-12-31 23:59:59 UTC.
constexpr lua_Integer kMinTime = -2'208'988'800;
constexpr lua_Integer kMaxTime = 253'402'300'799;
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 9999;
constexpr lua_Integer kMaxDayShift = 4'000'000;  // about 11,000 years

// ---- clock: Brussels time for rules ------------------------------------------------------------

Instant check_time(lua_State* L, int arg) {
  const lua_Integer t = luaL_checkinteger(L, arg);
  luaL_argcheck(L, t >= kMinTime && t <= kMaxTime, arg, "time out of range (years 1900..9999)");
  return Instant{std::chrono::seconds{t}};
}

void set_integer(lua_State* L, const char* key, lua_Integer value) {
  lua_pushinteger(L, value);
  lua_setfield(L, -2, key);
}

// clock.localtime(t) -> {year, month, day, hour, min, sec, wday}, wday 1 = Monday .. 7 = Sunday.
int clock_localtime(lua_State* L) {
  const LocalDateTime local = to_brussels(check_time(L, 1));
  const std::chrono::sys_days date{std::chrono::year_month_day{
      std::chrono::year{local.year}, std::chrono::month{static_cast<unsigned>(local.month)},
      std::chrono::day{static_cast<unsigned>(local.day)}}};
  lua_createtable(L, 0, 7);
  set_integer(L, "year", local.year);
  set_integer(L, "month", local.month);
  set_integer(L, "day", local.day);
  set_integer(L, "hour", local.hour);
  set_integer(L, "min", local.minute);
  set_integer(L, "sec", local.second);
  set_integer(L, "wday", std::chrono::weekday{date}.iso_encoding());
  return 1;
}

// One integer field of clock.time's table, within [low, high]; `fallback` when absent.
int time_field(lua_State* L, const char* key, std::optional<int> fallback, int low, int high) {
  const int type = lua_getfield(L, 1, key);
  if (type == LUA_TNIL && fallback) {
    lua_pop(L, 1);
    return *fallback;
  }
  if (type == LUA_TNIL) return luaL_error(L, "clock.time: field '%s' is missing", key);
  int is_integer = 0;
  const lua_Integer value = lua_tointegerx(L, -1, &is_integer);
  if (type != LUA_TNUMBER) {
    return luaL_error(L, "clock.time: field '%s' must be an integer, not a %s", key,
                      luaL_typename(L, -1));
  }
  if (is_integer == 0) {
    return luaL_error(L, "clock.time: field '%s' must be a whole number in %d..%d", key, low, high);
  }
  if (value < low || value > high) {
    return luaL_error(L, "clock.time: field '%s' is %I, outside %d..%d", key, value, low, high);
  }
  lua_pop(L, 1);
  return static_cast<int>(value);
}

// clock.time{year=, month=, day=, hour=0, min=0, sec=0} -> epoch seconds of that Brussels time.
int clock_time(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  LocalDateTime local;
  local.year = time_field(L, "year", std::nullopt, kMinYear, kMaxYear);
  local.month = time_field(L, "month", std::nullopt, 1, 12);
  local.day = time_field(L, "day", std::nullopt, 1, 31);
  local.hour = time_field(L, "hour", 0, 0, 23);
  local.minute = time_field(L, "min", 0, 0, 59);
  local.second = time_field(L, "sec", 0, 0, 59);
  if (!is_valid_date(local.year, local.month, local.day)) {
    return luaL_error(L, "clock.time: %d-%d-%d is not a date", local.year, local.month, local.day);
  }
  lua_pushinteger(L, from_brussels(local).time_since_epoch().count());
  return 1;
}

// clock.add_days(t, n) -> the same Brussels wall-clock time n calendar days later.
int clock_add_days(lua_State* L) {
  const Instant t = check_time(L, 1);
  const lua_Integer days = luaL_checkinteger(L, 2);
  luaL_argcheck(L, days >= -kMaxDayShift && days <= kMaxDayShift, 2, "too many days");
  const lua_Integer moved = add_local_days(t, static_cast<int>(days)).time_since_epoch().count();
  if (moved < kMinTime || moved > kMaxTime) {
    return luaL_error(L, "clock.add_days: result out of range (years 1900..9999)");
  }
  lua_pushinteger(L, moved);
  return 1;
}

// clock.format(t [, fmt]) -> "05/09/2025 12:00", or `fmt` with %d %m %Y %y %H %M %S %%
// replaced by the Brussels local date and time (any other % sequence is an error).
int clock_format(lua_State* L) {
  const Instant t = check_time(L, 1);
  const char* pattern = luaL_optstring(L, 2, "%d/%m/%Y %H:%M");
  std::optional<std::string> text;
  try {
    text = format_local_pattern(t, pattern);
  } catch (const std::exception&) {
    // Only allocation can fail; raised below, outside the handler.
  }
  if (!text) return luaL_error(L, "not enough memory");
  if (text->empty() && *pattern != '\0') {
    return luaL_error(L,
                      "clock.format: use only %%d %%m %%Y %%y %%H %%M %%S and %%%% in the format");
  }
  lua_pushlstring(L, text->data(), text->size());
  return 1;
}

constexpr std::array<luaL_Reg, 5> kClockFunctions = {{{"localtime", clock_localtime},
                                                      {"time", clock_time},
                                                      {"add_days", clock_add_days},
                                                      {"format", clock_format},
                                                      {nullptr, nullptr}}};

// The embedded Lua, compiled once per process: every evaluation loads the compiled chunk
// instead of parsing the text again.
struct CompiledHostLua {
  std::string predicate = compile_builtin_chunk(kPredicateLua, "=P");
  std::string helpers = compile_builtin_chunk(kHelpersLua, "=helpers");
};

const CompiledHostLua& compiled_host_lua() {
  static const CompiledHostLua compiled;
  return compiled;
}

}  // namespace

void open_host_api(lua_State* L) {
  const CompiledHostLua& compiled = compiled_host_lua();
  run_compiled_chunk(L, compiled.predicate, "=P");
  lua_setglobal(L, "P");
  lua_createtable(L, 0, 4);
  luaL_setfuncs(L, kClockFunctions.data(), 0);
  lua_setglobal(L, "clock");
  run_compiled_chunk(L, compiled.helpers, "=helpers");
  lua_setglobal(L, "helpers");
}

}  // namespace stagematch
