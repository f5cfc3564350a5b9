#include "lua_sandbox.hpp"

#include <gtest/gtest.h>

#include <lua.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "lua_libraries.hpp"

namespace stagematch {
namespace {

constexpr const char kChunk[] = "rules/x.lua";

// A sandbox holding one module "m" from `source` (the module must compile).
std::unique_ptr<LuaSandbox> sandbox_with(std::string_view source, SandboxLimits limits = {}) {
  auto sandbox = std::make_unique<LuaSandbox>(limits);
  auto added = sandbox->add_module("m", source, kChunk);
  EXPECT_TRUE(added.has_value()) << (added ? "" : added.error().message);
  return sandbox;
}

// Runs `body` as the body of m.f() and returns its result.
std::expected<Value, RuleError> run(std::string_view body, SandboxLimits limits = {}) {
  std::string source = "return { f = function()\n";
  source += body;
  source += "\nend }\n";
  return sandbox_with(source, limits)->call("m", "f", {});
}

Value run_ok(std::string_view body) {
  auto result = run(body);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return result ? *result : Value{};
}

std::string run_error_code(std::string_view body, SandboxLimits limits = {}) {
  auto result = run(body, limits);
  EXPECT_FALSE(result.has_value()) << body << " => " << (result ? result->to_json() : "");
  return result ? "" : result.error().code;
}

Object object(std::initializer_list<std::pair<const std::string, Value>> fields) {
  return Object(fields);
}

// Compiles `source` to bytecode the way luac does.
std::string bytecode(const char* source) {
  lua_State* L = luaL_newstate();
  EXPECT_EQ(luaL_loadstring(L, source), LUA_OK);
  std::string out;
  lua_dump(
      L,
      [](lua_State*, const void* p, size_t size, void* ud) {
        static_cast<std::string*>(ud)->append(static_cast<const char*>(p), size);
        return 0;
      },
      &out, 0);
  lua_close(L);
  return out;
}

// ---- what a rule cannot reach ----------------------------------------------------------------

TEST(LuaSandbox, ForbiddenLibrariesAndFunctionsAreAbsent) {
  for (const char* name : {"io", "os", "package", "debug", "require", "load", "loadfile", "dofile",
                           "collectgarbage", "print", "loadstring", "warn", "coroutine"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(run_ok(std::string("return type(") + name + ")"), Value("nil"));
    EXPECT_EQ(run_ok(std::string("return rawget(_G, '") + name + "') == nil"), Value(true));
  }
  EXPECT_EQ(run_ok("return string.dump == nil and ('').dump == nil"), Value(true));
  EXPECT_EQ(run_ok("return math.random == nil and math.randomseed == nil"), Value(true));
}

TEST(LuaSandbox, CallingForbiddenFunctionsIsARuntimeError) {
  for (const char* call :
       {"require('os')", "load('return 1')", "loadfile('x')", "dofile('x')", "collectgarbage()",
        "print('x')", "string.dump(function() end)", "io.open('/etc/passwd')", "os.exit(1)",
        "os.execute('true')", "package.loadlib('a', 'b')", "debug.getregistry()",
        "_ENV.load('return 1')", "_G.load('return 1')"}) {
    SCOPED_TRACE(call);
    auto result = run(std::string("return ") + call);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, "LUA_RUNTIME");
    EXPECT_EQ(result.error().file, kChunk);
    EXPECT_EQ(result.error().line, 2);
  }
}

TEST(LuaSandbox, AllowedLibrariesWork) {
  EXPECT_EQ(run_ok("return string.upper('abc') .. ('x'):rep(2)"), Value("ABCxx"));
  EXPECT_EQ(run_ok("local t = {3, 1, 2} table.sort(t) return table.concat(t, ',')"),
            Value("1,2,3"));
  EXPECT_EQ(run_ok("return math.max(4, 9) + math.floor(2.5)"), Value(11));
  EXPECT_EQ(run_ok("return utf8.len('\u00e9t\u00e9')"), Value(3));
  EXPECT_EQ(run_ok("return select('#', 1, 2) + #{pcall(error, 'x')}"), Value(4));
  EXPECT_EQ(run_ok("return setmetatable({}, {__index = function(_, k) return k end}).abc"),
            Value("abc"));
}

TEST(LuaSandbox, StringMetatableIsProtected) {
  EXPECT_EQ(run_ok("return type(getmetatable(''))"), Value("string"));
  auto tamper = run("getmetatable('').__index = {}");
  ASSERT_FALSE(tamper.has_value());
  EXPECT_EQ(tamper.error().code, "LUA_RUNTIME");
  auto replace = run("setmetatable('', {})");
  ASSERT_FALSE(replace.has_value());
  EXPECT_EQ(replace.error().code, "LUA_RUNTIME");
}

TEST(LuaSandbox, FinalizersAreRefused) {
  // Lua runs __gc without the instruction hook: a looping finalizer would never stop.
  auto result = run("setmetatable({}, {__gc = function() while true do end end}) return 1");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, "LUA_RUNTIME");
  EXPECT_NE(result.error().message.find("__gc"), std::string::npos);
  EXPECT_EQ(result.error().line, 2);
  EXPECT_EQ(run_error_code("setmetatable({}, {__gc = true}) return 1"), "LUA_RUNTIME");
}

// The names a table holds, sorted ("" for the globals, else a global table's name).
std::vector<std::string> names_in(const std::string& table) {
  const std::string from = table.empty() ? "_G" : table;
  Value names = run_ok("local out = {} for k in pairs(" + from +
                       ") do out[#out + 1] = k end table.sort(out) return out");
  std::vector<std::string> out;
  if (names.is_array()) {
    for (const Value& name : names.as_array()) out.push_back(name.as_string());
  }
  return out;
}

TEST(LuaSandbox, GlobalsAreExactlyTheAllowList) {
  EXPECT_EQ(
      names_in(""),
      (std::vector<std::string>{
          "P",        "_G",       "_VERSION", "assert", "clock",        "error",  "getmetatable",
          "helpers",  "ipairs",   "math",     "next",   "pairs",        "pcall",  "rawequal",
          "rawget",   "rawlen",   "rawset",   "select", "setmetatable", "string", "table",
          "tonumber", "tostring", "type",     "utf8",   "xpcall"}));
  EXPECT_EQ(names_in("string"),
            (std::vector<std::string>{"byte", "char", "find", "format", "gmatch", "gsub", "len",
                                      "lower", "match", "rep", "reverse", "sub", "upper"}));
  EXPECT_EQ(names_in("table"), (std::vector<std::string>{"concat", "insert", "move", "pack",
                                                         "remove", "sort", "unpack"}));
  EXPECT_EQ(names_in("math"),
            (std::vector<std::string>{"abs",        "acos",  "asin",       "atan", "ceil", "cos",
                                      "exp",        "floor", "fmod",       "huge", "log",  "max",
                                      "maxinteger", "min",   "mininteger", "modf", "pi",   "sin",
                                      "sqrt",       "tan",   "tointeger",  "type", "ult"}));
  EXPECT_EQ(names_in("utf8"), (std::vector<std::string>{"char", "charpattern", "codepoint", "codes",
                                                        "len", "offset"}));
  EXPECT_EQ(names_in("clock"),
            (std::vector<std::string>{"add_days", "format", "localtime", "time"}));
  EXPECT_EQ(run_ok("return _G == _ENV"), Value(true));
}

TEST(LuaSandbox, EveryAllowedBaseFunctionWorks) {
  EXPECT_EQ(
      run_ok("return {assert(1), select(2, pcall(error, 'e', 0)), select('#', ipairs({})),"
             " next({}) == nil, select('#', pairs({})), select('#', 1, 2), tonumber('7'),"
             " tostring(8), type(nil), select(2, xpcall(error, function(e) return 'x' .. e "
             "end, 'y')), rawequal(1, 1), rawget({5}, 1), rawlen({1, 2}), rawset({}, 1, 2)[1],"
             " getmetatable(setmetatable({}, {v = 3})).v, _VERSION}"),
      Value(Array{1, "e", 3, true, 3, 2, 7, "8", "nil", "xy", true, 5, 2, 2, 3, "Lua 5.4"}));
  EXPECT_EQ(run_ok("return {string.byte('A'), string.char(66), ('abc'):find('b'), "
                   "string.format('%03d', 7), ('a,b'):gsub(',', ';'), ('ab'):len(), ('AB'):lower(),"
                   " ('x=1'):match('=(%d)'), ('ab'):reverse(), ('abc'):sub(2, 2), utf8.char(72),"
                   " table.unpack(table.pack(9)), math.tointeger(3.0), math.type(1.5)}"),
            Value(Array{65, "B", 2, "007", "a;b", 2, "ab", "1", "ba", "b", "H", 9, 3, "float"}));
}

TEST(LuaSandbox, NoWayToBytecode) {
  // string.dump is the only way Lua offers from a function to bytecode, and load the only way
  // back (besides loadfile and dofile); none of them is reachable, also not through methods.
  EXPECT_EQ(run_ok("return string.dump == nil and ('').dump == nil and load == nil"
                   " and _ENV.loadstring == nil and (''):len() == 0"),
            Value(true));
  EXPECT_EQ(run_ok("return type(getmetatable('').__index)"), Value("nil"));
  auto dumped = run("return ('x').dump(function() end)");
  ASSERT_FALSE(dumped.has_value());
  EXPECT_EQ(dumped.error().code, "LUA_RUNTIME");
}

// ---- bounded pattern matching ----------------------------------------------------------------

TEST(LuaSandbox, PathologicalPatternsAreStoppedWithADutchError) {
  // Each of these backtracks through about 30000^30 positions in Lua's matcher, where the
  // instruction hook never runs: without a bound it would run for ages.
  const std::string text = "local s, p = string.rep('a', 30000), string.rep('a*', 30) .. 'b'\n";
  for (const char* call :
       {"string.find(s, p)", "s:find(p)", "s:match(p)", "s:gsub(p, '')", "s:gmatch(p)()"}) {
    SCOPED_TRACE(call);
    auto result = run(text + "return " + call);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, "LUA_TIMEOUT");
    EXPECT_EQ(result.error().line, 3);
    EXPECT_NE(result.error().message.find("dit patroon vraagt te veel zoekwerk in een tekst van "
                                          "30000 tekens"),
              std::string::npos)
        << result.error().message;
  }
  // Catching the refusal does not let the rule go on.
  EXPECT_EQ(run_error_code(text + "pcall(string.find, s, p) return 1"), "LUA_TIMEOUT");
}

