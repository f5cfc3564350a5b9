// Runs the rule scripts of rules/*.lua in a sandbox: only base, string, table, math and utf8;
// text chunks only; an instruction and a memory limit; a fresh environment per evaluation.
// Rules are pure functions of the values handed to them: they decide, the engine acts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "value.hpp"

namespace stagematch {

struct SandboxLimits {
  std::uint64_t max_instructions = 5'000'000;  // per evaluation
  std::size_t max_memory_bytes = 32u << 20;    // per evaluation
};

// Why a rule could not be evaluated. `file` and `line` point into the rule script
// ("rules/visibility.lua", 12) when Lua knows them, else line 0.
struct RuleError {
  std::string code;  // LUA_SYNTAX, LUA_BINARY, LUA_RUNTIME, LUA_TIMEOUT, LUA_MEMORY,
                     // LUA_NO_MODULE, LUA_NO_FUNCTION, LUA_BAD_RESULT
  std::string file;
  int line = 0;
  std::string message;  // Lua's message, "rules/visibility.lua:12: ..." when it has a position
};

class LuaSandbox {
 public:
  explicit LuaSandbox(SandboxLimits limits = {});
  ~LuaSandbox();
  LuaSandbox(const LuaSandbox&) = delete;
  LuaSandbox& operator=(const LuaSandbox&) = delete;

  // Registers a module: `source` is Lua text that returns a table of functions.
  // `chunk_name` is the path users see in errors, e.g. "rules/visibility.lua".
  // Refuses binary chunks (LUA_BINARY) and syntax errors (LUA_SYNTAX).
  std::expected<void, RuleError> add_module(const std::string& module, std::string_view source,
                                            const std::string& chunk_name);

  // Names of the functions a module's table holds (runs the module chunk once, sandboxed).
  std::expected<std::vector<std::string>, RuleError> functions(const std::string& module) const;

  // Calls module.function(args...) in a fresh environment and returns its first result
  // converted to a Value. Each call starts from nothing: globals set by an earlier call and
  // changes to shared tables (string, math, the string metatable) are not visible.
  std::expected<Value, RuleError> call(const std::string& module, const std::string& function,
                                       const std::vector<Value>& args) const;

  bool has_module(const std::string& module) const { return modules_.contains(module); }

 private:
  struct Module {
    std::string source;
    std::string chunk_name;
  };
  SandboxLimits limits_;
  std::map<std::string, Module, std::less<>> modules_;
};

}  // namespace stagematch
