-- Cross-field checks (`checks:` in workflows/tracks/*.yaml). Each receives {request, track}
-- and returns a list of {field, message}; an empty list when all is well. Whether a finding
-- blocks (error) or only warns (warning) is decided by the track, not here.

local M = {}

local PROVINCES = {
  ANT = "Antwerpen",
  BRU = "Brussels Hoofdstedelijk Gewest",
  LIM = "Limburg",
  OVL = "Oost-Vlaanderen",
  VBR = "Vlaams-Brabant",
  WVL = "West-Vlaanderen",
}

-- Postal code ranges of the provinces of the product (SPEC.md).
local RANGES = {
  { 1000, 1299, "BRU" },
  { 1500, 1999, "VBR" },
  { 2000, 2999, "ANT" },
  { 3000, 3499, "VBR" },
  { 3500, 3999, "LIM" },
  { 8000, 8999, "WVL" },
  { 9000, 9999, "OVL" },
}

-- Belgian postal codes outside Flanders and Brussels, to say where such a code lies.
local ELSEWHERE = {
  { 1300, 1499, "Waals-Brabant" },
  { 4000, 4999, "Luik" },
  { 5000, 5999, "Namen" },
  { 6000, 6599, "Henegouwen" },
  { 6600, 6999, "Luxemburg" },
  { 7000, 7999, "Henegouwen" },
}

local function is_empty(v)
  return v == nil or v == "" or (type(v) == "string" and v:match("^%s*$") ~= nil)
end

-- "9000" from "9000", " 9000 " or the number 9000; nil when it is not four digits.
local function four_digits(v)
  if type(v) == "number" then
    if v ~= math.floor(v) then return nil end
    v = string.format("%d", math.floor(v))
  end
  if type(v) ~= "string" then return nil end
  return v:match("^%s*(%d%d%d%d)%s*$")
end

function M.province_matches_postal_code(ctx)
  local request = ctx.request or {}
  local code, province = request.postal_code, request.province
  if is_empty(code) or is_empty(province) then return {} end
  local digits = four_digits(code)
  if digits == nil then return {} end -- the field's own type check reports the format
  local chosen = PROVINCES[province]
  if chosen == nil then return {} end -- the field's own enum check reports an unknown province

  local n = tonumber(digits)
  for _, r in ipairs(RANGES) do
    if n >= r[1] and n <= r[2] then
      if r[3] == province then return {} end
      return { {
        field = "province",
        message = "Postcode " .. digits .. " ligt in " .. PROVINCES[r[3]] .. ", niet in " .. chosen .. ".",
      } }
    end
  end
  for _, r in ipairs(ELSEWHERE) do
    if n >= r[1] and n <= r[2] then
      return { {
        field = "postal_code",
        message = "Postcode " .. digits .. " ligt in " .. r[3] .. " (Wallonië), niet in " .. chosen
          .. ": kies een postcode in Vlaanderen of Brussel.",
      } }
    end
  end
  return { {
    field = "postal_code",
    message = "Postcode " .. digits .. " is geen Belgische postcode: kies een postcode in Vlaanderen of Brussel.",
  } }
end

return M
