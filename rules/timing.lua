-- Timing rules: what holds at a moment of a calendar (timing.moment) and every timed event
-- of a calendar (timing.events). See workflows/README.md, "How the rules see a calendar".
-- All moments are integer seconds since 1970 UTC; clock.* works in Belgian local time.

local M = {}

-- Round kinds in which services may set statuses.
local ACTIVE_KINDS = { preferred = true, open = true, open_ended = true }

-- Order of events that fall on the same instant: what closes goes out before what opens.
local KIND_RANK = {
  round_closes = 1, results_visible = 2, round_opens = 3, round_closing_soon = 4, reminder = 5,
}

-- "05/09/2025 12:00"; a midnight moment is written as the date alone ("30/11/2024").
local function fmt(t)
  local lt = clock.localtime(t)
  if lt.hour == 0 and (lt.min or lt.minute or 0) == 0 then
    return clock.format(t, "%d/%m/%Y")
  end
  return clock.format(t, "%d/%m/%Y %H:%M")
end

-- The day a window ending at midnight includes ("30/11/2024" for an end at 01/12 00:00: a date
-- alone in the calendar ends at the end of that day); nil for an end at another hour.
local function whole_day_before(t)
  local lt = clock.localtime(t)
  if lt.hour == 0 and (lt.min or lt.minute or 0) == 0 then
    return clock.format(clock.add_days(t, -1), "%d/%m/%Y")
  end
  return nil
end

-- The end of a window: "tot 30/09/2024 12:00", or "tot en met 30/11/2024".
local function until_text(t)
  local day = whole_day_before(t)
  return day and ("tot en met " .. day) or ("tot " .. fmt(t))
end

-- When a window ends: "op 30/09/2024 12:00", or "aan het einde van 30/11/2024".
local function at_end(t)
  local day = whole_day_before(t)
  return day and ("aan het einde van " .. day) or ("op " .. fmt(t))
end

-- Since a window ended: "sinds 30/09/2024 12:00", or "sinds het einde van 30/11/2024".
local function since_end(t)
  local day = whole_day_before(t)
  return day and ("sinds het einde van " .. day) or ("sinds " .. fmt(t))
end

local function inside(w, now)
  return w ~= nil and w.opens ~= nil and now >= w.opens and (w.closes == nil or now < w.closes)
end

