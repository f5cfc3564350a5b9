#!/usr/bin/env bash
# bench/run.sh: the one command behind bench/results/list_query.md. Installs what is missing
# (PostgreSQL 15 with pgbench, strace), builds the benchmark programs (Release preset), starts a
# throwaway PostgreSQL 15 on a free loopback port, generates ten school years of data, measures
# the service list through our store and bare with pgbench, writes the results file and stops
# PostgreSQL again, whatever happens.
#
#   bash bench/run.sh   # about 2 minutes once built; building first adds a few on 2 cores
#
# Environment: STAGEMATCH_BENCH_ITERATIONS (default 1000 timed calls per side and scenario),
# STAGEMATCH_BENCH_ROUNDS (default 20), STAGEMATCH_BENCH_SEED (default 20250910).
set -euo pipefail

cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
# shellcheck source=script/lib.sh
source script/lib.sh

PG_BIN=/usr/lib/postgresql/15/bin
RESULTS=bench/results/list_query.md
BIN=build/bench
ITERATIONS=${STAGEMATCH_BENCH_ITERATIONS:-1000}
ROUNDS=${STAGEMATCH_BENCH_ROUNDS:-20}
SEED=${STAGEMATCH_BENCH_SEED:-20250910}
STARTUP_TIMEOUT=30
RUN_DIR=""  # temp dir: PostgreSQL's data dir and log, pgbench scripts and logs
PG_DATA=""  # set once initdb ran
PG_LOG=""
PG_URL=""
OURS_SENDS=""            # round trips per list call, counted by round_trips
declare -A BARE_SENDS=()  # the same for pgbench, per protocol

# cleanup: on any exit, stop PostgreSQL and remove the temp dir.
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  stop_postgres
  [[ -n $RUN_DIR ]] && rm -rf -- "$RUN_DIR"
  exit "$rc"
}

# as_postgres CMD...: run a command as the postgres system user (as ourselves when not root).
as_postgres() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# port_in_use PORT: true when something accepts connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port FIRST: print the first port from FIRST upward that nothing listens on.
free_port() {
  local port
  for ((port = $1; port < $1 + 100; port++)); do
    port_in_use "$port" || { echo "$port"; return 0; }
  done
  die "no free port in $1..$(($1 + 99))"
}

# start_postgres: initdb a throwaway cluster in RUN_DIR, start it on a free loopback port, wait
# until it accepts connections, create stagematch_bench and set PG_URL. Settings are
# PostgreSQL's defaults except durability (fsync off: nothing here must survive).
start_postgres() {
  local port deadline=$((SECONDS + STARTUP_TIMEOUT))
  port=$(free_port 56432)
  say "starting PostgreSQL 15 on 127.0.0.1:$port"
  mkdir "$RUN_DIR/pg"
  PG_LOG="$RUN_DIR/pg/postgres.log"
  touch "$PG_LOG"
  if [[ $EUID -eq 0 ]]; then
    chown postgres: "$RUN_DIR/pg" "$PG_LOG"
  fi
  as_postgres "$PG_BIN/initdb" -D "$RUN_DIR/pg/data" -U postgres --auth=trust \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$RUN_DIR/initdb.log" 2>&1 ||
    { cat "$RUN_DIR/initdb.log" >&2; die "initdb failed"; }
  PG_DATA="$RUN_DIR/pg/data"
  as_postgres "$PG_BIN/pg_ctl" start -W -D "$PG_DATA" -l "$PG_LOG" \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$RUN_DIR/pg \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null ||
    { cat "$PG_LOG" >&2; die "pg_ctl start failed (log above)"; }
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1; do
    if ((SECONDS >= deadline)); then
      cat "$PG_LOG" >&2
      die "PostgreSQL did not become ready within ${STARTUP_TIMEOUT}s (log above)"
    fi
    sleep 0.2
  done
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres stagematch_bench
  PG_URL="postgresql://postgres@127.0.0.1:$port/stagematch_bench"
  say "PostgreSQL ready: $PG_URL"
}

# stop_postgres: fast shutdown of the cluster started above (immediate if that hangs).
stop_postgres() {
  [[ -n $PG_DATA && -f $PG_DATA/postmaster.pid ]] || return 0
  say "stopping PostgreSQL"
  as_postgres "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 30 >/dev/null 2>&1 ||
    as_postgres "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 30 >/dev/null 2>&1
}

# sends CMD...: how many times CMD sent something to the network (sendto/sendmsg, all threads).
sends() {
  local trace="$RUN_DIR/strace.txt"
  strace -f -qq -e trace=sendto,sendmsg -o "$trace" "$@" >/dev/null
  grep -c -E '(sendto|sendmsg)\(' "$trace"
}

# per_call SMALL LARGE: sends per call from runs of 20 and 220 calls.
per_call() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 200 }'
}

