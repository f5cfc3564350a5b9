-- Which requests a service sees, as a predicate over the request columns (province,
-- preferred_service_id, accepted_by, registered_at, school_id, postal_code). The engine turns
-- the predicate into SQL; it is computed once per service and moment, never per row.

local M = {}

local inside, ordered_rounds = helpers.inside, helpers.ordered_rounds

-- What round `i` shows by itself (not counting the service's own acceptances).
local function shown_by(rounds, i, service)
  local r = rounds[i]
  if r.kind == "preferred" then
    return P.all(
      P.is_in("province", service.provinces or {}),
      P.eq("preferred_service_id", service.id),
      P.is_null("accepted_by"))
  elseif r.kind == "open" or r.kind == "open_ended" then
    if r.scope == "province" then
      -- e.g. CVO: only services active in the province chosen for the internship
      return P.all(P.is_in("province", service.provinces or {}), P.is_null("accepted_by"))
    end
    return P.is_null("accepted_by")
  end
  -- closed: nothing new, what the previous round showed, registered before it closed
  if i <= 1 then return P.NEVER end
  local prev = rounds[i - 1]
  local prev_view = shown_by(rounds, i - 1, service)
  if prev.closes == nil then return prev_view end
  return P.all(prev_view, P.before("registered_at", prev.closes))
end

-- by_round{now, calendar, service = {id, provinces}}
function M.by_round(ctx)
  local now = ctx.now
  local cal = ctx.calendar or {}
  local service = ctx.service or {}
  local own = P.eq("accepted_by", service.id)

  local rounds = ordered_rounds(cal)
  local active, last_closed
  for i, r in ipairs(rounds) do
    if inside(r, now) then
      active = i
    elseif r.closes ~= nil and r.closes <= now then
      last_closed = i
    end
  end

  local view
  if active then
    view = shown_by(rounds, active, service)
  elseif last_closed then
    -- between rounds or after the last: what the previous round showed, registered before
    -- it closed
    view = P.all(shown_by(rounds, last_closed, service),
      P.before("registered_at", rounds[last_closed].closes))
  else
    -- before the first round: only what this service accepted
    return own
  end

  -- A request registered during a blackout stays hidden until the blackout's visible_from.
  local parts = { view }
  for _, b in ipairs(cal.blackouts or {}) do
    if b.visible_from ~= nil and now < b.visible_from and b.opens ~= nil and b.closes ~= nil then
      parts[#parts + 1] = P.negate(P.all(
        P.at_or_after("registered_at", b.opens),
        P.before("registered_at", b.closes)))
    end
  end
  if #parts > 1 then view = P.all(table.unpack(parts)) end

  return P.any(own, view)
end

return M
