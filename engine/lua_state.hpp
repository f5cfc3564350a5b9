// One Lua state per rule evaluation and the limits it runs under: a memory limit enforced by
// the allocator, an instruction limit enforced by a count hook, and the cost of work done in C
// (allocation, pattern matching) charged to that same instruction limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <lua.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "lua_sandbox.hpp"

namespace stagematch {

// What one evaluation has used of its limits. The allocator and the hook find it through
// lua_getallocf, so it must outlive the state.
struct SandboxBudget {
  const SandboxLimits* limits = nullptr;
  lua_State* state = nullptr;  // set once the state exists
  std::size_t memory_used = 0;
  bool memory_refused = false;
  std::uint64_t instructions = 0;
  bool timed_out = false;
};

// Thrown by the panic handler: the last line of defence should Lua ever raise an error outside
// protected mode (every evaluation runs inside lua_pcall, so it should not happen).
struct LuaPanic {};

using LuaStatePtr = std::unique_ptr<lua_State, decltype(&lua_close)>;

// A new, empty state (no libraries) that allocates and counts against `budget`; holds nullptr
// when there is not even memory for the state.
LuaStatePtr new_limited_state(SandboxBudget& budget);

SandboxBudget& budget_of(lua_State* L);

// Charges `cost` instructions for work done inside C. True when that puts the evaluation over
// its instruction limit: it then counts as timed out, and every following Lua instruction
// raises the limit error again, so a rule that catches the error with pcall cannot go on.
bool charge_instructions(lua_State* L, std::uint64_t cost);

// Runs Lua text that ships with the product (text only, never bytecode) and leaves its first
// result on the stack. Raises a Lua error when it fails.
void run_builtin_chunk(lua_State* L, std::string_view source, const char* name);

// Compiles Lua text that ships with the product to bytecode, outside any evaluation; throws
// std::logic_error when it does not compile. Only the product's own text: rules are never
// loaded as bytecode.
std::string compile_builtin_chunk(std::string_view source, const char* name);

// Runs what compile_builtin_chunk made and leaves its first result on the stack.
void run_compiled_chunk(lua_State* L, const std::string& bytecode, const char* name);

}  // namespace stagematch
