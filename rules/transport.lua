-- The transport hint on a service's list (issue 13): whether the student's means of transport
-- make the distance to the service's nearest location unlikely. Receives
--   { modes = {"fiets", "openbaar_vervoer", ...} (the codes of the transport field), km = 23 or nil (unknown), stad_km = 4.2 or nil (unknown) }
-- where stad_km is the straight-line distance from the student's place to the nearest
-- centrumstad (workflows/gazetteer/produce.py), and returns a short Dutch hint or nil.
-- A hint never hides or reorders a student: the list shows it beside the distance.

local M = {}

-- How far each means of transport reasonably reaches, in straight-line kilometres.
local RANGE_KM = {
  fiets = 10,
  elektrische_fiets = 20,
  bromfiets = 25,
}

-- Landelijk: farther than this from every centrumstad, where buses run rarely.
local RURAL_FROM_STAD_KM = 8

-- Public transport in a rural place is a problem only beyond this distance.
local RURAL_OV_KM = 10

local LABEL = {
  fiets = "fiets",
  elektrische_fiets = "elektrische fiets",
  bromfiets = "bromfiets",
}

local function has(modes, wanted)
  for _, m in ipairs(modes) do
    if m == wanted then return true end
  end
  return false
end

function M.rural(stad_km)
  return stad_km ~= nil and stad_km > RURAL_FROM_STAD_KM
end

function M.hint(ctx)
  local modes = ctx.modes or {}
  local km = ctx.km
  if km == nil or #modes == 0 or has(modes, "auto") then return nil end
  -- Only two-wheelers: the farthest of them decides.
  local reach, names = 0, {}
  for _, m in ipairs(modes) do
    local r = RANGE_KM[m]
    if r == nil then
      reach = nil
      break
    end
    if r > reach then reach = r end
    names[#names + 1] = LABEL[m]
  end
  if reach ~= nil and km > reach then
    table.sort(names)
    return "Alleen " .. table.concat(names, " of ") .. ": " .. km .. " km is ver"
  end
  -- Only public transport, from a rural place.
  if #modes == 1 and modes[1] == "openbaar_vervoer" and M.rural(ctx.stad_km) and km > RURAL_OV_KM then
    return "Alleen openbaar vervoer vanuit een landelijke gemeente: " .. km .. " km"
  end
  return nil
end

return M