TEST(LuaSandbox, OrdinaryPatternsOnLongTextsStillWork) {
  EXPECT_EQ(run_ok("local s = string.rep('ab  ', 50000) local t, n = s:gsub('%s+', ' ')"
                   " return {#t, n, select(2, s:find('b', 1, true))}"),
            Value(Array{150000, 50000, 2}));
  // Trimming a text of a few thousand characters, with spaces before its last letter.
  EXPECT_EQ(run_ok("return #(string.rep(' ', 3000) .. 'x  '):match('^(.-)%s*$')"), Value(3001));
  EXPECT_EQ(run_ok("local n = 0 for w in string.rep('word ', 20000):gmatch('%a+') do n = n + 1 "
                   "end return n"),
            Value(20000));
  EXPECT_EQ(run_ok("return {('2025-09-05'):match('^(%d%d%d%d)-(%d%d)-(%d%d)')}"),
            Value(Array{"2025", "09", "05"}));
}

TEST(LuaSandbox, PatternStepsEstimate) {
  // Anchored and without quantifiers: about the pattern's length, whatever the text.
  EXPECT_LT(pattern_steps("^(%d%d%d%d)-(%d%d)", 1'000'000, true, false), 20);
  // Unanchored: every position of the text is a start.
  EXPECT_GT(pattern_steps("(%d%d%d%d)-(%d%d)", 1'000'000, true, false), 1e6);
  // gmatch has no anchor: '^' is an ordinary character there.
  EXPECT_GT(pattern_steps("^a", 1000, false, false), 1000);
  // A quantifier that only captures follow matches at once; one that more pattern follows may
  // retry at every position.
  EXPECT_LT(pattern_steps("^(%s*)", 100, true, false), 500);
  EXPECT_LT(pattern_steps("^%s*x", 100, true, false), 500);
  EXPECT_GT(pattern_steps("^a*a*b", 100, true, false), 100 * 100);
  EXPECT_GT(pattern_steps("^a*a*a*b", 100, true, false), 1e6);
  // Unanchored, a last quantifier costs its run once, not at every start.
  EXPECT_LT(pattern_steps("%s+", 100'000, true, false), 500'000);
  EXPECT_LT(pattern_steps("^a?b", 100, true, false), 10);
  // Sets, escapes and balanced matches are read as one item each.
  EXPECT_LT(pattern_steps("^[%]a-z]%%%bxy", 10, true, false), 40);
  EXPECT_DOUBLE_EQ(pattern_steps("abc", 9, true, true), 10.0 * 4.0);
  // Broken patterns do not trouble the estimate (Lua reports them).
  for (const char* broken : {"[", "[^", "%", "(", "%b", "%f", "%f[", "a*[", "[]"}) {
    EXPECT_GE(pattern_steps(broken, 10, true, false), 1);
  }
}

// ---- helpers ---------------------------------------------------------------------------------

TEST(LuaSandbox, HelpersAreThereInEveryEvaluation) {
  // 1 December 2024 00:00 in Brussels: a window ending then includes 30 November.
  const char* end = "local t = clock.time{year = 2024, month = 12, day = 1}\n";
  EXPECT_EQ(run_ok(std::string(end) +
                   "return {helpers.until_text(t), helpers.at_end(t), helpers.since_end(t),"
                   " helpers.fmt(t), helpers.until_text(t + 3600)}"),
            Value(Array{"tot en met 30/11/2024", "aan het einde van 30/11/2024",
                        "sinds het einde van 30/11/2024", "01/12/2024", "tot 01/12/2024 01:00"}));
  EXPECT_EQ(run_ok("local rounds = helpers.ordered_rounds{rounds = {{id = 'b', opens = 20,"
                   " closes = 30}, {id = 'a', opens = 10, closes = 20}}}\n"
                   "local active, previous, following = helpers.locate(rounds, 25)\n"
                   "return {rounds[1].id, active.id, previous.id, following == nil,"
                   " helpers.phase(active, previous, following), helpers.q({id = 'x'}),"
                   " helpers.join({'a', '', 'b'})}"),
            Value(Array{"a", "b", "a", true, "round", "'x'", "a b"}));
  // Each evaluation gets its own copy.
  auto sandbox = sandbox_with(
      "return { spoil = function() helpers.fmt = nil helpers.ACTIVE_KINDS.closed = true end,\n"
      "  use = function() return {type(helpers.fmt), helpers.ACTIVE_KINDS.closed} end }\n");
  EXPECT_TRUE(sandbox->call("m", "spoil", {}).has_value());
  EXPECT_EQ(*sandbox->call("m", "use", {}), Value(Array{"function"}));
}

// ---- binary and broken chunks ----------------------------------------------------------------

TEST(LuaSandbox, BinaryChunksAreRefused) {
  LuaSandbox sandbox;
  std::string compiled = bytecode("return { f = function() return 1 end }");
  ASSERT_TRUE(compiled.starts_with("\x1bLua"));
  for (const std::string& source : {compiled, std::string("\x1bLua\x54\x00garbage", 12),
                                    std::string("\xEF\xBB\xBF") + compiled}) {
    auto added = sandbox.add_module("m", source, kChunk);
    ASSERT_FALSE(added.has_value());
    EXPECT_EQ(added.error().code, "LUA_BINARY");
    EXPECT_EQ(added.error().file, kChunk);
    EXPECT_NE(added.error().message.find("binary"), std::string::npos);
  }
  EXPECT_FALSE(sandbox.has_module("m"));
}

TEST(LuaSandbox, SyntaxErrorReportsFileAndLine) {
  LuaSandbox sandbox;
  auto added = sandbox.add_module("m",
                                  "return {\n"
                                  "  f = function()\n"
                                  "    return 1 +\n"
                                  "  end,\n"
                                  "}\n",
                                  kChunk);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, "LUA_SYNTAX");
  EXPECT_EQ(added.error().file, kChunk);
  EXPECT_EQ(added.error().line, 4);
  EXPECT_TRUE(added.error().message.starts_with("rules/x.lua:4:")) << added.error().message;
  EXPECT_FALSE(sandbox.has_module("m"));
}

