-- Timing rules: what holds at a moment of a calendar (timing.moment) and every timed event
-- of a calendar (timing.events). See workflows/README.md, "How the rules see a calendar".
-- All moments are integer seconds since 1970 UTC; clock.* works in Belgian local time.

local M = {}

-- Generic helpers for calendars, rounds and Dutch date texts (the global `helpers`, shipped
-- with the product: engine/lua_helpers.lua).
local H = helpers
local ACTIVE_KINDS, fmt, until_text, at_end, since_end = H.ACTIVE_KINDS, H.fmt, H.until_text,
  H.at_end, H.since_end
local q, period_text, join = H.q, H.period_text, H.join

-- What services see in a round; `you` speaks to the service itself.
local function view_sentence(r, you)
  local kind = r.kind
  if r.scope == "province" and (kind == "open" or kind == "open_ended") then
    if you then
      return "Je ziet alle aanvragen voor je provincie(s) die nog door geen enkele dienst aanvaard werden."
    end
    return "Diensten zien enkel de aanvragen voor hun provincie(s) die nog door geen enkele dienst aanvaard werden."
  end
  if kind == "preferred" then
    if you then
      return "Je ziet enkel de leerlingen uit je provincie(s) die jouw dienst als voorkeursdienst kozen."
    end
    return "Diensten zien enkel de leerlingen uit hun provincie(s) die hen als voorkeursdienst kozen."
  elseif kind == "open" or kind == "open_ended" then
    if you then return "Je ziet alle aanvragen die nog door geen enkele dienst aanvaard werden." end
    return "Diensten zien alle aanvragen die nog door geen enkele dienst aanvaard werden."
  end
  return nil
end

