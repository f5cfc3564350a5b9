#!/usr/bin/env bash
# `stagematch serve`: /healthz names the loaded calendars, unknown paths are a JSON 404 with
# the security headers, and SIGTERM stops the server with exit status 0.
set -euo pipefail
bin=$1
cd "$2"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
work=$(mktemp -d)
# A folder that does not exist yet: serve makes it, as on a fresh checkout without var/.
"$bin" serve --db "sqlite:$work/nieuw/stagematch.db" --listen "127.0.0.1:$port" --workflows workflows \
  --rules rules 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$log" "$work"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
health=$(curl -sf "http://127.0.0.1:$port/healthz")
for calendar in secundair/2025-2026 duaal/2025-2026 cvo/2022-2023 dubbele_finaliteit/2026-2027; do
  grep -q "\"$calendar\"" <<<"$health" || { echo "healthz lacks $calendar: $health"; exit 1; }
done
headers=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/nergens?rrn=85073003328")
grep -q "^HTTP/1.1 404" <<<"$headers" || { echo "unknown path is not a 404: $headers"; exit 1; }
for h in Content-Security-Policy X-Content-Type-Options Referrer-Policy; do
  grep -qi "^$h:" <<<"$headers" || { echo "missing $h on an error response"; exit 1; }
done
grep -q "frame-ancestors 'none'" <<<"$headers" || { echo "CSP lacks frame-ancestors"; exit 1; }
grep -q "script-src 'none'" <<<"$headers" || { echo "CSP allows scripts: $headers"; exit 1; }
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
[[ $status -eq 0 ]] || { echo "serve exited $status after SIGTERM"; cat "$log"; exit 1; }
grep -qE "^method=GET path=\"/healthz\" status=200 ms=[0-9]+ route=\"/healthz\" id=[0-9a-f]{8}-[0-9]{6}$" "$log" || { echo "no request log line"; cat "$log"; exit 1; }
if grep -q "85073003328" "$log"; then echo "the request log contains a query string"; exit 1; fi
echo "serve: healthz, 404, headers, request log and SIGTERM ok"