TEST(LuaSandbox, ByteOrderMarkIsSkipped) {
  auto sandbox = sandbox_with("\xEF\xBB\xBFreturn { f = function() return 7 end }");
  EXPECT_EQ(*sandbox->call("m", "f", {}), Value(7));
}

TEST(LuaSandbox, RuntimeErrorReportsFileAndLine) {
  auto sandbox = sandbox_with(
      "return {\n"
      "  f = function(x)\n"
      "    local y = nil\n"
      "    return y.field\n"
      "  end,\n"
      "  g = function() error('no place left') end,\n"
      "  h = function() error({code = 1}) end,\n"
      "  i = function() error('bare', 0) end,\n"
      "}\n");
  auto f = sandbox->call("m", "f", {});
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code, "LUA_RUNTIME");
  EXPECT_EQ(f.error().file, kChunk);
  EXPECT_EQ(f.error().line, 4);
  EXPECT_NE(f.error().message.find("attempt to index a nil value"), std::string::npos);

  auto g = sandbox->call("m", "g", {});
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().message, "rules/x.lua:6: no place left");
  EXPECT_EQ(g.error().line, 6);

  auto h = sandbox->call("m", "h", {});
  ASSERT_FALSE(h.has_value());
  EXPECT_EQ(h.error().code, "LUA_RUNTIME");
  EXPECT_EQ(h.error().message, "(error object is a table value)");
  EXPECT_EQ(h.error().line, 0);

  auto i = sandbox->call("m", "i", {});
  ASSERT_FALSE(i.has_value());
  EXPECT_EQ(i.error().message, "bare");
  EXPECT_EQ(i.error().line, 0);
}

