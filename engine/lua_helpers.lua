-- `helpers`, a global in every rule: what rules of any track need about calendars, rounds and
-- Dutch date texts, so that a rules directory (rules/, or one given with --rules) keeps only
-- its own policy and wording. Ships inside the binary (engine/CMakeLists.txt); every
-- evaluation gets a fresh copy, so a rule that changes it changes nothing for the next one.
-- All moments are integer seconds since 1970 UTC; clock.* works in Belgian local time.

local clock, ipairs, table, tostring = clock, ipairs, table, tostring

local H = {}

-- Round kinds in which services may set statuses.
H.ACTIVE_KINDS = { preferred = true, open = true, open_ended = true }

-- Order of events that fall on the same instant: what closes goes out before what opens.
H.KIND_RANK = {
  round_closes = 1, results_visible = 2, round_opens = 3, round_closing_soon = 4, reminder = 5,
}

-- ---- texts ---------------------------------------------------------------------------------

local function at_midnight(t)
  local lt = clock.localtime(t)
  return lt.hour == 0 and (lt.min or lt.minute or 0) == 0
end

-- "05/09/2025 12:00"; a midnight moment is written as the date alone ("30/11/2024").
function H.fmt(t)
  if at_midnight(t) then return clock.format(t, "%d/%m/%Y") end
  return clock.format(t, "%d/%m/%Y %H:%M")
end
local fmt = H.fmt

-- The day a window ending at midnight includes ("30/11/2024" for an end at 01/12 00:00: a date
-- alone in the calendar ends at the end of that day); nil for an end at another hour.
function H.whole_day_before(t)
  if at_midnight(t) then return clock.format(clock.add_days(t, -1), "%d/%m/%Y") end
  return nil
end

-- The end of a window: "tot 30/09/2024 12:00", or "tot en met 30/11/2024".
function H.until_text(t)
  local day = H.whole_day_before(t)
  return day and ("tot en met " .. day) or ("tot " .. fmt(t))
end

-- When a window ends: "op 30/09/2024 12:00", or "aan het einde van 30/11/2024".
function H.at_end(t)
  local day = H.whole_day_before(t)
  return day and ("aan het einde van " .. day) or ("op " .. fmt(t))
end

-- Since a window ended: "sinds 30/09/2024 12:00", or "sinds het einde van 30/11/2024".
function H.since_end(t)
  local day = H.whole_day_before(t)
  return day and ("sinds het einde van " .. day) or ("sinds " .. fmt(t))
end

-- A round's label between quotes, so that labels with a colon still read as a name.
function H.q(r)
  return "'" .. (r.label or r.id) .. "'"
end

-- "de stageperiode 01/02/2025 - 28/02/2025" for a round with a period; nil without one.
function H.period_text(r)
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

