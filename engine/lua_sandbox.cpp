#include "lua_sandbox.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <exception>
#include <lua.hpp>
#include <memory>
#include <new>
#include <optional>
#include <utility>

#include "local_time.hpp"

namespace stagematch {

namespace {

// A rule answer nested deeper than this is refused; it also stops a table that contains itself.
constexpr int kMaxResultDepth = 32;
// A rule answer may hold one value per kBytesPerResultValue bytes of its memory limit (a table
// shared many times over counts each time), so sharing cannot blow an answer up.
constexpr std::size_t kBytesPerResultValue = 16;
// The instruction hook runs every kHookInterval Lua instructions.
constexpr int kHookInterval = 1000;
// Work done inside C functions (string.rep, table.concat, ..) costs no Lua instructions, so
// every kBytesPerInstruction bytes a rule allocates count as one instruction.
constexpr std::size_t kBytesPerInstruction = 256;
// clock.* accepts instants from 1900-01-01 00:00 UTC up to 9999-12-31 23:59:59 UTC.
constexpr lua_Integer kMinTime = -2'208'988'800;
constexpr lua_Integer kMaxTime = 253'402'300'799;
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 9999;
constexpr lua_Integer kMaxDayShift = 4'000'000;  // about 11,000 years

// Run before every rule module: `setmetatable` refuses __gc metamethods, because Lua runs
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

// The predicate builder `P`: rules describe which rows qualify; the engine turns these plain
// tables into SQL. Wrong arguments raise an error at the rule's line (level 3).
constexpr std::string_view kPredicateSource = R"lua(
local type, error, select = type, error, select

local function need_field(name, field)
  if type(field) ~= "string" then
    error("P." .. name .. ": field must be a string, not " .. type(field), 3)
  end
end

local function need_table(name, what, value, level)
  if type(value) ~= "table" then
    error("P." .. name .. ": " .. what .. " must be a table, not " .. type(value), level or 3)
  end
end

local function need_value(name, value)
  if value == nil then
    error("P." .. name .. ": value is nil (use P.is_null to test for a missing value)", 3)
  end
end

local P = {}
P.ALWAYS = {op = "true"}
P.NEVER = {op = "false"}

-- P.all(a, b, c) or P.all({a, b, c}): both read naturally in rules.
local function operands(name, ...)
  local n = select("#", ...)
  local first = ...
  if n == 1 and type(first) == "table" and first.op == nil then return first end
  local list = {}
  for i = 1, n do
    local p = select(i, ...)
    need_table(name, "operand " .. i, p, 4)  -- 4: the rule that called P.all / P.any
    list[i] = p
  end
  return list
end

function P.all(...)
  return {op = "all", args = operands("all", ...)}
end

function P.any(...)
  return {op = "any", args = operands("any", ...)}
end

function P.negate(p)
  need_table("negate", "predicate", p)
  return {op = "not", arg = p}
end

function P.eq(field, value)
  need_field("eq", field)
  need_value("eq", value)
  return {op = "eq", field = field, value = value}
end

function P.is_in(field, values)
  need_field("is_in", field)
  need_table("is_in", "values", values)
  return {op = "in", field = field, values = values}
end

function P.before(field, t)
  need_field("before", field)
  need_value("before", t)
  return {op = "lt", field = field, value = t}
end

function P.at_or_after(field, t)
  need_field("at_or_after", field)
  need_value("at_or_after", t)
  return {op = "ge", field = field, value = t}
end

function P.is_null(field)
  need_field("is_null", field)
  return {op = "null", field = field}
end

return P
)lua";

enum class Task { kCompile, kListFunctions, kCall };

// Everything one evaluation needs and produces; it is the allocator's user data, so the
// allocator and the instruction hook find it through lua_getallocf.
struct Evaluation {
  const SandboxLimits* limits = nullptr;
  Task task = Task::kCall;
  std::string_view source;
  const std::string* chunk_name = nullptr;
  std::string_view function;
  const std::vector<Value>* args = nullptr;

  lua_State* state = nullptr;  // set once the state exists
  std::size_t memory_used = 0;
  bool memory_refused = false;
  std::uint64_t instructions = 0;
  bool timed_out = false;