TEST(LuaSandbox, LongChunkNamesStillGiveTheLine) {
  const std::string chunk = "rules/" + std::string(100, 'd') + "/visibility.lua";
  LuaSandbox sandbox;
  ASSERT_TRUE(sandbox.add_module("m", "return {\n f = function()\n error('x')\n end }", chunk));
  auto result = sandbox.call("m", "f", {});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().file, chunk);
  EXPECT_EQ(result.error().line, 3);
}

TEST(LuaSandbox, ModuleChunkErrors) {
  auto top_level = sandbox_with("local x = nil\nreturn x.y");
  auto failed = top_level->call("m", "f", {});
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, "LUA_RUNTIME");
  EXPECT_EQ(failed.error().line, 2);

  auto not_table = sandbox_with("return 42");
  auto bad = not_table->call("m", "f", {});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, "LUA_BAD_RESULT");
  EXPECT_EQ(not_table->functions("m").error().code, "LUA_BAD_RESULT");
}

TEST(LuaSandbox, MissingModuleAndFunction) {
  auto sandbox = sandbox_with("return { f = function() return 1 end, n = 5 }");
  auto no_module = sandbox->call("other", "f", {});
  ASSERT_FALSE(no_module.has_value());
  EXPECT_EQ(no_module.error().code, "LUA_NO_MODULE");
  EXPECT_EQ(sandbox->functions("other").error().code, "LUA_NO_MODULE");

  auto missing = sandbox->call("m", "g", {});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, "LUA_NO_FUNCTION");
  EXPECT_EQ(missing.error().file, kChunk);
  auto not_function = sandbox->call("m", "n", {});
  ASSERT_FALSE(not_function.has_value());
  EXPECT_EQ(not_function.error().code, "LUA_NO_FUNCTION");
  EXPECT_NE(not_function.error().message.find("number"), std::string::npos);
}

TEST(LuaSandbox, FunctionsListsSortedFunctionNames) {
  auto sandbox = sandbox_with(
      "local M = { zeta = function() end, alpha = function() end, count = 3 }\n"
      "M[1] = function() end\n"
      "M.mid = string.upper\n"
      "return M\n");
  auto names = sandbox->functions("m");
  ASSERT_TRUE(names.has_value());
  EXPECT_EQ(*names, (std::vector<std::string>{"alpha", "mid", "zeta"}));
}

// ---- limits ----------------------------------------------------------------------------------

TEST(LuaSandbox, EndlessLoopTimesOut) {
  auto sandbox = sandbox_with(
      "return {\n"
      "  spin = function()\n"
      "    while true do end\n"
      "  end,\n"
      "  stubborn = function()\n"
      "    while true do pcall(function() while true do end end) end\n"
      "  end,\n"
      "  recurse = function()\n"
      "    local function f() return pcall(f) end\n"
      "    while true do f() end\n"
      "  end,\n"
      "}\n");
  auto spin = sandbox->call("m", "spin", {});
  ASSERT_FALSE(spin.has_value());
  EXPECT_EQ(spin.error().code, "LUA_TIMEOUT");
  EXPECT_EQ(spin.error().file, kChunk);
  EXPECT_EQ(spin.error().line, 3);
  EXPECT_NE(spin.error().message.find("instruction limit"), std::string::npos);
  // Catching the timeout with pcall does not let a rule run on.
  auto stubborn = sandbox->call("m", "stubborn", {});
  ASSERT_FALSE(stubborn.has_value());
  EXPECT_EQ(stubborn.error().code, "LUA_TIMEOUT");
  auto recurse = sandbox->call("m", "recurse", {});
  ASSERT_FALSE(recurse.has_value());
  EXPECT_EQ(recurse.error().code, "LUA_TIMEOUT");
}