-- The calendar's rounds ordered by opening time (the YAML lists them in order already).
local function ordered_rounds(cal)
  local list = {}
  for i, r in ipairs(cal.rounds or {}) do list[#list + 1] = { i = i, r = r } end
  table.sort(list, function(a, b)
    if a.r.opens ~= b.r.opens then return a.r.opens < b.r.opens end
    return a.i < b.i
  end)
  local out = {}
  for k, e in ipairs(list) do out[k] = e.r end
  return out
end

-- The active round, the last round closed before now and the next round to open.
local function locate(rounds, now)
  local active, previous, following
  for _, r in ipairs(rounds) do
    if inside(r, now) then
      active = r
    elseif r.opens > now then
      if following == nil then following = r end
    elseif r.closes ~= nil and r.closes <= now then
      previous = r
    end
  end
  return active, previous, following
end

local function period_text(r)
  if r and r.period and r.period.from and r.period.to then
    local function d(s)
      local y, m, dd = tostring(s):match("^(%d%d%d%d)-(%d%d)-(%d%d)")
      if y then return dd .. "/" .. m .. "/" .. y end
      return tostring(s)
    end
    return "de stageperiode " .. d(r.period.from) .. " - " .. d(r.period.to)
  end
  return nil
end

-- Registration: the calendar's own window, or without one the rounds' windows.
-- Returns the window holding now (or nil), the round it registers for (or nil), the next
-- window to open (or nil) and whether any window is defined at all.
local function registration_state(cal, rounds, now)
  local windows = {}
  if cal.registration then
    windows[1] = { w = cal.registration }
  else
    for _, r in ipairs(rounds) do
      if r.registration then windows[#windows + 1] = { w = r.registration, round = r } end
    end
  end
  local current, upcoming
  for _, e in ipairs(windows) do
    if inside(e.w, now) then
      if current == nil then current = e end
    elseif e.w.opens > now then
      if upcoming == nil or e.w.opens < upcoming.w.opens then upcoming = e end
    end
  end
  return current, upcoming, #windows > 0
end

-- The last moment at which a service can still see a request registered now: the latest close
-- of a round in which services see new requests; nil when such a round never closes. A request
-- registered at or after it would never be seen (the manuals' "uiterste inschrijfdatum").
local function last_visible(rounds)
  local last, any = nil, false
  for _, r in ipairs(rounds) do
    if ACTIVE_KINDS[r.kind] then
      if r.closes == nil then return nil, true end
      if last == nil or r.closes > last then last = r.closes end
      any = true
    end
  end
  return last, any
end

local function active_blackout(cal, now)
  for _, b in ipairs(cal.blackouts or {}) do
    if inside(b, now) then return b end
  end
  return nil
end

local function join(parts)
  local out = {}
  for _, p in ipairs(parts) do
    if p ~= nil and p ~= "" then out[#out + 1] = p end
  end
  return table.concat(out, " ")
end

-- A round's label between quotes, so that labels with a colon still read as a name.
local function q(r)
  return "'" .. (r.label or r.id) .. "'"
end

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

function M.moment(ctx)
  local now = ctx.now
  local cal = ctx.calendar or {}
  local rounds = ordered_rounds(cal)
  local active, previous, following = locate(rounds, now)

  local phase
  if active then
    phase = "round"
  elseif following then
    phase = previous and "between" or "before"
  else
    phase = "after"
  end

  -- School: registering, editing, results ------------------------------------------------
  local reg, next_reg, has_windows = registration_state(cal, rounds, now)
  local blackout = active_blackout(cal, now)
  local last_seen, any_shown = last_visible(rounds)
  local too_late = not any_shown or (last_seen ~= nil and now >= last_seen)
  local in_window = (reg ~= nil or not has_windows) and not too_late
  -- A blackout with visible_from delays what is registered in it; one without blocks.
  local delays = blackout ~= nil and blackout.visible_from ~= nil
  local may_register = in_window and (blackout == nil or delays)
  local may_edit = may_register or phase == "round"

  local sees_results, results_round, results_at, next_results
  local results_rounds = {}
  if cal.results_at then
    sees_results = now >= cal.results_at
    if sees_results then results_at = cal.results_at else next_results = cal.results_at end
  else
    local any = false
    for _, r in ipairs(rounds) do
      if r.results_at then
        any = true
        if now >= r.results_at then
          results_rounds[#results_rounds + 1] = r.id
          if results_at == nil or r.results_at >= results_at then
            results_round, results_at = r, r.results_at
          end
        elseif next_results == nil or r.results_at < next_results then
          next_results = r.results_at
        end
      end
    end
    sees_results = (not any) or results_round ~= nil
  end

  local school_parts = {}
  if blackout and in_window and delays then
    school_parts[#school_parts + 1] = "Tussen " .. fmt(blackout.opens) .. " en " .. fmt(blackout.closes)
      .. " registreer je beter geen leerlingen: wie je nu registreert, wordt pas zichtbaar voor de diensten vanaf "
      .. fmt(blackout.visible_from) .. "."
  elseif blackout and in_window then
    school_parts[#school_parts + 1] = "Tussen " .. fmt(blackout.opens) .. " en " .. fmt(blackout.closes)
      .. " mogen scholen geen leerlingen ingeven."
    if reg and (reg.w.closes == nil or reg.w.closes > blackout.closes) then
      school_parts[#school_parts + 1] = "Registreren kan opnieuw vanaf " .. fmt(blackout.closes) .. "."
    end
  elseif in_window and reg then
    local s = "Je kan leerlingen registreren"
    local pt = period_text(reg.round)
    if pt then s = s .. " voor " .. pt end
    if reg.w.closes then s = s .. " " .. until_text(reg.w.closes) end
    school_parts[#school_parts + 1] = s .. "."
  elseif in_window then
    school_parts[#school_parts + 1] = "Je kan leerlingen registreren."
  elseif next_reg and not too_late then
    local s = "Registreren kan vanaf " .. fmt(next_reg.w.opens)
    local pt = period_text(next_reg.round)
    if pt then s = s .. " (voor " .. pt .. ")" end
    school_parts[#school_parts + 1] = s .. "."
  elseif too_late and last_seen ~= nil then
    school_parts[#school_parts + 1] = "De laatste ronde van dit schooljaar is voorbij ("
      .. since_end(last_seen) .. "): een nieuwe leerling zou door geen enkele dienst meer gezien worden. "
      .. "Nieuwe stageaanvragen regel je rechtstreeks met een dienst."
  else
    school_parts[#school_parts + 1] = "De registratie voor dit schooljaar is afgesloten."
  end
  if not may_register and may_edit then
    if active and active.closes then
      school_parts[#school_parts + 1] = "Je kan je leerlingen nog bewerken " .. until_text(active.closes)
        .. ", zolang geen dienst hen aanvaardde."
    else
      school_parts[#school_parts + 1] = "Je kan je leerlingen nog bewerken zolang geen dienst hen aanvaardde."
    end
  end
  if results_round then
    school_parts[#school_parts + 1] = "De antwoorden van de diensten voor " .. q(results_round)
      .. " zijn zichtbaar sinds " .. fmt(results_round.results_at) .. "."
  elseif sees_results and cal.results_at then
    school_parts[#school_parts + 1] = "De antwoorden van de diensten zijn zichtbaar sinds "
      .. fmt(cal.results_at) .. "."
  end
  if next_results then
    school_parts[#school_parts + 1] = (results_round and "De volgende antwoorden" or "De antwoorden van de diensten")
      .. " worden zichtbaar vanaf " .. fmt(next_results) .. "."
  end

  -- Service: setting statuses -----------------------------------------------------------
  local may_set_status = active ~= nil and ACTIVE_KINDS[active.kind] == true
  -- Once a round has let services act, they may always record the outcome for students they
  -- already invited (guards.service_may_follow_up), also after the window closed.
  local may_follow_up = false
  for _, r in ipairs(rounds) do
    if ACTIVE_KINDS[r.kind] and r.opens <= now then may_follow_up = true end
  end
  local service_parts = {}
  if active then
    if may_set_status then
      if active.closes then
        service_parts[#service_parts + 1] = q(active) .. ": je kan statussen instellen "
          .. until_text(active.closes) .. "."
      else
        service_parts[#service_parts + 1] = q(active)
          .. ": de tool blijft open, je kan statussen blijven instellen."
      end
      service_parts[#service_parts + 1] = view_sentence(active, true)
    else
      local s = q(active) .. ": je kan geen statussen instellen"
      if active.closes then s = s .. " " .. until_text(active.closes) end
      service_parts[#service_parts + 1] = s .. "."
    end
    if active.note then service_parts[#service_parts + 1] = active.note end
  elseif phase == "before" and not ACTIVE_KINDS[following.kind] then
    service_parts[#service_parts + 1] = "De eerste fase " .. q(following) .. " start op "
      .. fmt(following.opens) .. "."
  elseif phase == "before" then
    service_parts[#service_parts + 1] = "De eerste ronde " .. q(following) .. " start op "
      .. fmt(following.opens) .. ". Tot dan kan je geen statussen instellen."
  elseif phase == "between" then
    service_parts[#service_parts + 1] = q(previous) .. " is afgesloten " .. since_end(previous.closes)
      .. ". De volgende ronde " .. q(following) .. " start op " .. fmt(following.opens)
      .. ". Tot dan kan je geen statussen instellen."
  else
    if previous then
      service_parts[#service_parts + 1] = "Alle rondes van dit schooljaar zijn afgesloten ("
        .. since_end(previous.closes) .. "). Je kan geen nieuwe statussen meer instellen."
    else
      service_parts[#service_parts + 1] = "Er is geen ronde gepland. Je kan geen statussen instellen."
    end
  end
  if active and not may_set_status and following then
    service_parts[#service_parts + 1] = "De volgende ronde " .. q(following) .. " start op "
      .. fmt(following.opens) .. "."
  end

  return {
    phase = phase,
    round = active,
    previous_round = previous,
    next_round = following,
    school = {
      may_register = may_register,
      may_edit = may_edit,
      sees_results = sees_results,
      results_round = results_round and results_round.id or nil,
      results_rounds = results_rounds,
      registration_round = reg and reg.round and reg.round.id or nil,
      -- registered now: hidden from services until then (a blackout that delays)
      visible_from = (may_register and delays) and blackout.visible_from or nil,
      last_visible = last_seen,
      message = join(school_parts),
    },
    service = {
      may_set_status = may_set_status,
      may_follow_up = may_follow_up,
      message = join(service_parts),
    },
  }
end

function M.events(ctx)
  local cal = ctx.calendar or {}
  local rounds = ordered_rounds(cal)
  local rem = cal.reminders or {}
  local every = rem.every_days or 7
  local at_hour = rem.at_hour or 9
  local at_minute = rem.at_minute or 0
  local soon = rem.closing_soon_days or 2

  local out = {}
  local seq = 0
  local function add(at, kind, round, audience, message)
    seq = seq + 1
    out[#out + 1] = {
      at = at, kind = kind, round = round and round.id or nil, audience = audience,
      message = message, _seq = seq,
    }
  end
  local function audience_of(r)
    if r.notify_schools then return { "services", "schools" } end
    return { "services" }
  end

  for i, r in ipairs(rounds) do
    local aud = audience_of(r)
    local nxt = rounds[i + 1]
    local acts = ACTIVE_KINDS[r.kind] == true

    -- round_opens
    local s = "De ronde " .. q(r) .. " start op " .. fmt(r.opens)
    if r.closes then
      s = s .. " en loopt " .. until_text(r.closes) .. "."
    else
      s = s .. "; de tool blijft nadien open."
    end
    if acts then
      s = s .. " " .. view_sentence(r, false) .. " Diensten kunnen statussen instellen."
    else
      s = s .. " Diensten zien geen nieuwe aanvragen en kunnen geen statussen instellen."
    end
    local pt = period_text(r)
    if pt then s = s .. " Deze ronde is voor " .. pt .. "." end
    if r.note then s = s .. " " .. r.note end
    add(r.opens, "round_opens", r, aud, s)

    if r.closes then
      -- round_closes
      local c = "De ronde " .. q(r) .. " is afgesloten " .. at_end(r.closes) .. "."
      if nxt and nxt.opens >= r.closes then
        c = c .. " De volgende ronde " .. q(nxt) .. " start op " .. fmt(nxt.opens) .. "."
      end
      add(r.closes, "round_closes", r, aud, c)

      if acts then
        -- round_closing_soon
        if soon > 0 then
          local t = clock.add_days(r.closes, -soon)
          if t > r.opens then
            add(t, "round_closing_soon", r, aud, "De ronde " .. q(r) .. " sluit over " .. soon
              .. (soon == 1 and " dag" or " dagen") .. ", " .. at_end(r.closes)
              .. ". Diensten: geef je beslissingen tijdig in de tool in.")
          end
        end
      end
    end

    -- reminders: every `every` days at the set hour, counted from the opening day, strictly
    -- inside the round. In a round that stays open ("de tool blijft open") they go on until
    -- the calendar's reminders.until, by default four weeks after that round opens.
    if acts and every > 0 then
      local stop = r.closes
      if r.kind == "open_ended" then
        local limit = rem["until"] or clock.add_days(r.opens, 28)
        if stop == nil or limit < stop then stop = limit end
      end
      local text
      if r.closes then
        text = "De ronde " .. q(r) .. " loopt nog " .. until_text(r.closes)
          .. ". Bekijk de aanvragen die nog open staan en geef je beslissingen in de tool in."
      else
        text = "De tool blijft open: bekijk de aanvragen die nog open staan en geef je beslissingen "
          .. "en wijzigingen in de tool in."
      end
      if stop ~= nil then
        local lt = clock.localtime(r.opens)
        local base = clock.time({
          year = lt.year, month = lt.month, day = lt.day,
          hour = at_hour, min = at_minute, minute = at_minute, sec = 0,
        })
        for k = 1, 1000 do
          local t = clock.add_days(base, every * k)
          if t >= stop then break end
          if t > r.opens then add(t, "reminder", r, { "services" }, text) end
        end
      end
    end

    -- results_visible per round
    if r.results_at then
      local m = "Vanaf " .. fmt(r.results_at) .. " zien de scholen de antwoorden van de diensten voor "
        .. "de ronde " .. q(r) .. "."
      add(r.results_at, "results_visible", r, { "schools" }, m)
    end
  end

  -- results_visible for the whole calendar
  if cal.results_at then
    local last
    for _, r in ipairs(rounds) do
      if r.opens <= cal.results_at then last = r end
    end
    add(cal.results_at, "results_visible", last, { "schools" },
      "Vanaf " .. fmt(cal.results_at) .. " zien de scholen de antwoorden van de diensten op alle ingediende stageaanvragen.")
  end

  table.sort(out, function(a, b)
    if a.at ~= b.at then return a.at < b.at end
    local ra, rb = KIND_RANK[a.kind] or 9, KIND_RANK[b.kind] or 9
    if ra ~= rb then return ra < rb end
    return a._seq < b._seq
  end)
  for _, e in ipairs(out) do e._seq = nil end
  return out
end

return M