  std::optional<RuleError> error;
  Value result;
  std::vector<std::string> names;
};

Evaluation& evaluation_of(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return *static_cast<Evaluation*>(ud);
}

RuleError make_error(std::string code, const Evaluation& ev, std::string message) {
  return RuleError{std::move(code), *ev.chunk_name, 0, std::move(message)};
}

// The line in "rules/x.lua:12: message", when the position names this module's chunk.
// Lua shortens chunk names longer than LUA_IDSIZE - 1 to "..." and their tail.
int line_in_message(std::string_view message, const std::string& chunk_name) {
  std::string short_name = chunk_name;
  constexpr std::size_t kKept = LUA_IDSIZE - 4;  // "..." and the terminating NUL
  if (chunk_name.size() > LUA_IDSIZE - 1) {
    short_name = "..." + chunk_name.substr(chunk_name.size() - kKept);
  }
  if (!message.starts_with(short_name) || message.size() <= short_name.size() ||
      message[short_name.size()] != ':') {
    return 0;
  }
  int line = 0;
  std::size_t i = short_name.size() + 1;
  for (; i < message.size() && message[i] >= '0' && message[i] <= '9'; ++i) {
    if (line > 100'000'000) return 0;
    line = line * 10 + (message[i] - '0');
  }
  if (i == short_name.size() + 1 || i >= message.size() || message[i] != ':') return 0;
  return line;
}

// The error object on top of the stack as text. Runs unprotected, so it must not call
// anything that can raise a Lua error (no __tostring, no number-to-string in place).
std::string error_text(lua_State* L) {
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      std::size_t size = 0;
      const char* text = lua_tolstring(L, -1, &size);
      return {text, size};
    }
    case LUA_TNUMBER:
      return lua_isinteger(L, -1) ? std::to_string(lua_tointeger(L, -1))
                                  : std::to_string(lua_tonumber(L, -1));
    default:
      return std::string("(error object is a ") + lua_typename(L, lua_type(L, -1)) + " value)";
  }
}

// ---- resource limits ------------------------------------------------------------------------

void count_hook(lua_State* L, lua_Debug* ar);

// Lua's allocator: refuses to grow past max_memory_bytes (Lua then raises "not enough memory").
// Shrinking never fails, as Lua requires.
void* limited_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
  auto& ev = *static_cast<Evaluation*>(ud);
  const std::size_t old_size = ptr != nullptr ? osize : 0;
  if (nsize == 0) {
    // NOLINTNEXTLINE(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory): lua_Alloc
    std::free(ptr);
    ev.memory_used -= old_size;
    return nullptr;
  }
  if (nsize > old_size && nsize - old_size > ev.limits->max_memory_bytes - ev.memory_used) {
    ev.memory_refused = true;
    return nullptr;
  }
  // NOLINTNEXTLINE(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory): lua_Alloc
  void* block = std::realloc(ptr, nsize);
  if (block == nullptr) {
    if (nsize <= old_size) return ptr;  // a failed shrink keeps the (large enough) old block
    ev.memory_refused = true;
    return nullptr;
  }
  ev.memory_used = ev.memory_used - old_size + nsize;
  if (nsize > old_size) {
    ev.instructions += (nsize - old_size) / kBytesPerInstruction;
    // Over budget: have the hook run at the very next instruction (lua_sethook may be called
    // at any moment, even from a signal handler).
    if (ev.instructions > ev.limits->max_instructions && ev.state != nullptr && !ev.timed_out) {
      lua_sethook(ev.state, count_hook, LUA_MASKCOUNT, 1);
    }
  }
  return block;
}

