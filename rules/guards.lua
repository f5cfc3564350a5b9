-- Guards on status transitions (`when:` in workflows/tracks/*.yaml). Each receives
-- {now, role, from, to, track, moment} and returns true, or
-- {allow = false, error = CODE, message = "Dutch sentence"}.

local M = {}

local fmt = helpers.fmt

-- A service may change its status for a request only while a round lets it.
function M.service_may_decide(ctx)
  local m = ctx.moment
  if m and m.service and m.service.may_set_status then return true end

  local msg
  if m == nil then
    msg = "Er is geen kalender voor dit traject en schooljaar: je kan nu geen statussen instellen."
  else
    local r = m.round
    if m.phase == "round" and r then
      msg = "Tijdens de ronde '" .. (r.label or r.id) .. "' kan je geen statussen instellen."
    elseif m.phase == "before" then
      msg = "De eerste ronde is nog niet gestart: je kan nog geen statussen instellen."
    elseif m.phase == "between" then
      msg = "De vorige ronde is afgesloten: je kan nu geen statussen instellen."
    else
      msg = "Alle rondes van dit schooljaar zijn afgesloten: je kan geen statussen meer instellen."
    end
    local nr = m.next_round
    if nr and nr.opens then
      msg = msg .. " De volgende ronde '" .. (nr.label or nr.id) .. "' start op " .. fmt(nr.opens) .. "."
    elseif m.phase ~= "after" and m.service and m.service.message and m.service.message ~= "" then
      msg = msg .. " " .. m.service.message
    end
  end
  return { allow = false, error = "round_closed", message = msg }
end

-- Recording the outcome for a student the service already invited (duaal: aanvaard, niet
-- aanvaard, niet opgedaagd/gestopt): allowed while a round lets services act and also after
-- the window closed, so that the result of an interview can still be given.
function M.service_may_follow_up(ctx)
  local m = ctx.moment
  if m and m.service and (m.service.may_set_status or m.service.may_follow_up) then return true end
  return M.service_may_decide(ctx)
end

-- Only an admin (VIVO) may correct a status, e.g. undo an acceptance (with a reason).
function M.admin_correction(ctx)
  if ctx.role == "admin" then return true end
  return {
    allow = false,
    error = "forbidden",
    message = "Enkel een beheerder van VIVO kan een aanvaarding ongedaan maken of een status corrigeren.",
  }
end

return M
