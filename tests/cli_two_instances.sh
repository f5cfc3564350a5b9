#!/usr/bin/env bash
# Two `stagematch serve` instances on one PostgreSQL database, as behind nginx: a login on one
# ends the older session on both (at once where it happened, within the stated 5 s on the
# other), and a calendar published through one applies on the other without a restart (within
# the stated 2 s). Needs STAGEMATCH_TEST_PG (script/test starts PostgreSQL).
set -euo pipefail
bin=$1
cd "$2"
: "${STAGEMATCH_TEST_PG:?run through script/test, which starts PostgreSQL}"
work=$(mktemp -d)
pids=()
schema="two_instances_$$"
psql -q "$STAGEMATCH_TEST_PG" -c "CREATE SCHEMA $schema" >/dev/null
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$STAGEMATCH_TEST_PG" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
db="$STAGEMATCH_TEST_PG?schema=$schema"

fail() {
  echo "FAIL: $*"
  for f in "$work"/*.log; do echo "--- $f"; tail -20 "$f"; done
  exit 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "admin-wachtwoord-lang" | "$bin" admin create --email beheer@fonds.be --db "$db" >/dev/null
declare -A port
for name in a b; do
  port[$name]=$(free_port)
  (cd "$work" && mkdir -p "$name" && cd "$name" && ln -s "$2/web" web && exec "$bin" serve --db "$db" \
    --listen "127.0.0.1:${port[$name]}" --workflows "$2/workflows" --rules "$2/rules" \
    --mail-templates "$2/mail-templates") >"$work/$name.log" 2>&1 &
  pids+=($!)
done
for name in a b; do
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:${port[$name]}/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -sf "http://127.0.0.1:${port[$name]}/healthz" >/dev/null || fail "instance $name did not start"
done

# login NAME COOKIEJAR: logs the admin in on instance NAME; prints the CSRF token.
login() {
  curl -sf -c "$2" -H 'content-type: application/json' \
    -d '{"email":"beheer@fonds.be","password":"admin-wachtwoord-lang"}' \
    "http://127.0.0.1:${port[$1]}/api/v1/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])'
}
# status NAME COOKIEJAR: the status of GET /api/v1/me on instance NAME with that cookie.
status() {
  curl -s -o /dev/null -w '%{http_code}' -b "$2" "http://127.0.0.1:${port[$1]}/api/v1/me"
}

# 1. The session of a login on a is valid on b too (sessions live in the database).
csrf=$(login a "$work/first")
[[ $(status a "$work/first") == 200 ]] || fail "first session refused on a"
[[ $(status b "$work/first") == 200 ]] || fail "first session refused on b"

# 2. Logging in again, on b, ends the first session: at once on b, within 5 s on a.
login b "$work/second" >/dev/null
[[ $(status b "$work/first") == 401 ]] || fail "b still accepts the replaced session"
ended=""
for i in $(seq 1 70); do
  if [[ $(status a "$work/first") == 401 ]]; then ended=$i; break; fi
  sleep 0.1
done
[[ -n $ended ]] || fail "a still accepted the replaced session 7 s after the login on b"
((ended <= 60)) || fail "a accepted the replaced session for $((ended / 10)) s (stated: 5 s)"
body=$(curl -s -b "$work/first" "http://127.0.0.1:${port[a]}/api/v1/me")
grep -q '"session_replaced"' <<<"$body" || fail "a does not say why: $body"
[[ $(status a "$work/second") == 200 ]] || fail "the new session is refused on a"

# 3. A calendar published through a applies on b without a restart.
csrf=$(login a "$work/third")
sed -e 's/2025/2030/g; s/2026/2031/g' workflows/calendars/secundair/2025-2026.yaml >"$work/2030-2031.yaml"
published=$(curl -s -o "$work/publish.json" -w '%{http_code}' -X PUT -b "$work/third" \
  -H "X-CSRF-Token: $csrf" -H 'content-type: application/x-yaml' --data-binary @"$work/2030-2031.yaml" \
  "http://127.0.0.1:${port[a]}/api/v1/admin/calendars/secundair/2030-2031")
[[ $published == 200 ]] || fail "publishing answered $published: $(cat "$work/publish.json")"
curl -sf "http://127.0.0.1:${port[a]}/healthz" | grep -q '"secundair/2030-2031"' ||
  fail "a does not serve the calendar it published"
seen=""
for i in $(seq 1 60); do
  if curl -sf "http://127.0.0.1:${port[b]}/healthz" | grep -q '"secundair/2030-2031"'; then seen=$i; break; fi
  sleep 0.1
done
[[ -n $seen ]] || fail "b did not take over the calendar published on a within 6 s"
grep -q "gepubliceerde kalenders gewijzigd" "$work/b.log" || fail "b did not log the change"
echo "two instances: session replaced on both (after $((ended * 100)) ms on the other), calendar on both (after $((seen * 100)) ms)"