TEST(LuaSandbox, LoopingCloseHandlerTimesOut) {
  // To-be-closed variables run while an error unwinds; the hook still stops them.
  EXPECT_EQ(run_error_code("local x <close> = setmetatable({}, {__close = function() "
                           "while true do end end}) error('boom')"),
            "LUA_TIMEOUT");
  EXPECT_EQ(run_error_code("do local x <close> = setmetatable({}, {__close = function() "
                           "while true do end end}) end return 1"),
            "LUA_TIMEOUT");
}

TEST(LuaSandbox, InstructionLimitIsConfigurable) {
  SandboxLimits small{.max_instructions = 20'000};
  EXPECT_EQ(run_error_code("local n = 0 for i = 1, 100000 do n = n + i end return n", small),
            "LUA_TIMEOUT");
  auto fits = run("local n = 0 for i = 1, 1000 do n = n + i end return n", small);
  ASSERT_TRUE(fits.has_value());
  EXPECT_EQ(*fits, Value(500500));
}

TEST(LuaSandbox, WorkInsideCFunctionsCounts) {
  // A few thousand instructions, but each string.rep builds 1 MB: allocations count as work.
  SandboxLimits small{.max_instructions = 200'000};
  EXPECT_EQ(run_error_code("for i = 1, 1000 do local s = string.rep('x', 1e6) end", small),
            "LUA_TIMEOUT");
  EXPECT_TRUE(run("for i = 1, 10 do local s = string.rep('x', 1e6) end", small).has_value());
}

TEST(LuaSandbox, MemoryBombsRunOutOfMemory) {
  EXPECT_EQ(run_error_code("local s = 'x' while true do s = s .. s end"), "LUA_MEMORY");
  EXPECT_EQ(run_error_code("return string.rep('x', 1 << 30)"), "LUA_MEMORY");
  SandboxLimits small{.max_memory_bytes = 4u << 20};
  EXPECT_EQ(run_error_code("local t = {} for i = 1, 1e8 do t[i] = i end", small), "LUA_MEMORY");
  auto result = run("local t = {} for i = 1, 1e8 do t[i] = {i} end", small);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, "LUA_MEMORY");
  EXPECT_EQ(result.error().file, kChunk);
  EXPECT_NE(result.error().message.find("memory"), std::string::npos);
  // A memory error caught and re-raised as text is still a memory error.
  EXPECT_EQ(run_error_code("local ok, e = pcall(string.rep, 'x', 1 << 30) error(e, 0)"),
            "LUA_MEMORY");
}

TEST(LuaSandbox, CaughtMemoryErrorLetsTheRuleContinue) {
  EXPECT_EQ(run_ok("local ok = pcall(string.rep, 'x', 1 << 30) return ok"), Value(false));
}

TEST(LuaSandbox, TinyMemoryLimitFailsCleanly) {
  LuaSandbox sandbox(SandboxLimits{.max_memory_bytes = 64});
  auto added = sandbox.add_module("m", "return {}", kChunk);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, "LUA_MEMORY");
}

TEST(LuaSandbox, DeepRecursionFailsCleanly) {
  // Lua's stack grows until the memory limit or Lua's own stack limit stops it.
  const char* recurse = "local function f(n) return 1 + f(n + 1) end return f(1)";
  EXPECT_EQ(run_error_code(recurse), "LUA_MEMORY");
  auto overflow = run(recurse, SandboxLimits{.max_memory_bytes = 256u << 20});
  ASSERT_FALSE(overflow.has_value());
  EXPECT_EQ(overflow.error().code, "LUA_RUNTIME");
  EXPECT_NE(overflow.error().message.find("stack overflow"), std::string::npos);
  EXPECT_EQ(
      run_error_code("local t = setmetatable({}, {}) getmetatable(t).__index = function(s, k) "
                     "return s[k] end return t.x"),
      "LUA_RUNTIME");
}

// ---- a fresh environment per evaluation ------------------------------------------------------

TEST(LuaSandbox, GlobalsDoNotLeakBetweenCalls) {
  auto sandbox = sandbox_with(
      "counter = (counter or 0) + 1\n"
      "return {\n"
      "  set = function() leaked = 42 _G.other = 1 counter = counter + 10 return leaked end,\n"
      "  get = function() return {leaked = leaked, other = other, counter = counter} end,\n"
      "}\n");
  EXPECT_EQ(*sandbox->call("m", "set", {}), Value(42));
  EXPECT_EQ(*sandbox->call("m", "get", {}), Value(object({{"counter", 1}})));
}

TEST(LuaSandbox, TamperingWithSharedTablesDoesNotLeak) {
  auto sandbox = sandbox_with(
      "return {\n"
      "  tamper = function()\n"
      "    string.upper = nil\n"
      "    string.rep = function() return 'hacked' end\n"
      "    math.max = nil\n"
      "    P.eq = nil\n"
      "    clock = nil\n"
      "    setmetatable = nil\n"
      "    pcall(function() getmetatable('').__index = {} end)\n"
      "    return ('x'):upper()\n"
      "  end,\n"
      "  use = function()\n"
      "    return {('abc'):upper(), string.upper('d'), ('y'):rep(2), math.max(1, 2),\n"
      "            P.eq('a', 1).op, type(clock), type(setmetatable)}\n"
      "  end,\n"
      "}\n");
  auto tampered = sandbox->call("m", "tamper", {});
  ASSERT_FALSE(tampered.has_value());
  EXPECT_EQ(tampered.error().code, "LUA_RUNTIME");
  EXPECT_EQ(tampered.error().line, 10);
  EXPECT_EQ(*sandbox->call("m", "use", {}),
            Value(Array{"ABC", "D", "yy", 2, "eq", "table", "function"}));
}

