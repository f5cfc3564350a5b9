#include "lua_sandbox.hpp"

#include <algorithm>
#include <climits>
#include <exception>
#include <new>
#include <optional>
#include <utility>

#include "lua_host_api.hpp"
#include "lua_libraries.hpp"
#include "lua_state.hpp"
#include "lua_values.hpp"

namespace stagematch {

namespace {

// A rule answer may hold one value per kBytesPerResultValue bytes of its memory limit (a table
// shared many times over counts each time), so sharing cannot blow an answer up.
constexpr std::size_t kBytesPerResultValue = 16;

enum class Task { kCompile, kListFunctions, kCall };

// What one evaluation is asked to do and what it produces.
struct Evaluation {
  const SandboxLimits* limits = nullptr;
  Task task = Task::kCall;
  std::string_view source;
  const std::string* chunk_name = nullptr;
  std::string_view function;
  const std::vector<Value>* args = nullptr;

  std::optional<RuleError> error;
  Value result;
  std::vector<std::string> names;
};

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
  auto result = read_result(L, -1, ev.limits->max_memory_bytes / kBytesPerResultValue);
  if (!result) {
    ev.error = make_error("LUA_BAD_RESULT", ev,
                          *ev.chunk_name + ": " + std::string(ev.function) + ": " + result.error());
    return;
  }
  ev.result = std::move(*result);
}

// Runs the module chunk and does the task with the table it returns.
void run_task(lua_State* L, Evaluation& ev) {
  open_allowed_libraries(L);
  open_host_api(L);
  if (!load_module(L, ev) || ev.task == Task::kCompile) return;
  lua_call(L, 0, 1);
  if (!lua_istable(L, -1)) {
    ev.error = make_error(
        "LUA_BAD_RESULT", ev,
        *ev.chunk_name + " must return a table of functions, not a " + luaL_typename(L, -1));
    return;
  }
  if (ev.task == Task::kListFunctions) {
    list_functions(L, ev);
  } else {
    call_function(L, ev);
  }
}

// The protected body of one evaluation (argument 1: the Evaluation as light userdata). Lua
// errors leave through lua_pcall; refusals that are not Lua errors are stored in ev.error.
int evaluate(lua_State* L) {
  auto& ev = *static_cast<Evaluation*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  const char* failure = nullptr;
  try {
    run_task(L, ev);
  } catch (const std::bad_alloc&) {
    // Lua's own errors are not std::exceptions: they pass through to lua_pcall.
    failure = "not enough memory";
  } catch (const std::exception&) {
    failure = "internal error while evaluating the rule";
  }
  if (failure != nullptr) luaL_error(L, "%s", failure);
  return 0;
}

// The error of an evaluation that Lua stopped with `status`.
RuleError stopped_error(lua_State* L, int status, const SandboxBudget& budget,
                        const Evaluation& ev) {
  std::string message = error_text(L);
  const bool memory =
      status == LUA_ERRMEM || (budget.memory_refused && message == "not enough memory");
  RuleError error;
  if (budget.timed_out) {
    error = make_error("LUA_TIMEOUT", ev, std::move(message));
  } else if (memory) {
    error = make_error("LUA_MEMORY", ev,
                       "not enough memory: a rule may use at most " +
                           std::to_string(ev.limits->max_memory_bytes) + " bytes");
  } else {
    error = make_error("LUA_RUNTIME", ev, std::move(message));
  }
  error.line = line_in_message(error.message, *ev.chunk_name);
  return error;
}

// Runs one evaluation in a brand-new Lua state, which is closed afterwards.
void run_sandboxed(Evaluation& ev) {
  SandboxBudget budget;
  budget.limits = ev.limits;
  const LuaStatePtr state = new_limited_state(budget);
  if (!state) {
    ev.error = make_error("LUA_MEMORY", ev, "not enough memory to start a Lua state");
    return;
  }
  lua_State* L = state.get();
  try {
    lua_pushcfunction(L, evaluate);
    lua_pushlightuserdata(L, &ev);
    const int status = lua_pcall(L, 1, 0, 0);
    if (status != LUA_OK) ev.error = stopped_error(L, status, budget, ev);
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
