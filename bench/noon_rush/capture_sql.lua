-- bench/noon_rush/capture_sql.lua: turns what PostgreSQL logged during the list calls of
-- bench/noon_rush.sh (log_statement = 'all', log_line_prefix = '%m [%p] ') into pgbench scripts.
--
--   lua5.4 capture_sql.lua LOGFILE OUTDIR
--
-- The shell brackets every list call with two psql statements, SELECT
-- 'noon_rush_capture_begin_TAG' and SELECT 'noon_rush_capture_end_TAG', TAG being
-- SCENARIO_TRY. Everything another backend than the marker's ran in between is what the server
-- sent for that call: "statement: SQL" (simple protocol) and "execute NAME: SQL" with its
-- "DETAIL:  parameters: $1 = '...'" line (extended protocol; the values go in place of the
-- parameters, outside string literals; a colon inside a literal is spelled ':' so that pgbench
-- does not take it for a variable). DEALLOCATE is left out (it frees a prepared statement;
-- pgbench prepares its own). Background work of the server (outbox, scheduler) can fall inside
-- a bracket too, so each scenario is called a few times and the try with the fewest statements
-- is kept. Writes OUTDIR/SCENARIO.sql, one statement a line (nothing when OUTDIR is "-"), and
-- prints
--   try TAG STATEMENTS         (every bracket)
--   scenario SCENARIO STATEMENTS TRIES
--   statement SCENARIO N SQL   (each statement, its first 160 characters)
--   shape SCENARIO SHAPE       (the same without its values, first 100 characters)
--   colon SCENARIO             (a ':name' outside '::' that pgbench would take for a variable)

local log_path, out_dir = arg[1], arg[2]
assert(log_path and out_dir, "usage: lua5.4 capture_sql.lua LOGFILE OUTDIR")