// ---- P and clock -----------------------------------------------------------------------------

TEST(LuaSandbox, PredicateBuildersProduceExactTables) {
  EXPECT_EQ(run_ok("return P.ALWAYS"), Value(object({{"op", "true"}})));
  EXPECT_EQ(run_ok("return P.NEVER"), Value(object({{"op", "false"}})));
  EXPECT_EQ(run_ok("return P.eq('status', 'open')"),
            Value(object({{"op", "eq"}, {"field", "status"}, {"value", "open"}})));
  EXPECT_EQ(run_ok("return P.is_in('kind', {'a', 'b'})"),
            Value(object({{"op", "in"}, {"field", "kind"}, {"values", Array{"a", "b"}}})));
  EXPECT_EQ(run_ok("return P.before('starts_at', 1757066400)"),
            Value(object({{"op", "lt"}, {"field", "starts_at"}, {"value", 1757066400}})));
  EXPECT_EQ(run_ok("return P.at_or_after('starts_at', 1757066400)"),
            Value(object({{"op", "ge"}, {"field", "starts_at"}, {"value", 1757066400}})));
  EXPECT_EQ(run_ok("return P.is_null('closed_at')"),
            Value(object({{"op", "null"}, {"field", "closed_at"}})));
  EXPECT_EQ(run_ok("return P.negate(P.ALWAYS)"),
            Value(object({{"op", "not"}, {"arg", object({{"op", "true"}})}})));
  EXPECT_EQ(run_ok("return P.all({P.eq('a', true), P.NEVER})"),
            Value(object({{"op", "all"},
                          {"args", Array{object({{"op", "eq"}, {"field", "a"}, {"value", true}}),
                                         object({{"op", "false"}})}}})));
  EXPECT_EQ(run_ok("return P.any({})"), Value(object({{"op", "any"}, {"args", Array{}}})));
  // The operands may also be given one by one.
  EXPECT_EQ(run_ok("return P.all(P.eq('a', true), P.NEVER)"),
            run_ok("return P.all({P.eq('a', true), P.NEVER})"));
  EXPECT_EQ(run_ok("return P.any(P.ALWAYS)"),
            Value(object({{"op", "any"}, {"args", Array{object({{"op", "true"}})}}})));
  EXPECT_EQ(run_ok("return P.all()"), Value(object({{"op", "all"}, {"args", Array{}}})));
  // P keeps working when a rule replaces the globals it uses.
  EXPECT_EQ(run_ok("select, type, error = nil, nil, nil return P.all(P.ALWAYS, P.NEVER)"),
            run_ok("return P.all({P.ALWAYS, P.NEVER})"));
}

TEST(LuaSandbox, PredicateBuildersRejectBadArgumentsAtTheRuleLine) {
  for (const char* call : {"P.eq(1, 2)", "P.eq('a', nil)", "P.is_in('a', 3)", "P.all('x')",
                           "P.any(nil)", "P.all(P.ALWAYS, 3)", "P.negate(true)", "P.before(nil, 1)",
                           "P.at_or_after('a')", "P.is_null({})"}) {
    SCOPED_TRACE(call);
    // Not `return P.eq(..)`: a Lua tail call drops the caller's frame and with it the line.
    auto result = run(std::string("local p = ") + call + " return p");
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, "LUA_RUNTIME");
    EXPECT_EQ(result.error().line, 2);
    EXPECT_NE(result.error().message.find("P."), std::string::npos) << result.error().message;
  }
}

TEST(LuaSandbox, ClockTimeAndLocaltime) {
  EXPECT_EQ(run_ok("return clock.time{year = 2025, month = 9, day = 5, hour = 12}"),
            Value(std::int64_t{1757066400}));
  EXPECT_EQ(run_ok("return clock.time{year = 2025, month = 1, day = 15, hour = 12, min = 30}"),
            Value(std::int64_t{1736940600}));  // winter: UTC+1
  EXPECT_EQ(run_ok("return clock.localtime(1757066400)"), Value(object({{"year", 2025},
                                                                        {"month", 9},
                                                                        {"day", 5},
                                                                        {"hour", 12},
                                                                        {"min", 0},
                                                                        {"sec", 0},
                                                                        {"wday", 5}})));
  EXPECT_EQ(run_ok("return clock.localtime(clock.time{year = 2025, month = 10, day = 26}).wday"),
            Value(7));
  EXPECT_EQ(run_ok("return clock.localtime(clock.time{year = 2025, month = 10, day = 27}).wday"),
            Value(1));
  EXPECT_EQ(run_ok("local t = {year = 2024, month = 2, day = 29, hour = 23, min = 59, sec = 58}\n"
                   "local l = clock.localtime(clock.time(t))\n"
                   "return l.year == 2024 and l.month == 2 and l.day == 29 and l.hour == 23 and\n"
                   "       l.min == 59 and l.sec == 58"),
            Value(true));
}

