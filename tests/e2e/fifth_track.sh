#!/usr/bin/env bash
# The fifth track (tests/fixtures/lokale_partnerschappen) through the real `stagematch serve`:
# once on SQLite, once on PostgreSQL (STAGEMATCH_TEST_PG; skipped without it). Mails go to the
# server's var/mail, where fifth_track.py reads the activation links.
set -euo pipefail
bin=$1
src=$2
fixture="$src/tests/fixtures/lokale_partnerschappen"
work=$(mktemp -d)
pid=""
schema="fifth_track_$$"
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  if [[ -n ${STAGEMATCH_TEST_PG:-} ]]; then
    psql -q "$STAGEMATCH_TEST_PG" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# run NAME DB: one server on DB with the fifth track, driven by fifth_track.py.
run() {
  local name=$1 db=$2 dir="$work/$1"
  mkdir -p "$dir"
  ln -s "$src/web" "$dir/web"
  echo "een-lang-wachtwoord-123" | "$bin" admin create --email beheer@vivo.test --db "$db" >/dev/null
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd "$dir" && exec "$bin" serve --db "$db" --listen "127.0.0.1:$port" \
    --workflows "$fixture/workflows" --rules "$fixture/rules" --mail-templates "$src/mail-templates" \
    --test-clock --test-clock-start 2026-10-01T10:00:00+02:00) >"$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  if ! python3 "$src/tests/e2e/fifth_track.py" "http://127.0.0.1:$port" "$dir/var/mail"; then
    echo "--- server log ($name) ---"
    tail -40 "$dir/server.log"
    exit 1
  fi
  if grep -q "85073003328" "$dir/server.log"; then
    echo "the server log ($name) contains a national register number"
    exit 1
  fi
  kill "$pid"
  wait "$pid" || true
  pid=""
  echo "$name: ok"
}

run sqlite "sqlite:$work/fifth.db"
if [[ -n ${STAGEMATCH_TEST_PG:-} ]]; then
  psql -q "$STAGEMATCH_TEST_PG" -c "CREATE SCHEMA $schema" >/dev/null
  run postgresql "$STAGEMATCH_TEST_PG?schema=$schema"
else
  echo "postgresql: skipped (STAGEMATCH_TEST_PG is not set)"
fi