-- The log's records: {pid, level, text}; continuation lines (a tab first) join their record.
local function records(path)
  local out = {}
  for line in io.lines(path) do
    local pid, level, text = line:match("^%d%d%d%d%-%d%d%-%d%d [%d:%.]+ %S+ %[(%d+)%] (%u+):  (.*)$")
    if pid then
      out[#out + 1] = { pid = pid, level = level, text = text }
    elseif line:sub(1, 1) == "\t" and #out > 0 then
      out[#out].text = out[#out].text .. "\n" .. line:sub(2)
    end
  end
  return out
end

-- "$1 = 'a''b', $2 = NULL" -> {[1] = "'a''b'", [2] = "NULL"}
local function parameters(text)
  local values, i = {}, 1
  while true do
    local s, e, n = text:find("^%$(%d+) = ", i)
    if not s then break end
    i = e + 1
    local value
    if text:sub(i, i + 3) == "NULL" then
      value, i = "NULL", i + 4
    else
      assert(text:sub(i, i) == "'", "unexpected parameter value at: " .. text:sub(i, i + 20))
      local j = i + 1
      while true do
        local q = text:find("'", j, true)
        assert(q, "unterminated parameter value")
        if text:sub(q + 1, q + 1) == "'" then j = q + 2 else j = q break end
      end
      value, i = text:sub(i, j), j + 1
    end
    values[tonumber(n)] = value
    if text:sub(i, i + 1) == ", " then i = i + 2 else break end
  end
  return values
end

-- A string literal as pgbench leaves it alone: pgbench reads ":name" as a variable even inside
-- quotes, so 'service:36' becomes ('service' || ':' || '36'), the same text.
local function without_colon(literal)
  if literal:sub(1, 1) ~= "'" or not literal:find(":[%w_]") then return literal end
  return "(" .. literal:gsub(":", "' || ':' || '") .. ")"
end

-- `sql` on one line: $n outside string literals and quoted names replaced by its value,
-- runs of white space outside them made one space.
local function flatten(sql, values)
  local out, i, n = {}, 1, #sql
  while i <= n do
    local c = sql:sub(i, i)
    if c == "'" or c == '"' then
      local j = i + 1
      while true do
        local q = sql:find(c, j, true)
        if not q then j = n break end
        if sql:sub(q + 1, q + 1) == c then j = q + 2 else j = q break end
      end
      out[#out + 1] = c == "'" and without_colon(sql:sub(i, j)) or sql:sub(i, j)
      i = j + 1
    elseif c == "$" and sql:sub(i + 1, i + 1):match("%d") then
      local digits = sql:match("^%d+", i + 1)
      local value = values[tonumber(digits)]
      assert(value, "no value for $" .. digits .. " in: " .. sql)
      out[#out + 1] = without_colon(value)
      i = i + 1 + #digits
    elseif c:match("%s") then
      local e = select(2, sql:find("^%s+", i))
      out[#out + 1] = " "
      i = e + 1
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
  return (table.concat(out):gsub("^ ", ""):gsub(" $", ""):gsub(";$", ""))
end

-- A statement without its values, its first 100 characters: what the results file lists.
local function shape(sql)
  local s = sql:gsub("'[^']*'", "?"):gsub("%(%? || %? || %?%)", "?"):gsub("%f[%w]%d+%f[%W]", "?")
  return s:sub(1, 100)
end

-- True when pgbench would read ":name" in `sql` as a variable (outside "::" casts).
local function has_colon_variable(sql)
  local stripped = sql:gsub("::", "  ")
  return stripped:find(":[%w_]") ~= nil
end

local captures = {}  -- tag -> list of statements
local order = {}     -- scenarios in first-seen order
local open = nil     -- {tag, marker pid, statements, pending: pid -> index of its last execute}
for _, r in ipairs(records(log_path)) do
  local begin_tag = r.text:match("noon_rush_capture_begin_([%w_]+)")
  local end_tag = r.text:match("noon_rush_capture_end_([%w_]+)")
  if begin_tag then
    open = { tag = begin_tag, pid = r.pid, statements = {}, params = {}, last = {} }
  elseif end_tag and open and end_tag == open.tag then
    local list = {}
    for k, s in ipairs(open.statements) do list[k] = flatten(s.sql, open.params[k] or {}) end
    captures[open.tag] = list
    open = nil
  elseif open and r.pid ~= open.pid then
    local sql = r.level == "LOG" and (r.text:match("^statement: (.*)$") or
                                      r.text:match("^execute [^:]+: (.*)$"))
    if sql then
      local first = sql:match("^%s*(%a+)")
      if not (first and first:upper() == "DEALLOCATE") then
        open.statements[#open.statements + 1] = { sql = sql }
        open.last[r.pid] = #open.statements
      else
        open.last[r.pid] = nil
      end
    elseif r.level == "DETAIL" and r.text:match("^parameters: ") and open.last[r.pid] then
      open.params[open.last[r.pid]] = parameters(r.text:sub(#"parameters: " + 1))
    end
  end
end

local best = {}  -- scenario -> {statements, tries}
local tags = {}
for tag in pairs(captures) do tags[#tags + 1] = tag end
table.sort(tags)
for _, tag in ipairs(tags) do print(string.format("try %s %d", tag, #captures[tag])) end

for tag, list in pairs(captures) do
  local scenario = tag:match("^(.*)_%d+$") or tag
  local b = best[scenario]
  if not b then
    best[scenario] = { list = list, tries = 1 }
    order[#order + 1] = scenario
  else
    b.tries = b.tries + 1
    if #list < #b.list then b.list = list end
  end
end
table.sort(order)

for _, scenario in ipairs(order) do
  local b = best[scenario]
  local f = out_dir ~= "-" and assert(io.open(out_dir .. "/" .. scenario .. ".sql", "w"))
  local colon = false
  for _, sql in ipairs(b.list) do
    if f then f:write(sql, ";\n") end
    colon = colon or has_colon_variable(sql)
  end
  if f then f:close() end
  print(string.format("scenario %s %d %d", scenario, #b.list, b.tries))
  for k, sql in ipairs(b.list) do
    print(string.format("statement %s %d %s", scenario, k, sql:sub(1, 160)))
    print(string.format("shape %s %s", scenario, shape(sql)))
  end
  if colon then print("colon " .. scenario) end
end