TEST(LuaSandbox, ClockAddDaysKeepsWallClockAcrossDst) {
  Value moved = run_ok(
      "local before = clock.time{year = 2025, month = 10, day = 25, hour = 12}\n"
      "local after = clock.add_days(before, 2)\n"
      "local spring = clock.add_days(clock.time{year = 2025, month = 3, day = 29, hour = 12}, 1)\n"
      "return {after - before, clock.localtime(after).hour, clock.format(after),\n"
      "        clock.format(spring), clock.add_days(after, -2) == before}");
  EXPECT_EQ(moved,
            Value(Array{2 * 86400 + 3600, 12, "27/10/2025 12:00", "30/03/2025 12:00", true}));
}

TEST(LuaSandbox, ClockFormat) {
  EXPECT_EQ(run_ok("return clock.format(1757066400)"), Value("05/09/2025 12:00"));
  EXPECT_EQ(run_ok("return clock.format(1757066400, '%d/%m/%Y')"), Value("05/09/2025"));
  EXPECT_EQ(run_ok("return clock.format(1757066430, '%Y-%m-%d %H:%M:%S, %y, 100%%')"),
            Value("2025-09-05 12:00:30, 25, 100%"));
  EXPECT_EQ(run_ok("return clock.format(1757066400, '')"), Value(""));
  for (const char* bad : {"'%A'", "'%'", "'%d%'", "string.rep('x', 201)", "{}"}) {
    auto result = run(std::string("return clock.format(1757066400, ") + bad + ")");
    EXPECT_FALSE(result.has_value()) << bad;
  }
}

TEST(LuaSandbox, ClockRejectsBadArguments) {
  for (const char* call : {"clock.localtime()",
                           "clock.localtime('x')",
                           "clock.localtime({})",
                           "clock.localtime(1.5)",
                           "clock.localtime(2^62)",
                           "clock.localtime(math.mininteger)",
                           "clock.time()",
                           "clock.time(5)",
                           "clock.time{}",
                           "clock.time{year = 2025, month = 2}",
                           "clock.time{year = 2025, month = 2, day = 30}",
                           "clock.time{year = 2025, month = 13, day = 1}",
                           "clock.time{year = 'x', month = 1, day = 1}",
                           "clock.time{year = 2025.5, month = 1, day = 1}",
                           "clock.time{year = 2025, month = 1, day = 1, hour = 24}",
                           "clock.time{year = 2025, month = 1, day = 1, min = -1}",
                           "clock.time{year = 1e300, month = 1, day = 1}",
                           "clock.add_days(0)",
                           "clock.add_days(0, 'x')",
                           "clock.add_days(0, math.maxinteger)",
                           "clock.add_days(253402300799, 1)",
                           "clock.format()",
                           "clock.format(nil)",
                           "clock.format(-1e18)"}) {
    SCOPED_TRACE(call);
    auto result = run(std::string("return ") + call);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, "LUA_RUNTIME");
    EXPECT_EQ(result.error().line, 2) << result.error().message;
  }
}

// ---- Value <-> Lua ---------------------------------------------------------------------------

TEST(LuaSandbox, ValuesRoundTrip) {
  auto sandbox = sandbox_with(
      "return {\n"
      "  echo = function(x) return x end,\n"
      "  describe = function(...)\n"
      "    local out = {}\n"
      "    for i = 1, select('#', ...) do\n"
      "      local v = select(i, ...)\n"
      "      out[i] = type(v) == 'number' and math.type(v) or type(v)\n"
      "    end\n"
      "    return out\n"
      "  end,\n"
      "  second = function(list, obj) return {list[2], obj.name, #list} end,\n"
      "}\n");
  for (const Value& value :
       {Value(true), Value(false), Value(7), Value(-3.25), Value("t\xc3\xa9xt"),
        Value(std::string("a\0b", 3)), Value(Array{1, 2, 3}),
        Value(object({{"name", "Ann"},
                      {"scores", Array{1, 2.5, "x", true, false}},
                      {"inner", object({{"deep", Array{Array{std::int64_t{1} << 60}}}})}}))}) {
    SCOPED_TRACE(value.to_json());
    auto echoed = sandbox->call("m", "echo", {value});
    ASSERT_TRUE(echoed.has_value()) << echoed.error().message;
    EXPECT_EQ(*echoed, value);
  }
  EXPECT_TRUE(sandbox->call("m", "echo", {Value{}})->is_null());
  EXPECT_TRUE(sandbox->call("m", "echo", {})->is_null());
  // An empty object has no keys in Lua: it comes back as an empty list.
  EXPECT_EQ(*sandbox->call("m", "echo", {Value(Object{})}), Value(Array{}));
  EXPECT_EQ(*sandbox->call("m", "describe",
                           {Value{}, true, 1, 1.0, "s", Value(Array{}), Value(Object{})}),
            Value(Array{"nil", "boolean", "integer", "float", "string", "table", "table"}));
  EXPECT_EQ(*sandbox->call("m", "second", {Value(Array{"a", "b"}), object({{"name", "Bo"}})}),
            Value(Array{"b", "Bo", 2}));
}

TEST(LuaSandbox, NumbersKeepTheirKind) {
  Value two = run_ok("return 2.0");
  EXPECT_FALSE(two.is_int());
  EXPECT_EQ(two.as_number(), 2.0);
  Value three = run_ok("return 7 // 2");
  EXPECT_TRUE(three.is_int());
  EXPECT_EQ(three.as_int(), 3);
  EXPECT_FALSE(run_ok("return 2^53").is_int());
  EXPECT_TRUE(run_ok("return math.maxinteger").is_int());
  EXPECT_EQ(run_ok("return math.maxinteger").as_int(), INT64_MAX);
  Value list = run_ok("return {1, 1.0, {[1.0] = 'x'}}");
  EXPECT_TRUE(list.as_array()[0].is_int());
  EXPECT_FALSE(list.as_array()[1].is_int());
  EXPECT_EQ(list.as_array()[2], Value(Array{"x"}));  // a 1.0 key is the key 1 in Lua
}