// Count hook: past max_instructions the evaluation fails with LUA_TIMEOUT. From then on the
// hook fires on every instruction, so a rule that catches the error with pcall cannot go on.
void count_hook(lua_State* L, lua_Debug* ar) {
  Evaluation& ev = evaluation_of(L);
  ev.instructions += ev.timed_out ? 1 : kHookInterval;
  if (!ev.timed_out && ev.instructions <= ev.limits->max_instructions) return;
  if (!ev.timed_out) {
    ev.timed_out = true;
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
  }
  const auto limit = static_cast<lua_Integer>(ev.limits->max_instructions);
  if (lua_getinfo(L, "Sl", ar) != 0 && ar->currentline > 0) {
    lua_pushfstring(L, "%s:%d: instruction limit of %I exceeded (endless loop?)",
                    static_cast<const char*>(ar->short_src), ar->currentline, limit);
  } else {
    lua_pushfstring(L, "instruction limit of %I exceeded (endless loop?)", limit);
  }
  lua_error(L);
}

// Thrown by the panic handler: the last line of defence should Lua ever raise an error outside
// protected mode (the whole evaluation runs inside lua_pcall, so it should not happen).
struct LuaPanic {};

int panic_handler(lua_State* /*L*/) { throw LuaPanic{}; }

// ---- Value <-> Lua ---------------------------------------------------------------------------

// Recursive: arguments come from the engine, which builds no cycles.
void push_value(lua_State* L, const Value& value) {  // NOLINT(misc-no-recursion)
  luaL_checkstack(L, 3, "rule argument nested too deeply");
  if (value.is_null()) {
    lua_pushnil(L);
  } else if (value.is_bool()) {
    lua_pushboolean(L, value.as_bool() ? 1 : 0);
  } else if (value.is_int()) {
    lua_pushinteger(L, value.as_int());
  } else if (value.is_number()) {
    lua_pushnumber(L, value.as_number());
  } else if (value.is_string()) {
    const std::string& text = value.as_string();
    lua_pushlstring(L, text.data(), text.size());
  } else if (value.is_array()) {
    const Array& items = value.as_array();
    lua_createtable(L, static_cast<int>(std::min<std::size_t>(items.size(), INT_MAX)), 0);
    lua_Integer index = 1;
    for (const Value& item : items) {
      push_value(L, item);
      lua_rawseti(L, -2, index++);
    }
  } else {
    const Object& fields = value.as_object();
    lua_createtable(L, 0, static_cast<int>(std::min<std::size_t>(fields.size(), INT_MAX)));
    for (const auto& [key, field] : fields) {
      lua_pushlstring(L, key.data(), key.size());
      push_value(L, field);
      lua_rawset(L, -3);
    }
  }
}

// Converts a rule's answer to a Value. Runs inside the protected evaluation: a Lua error here
// (stack overflow, memory) is an ordinary evaluation failure.
class ResultReader {
 public:
  ResultReader(lua_State* L, std::size_t max_values) : L_(L), max_values_(max_values) {}

  // Converts the value at `index`; on failure returns nullopt and error() says why.
  // Recursive through read_table, at most kMaxResultDepth deep.
  std::optional<Value> read(int index, const std::string& path,  // NOLINT(misc-no-recursion)
                            int depth) {
    if (++count_ > max_values_) {
      return fail(path, "has more than " + std::to_string(max_values_) + " values");
    }
    switch (lua_type(L_, index)) {
      case LUA_TNIL:
        return Value{};
      case LUA_TBOOLEAN:
        return Value{lua_toboolean(L_, index) != 0};
      case LUA_TNUMBER:
        if (lua_isinteger(L_, index)) {
          return Value{static_cast<std::int64_t>(lua_tointeger(L_, index))};
        }
        return Value{static_cast<double>(lua_tonumber(L_, index))};
      case LUA_TSTRING: {
        std::size_t size = 0;
        const char* text = lua_tolstring(L_, index, &size);
        return Value{std::string(text, size)};
      }
      case LUA_TTABLE:
        return read_table(lua_absindex(L_, index), path, depth + 1);
      default:
        return fail(path,
                    std::string("is a ") + luaL_typename(L_, index) +
                        " (a rule can only return nil, booleans, numbers, strings and tables)");
    }
  }

  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  std::nullopt_t fail(const std::string& path, const std::string& why) {
    if (error_.empty()) error_ = "rule result" + path + " " + why;
    return std::nullopt;
  }

