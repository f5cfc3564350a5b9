-- bench/noon_rush/accept.lua: the wrk script of the accept storm in bench/noon_rush.sh.
--
-- Run with as many threads as connections (-t 64 -c 64): each thread then has exactly one
-- connection, so every response() answers the request() just before it and the script knows
-- which attempt won. Environment:
--   NOON_RUSH_SESSIONS  "service_id cookie csrf mentor_id email" lines (4 logins per service)
--   NOON_RUSH_STUDENTS  request ids, one a line: the open students to fight over
--   NOON_RUSH_CONTENDERS how many services try each student (default 16)
--   NOON_RUSH_WINNERS   where done() writes "request_id service_id" for every 200
--
-- Attempt g (g = step * threads + thread id) goes to student g / CONTENDERS, by service
-- (student * CONTENDERS + g % CONTENDERS) mod services: the contenders of one student are
-- different services, each trying it once, at about the same moment (16 neighbouring threads
-- at the same step). No service tries the same student twice, so every answer should be 200
-- (the winner) or 409 already_accepted; anything else is counted as other. Should the storm
-- get through every student it starts again from the first (all accepted by then: 409s, and
-- 422 for a winner trying its own student again); what those wrapped attempts get other than
-- 200 or 409 is counted apart (wrapped_other), not as other.
-- done() prints the NOONRUSH line of get.lua plus
--   ACCEPT attempts=N ok=N conflict=N other=N unanswered=N wrapped=N wrapped_other=N statuses=...

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local services, students = {}, {}
local contenders = tonumber(os.getenv("NOON_RUSH_CONTENDERS") or "16")
local nthreads = 1
local step = 0
local pending = nil
winners = {}
statuses = {}
non2xx = 0
unanswered = 0  -- attempts whose connection broke before an answer (wrk sent the next one)
wrapped = 0     -- attempts past the end of the student list (a student tried again)
wrapped_other = 0
other = 0

function init(args)
  local by_id = {}
  for line in io.lines(os.getenv("NOON_RUSH_SESSIONS")) do
    local sid, cookie, csrf, mentor = line:match("^(%S+)%s+(%S+)%s+(%S+)%s+(%S+)")
    if sid then
      local s = by_id[sid]
      if not s then
        s = { id = sid, mentor = mentor, logins = {} }
        by_id[sid] = s
        services[#services + 1] = s
      end
      s.logins[#s.logins + 1] = { cookie = cookie, csrf = csrf }
    end
  end
  for line in io.lines(os.getenv("NOON_RUSH_STUDENTS")) do
    if line ~= "" then students[#students + 1] = line end
  end
  nthreads = tonumber(os.getenv("NOON_RUSH_CONNECTIONS"))
end

function request()
  if pending then unanswered = unanswered + 1 end
  local g = step * nthreads + id
  step = step + 1
  local slot = math.floor(g / contenders)
  local again = slot >= #students
  if again then wrapped = wrapped + 1 end
  local student = students[(slot % #students) + 1]
  local service = services[((slot * contenders + g % contenders) % #services) + 1]
  local login = service.logins[(slot % #service.logins) + 1]
  pending = { winner = student .. " " .. service.id, again = again }
  local body = '{"status":"aanvaard","mentor_id":' .. service.mentor ..
    ',"periods":[0],"notes":"Welkom op maandag om 8 uur."}'
  return wrk.format("POST", "/api/v1/requests/" .. student .. "/status", {
    ["Cookie"] = "stagematch_session=" .. login.cookie,
    ["X-CSRF-Token"] = login.csrf,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  if status == 200 and pending then winners[#winners + 1] = pending.winner end
  if status ~= 200 and status ~= 409 then
    if pending and pending.again then wrapped_other = wrapped_other + 1 else other = other + 1 end
  end
  pending = nil
end

function done(summary, latency, requests)
  local all, bad, lost, past, seen, odd, odd_again = {}, 0, 0, 0, {}, 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
    odd = odd + (thread:get("other") or 0)
    odd_again = odd_again + (thread:get("wrapped_other") or 0)
    lost = lost + (thread:get("unanswered") or 0)
    past = past + (thread:get("wrapped") or 0)
    for status, count in pairs(thread:get("statuses") or {}) do
      all[status] = (all[status] or 0) + count
    end
    for _, w in ipairs(thread:get("winners") or {}) do seen[#seen + 1] = w end
  end
  -- Before the run wrk calls request() once in the first thread to check the script; that
  -- attempt was never sent, and looks unanswered.
  lost = math.max(lost - 1, 0)
  local out = assert(io.open(os.getenv("NOON_RUSH_WINNERS"), "w"))
  for _, w in ipairs(seen) do out:write(w, "\n") end
  out:close()
  local codes, total = {}, 0
  for status, count in pairs(all) do
    codes[#codes + 1] = status .. ":" .. count
    total = total + count
  end
  table.sort(codes)
  local ok, conflict = all[200] or 0, all[409] or 0
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local joined = #codes > 0 and table.concat(codes, ",") or "none"
  io.write(string.format(
    "NOONRUSH requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
    "connect=%d read=%d write=%d timeout=%d non2xx=%d statuses=%s\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect, e.read, e.write, e.timeout, bad, joined))
  io.write(string.format(
    "ACCEPT attempts=%d ok=%d conflict=%d other=%d unanswered=%d wrapped=%d wrapped_other=%d " ..
    "statuses=%s\n", total, ok, conflict, odd, lost, past, odd_again, joined))
end
