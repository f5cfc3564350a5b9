#!/usr/bin/env bash
# Back up and restore, as README "Back up and restore" tells an operator to: a running server's
# database is copied (SQLite: `stagematch backup` while the server answers; PostgreSQL:
# pg_dump, then pg_restore into a fresh database), a server is started on the copy, and
# nothing is lost: every table holds the same rows, the same logins work and the same lists
# and exports come out. The PostgreSQL half runs when STAGEMATCH_TEST_PG is set (script/test).
set -euo pipefail
bin=$1
src=$2
cd "$src"
work=$(mktemp -d)
pids=()
pg_databases=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for d in "${pg_databases[@]}"; do
    psql -q "$STAGEMATCH_TEST_PG" -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  for f in "$work"/*.log; do [[ -f $f ]] && { echo "--- $f"; tail -20 "$f"; }; done
  exit 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# serve NAME DB: start a server on DB, wait for /healthz, set PORT.
serve() {
  PORT=$(free_port)
  "$bin" serve --db "$2" --listen "127.0.0.1:$PORT" --workflows workflows --rules rules \
    >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "$1 did not start"
}

# snapshot NAME: what the demo's users read through the API, into $work/NAME.snapshot.
snapshot() {
  local out="$work/$1.snapshot" who
  : >"$out"
  for who in beheerder dienst school; do
    rm -f "$work/cookies"
    curl -sf -c "$work/cookies" -H 'content-type: application/json' \
      -d "{\"email\":\"$who@demo.stagematch.be\",\"password\":\"stagematch-demo\"}" \
      "http://127.0.0.1:$PORT/api/v1/login" >/dev/null || fail "$1: $who cannot log in"
    for track in secundair duaal cvo dubbele_finaliteit; do
      echo "== $who $track" >>"$out"
      curl -sf -b "$work/cookies" "http://127.0.0.1:$PORT/api/v1/tracks/$track/requests?page_size=200" \
        >>"$out" || fail "$1: $who $track list"
      echo >>"$out"
    done
  done
  rm -f "$work/cookies"
  curl -sf -c "$work/cookies" -H 'content-type: application/json' \
    -d '{"email":"beheerder@demo.stagematch.be","password":"stagematch-demo"}' \
    "http://127.0.0.1:$PORT/api/v1/login" >/dev/null
  echo "== export" >>"$out"
  curl -sf -b "$work/cookies" "http://127.0.0.1:$PORT/api/v1/admin/export.csv" >>"$out" ||
    fail "$1: admin export"
}

# stop_all: stop every server started so far.
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}

# settled CMD...: wait until CMD (a fingerprint of timed_events) prints the same twice in a row.
# The scheduler's first pass after start-up claims the demo's due round mails; a copy is
# compared with the live database after the server stops, so it is taken once that work is done.
settled() {
  local before after
  for _ in $(seq 1 60); do
    before=$("$@")
    sleep 0.5
    after=$("$@")
    [[ $before == "$after" ]] && return 0
  done
  fail "the scheduler kept changing timed_events"
}

# ---- SQLite: an online copy while the server answers ------------------------------------------
"$bin" demo --db "sqlite:$work/live.db" >/dev/null
serve live "sqlite:$work/live.db"
snapshot live
settled python3 -c 'import sqlite3, sys; print(sorted(sqlite3.connect(sys.argv[1]).execute("SELECT * FROM timed_events")))' "$work/live.db"
# The copy is taken while requests keep arriving.
( for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; done ) &
copy=$("$bin" backup --db "sqlite:$work/live.db" --to "$work/copy.db") || fail "backup: $copy"
wait $! || true
grep -q "kopie gemaakt" <<<"$copy" || fail "backup said: $copy"
again=$("$bin" backup --db "sqlite:$work/live.db" --to "$work/copy.db" 2>&1) && fail "overwrote a backup"
grep -q "bestaat al" <<<"$again" || fail "second backup: $again"
stop_all
python3 - "$work/live.db" "$work/copy.db" <<'PY' || fail "the SQLite copy differs"
import sqlite3, sys
def dump(path):
    db = sqlite3.connect(path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    return {t: sorted(map(repr, db.execute(f'SELECT * FROM "{t}"'))) for t in tables}
a, b = dump(sys.argv[1]), dump(sys.argv[2])
if a != b:
    for t in sorted(set(a) | set(b)):
        if a.get(t) != b.get(t):
            print("table differs:", t, len(a.get(t, [])), len(b.get(t, [])))
    sys.exit(1)
print("sqlite: %d tables, %d rows, identical" % (len(a), sum(map(len, a.values()))))
PY
serve restored "sqlite:$work/copy.db"
snapshot restored
stop_all
cmp -s "$work/live.snapshot" "$work/restored.snapshot" ||
  { diff "$work/live.snapshot" "$work/restored.snapshot" | head -20; fail "the restored SQLite server answers differently"; }
echo "sqlite: backup taken while serving, restored server answers the same"

# ---- PostgreSQL: pg_dump, pg_restore into a fresh database -----------------------------------
if [[ -z ${STAGEMATCH_TEST_PG:-} ]]; then
  echo "PostgreSQL half skipped: STAGEMATCH_TEST_PG is not set"
  exit 0
fi
PATH="/usr/lib/postgresql/15/bin:$PATH"
base=${STAGEMATCH_TEST_PG%/*}
live_db="backup_live_$$"
copy_db="backup_copy_$$"
pg_databases=("$live_db" "$copy_db")
psql -q "$STAGEMATCH_TEST_PG" -c "CREATE DATABASE $live_db" >/dev/null
"$bin" demo --db "$base/$live_db" >/dev/null
serve pg_live "$base/$live_db"
snapshot pg_live
settled psql -At "$base/$live_db" -c "SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM timed_events x"
pg_dump --format=custom --file="$work/stagematch.dump" "$base/$live_db" || fail "pg_dump"
stop_all
psql -q "$STAGEMATCH_TEST_PG" -c "CREATE DATABASE $copy_db" >/dev/null
pg_restore --no-owner --dbname="$base/$copy_db" "$work/stagematch.dump" || fail "pg_restore"
tables_of() {
  psql -At "$1" -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
}
[[ $(tables_of "$base/$live_db") == $(tables_of "$base/$copy_db") ]] || fail "other tables after restore"
rows=0
for t in $(tables_of "$base/$live_db"); do
  a=$(psql -At "$base/$live_db" -c "SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')), count(*) FROM \"$t\" x")
  b=$(psql -At "$base/$copy_db" -c "SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')), count(*) FROM \"$t\" x")
  [[ $a == "$b" ]] || fail "table $t differs after restore: $a vs $b"
  rows=$((rows + ${a#*|}))
done
# Sequences go along, so the next registration gets a new id, not one already taken.
for s in $(psql -At "$base/$live_db" -c "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"); do
  a=$(psql -At "$base/$live_db" -c "SELECT last_value FROM \"$s\"")
  b=$(psql -At "$base/$copy_db" -c "SELECT last_value FROM \"$s\"")
  [[ $a == "$b" ]] || fail "sequence $s: $a vs $b"
done
serve pg_restored "$base/$copy_db"
snapshot pg_restored
cmp -s "$work/pg_live.snapshot" "$work/pg_restored.snapshot" ||
  { diff "$work/pg_live.snapshot" "$work/pg_restored.snapshot" | head -20; fail "the restored PostgreSQL server answers differently"; }
echo "postgresql: $rows rows dumped and restored, restored server answers the same"