-- What a school reads about registering: `s` is the situation M.moment worked out.
local function registration_parts(s, parts)
  local blackout, reg = s.blackout, s.reg
  if blackout and s.in_window and s.delays then
    parts[#parts + 1] = "Tussen " .. fmt(blackout.opens) .. " en " .. fmt(blackout.closes)
      .. " registreer je beter geen leerlingen: wie je nu registreert, wordt pas zichtbaar voor de diensten vanaf "
      .. fmt(blackout.visible_from) .. "."
  elseif blackout and s.in_window then
    parts[#parts + 1] = "Tussen " .. fmt(blackout.opens) .. " en " .. fmt(blackout.closes)
      .. " mogen scholen geen leerlingen ingeven."
    if reg and (reg.w.closes == nil or reg.w.closes > blackout.closes) then
      parts[#parts + 1] = "Registreren kan opnieuw vanaf " .. fmt(blackout.closes) .. "."
    end
  elseif s.in_window and reg then
    local text = "Je kan leerlingen registreren"
    local pt = period_text(reg.round)
    if pt then text = text .. " voor " .. pt end
    if reg.w.closes then text = text .. " " .. until_text(reg.w.closes) end
    parts[#parts + 1] = text .. "."
  elseif s.in_window then
    parts[#parts + 1] = "Je kan leerlingen registreren."
  elseif s.next_reg and not s.too_late then
    local text = "Registreren kan vanaf " .. fmt(s.next_reg.w.opens)
    local pt = period_text(s.next_reg.round)
    if pt then text = text .. " (voor " .. pt .. ")" end
    parts[#parts + 1] = text .. "."
  elseif s.too_late and s.last_seen ~= nil then
    parts[#parts + 1] = "De laatste ronde van dit schooljaar is voorbij ("
      .. since_end(s.last_seen) .. "): een nieuwe leerling zou door geen enkele dienst meer gezien worden. "
      .. "Nieuwe stageaanvragen regel je rechtstreeks met een dienst."
  else
    parts[#parts + 1] = "De registratie voor dit schooljaar is afgesloten."
  end
end

-- What a school reads: registering, editing, results.
local function school_message(s)
  local parts = {}
  registration_parts(s, parts)
  if not s.may_register and s.may_edit then
    if s.active and s.active.closes then
      parts[#parts + 1] = "Je kan je leerlingen nog bewerken " .. until_text(s.active.closes)
        .. ", zolang geen dienst hen aanvaardde."
    else
      parts[#parts + 1] = "Je kan je leerlingen nog bewerken zolang geen dienst hen aanvaardde."
    end
  end
  local results = s.results
  if results.round then
    parts[#parts + 1] = "De antwoorden van de diensten voor " .. q(results.round)
      .. " zijn zichtbaar sinds " .. fmt(results.round.results_at) .. "."
  elseif results.sees and s.cal.results_at then
    parts[#parts + 1] = "De antwoorden van de diensten zijn zichtbaar sinds "
      .. fmt(s.cal.results_at) .. "."
  end
  if results.next then
    parts[#parts + 1] = (results.round and "De volgende antwoorden" or "De antwoorden van de diensten")
      .. " worden zichtbaar vanaf " .. fmt(results.next) .. "."
  end
  return join(parts)
end

-- What a service reads about the round it is in.
local function active_round_parts(active, may_set_status, parts)
  if may_set_status then
    if active.closes then
      parts[#parts + 1] = q(active) .. ": je kan statussen instellen " .. until_text(active.closes) .. "."
    else
      parts[#parts + 1] = q(active) .. ": de tool blijft open, je kan statussen blijven instellen."
    end
    parts[#parts + 1] = view_sentence(active, true)
  else
    local text = q(active) .. ": je kan geen statussen instellen"
    if active.closes then text = text .. " " .. until_text(active.closes) end
    parts[#parts + 1] = text .. "."
  end
  if active.note then parts[#parts + 1] = active.note end
end

-- What a service reads: whether and until when it can set statuses.
local function service_message(s, may_set_status)
  local active, previous, following = s.active, s.previous, s.following
  local parts = {}
  if active then
    active_round_parts(active, may_set_status, parts)
  elseif s.phase == "before" and not ACTIVE_KINDS[following.kind] then
    parts[#parts + 1] = "De eerste fase " .. q(following) .. " start op " .. fmt(following.opens) .. "."
  elseif s.phase == "before" then
    parts[#parts + 1] = "De eerste ronde " .. q(following) .. " start op "
      .. fmt(following.opens) .. ". Tot dan kan je geen statussen instellen."
  elseif s.phase == "between" then
    parts[#parts + 1] = q(previous) .. " is afgesloten " .. since_end(previous.closes)
      .. ". De volgende ronde " .. q(following) .. " start op " .. fmt(following.opens)
      .. ". Tot dan kan je geen statussen instellen."
  elseif previous then
    parts[#parts + 1] = "Alle rondes van dit schooljaar zijn afgesloten ("
      .. since_end(previous.closes) .. "). Je kan geen nieuwe statussen meer instellen."
  else
    parts[#parts + 1] = "Er is geen ronde gepland. Je kan geen statussen instellen."
  end
  if active and not may_set_status and following then
    parts[#parts + 1] = "De volgende ronde " .. q(following) .. " start op " .. fmt(following.opens) .. "."
  end
  return join(parts)
end

-- Where `now` falls in the calendar and what that means for registering.
local function situation(now, cal)
  local s = { now = now, cal = cal, rounds = H.ordered_rounds(cal) }
  s.active, s.previous, s.following = H.locate(s.rounds, now)
  s.phase = H.phase(s.active, s.previous, s.following)
  local has_windows
  s.reg, s.next_reg, has_windows = H.registration_state(cal, s.rounds, now)
  s.blackout = H.active_blackout(cal, now)
  local any_shown
  s.last_seen, any_shown = H.last_visible(s.rounds)
  s.too_late = not any_shown or (s.last_seen ~= nil and now >= s.last_seen)
  s.in_window = (s.reg ~= nil or not has_windows) and not s.too_late
  -- A blackout with visible_from delays what is registered in it; one without blocks.
  s.delays = s.blackout ~= nil and s.blackout.visible_from ~= nil
  s.may_register = s.in_window and (s.blackout == nil or s.delays)
  s.may_edit = s.may_register or s.phase == "round"
  s.results = H.results_state(cal, s.rounds, now)
  return s
end

function M.moment(ctx)
  local now = ctx.now
  local s = situation(now, ctx.calendar or {})
  local active = s.active
  local may_set_status = active ~= nil and ACTIVE_KINDS[active.kind] == true
  -- Once a round has let services act, they may always record the outcome for students they
  -- already invited (guards.service_may_follow_up), also after the window closed.
  local may_follow_up = false
  for _, r in ipairs(s.rounds) do
    if ACTIVE_KINDS[r.kind] and r.opens <= now then may_follow_up = true end
  end
  return {
    phase = s.phase,
    round = active,
    previous_round = s.previous,
    next_round = s.following,
    school = {
      may_register = s.may_register,
      may_edit = s.may_edit,
      sees_results = s.results.sees,
      results_round = s.results.round and s.results.round.id or nil,
      results_rounds = s.results.rounds,
      registration_round = s.reg and s.reg.round and s.reg.round.id or nil,
      -- registered now: hidden from services until then (a blackout that delays)
      visible_from = (s.may_register and s.delays) and s.blackout.visible_from or nil,
      last_visible = s.last_seen,
      message = school_message(s),
    },
    service = {
      may_set_status = may_set_status,
      may_follow_up = may_follow_up,
      message = service_message(s, may_set_status),
    },
  }
end

-- The texts of timing.events (helpers.timed_events).
local WORDS = {}

function WORDS.opens(r)
  local text = "De ronde " .. q(r) .. " start op " .. fmt(r.opens)
  if r.closes then
    text = text .. " en loopt " .. until_text(r.closes) .. "."
  else
    text = text .. "; de tool blijft nadien open."
  end
  if ACTIVE_KINDS[r.kind] then
    text = text .. " " .. view_sentence(r, false) .. " Diensten kunnen statussen instellen."
  else
    text = text .. " Diensten zien geen nieuwe aanvragen en kunnen geen statussen instellen."
  end
  local pt = period_text(r)
  if pt then text = text .. " Deze ronde is voor " .. pt .. "." end
  if r.note then text = text .. " " .. r.note end
  return text
end

function WORDS.closes(r, nxt)
  local text = "De ronde " .. q(r) .. " is afgesloten " .. at_end(r.closes) .. "."
  if nxt and nxt.opens >= r.closes then
    text = text .. " De volgende ronde " .. q(nxt) .. " start op " .. fmt(nxt.opens) .. "."
  end
  return text
end

function WORDS.closing_soon(r, days)
  return "De ronde " .. q(r) .. " sluit over " .. days .. (days == 1 and " dag" or " dagen") .. ", "
    .. at_end(r.closes) .. ". Diensten: geef je beslissingen tijdig in de tool in."
end

-- In a round that stays open ("de tool blijft open") reminders go on until the calendar's
-- reminders.until, by default four weeks after that round opens.
function WORDS.reminder_stop(r, settings)
  local stop = r.closes
  if r.kind == "open_ended" then
    local limit = settings["until"] or clock.add_days(r.opens, 28)
    if stop == nil or limit < stop then stop = limit end
  end
  return stop
end

function WORDS.reminder(r)
  if r.closes then
    return "De ronde " .. q(r) .. " loopt nog " .. until_text(r.closes)
      .. ". Bekijk de aanvragen die nog open staan en geef je beslissingen in de tool in."
  end
  return "De tool blijft open: bekijk de aanvragen die nog open staan en geef je beslissingen "
    .. "en wijzigingen in de tool in."
end

function WORDS.round_results(r)
  return "Vanaf " .. fmt(r.results_at) .. " zien de scholen de antwoorden van de diensten voor de ronde "
    .. q(r) .. "."
end

function WORDS.calendar_results(cal)
  return "Vanaf " .. fmt(cal.results_at)
    .. " zien de scholen de antwoorden van de diensten op alle ingediende stageaanvragen."
end

function M.events(ctx)
  return H.timed_events(ctx.calendar or {}, WORDS)
end

return M
