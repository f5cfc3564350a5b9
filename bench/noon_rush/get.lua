-- bench/noon_rush/get.lua: the wrk script for every GET of bench/noon_rush.sh.
--
-- With NOON_RUSH_SESSIONS (a file of "service_id cookie csrf mentor_id email" lines) and
-- NOON_RUSH_PATHS (a file of paths, one a line) each request takes the next path of the mix and
-- another service's session cookie. The pairing shifts on every pass over the sessions, so every
-- service asks for every path. wrk's Lua has no per-connection state: the cookie goes round
-- per request, not per connection. Without NOON_RUSH_SESSIONS wrk sends its own static request
-- (the URL on its command line: /healthz, the nginx static file).
--
-- Every answer that is not 2xx counts as a failure, 3xx included (a redirect to /login is a lost
-- session); wrk's own "Non-2xx or 3xx responses" counts only 4xx and 5xx. done() prints one line:
--   NOONRUSH requests=N seconds=S rps=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
--     connect=.. read=.. write=.. timeout=.. non2xx=N statuses=200:N,302:N
-- for bench/noon_rush.sh to read.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local sessions_file = os.getenv("NOON_RUSH_SESSIONS")
local paths_file = os.getenv("NOON_RUSH_PATHS")
local cookies, paths = {}, {}
local n = 0
statuses = {}
non2xx = 0

function init(args)
  if sessions_file then
    for line in io.lines(sessions_file) do
      local cookie = line:match("^%S+%s+(%S+)")
      if cookie then cookies[#cookies + 1] = cookie end
    end
    for line in io.lines(paths_file) do
      if line ~= "" then paths[#paths + 1] = line end
    end
    -- Threads start at different places, so they do not ask the same thing at the same time.
    n = id * 7919
  end
end

if sessions_file then
  function request()
    n = n + 1
    local cookie = cookies[(n % #cookies) + 1]
    local path = paths[((n + math.floor(n / #cookies)) % #paths) + 1]
    return wrk.format("GET", path, { ["Cookie"] = "stagematch_session=" .. cookie })
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

-- The NOONRUSH line: wrk's summary plus the status counts of every thread.
function done(summary, latency, requests)
  local bad, all = 0, {}
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
    for status, count in pairs(thread:get("statuses") or {}) do
      all[status] = (all[status] or 0) + count
    end
  end
  local codes = {}
  for status, count in pairs(all) do codes[#codes + 1] = status .. ":" .. count end
  table.sort(codes)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "NOONRUSH requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
    "connect=%d read=%d write=%d timeout=%d non2xx=%d statuses=%s\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect, e.read, e.write, e.timeout, bad,
    #codes > 0 and table.concat(codes, ",") or "none"))
end
