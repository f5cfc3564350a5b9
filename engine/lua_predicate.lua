-- The predicate builder `P`, a global in every rule: rules describe which rows qualify
-- (visibility), the engine turns these plain tables into SQL. Wrong arguments raise an error
-- at the rule's line (level 3). Ships inside the binary (engine/CMakeLists.txt).
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