# round_trips: sends per list call, ours and bare in both protocols, as the difference between
# runs of 20 and 220 calls (so connecting and start-up cancel out).
round_trips() {
  local script="$RUN_DIR/out/preferred_province.sql" mode
  OURS_SENDS=$(per_call "$(sends "$BIN/stagematch_bench_list" probe --url "$PG_URL" --calls 20)" \
    "$(sends "$BIN/stagematch_bench_list" probe --url "$PG_URL" --calls 220)")
  for mode in simple extended; do
    BARE_SENDS[$mode]=$(per_call \
      "$(sends "$PG_BIN/pgbench" -n -M "$mode" -f "$script" -t 20 -c 1 "$PG_URL")" \
      "$(sends "$PG_BIN/pgbench" -n -M "$mode" -f "$script" -t 220 -c 1 "$PG_URL")")
  done
}

# machine: one line about where this ran.
machine() {
  local cpu mem
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  printf '%s CPUs (nproc; %s), %s memory, %s, load average before the run: %s' \
    "$(nproc)" "${cpu:-unknown CPU}" "$mem" "$(uname -sr)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# write_results REPORT: the results file, from the benchmark's report and what run.sh knows.
write_results() {
  local report=$1 when commit changes="" postgres poco per_round=$((ITERATIONS / ROUNDS))
  when=$(date -u '+%Y-%m-%d %H:%M UTC')
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
  git diff --quiet HEAD -- 2>/dev/null || changes=", with uncommitted changes"
  postgres=$("$PG_BIN/postgres" --version)
  poco=$(dpkg-query -W -f='${Version}' libpoco-dev 2>/dev/null || echo '?')
  {
    cat <<EOF
# Service list on PostgreSQL: our store vs the bare query

Made by \`bash bench/run.sh\` on $when (git $commit$changes).

Machine: $(machine). Shared with other work: expect noise, above all in p99.

Server: $postgres, a throwaway cluster on 127.0.0.1 (TCP loopback), default settings except
fsync, synchronous_commit and full_page_writes off (no effect on these read-only calls).
Client: Release build, Poco $poco (Debian 12), one pooled session, on the same machine.

## Commands

\`\`\`sh
cmake --preset release
cmake --build --preset release --target stagematch_bench_generate stagematch_bench_list
$BIN/stagematch_bench_generate --url $PG_URL --seed $SEED
$BIN/stagematch_bench_list measure --url $PG_URL \\
    --server-log PGDATA/postgres.log --out OUT --report report.md \\
    --iterations $ITERATIONS --rounds $ROUNDS --pgbench $PG_BIN/pgbench
#   which, per scenario and round, runs for MODE in simple and extended
#   $PG_BIN/pgbench -n -M MODE -f OUT/SCENARIO.sql -t $((per_round + 10)) -c 1 -l \\
#       --log-prefix=OUT/SCENARIO_MODE_rN URL
strace -f -e trace=sendto,sendmsg $BIN/stagematch_bench_list probe --url URL --calls 20  # and 220
strace -f -e trace=sendto,sendmsg $PG_BIN/pgbench -n -M MODE -f OUT/preferred_province.sql \\
    -t 20 -c 1 URL  # and 220
\`\`\`

Data: $GENERATED

EOF
    cat "$report"
    printf '## Round trips\n\n'
    if [[ -n $OURS_SENDS ]]; then
      cat <<EOF
Network sends per list call of preferred_province, counted with strace as (sends of 220 calls -
sends of 20 calls) / 200, so connecting and start-up cancel out. libpq sends once for every
request it then waits on, so sends are round trips.

| side | round trips per call |
|---|---:|
| ours: Store::requests() | $OURS_SENDS |
| bare: pgbench -n -M simple | ${BARE_SENDS[simple]} |
| bare: pgbench -n -M extended | ${BARE_SENDS[extended]} |
EOF
    else
      printf 'Not counted (strace missing).\n'
    fi
  } >"$RESULTS"
}

main() {
  install_packages "${BUILD_PACKAGES[@]}" postgresql strace
  say "configuring (cmake --preset release)"
  cmake --preset release >/dev/null
  say "building the benchmark (cmake --build --preset release --target ...)"
  cmake --build --preset release --target stagematch_bench_generate stagematch_bench_list
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  RUN_DIR=$(mktemp -d -t stagematch-bench.XXXXXX)
  chmod 0755 "$RUN_DIR"
  start_postgres
  say "generating data (seed $SEED)"
  GENERATED=$("$BIN/stagematch_bench_generate" --url "$PG_URL" --seed "$SEED")
  say "$GENERATED"
  say "measuring ($ITERATIONS calls per side and scenario, $ROUNDS rounds)"
  "$BIN/stagematch_bench_list" measure --url "$PG_URL" --server-log "$PG_LOG" \
    --out "$RUN_DIR/out" --report "$RUN_DIR/report.md" --iterations "$ITERATIONS" \
    --rounds "$ROUNDS" --pgbench "$PG_BIN/pgbench" >/dev/null
  if command -v strace >/dev/null; then
    say "counting round trips (strace)"
    round_trips
  fi
  mkdir -p "$(dirname "$RESULTS")"
  write_results "$RUN_DIR/report.md"
  cat "$RESULTS"
  say "wrote $RESULTS"
}

main "$@"