  std::optional<Value> read_table(int index, const std::string& path,  // NOLINT(misc-no-recursion)
                                  int depth) {
    if (depth > kMaxResultDepth) {
      return fail(path, "is nested deeper than " + std::to_string(kMaxResultDepth) +
                            " tables (a table that contains itself?)");
    }
    luaL_checkstack(L_, 4, "rule result nested too deeply");
    // First pass: which kinds of keys does the table have?
    std::size_t entries = 0;
    lua_Integer max_key = 0;
    bool integer_keys = false;
    bool string_keys = false;
    lua_pushnil(L_);
    while (lua_next(L_, index) != 0) {
      ++entries;
      if (lua_type(L_, -2) == LUA_TSTRING) {
        string_keys = true;
      } else if (lua_isinteger(L_, -2) && lua_tointeger(L_, -2) >= 1) {
        integer_keys = true;
        max_key = std::max(max_key, lua_tointeger(L_, -2));
      } else {
        std::string key_kind = std::string("a ") + luaL_typename(L_, -2) + " key";
        if (lua_type(L_, -2) == LUA_TNUMBER) {
          key_kind =
              "the number key " + (lua_isinteger(L_, -2) ? std::to_string(lua_tointeger(L_, -2))
                                                         : std::to_string(lua_tonumber(L_, -2)));
        }
        lua_pop(L_, 2);
        return fail(path, "has " + key_kind + " (only keys 1..n or string keys are allowed)");
      }
      lua_pop(L_, 1);
    }
    if (integer_keys && string_keys) {
      return fail(path, "mixes list items (keys 1..n) and named fields (string keys)");
    }
    if (!string_keys) {
      if (static_cast<std::size_t>(max_key) != entries) {
        return fail(path, "is not a list: its keys are not exactly 1.." + std::to_string(entries) +
                              " (a nil in the middle?)");
      }
      Array items;
      items.reserve(entries);
      for (lua_Integer i = 1; i <= max_key; ++i) {
        lua_rawgeti(L_, index, i);
        auto item = read(-1, path + "[" + std::to_string(i) + "]", depth);
        lua_pop(L_, 1);
        if (!item) return std::nullopt;
        items.push_back(std::move(*item));
      }
      return Value{std::move(items)};
    }
    Object fields;
    lua_pushnil(L_);
    while (lua_next(L_, index) != 0) {
      std::size_t size = 0;
      const char* key = lua_tolstring(L_, -2, &size);  // a string key: no conversion
      std::string name(key, size);
      std::string field_path = path;
      field_path.append(".").append(name);
      auto field = read(-1, field_path, depth);
      lua_pop(L_, 1);
      if (!field) {
        lua_pop(L_, 1);
        return std::nullopt;
      }
      fields.emplace(std::move(name), std::move(*field));
    }
    return Value{std::move(fields)};
  }

  lua_State* L_;
  std::size_t max_values_;
  std::size_t count_ = 0;
  std::string error_;
};

// ---- clock: Brussels time for rules ----------------------------------------------------------

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

// ---- the evaluation --------------------------------------------------------------------------

// Runs embedded Lua text; its first result is left on the stack.
void run_embedded(lua_State* L, std::string_view source, const char* name) {
  if (luaL_loadbufferx(L, source.data(), source.size(), name, "t") != LUA_OK) lua_error(L);
  lua_call(L, 0, 1);
}