-- The non-empty parts joined by spaces.
function H.join(parts)
  local out = {}
  for _, p in ipairs(parts) do
    if p ~= nil and p ~= "" then out[#out + 1] = p end
  end
  return table.concat(out, " ")
end

-- ---- windows and rounds --------------------------------------------------------------------

-- Whether `now` falls in window `w` ({opens, closes}; no closes: open for good).
function H.inside(w, now)
  return w ~= nil and w.opens ~= nil and now >= w.opens and (w.closes == nil or now < w.closes)
end
local inside = H.inside

-- The calendar's rounds ordered by opening time (the YAML lists them in order already).
function H.ordered_rounds(cal)
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
function H.locate(rounds, now)
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

-- before | round | between | after, from what H.locate found.
function H.phase(active, previous, following)
  if active then return "round" end
  if following then return previous and "between" or "before" end
  return "after"
end

-- Registration: the calendar's own window, or without one the rounds' windows.
-- Returns the window holding now (or nil), the next window to open (or nil), each as
-- {w = window, round = the round it registers for or nil}, and whether any window exists.
function H.registration_state(cal, rounds, now)
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
-- The second result says whether any such round exists.
function H.last_visible(rounds)
  local last, any = nil, false
  for _, r in ipairs(rounds) do
    if H.ACTIVE_KINDS[r.kind] then
      if r.closes == nil then return nil, true end
      if last == nil or r.closes > last then last = r.closes end
      any = true
    end
  end
  return last, any
end

-- The blackout holding now, or nil.
function H.active_blackout(cal, now)
  for _, b in ipairs(cal.blackouts or {}) do
    if inside(b, now) then return b end
  end
  return nil
end

-- Whether schools see the services' answers now: {sees, round, rounds, next}. With the
-- calendar's results_at, from then on; else per round (round: the latest round whose results
-- are visible, rounds: the ids of all of them); without any results_at, always. `next` is the
-- next moment at which results become visible, or nil.
function H.results_state(cal, rounds, now)
  local state = { rounds = {} }
  if cal.results_at then
    state.sees = now >= cal.results_at
    if not state.sees then state.next = cal.results_at end
    return state
  end
  local any, latest = false, nil
  for _, r in ipairs(rounds) do
    if r.results_at then
      any = true
      if now >= r.results_at then
        state.rounds[#state.rounds + 1] = r.id
        if latest == nil or r.results_at >= latest then state.round, latest = r, r.results_at end
      elseif state.next == nil or r.results_at < state.next then
        state.next = r.results_at
      end
    end
  end
  state.sees = (not any) or state.round ~= nil
  return state
end

-- ---- timed events --------------------------------------------------------------------------

-- The calendar's reminder settings with their defaults.
function H.reminder_settings(cal)
  local rem = cal.reminders or {}
  return {
    every = rem.every_days or 7,
    at_hour = rem.at_hour or 9,
    at_minute = rem.at_minute or 0,
    soon = rem.closing_soon_days or 2,
    ["until"] = rem["until"],
  }
end

-- Who hears of a round's opening and closing.
function H.audience_of(r)
  if r.notify_schools then return { "services", "schools" } end
  return { "services" }
end

-- When a round's closing_soon reminder goes out (`soon` days before it closes), or nil when
-- that is not after the round opened.
function H.closing_soon_at(r, soon)
  if soon <= 0 or r.closes == nil then return nil end
  local t = clock.add_days(r.closes, -soon)
  if t > r.opens then return t end
  return nil
end

-- Reminder moments: every `settings.every` days at the set hour, counted from the round's
-- opening day, after it opened and before `stop`.
function H.reminder_times(r, stop, settings)
  local out = {}
  if settings.every <= 0 or stop == nil then return out end
  local lt = clock.localtime(r.opens)
  local base = clock.time({
    year = lt.year, month = lt.month, day = lt.day,
    hour = settings.at_hour, min = settings.at_minute, sec = 0,
  })
  for k = 1, 1000 do
    local t = clock.add_days(base, settings.every * k)
    if t >= stop then break end
    if t > r.opens then out[#out + 1] = t end
  end
  return out
end

-- The last round that opened at or before t, or nil.
function H.last_round_opened_by(rounds, t)
  local last
  for _, r in ipairs(rounds) do
    if r.opens <= t then last = r end
  end
  return last
end

-- A list of events: add(at, kind, round, audience, message), then sorted() gives them in time
-- order, same instants by H.KIND_RANK and then in the order they were added.
function H.event_list()
  local out, seq = {}, 0
  local list = {}
  function list.add(at, kind, round, audience, message)
    seq = seq + 1
    out[#out + 1] = {
      at = at, kind = kind, round = round and round.id or nil, audience = audience,
      message = message, _seq = seq,
    }
  end
  function list.sorted()
    table.sort(out, function(a, b)
      if a.at ~= b.at then return a.at < b.at end
      local ra, rb = H.KIND_RANK[a.kind] or 9, H.KIND_RANK[b.kind] or 9
      if ra ~= rb then return ra < rb end
      return a._seq < b._seq
    end)
    for _, e in ipairs(out) do e._seq = nil end
    return out
  end
  return list
end

-- Every timed event of a calendar: each round's opening, closing, closing_soon reminder,
-- reminders to services and results, and the calendar's results, in time order. `words` holds
-- the texts, each a function returning one:
--   opens(r), closes(r, next_round), closing_soon(r, days), reminder(r), round_results(r),
--   calendar_results(cal),
-- and optionally reminder_stop(r, settings): when reminders in round r stop (default: when it
-- closes; a round without an end then gets none).
function H.timed_events(cal, words)
  local rounds = H.ordered_rounds(cal)
  local settings = H.reminder_settings(cal)
  local events = H.event_list()
  for i, r in ipairs(rounds) do
    local aud = H.audience_of(r)
    local acts = H.ACTIVE_KINDS[r.kind] == true
    events.add(r.opens, "round_opens", r, aud, words.opens(r))
    if r.closes then
      events.add(r.closes, "round_closes", r, aud, words.closes(r, rounds[i + 1]))
      local soon_at = acts and H.closing_soon_at(r, settings.soon)
      if soon_at then
        events.add(soon_at, "round_closing_soon", r, aud, words.closing_soon(r, settings.soon))
      end
    end
    if acts then
      local stop = r.closes
      if words.reminder_stop then stop = words.reminder_stop(r, settings) end
      local times = H.reminder_times(r, stop, settings)
      local text = #times > 0 and words.reminder(r) or nil
      for _, t in ipairs(times) do events.add(t, "reminder", r, { "services" }, text) end
    end
    if r.results_at then
      events.add(r.results_at, "results_visible", r, { "schools" }, words.round_results(r))
    end
  end
  if cal.results_at then
    events.add(cal.results_at, "results_visible", H.last_round_opened_by(rounds, cal.results_at),
      { "schools" }, words.calendar_results(cal))
  end
  return events.sorted()
end

return H