TEST(LuaSandbox, ResultShapes) {
  EXPECT_EQ(run_ok("return {}"), Value(Array{}));
  EXPECT_EQ(run_ok("return {'a', 'b'}"), Value(Array{"a", "b"}));
  EXPECT_EQ(run_ok("return {a = 1, b = {}}"), Value(object({{"a", 1}, {"b", Array{}}})));
  EXPECT_EQ(run_ok("return {[3] = 'c', [1] = 'a', [2] = 'b'}"), Value(Array{"a", "b", "c"}));
  EXPECT_EQ(run_ok("return {a = nil, b = 2}"), Value(object({{"b", 2}})));
  EXPECT_TRUE(run_ok("return nil").is_null());
  EXPECT_TRUE(run_ok("").is_null());
  EXPECT_EQ(run_ok("return 1, 2"), Value(1));
  // A metatable on the answer is ignored; only the raw contents count.
  EXPECT_EQ(run_ok("return setmetatable({x = 1}, {__index = function() return 5 end})"),
            Value(object({{"x", 1}})));
}

TEST(LuaSandbox, BadResultsAreRefused) {
  for (const char* body :
       {"return function() end", "return {1, 2, x = 3}", "return {[1] = 'a', [3] = 'c'}",
        "return {[0] = 'z'}", "return {[-1] = 'z'}", "return {[1.5] = 1}", "return {[true] = 1}",
        "return {[{}] = 1}", "return {f = function() end}", "return {{{string.upper}}}",
        "return {1, nil, 3}"}) {
    SCOPED_TRACE(body);
    auto result = run(body);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, "LUA_BAD_RESULT");
    EXPECT_EQ(result.error().file, kChunk);
    EXPECT_NE(result.error().message.find("rule result"), std::string::npos);
  }
  auto nested = run("return {a = {b = {1, 2, function() end}}}");
  ASSERT_FALSE(nested.has_value());
  EXPECT_NE(nested.error().message.find("rule result.a.b[3] is a function"), std::string::npos)
      << nested.error().message;
}

TEST(LuaSandbox, DeepAndCyclicResultsAreRefused) {
  EXPECT_EQ(run_ok("local t = 1 for i = 1, 32 do t = {t} end return t").is_array(), true);
  EXPECT_EQ(run_error_code("local t = 1 for i = 1, 33 do t = {t} end return t"), "LUA_BAD_RESULT");
  EXPECT_EQ(run_error_code("local t = {} t[1] = t return t"), "LUA_BAD_RESULT");
  EXPECT_EQ(run_error_code("local t = {} t.self = t return t"), "LUA_BAD_RESULT");
  // Sharing a table many times over would build 2^21 values; 2 MB allows 131072.
  auto shared = run("local t = {} for i = 1, 20 do t = {t, t} end return t",
                    SandboxLimits{.max_memory_bytes = 2u << 20});
  ASSERT_FALSE(shared.has_value());
  EXPECT_EQ(shared.error().code, "LUA_BAD_RESULT");
  EXPECT_NE(shared.error().message.find("more than 131072 values"), std::string::npos);
}

TEST(LuaSandbox, DeepArgumentsAreAccepted) {
  Value deep = 1;
  for (int i = 0; i < 200; ++i) deep = Value(Array{deep});
  auto sandbox = sandbox_with(
      "return { depth = function(t) local n = 0 while type(t) == 'table' do n = n + 1 "
      "t = t[1] end return n end }");
  EXPECT_EQ(*sandbox->call("m", "depth", {deep}), Value(200));
}

// ---- robustness ------------------------------------------------------------------------------

TEST(LuaSandbox, NormalCallSucceedsAfterEveryKindOfFailure) {
  auto sandbox = sandbox_with(
      "return {\n"
      "  ok = function(a, b) return a + b end,\n"
      "  spin = function() while true do end end,\n"
      "  bomb = function() local s = 'x' while true do s = s .. s end end,\n"
      "  crash = function() return nil + 1 end,\n"
      "  bad = function() return string.upper end,\n"
      "  clock_abuse = function() return clock.time(nil) end,\n"
      "}\n",
      SandboxLimits{.max_instructions = 200'000, .max_memory_bytes = 8u << 20});
  for (const char* failing : {"spin", "bomb", "crash", "bad", "clock_abuse", "missing"}) {
    SCOPED_TRACE(failing);
    EXPECT_FALSE(sandbox->call("m", failing, {}).has_value());
    EXPECT_EQ(*sandbox->call("m", "ok", {2, 3}), Value(5));
  }
  EXPECT_FALSE(sandbox->add_module("m", "return {", kChunk).has_value());
  EXPECT_EQ(*sandbox->call("m", "ok", {20, 22}), Value(42));  // the old module is kept
}

TEST(LuaSandbox, ConcurrentCallsAreIndependent) {
  auto sandbox = sandbox_with(
      "return { f = function(n) counter = (counter or 0) + n "
      "return counter end }");
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&sandbox, &wrong, t] {
      for (int i = 0; i < 50; ++i) {
        auto result = sandbox->call("m", "f", {t + i});
        if (!result || *result != Value(t + i)) ++wrong[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace stagematch