// Only base, string, table, math and utf8, without anything that loads code, reaches outside
// or has side effects; then the guards and the helper libraries P and clock.
void open_sandbox(lua_State* L) {
  constexpr std::array<luaL_Reg, 5> kLibraries = {{{LUA_GNAME, luaopen_base},
                                                   {LUA_STRLIBNAME, luaopen_string},
                                                   {LUA_TABLIBNAME, luaopen_table},
                                                   {LUA_MATHLIBNAME, luaopen_math},
                                                   {LUA_UTF8LIBNAME, luaopen_utf8}}};
  for (const luaL_Reg& library : kLibraries) {
    luaL_requiref(L, library.name, library.func, 1);
    lua_pop(L, 1);
  }
  for (const char* name :
       {"dofile", "loadfile", "load", "require", "collectgarbage", "print", "warn"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  lua_getglobal(L, LUA_STRLIBNAME);
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  // Rules are pure functions: the same calendar and moment always give the same answer.
  lua_getglobal(L, LUA_MATHLIBNAME);
  for (const char* name : {"random", "randomseed"}) {
    lua_pushnil(L);
    lua_setfield(L, -2, name);
  }
  lua_pop(L, 1);

  // getmetatable("") answers this text instead of the metatable shared by all strings.
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_pushliteral(L, "the string metatable is protected");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);

  run_embedded(L, kGuardSource, "=sandbox");
  lua_pop(L, 1);
  run_embedded(L, kPredicateSource, "=P");
  lua_setglobal(L, "P");

  lua_createtable(L, 0, 4);
  luaL_setfuncs(L, kClockFunctions.data(), 0);
  lua_setglobal(L, "clock");
}

// Compiles the module text, leaving the chunk on the stack. False (and ev.error set) when it
// is binary or does not compile.
bool load_module(lua_State* L, Evaluation& ev) {
  std::string_view source = ev.source;
  if (source.starts_with("\xEF\xBB\xBF")) source.remove_prefix(3);  // UTF-8 byte order mark
  if (source.starts_with(LUA_SIGNATURE[0])) {
    ev.error = make_error("LUA_BINARY", ev,
                          *ev.chunk_name +
                              ": binary (precompiled) Lua chunks are refused; rules must be Lua "
                              "source text");
    return false;
  }
  const std::string chunk = "@" + *ev.chunk_name;
  const int status = luaL_loadbufferx(L, source.data(), source.size(), chunk.c_str(), "t");
  if (status == LUA_OK) return true;
  const std::string message = error_text(L);
  if (status == LUA_ERRMEM) {
    ev.error = make_error("LUA_MEMORY", ev, message);
  } else {
    ev.error = make_error("LUA_SYNTAX", ev, message);
    ev.error->line = line_in_message(message, *ev.chunk_name);
  }
  return false;
}

void list_functions(lua_State* L, Evaluation& ev) {
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_isfunction(L, -1)) {
      std::size_t size = 0;
      const char* name = lua_tolstring(L, -2, &size);
      ev.names.emplace_back(name, size);
    }
    lua_pop(L, 1);
  }
  std::sort(ev.names.begin(), ev.names.end());
}

void call_function(lua_State* L, Evaluation& ev) {
  lua_pushlstring(L, ev.function.data(), ev.function.size());
  lua_gettable(L, -2);
  if (!lua_isfunction(L, -1)) {
    const std::string name(ev.function);
    ev.error = make_error("LUA_NO_FUNCTION", ev,
                          lua_isnil(L, -1) ? *ev.chunk_name + " has no function '" + name + "'"
                                           : *ev.chunk_name + ": '" + name + "' is a " +
                                                 luaL_typename(L, -1) + ", not a function");
    return;
  }
  const std::size_t argc = ev.args->size();
  if (argc > static_cast<std::size_t>(INT_MAX - 10)) luaL_error(L, "too many rule arguments");
  luaL_checkstack(L, static_cast<int>(argc) + 1, "too many rule arguments");
  for (const Value& arg : *ev.args) push_value(L, arg);
  lua_call(L, static_cast<int>(argc), 1);
  ResultReader reader(L, ev.limits->max_memory_bytes / kBytesPerResultValue);
  std::optional<Value> result = reader.read(-1, "", 0);
  if (!result) {
    ev.error = make_error("LUA_BAD_RESULT", ev,
                          *ev.chunk_name + ": " + std::string(ev.function) + ": " + reader.error());
    return;
  }
  ev.result = std::move(*result);
}

// The protected body of one evaluation (argument 1: the Evaluation as light userdata). Lua
// errors leave through lua_pcall; refusals that are not Lua errors are stored in ev.error.
int evaluate(lua_State* L) {
  auto& ev = *static_cast<Evaluation*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  const char* failure = nullptr;
  try {
    open_sandbox(L);
    if (!load_module(L, ev) || ev.task == Task::kCompile) return 0;
    lua_call(L, 0, 1);
    if (!lua_istable(L, -1)) {
      ev.error = make_error(
          "LUA_BAD_RESULT", ev,
          *ev.chunk_name + " must return a table of functions, not a " + luaL_typename(L, -1));
      return 0;
    }
    if (ev.task == Task::kListFunctions) {
      list_functions(L, ev);
    } else {
      call_function(L, ev);
    }
  } catch (const std::bad_alloc&) {
    // Lua's own errors are not std::exceptions: they pass through to lua_pcall.
    failure = "not enough memory";
  } catch (const std::exception&) {
    failure = "internal error while evaluating the rule";
  }
  if (failure != nullptr) luaL_error(L, "%s", failure);
  return 0;
}

