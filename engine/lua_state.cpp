#include "lua_state.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <stdexcept>

namespace stagematch {

namespace {

// The instruction hook runs every kHookInterval Lua instructions.
constexpr int kHookInterval = 1000;
// Work done inside C functions (string.rep, table.concat, ..) costs no Lua instructions, so
// every kBytesPerInstruction bytes a rule allocates count as one instruction.
constexpr std::size_t kBytesPerInstruction = 256;

void count_hook(lua_State* L, lua_Debug* ar);

// Past the limit: have the hook run at every instruction from now on (lua_sethook may be
// called at any moment, even from within the allocator).
void hook_every_instruction(SandboxBudget& budget) {
  if (budget.state != nullptr) lua_sethook(budget.state, count_hook, LUA_MASKCOUNT, 1);
}

// Lua's allocator: refuses to grow past max_memory_bytes (Lua then raises "not enough memory").
// Shrinking never fails, as Lua requires.
void* limited_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
  auto& budget = *static_cast<SandboxBudget*>(ud);
  const std::size_t old_size = ptr != nullptr ? osize : 0;
  if (nsize == 0) {
    // NOLINTNEXTLINE(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory): lua_Alloc
    std::free(ptr);
    budget.memory_used -= old_size;
    return nullptr;
  }
  if (nsize > old_size && nsize - old_size > budget.limits->max_memory_bytes - budget.memory_used) {
    budget.memory_refused = true;
    return nullptr;
  }
  // NOLINTNEXTLINE(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory): lua_Alloc
  void* block = std::realloc(ptr, nsize);
  if (block == nullptr) {
    if (nsize <= old_size) return ptr;  // a failed shrink keeps the (large enough) old block
    budget.memory_refused = true;
    return nullptr;
  }
  budget.memory_used = budget.memory_used - old_size + nsize;
  if (nsize > old_size) {
    budget.instructions += (nsize - old_size) / kBytesPerInstruction;
    if (budget.instructions > budget.limits->max_instructions && !budget.timed_out) {
      hook_every_instruction(budget);
    }
  }
  return block;
}

// Count hook: past max_instructions the evaluation fails with LUA_TIMEOUT. From then on the
// hook fires on every instruction, so a rule that catches the error with pcall cannot go on.
void count_hook(lua_State* L, lua_Debug* ar) {
  SandboxBudget& budget = budget_of(L);
  budget.instructions += budget.timed_out ? 1 : kHookInterval;
  if (!budget.timed_out && budget.instructions <= budget.limits->max_instructions) return;
  if (!budget.timed_out) {
    budget.timed_out = true;
    hook_every_instruction(budget);
  }
  const auto limit = static_cast<lua_Integer>(budget.limits->max_instructions);
  if (lua_getinfo(L, "Sl", ar) != 0 && ar->currentline > 0) {
    lua_pushfstring(L, "%s:%d: instruction limit of %I exceeded (endless loop?)",
                    static_cast<const char*>(ar->short_src), ar->currentline, limit);
  } else {
    lua_pushfstring(L, "instruction limit of %I exceeded (endless loop?)", limit);
  }
  lua_error(L);
}

int panic_handler(lua_State* /*L*/) { throw LuaPanic{}; }

}  // namespace

LuaStatePtr new_limited_state(SandboxBudget& budget) {
  LuaStatePtr state(lua_newstate(limited_alloc, &budget), lua_close);
  if (!state) return state;
  budget.state = state.get();
  lua_atpanic(budget.state, panic_handler);
  lua_sethook(budget.state, count_hook, LUA_MASKCOUNT, kHookInterval);
  return state;
}

SandboxBudget& budget_of(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return *static_cast<SandboxBudget*>(ud);
}

bool charge_instructions(lua_State* L, std::uint64_t cost) {
  SandboxBudget& budget = budget_of(L);
  const std::uint64_t limit = budget.limits->max_instructions;
  if (!budget.timed_out && cost <= limit - std::min(limit, budget.instructions)) {
    budget.instructions += cost;
    return false;
  }
  budget.instructions = limit + 1;
  budget.timed_out = true;
  hook_every_instruction(budget);
  return true;
}

void run_builtin_chunk(lua_State* L, std::string_view source, const char* name) {
  if (luaL_loadbufferx(L, source.data(), source.size(), name, "t") != LUA_OK) lua_error(L);
  lua_call(L, 0, 1);
}

std::string compile_builtin_chunk(std::string_view source, const char* name) {
  const LuaStatePtr state(luaL_newstate(), lua_close);
  if (!state) throw std::bad_alloc();
  lua_State* L = state.get();
  if (luaL_loadbufferx(L, source.data(), source.size(), name, "t") != LUA_OK) {
    throw std::logic_error(std::string("built-in Lua does not compile: ") + lua_tostring(L, -1));
  }
  std::string bytecode;
  lua_dump(
      L,
      [](lua_State* /*L*/, const void* p, std::size_t size, void* ud) {
        static_cast<std::string*>(ud)->append(static_cast<const char*>(p), size);
        return 0;
      },
      &bytecode, 0);
  return bytecode;
}

void run_compiled_chunk(lua_State* L, const std::string& bytecode, const char* name) {
  if (luaL_loadbufferx(L, bytecode.data(), bytecode.size(), name, "b") != LUA_OK) lua_error(L);
  lua_call(L, 0, 1);
}

}  // namespace stagematch
