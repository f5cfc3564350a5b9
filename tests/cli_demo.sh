#!/usr/bin/env bash
# `stagematch demo` then `stagematch serve` on that database, as script/server does: the demo
# loads once (a second run changes nothing), its calendars are kept in the database and hold
# after a start (cvo has no calendar for this school year in workflows/), and a demo service
# logs in and sees the open round's students.
set -euo pipefail
bin=$1
cd "$2"
work=$(mktemp -d)
pid=""
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
db="sqlite:$work/demo.db"

first=$("$bin" demo --db "$db")
grep -q "demogegevens geladen: 48 leerlingen" <<<"$first" || { echo "first run: $first"; exit 1; }
for login in beheerder@ school@ school2@ dienst@ dienst2@ dienst3@; do
  grep -q "  ${login}demo.stagematch.be" <<<"$first" || { echo "no login $login: $first"; exit 1; }
done
second=$("$bin" demo --db "$db")
grep -q "niets veranderd" <<<"$second" || { echo "second run: $second"; exit 1; }
grep -q "dienst3@demo.stagematch.be" <<<"$second" || { echo "second run lacks the logins"; exit 1; }

year=$(python3 -c 'import datetime as d; t=d.date.today(); y=t.year if t.month>=9 else t.year-1; print(f"{y}-{y+1}")')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --workflows workflows --rules rules \
  >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
health=$(curl -sf "http://127.0.0.1:$port/healthz")
for track in secundair duaal dubbele_finaliteit cvo; do
  grep -q "\"$track/$year\"" <<<"$health" || { echo "healthz lacks $track/$year: $health"; exit 1; }
done
curl -sf -c "$work/cookies" -H 'content-type: application/json' \
  -d '{"email":"dienst@demo.stagematch.be","password":"stagematch-demo"}' \
  "http://127.0.0.1:$port/api/v1/login" >/dev/null || { echo "demo service cannot log in"; exit 1; }
list=$(curl -sf -b "$work/cookies" "http://127.0.0.1:$port/api/v1/tracks/cvo/requests")
grep -q '"total":11' <<<"$list" || { echo "the demo service's cvo list: $list"; exit 1; }
if grep -q "niet geladen" "$work/serve.log"; then cat "$work/serve.log"; exit 1; fi
echo "demo: loaded once, calendars kept, service sees the open round"