// Runs one evaluation in a brand-new Lua state, which is closed afterwards.
void run_sandboxed(Evaluation& ev) {
  lua_State* L = lua_newstate(limited_alloc, &ev);
  if (L == nullptr) {
    ev.error = make_error("LUA_MEMORY", ev, "not enough memory to start a Lua state");
    return;
  }
  const std::unique_ptr<lua_State, decltype(&lua_close)> state(L, lua_close);
  ev.state = L;
  lua_atpanic(L, panic_handler);
  lua_sethook(L, count_hook, LUA_MASKCOUNT, kHookInterval);
  try {
    lua_pushcfunction(L, evaluate);
    lua_pushlightuserdata(L, &ev);
    const int status = lua_pcall(L, 1, 0, 0);
    if (status == LUA_OK) return;
    std::string message = error_text(L);
    const bool memory =
        status == LUA_ERRMEM || (ev.memory_refused && message == "not enough memory");
    if (ev.timed_out) {
      ev.error = make_error("LUA_TIMEOUT", ev, message);
    } else if (memory) {
      ev.error = make_error("LUA_MEMORY", ev,
                            "not enough memory: a rule may use at most " +
                                std::to_string(ev.limits->max_memory_bytes) + " bytes");
    } else {
      ev.error = make_error("LUA_RUNTIME", ev, message);
    }
    ev.error->line = line_in_message(ev.error->message, *ev.chunk_name);
  } catch (const LuaPanic&) {
    ev.error = make_error("LUA_RUNTIME", ev, "internal error: Lua error outside protected mode");
  }
}

}  // namespace

LuaSandbox::LuaSandbox(SandboxLimits limits) : limits_(limits) {}

LuaSandbox::~LuaSandbox() = default;

std::expected<void, RuleError> LuaSandbox::add_module(const std::string& module,
                                                      std::string_view source,
                                                      const std::string& chunk_name) {
  Evaluation ev;
  ev.limits = &limits_;
  ev.task = Task::kCompile;
  ev.source = source;
  ev.chunk_name = &chunk_name;
  run_sandboxed(ev);
  if (ev.error) return std::unexpected(std::move(*ev.error));
  modules_.insert_or_assign(module, Module{std::string(source), chunk_name});
  return {};
}

std::expected<std::vector<std::string>, RuleError> LuaSandbox::functions(
    const std::string& module) const {
  const auto it = modules_.find(module);
  if (it == modules_.end()) {
    return std::unexpected(RuleError{"LUA_NO_MODULE", "", 0, "no rule module '" + module + "'"});
  }
  Evaluation ev;
  ev.limits = &limits_;
  ev.task = Task::kListFunctions;
  ev.source = it->second.source;
  ev.chunk_name = &it->second.chunk_name;
  run_sandboxed(ev);
  if (ev.error) return std::unexpected(std::move(*ev.error));
  return std::move(ev.names);
}

std::expected<Value, RuleError> LuaSandbox::call(const std::string& module,
                                                 const std::string& function,
                                                 const std::vector<Value>& args) const {
  const auto it = modules_.find(module);
  if (it == modules_.end()) {
    return std::unexpected(RuleError{"LUA_NO_MODULE", "", 0, "no rule module '" + module + "'"});
  }
  Evaluation ev;
  ev.limits = &limits_;
  ev.task = Task::kCall;
  ev.source = it->second.source;
  ev.chunk_name = &it->second.chunk_name;
  ev.function = function;
  ev.args = &args;
  run_sandboxed(ev);
  if (ev.error) return std::unexpected(std::move(*ev.error));
  return std::move(ev.result);
}

}  // namespace stagematch
