#!/usr/bin/env bash
# bench/noon_rush.sh: the noon-rush benchmark (issue 9) in one command. A round opens at 12:00
# and every service logs in and opens its list in the same minute. Installs what is missing
# (wrk, nginx, PostgreSQL 15 with pgbench, curl, jq, lua5.4, the build packages), builds
# Release, starts a throwaway PostgreSQL 15 on a free loopback port, generates ten school years
# (bench/generate_data.cpp: 120 services, about 50,000 requests), starts the real server with
# the test clock at 19/09/2025 12:00:30 (secundair round 3, an open round, opened at 12:00),
# invites and activates 4 logins for every service through the admin API (tokens from the
# maildrop), then measures with wrk on loopback and writes bench/results/noon_rush.md: every
# figure against its bar, with PASS or FAIL. Two modes, both by default:
#
#   one instance:  the login storm (480 logins at once, and the list read meanwhile), the list
#                  API and the list page at 1, 50 and 500 connections, /healthz against nginx
#                  serving the same bytes from a file, pgbench running the list's own SQL at
#                  1, 50 and 500 clients, an accept storm (64 connections, 16 services on
#                  every student) with the exactly-one-winner check in the database, and RSS;
#   two instances: the same load through nginx (deploy/nginx/stagematch.conf, ports filled in)
#                  in front of two instances on the same PostgreSQL, then kill -9 of one
#                  instance in the middle of an accept storm (no 200 may be missing from the
#                  database) and, after restarting it, of the other in the middle of a list run
#                  (GETs fail over to the survivor).
#
#   bash bench/noon_rush.sh                   # both modes, about 15 minutes on 2 cores
#   bash bench/noon_rush.sh --one-instance    # only the first
#   bash bench/noon_rush.sh --two-instances   # only the second
#
# Environment:
#   NOON_RUSH_DURATION=15s    every timed wrk and pgbench run (5s while developing)
#   NOON_RUSH_SKIP_BUILD=1    use the binaries already in NOON_RUSH_BUILD_DIR (default build)
#   NOON_RUSH_TIMEOUT=10s     wrk's per-request timeout (slower answers count as timeouts)
#   NOON_RUSH_PAUSE=3         seconds of rest between two runs
#   NOON_RUSH_RESULTS=FILE    where to write the results (default bench/results/noon_rush.md)
#   NOON_RUSH_KEEP=1          keep the temp run dir (logs, wrk output, SQL) and say where
#   NOON_RUSH_SEED=20250910   the data generator's seed
#
# The script exits 0 when it measured, whatever the figures: it is a measurement. The bars
# that failed are listed at the end. It exits non-zero only when it could not measure.
# Everything it starts (PostgreSQL, the servers, nginx, wrk) is stopped on exit, and the
# temp dir removed, also on failure or Ctrl-C.
set -euo pipefail

cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
# shellcheck source=script/lib.sh
source script/lib.sh

REPO=$PWD
PG_BIN=/usr/lib/postgresql/15/bin
LUA_DIR=$REPO/bench/noon_rush
DEPLOY_CONF=$REPO/deploy/nginx/stagematch.conf
RESULTS=${NOON_RUSH_RESULTS:-bench/results/noon_rush.md}
BUILD_DIR=${NOON_RUSH_BUILD_DIR:-build}
DURATION=${NOON_RUSH_DURATION:-15s}
WRK_TIMEOUT=${NOON_RUSH_TIMEOUT:-10s}
PAUSE=${NOON_RUSH_PAUSE:-3}  # seconds between two runs: closed connections and nginx settle
SEED=${NOON_RUSH_SEED:-20250910}
STARTUP_TIMEOUT=60
CLOCK_START=2025-09-19T12:00:30+02:00  # secundair 2025-2026 ronde_3 (open) opened at 12:00
GENERATOR_NOW="2025-09-19 12:00"       # the data as it stands when the round opens
YEAR=2025-2026
LOGINS_PER_SERVICE=4
READERS=8          # extra logins (one on each of 8 services) that read during the login storm
CONTENDERS=16      # services trying each student in the accept storm
ACCEPT_CONNECTIONS=64
PASSWORD=middag-rush-2025
ADMIN_EMAIL=beheer@noonrush.example
CONNECTION_LEVELS=(1 50 500)
PACKAGES=(postgresql wrk nginx curl jq lua5.4)

RUN_DIR=""           # temp dir: everything started here lives in it
PG_DATA=""           # set once initdb ran
PG_LOG=""
PG_PORT=""
PG_URL=""            # the database of set-up and the first mode (the second runs on a copy)
declare -A SERVER_PIDS=()   # instance name -> pid, for cleanup
declare -a NGINX_CONFS=()   # nginx configs started, for cleanup (each has its pid file)
declare -a BG_PIDS=()       # background wrk runs, for cleanup
declare -A R=()             # every figure measured, by key (written into the results)
declare -a ROWS=()          # the results tables' rows, per mode: "MODE|row"
declare -a FAILED=()        # bars that failed
declare -a NOTES=()         # what went wrong or looked odd during the run
declare -A PG_URL_OF=()     # accept storm key -> its database, when not PG_URL
NGINX_ERR_LINES=0           # lines of the second mode's nginx error log already read
RUN_ONE=1
RUN_TWO=1

# ---- housekeeping ------------------------------------------------------------------------------

# usage: the header of this file.
usage() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
}

# cleanup: on any exit, stop wrk, the servers, nginx and PostgreSQL, and remove the temp dir.
cleanup() {
  local rc=$? pid name conf
  set +e
  trap - EXIT INT TERM
  trap - ERR
  for pid in "${BG_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  for name in "${!SERVER_PIDS[@]}"; do stop_server "$name"; done
  for conf in "${NGINX_CONFS[@]}"; do stop_nginx "$conf"; done
  stop_postgres
  if [[ -n $RUN_DIR ]]; then
    if [[ -n ${NOON_RUSH_KEEP:-} ]]; then
      say "kept the run dir: $RUN_DIR"
    else
      rm -rf -- "$RUN_DIR"
    fi
  fi
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

# seconds_of DURATION: "15s", "2m" or "15" as a number of seconds.
seconds_of() {
  case $1 in
    *m) echo $((${1%m} * 60)) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}

# psql_q SQL [URL]: run SQL, print the rows unaligned, space-separated, without headers.
psql_q() {
  psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 -d "${2:-$PG_URL}" -c "$1"
}

# note TEXT: remember something that went wrong or looked odd; it goes into the results.
note() {
  say "NOTE: $*"
  NOTES+=("$*")
}

# ---- PostgreSQL --------------------------------------------------------------------------------

# start_postgres: initdb a throwaway cluster in RUN_DIR, start it on a free loopback port with
# room for 500 pgbench clients next to the servers, wait until it accepts connections, create
# the database and set PG_URL. Settings are PostgreSQL's defaults except durability (fsync off:
# nothing here must survive), max_connections and the log line prefix (the SQL capture reads
# the backend pid from it).
start_postgres() {
  local deadline=$((SECONDS + STARTUP_TIMEOUT))
  PG_PORT=$(free_port 57432)
  say "starting PostgreSQL 15 on 127.0.0.1:$PG_PORT"
  mkdir "$RUN_DIR/pg"
  PG_LOG="$RUN_DIR/pg/postgres.log"
  touch "$PG_LOG"
  [[ $EUID -eq 0 ]] && chown postgres: "$RUN_DIR/pg" "$PG_LOG"
  as_postgres "$PG_BIN/initdb" -D "$RUN_DIR/pg/data" -U postgres --auth=trust \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$RUN_DIR/logs/initdb.log" 2>&1 ||
    { cat "$RUN_DIR/logs/initdb.log" >&2; die "initdb failed"; }
  PG_DATA="$RUN_DIR/pg/data"
  as_postgres "$PG_BIN/pg_ctl" start -W -D "$PG_DATA" -l "$PG_LOG" \
    -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$RUN_DIR/pg \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=600 \
    -c log_line_prefix='%m [%p] '" >/dev/null ||
    { cat "$PG_LOG" >&2; die "pg_ctl start failed (log above)"; }
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 1; do
    if ((SECONDS >= deadline)); then
      cat "$PG_LOG" >&2
      die "PostgreSQL did not become ready within ${STARTUP_TIMEOUT}s (log above)"
    fi
    sleep 0.2
  done
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres noon_rush
  PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/noon_rush"
  say "PostgreSQL ready: $PG_URL"
}

# stop_postgres: fast shutdown of the cluster started above (immediate if that hangs).
stop_postgres() {
  [[ -n $PG_DATA && -f $PG_DATA/postmaster.pid ]] || return 0
  say "stopping PostgreSQL"
  as_postgres "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 30 >/dev/null 2>&1 ||
    as_postgres "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 30 >/dev/null 2>&1
}

# ---- the server --------------------------------------------------------------------------------

# prepare_binaries: copy the server and the generator out of the build dir (another build may
# replace them at any moment), and a snapshot of what the server reads relative to its working
# dir: workflows, rules, mail-templates, web/templates and web/static.
prepare_binaries() {
  mkdir -p "$RUN_DIR/bin" "$RUN_DIR/app/web"
  cp "$BUILD_DIR/stagematch" "$BUILD_DIR/bench/stagematch_bench_generate" "$RUN_DIR/bin/"
  R[binary]="$BUILD_DIR/stagematch, built $(date -u -r "$BUILD_DIR/stagematch" '+%Y-%m-%d %H:%M UTC')"
  cp -r workflows rules mail-templates "$RUN_DIR/app/"
  cp -r web/templates web/static "$RUN_DIR/app/web/"
}

# instance_dir NAME: the working dir of one instance: the snapshot linked in, its own var/
# (var/mail is its maildrop).
instance_dir() {
  local dir="$RUN_DIR/instances/$1" entry
  if [[ ! -d $dir ]]; then
    mkdir -p "$dir/var/mail"
    for entry in workflows rules mail-templates web; do ln -s "$RUN_DIR/app/$entry" "$dir/$entry"; done
  fi
  echo "$dir"
}

# start_server NAME PORT DB_URL: start `stagematch serve` with the test clock in its own working
# dir, log to logs/server-NAME.log, wait until /healthz answers 200.
start_server() {
  local name=$1 port=$2 db=$3 dir deadline=$((SECONDS + STARTUP_TIMEOUT))
  dir=$(instance_dir "$name")
  say "starting instance $name on 127.0.0.1:$port"
  (cd "$dir" && exec "$RUN_DIR/bin/stagematch" serve --db "$db" --listen "127.0.0.1:$port" \
    --test-clock --test-clock-start "$CLOCK_START") >>"$RUN_DIR/logs/server-$name.log" 2>&1 &
  SERVER_PIDS[$name]=$!
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz") == 200 ]]; do
    if ((SECONDS >= deadline)) || ! kill -0 "${SERVER_PIDS[$name]}" 2>/dev/null; then
      tail -n 30 "$RUN_DIR/logs/server-$name.log" >&2
      die "instance $name did not answer /healthz within ${STARTUP_TIMEOUT}s (log above)"
    fi
    sleep 0.2
  done
}

# stop_server NAME: SIGTERM (finishes requests in flight), SIGKILL after 15 s.
stop_server() {
  local pid=${SERVER_PIDS[$1]:-} i
  [[ -n $pid ]] || return 0
  unset "SERVER_PIDS[$1]"
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# kill_server NAME: kill -9, the crash the failover tests are about.
kill_server() {
  local pid=${SERVER_PIDS[$1]:-}
  [[ -n $pid ]] || return 0
  unset "SERVER_PIDS[$1]"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# memory NAME KEY: the instance's VmRSS and VmHWM (peak) from /proc in MB, stored as
# R[KEY.rss] and R[KEY.hwm].
memory() {
  local pid=${SERVER_PIDS[$1]:-}
  [[ -n $pid && -r /proc/$pid/status ]] || { note "instance $1 is gone: no RSS"; return 0; }
  R[$2.rss]=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
  R[$2.hwm]=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
}

# ---- nginx -------------------------------------------------------------------------------------

# start_nginx NAME BODY: write a complete nginx.conf for NAME around BODY (directives of the
# http block) with every path inside the run dir, test and start it.
start_nginx() {
  local name=$1 body=$2 dir="$RUN_DIR/nginx/$1"
  mkdir -p "$dir/tmp"
  cat >"$dir/nginx.conf" <<EOF
# Generated by bench/noon_rush.sh for this run only.
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
$body
}
EOF
  nginx -t -q -c "$dir/nginx.conf" 2>"$dir/test.log" ||
    { cat "$dir/test.log" >&2; die "nginx refused $dir/nginx.conf (above)"; }
  nginx -c "$dir/nginx.conf"
  NGINX_CONFS+=("$dir/nginx.conf")
}

# stop_nginx CONF: stop the nginx that runs CONF (its master's pid is in the pid file).
stop_nginx() {
  local pid_file
  pid_file="$(dirname "$1")/nginx.pid"
  [[ -f $pid_file ]] || return 0
  kill -QUIT "$(cat "$pid_file")" 2>/dev/null || true
  for _ in $(seq 50); do [[ -f $pid_file ]] || break; sleep 0.1; done
}

# bench_conf A B PORT: deploy/nginx/stagematch.conf with the two instances' ports, nginx
# listening on 127.0.0.1:PORT only, the logs in the run dir. Stops when the file does not
# have the lines this relies on, so the shipped file and the benchmark stay the same.
bench_conf() {
  local a=$1 b=$2 port=$3 dir="$RUN_DIR/nginx/two" out line
  mkdir -p "$dir"
  out="$dir/stagematch.conf"
  for line in 'server 127.0.0.1:8081 ' 'server 127.0.0.1:8082 ' 'listen 80;' 'listen \[::\]:80;' \
    '/var/log/nginx/stagematch.access.log' '/var/log/nginx/stagematch.error.log'; do
    grep -q -e "$line" "$DEPLOY_CONF" || die "$DEPLOY_CONF has no '$line' any more"
  done
  sed -e "s/server 127\.0\.0\.1:8081 /server 127.0.0.1:$a /" \
    -e "s/server 127\.0\.0\.1:8082 /server 127.0.0.1:$b /" \
    -e "s/^\( *\)listen 80;/\1listen 127.0.0.1:$port;/" \
    -e '/^ *listen \[::\]:80;/d' \
    -e "s#/var/log/nginx/#$dir/#g" "$DEPLOY_CONF" >"$out"
  echo "$out"
}

# ---- set-up: data and logins -------------------------------------------------------------------

# generate: ten school years of data, as bench/run.sh does, with the round opening as "now".
generate() {
  say "generating data (seed $SEED, now $GENERATOR_NOW)"
  R[data]=$("$RUN_DIR/bin/stagematch_bench_generate" --url "$PG_URL" --seed "$SEED" \
    --services 120 --now "$GENERATOR_NOW")
  say "${R[data]}"
  # The data as it stands at noon: the server's daily purge erased, that night, the personal
  # data whose retention was over. Without this, the first pass of the server started below
  # would do years of it during the timed runs (and the list could not reuse a page meanwhile).
  local started=$SECONDS purged
  purged=$("$RUN_DIR/bin/stagematch" purge --db "$PG_URL" --as-of "$CLOCK_START" \
    --workflows "$REPO/workflows" --rules "$REPO/rules" | sed -n 's/^samen //p')
  R[purged]="${purged:-0 aanvragen gewist}, in $((SECONDS - started)) s"
  say "retention purge as of $CLOCK_START: ${R[purged]}"
}

# api_login BASE EMAIL: log in through the API; prints "cookie csrf_token".
api_login() {
  local base=$1 email=$2 head body cookie csrf
  head=$(mktemp -p "$RUN_DIR") body=$(mktemp -p "$RUN_DIR")
  curl -s -D "$head" -o "$body" -H 'Content-Type: application/json' \
    --data "{\"email\":\"$email\",\"password\":\"$PASSWORD\"}" "$base/api/v1/login"
  cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: stagematch_session=\([^;]*\).*/\1/p' "$head" | tr -d '\r')
  csrf=$(jq -r '.csrf_token // empty' "$body" 2>/dev/null || true)
  [[ -n $cookie && -n $csrf ]] || { cat "$head" "$body" >&2; die "login of $email failed"; }
  rm -f "$head" "$body"
  echo "$cookie $csrf"
}

# curl_config_line KEY VALUE: one "key = "value"" line of a curl config file.
curl_config_line() {
  local v=${2//\\/\\\\}
  printf '%s = "%s"\n' "$1" "${v//\"/\\\"}"
}

# parallel_posts CONFIG PARALLEL: run the transfers of a curl config file PARALLEL at a time;
# prints the config's write-out per transfer (curl's exit status is not looked at: a failed
# transfer shows in its write-out).
parallel_posts() {
  curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max "$2" -K "$1" || true
}

# create_logins BASE: the first admin (CLI), then through the admin API one invitation per
# login (4 per service, plus the readers), the activation links from the maildrop, and every
# activation. Writes logins.txt ("email service_id mentor_id", storm logins) and readers.txt.
create_logins() {
  local base=$1 cookie csrf cfg codes want got deadline
  say "creating the first admin ($ADMIN_EMAIL)"
  printf '%s\n' "$PASSWORD" | (cd "$(instance_dir setup)" &&
    "$RUN_DIR/bin/stagematch" admin create --email "$ADMIN_EMAIL" --db "$PG_URL") >/dev/null
  read -r cookie csrf <<<"$(api_login "$base" "$ADMIN_EMAIL")"

  # Every service with its first contact person (the mentor of its acceptances).
  psql_q "SELECT o.id, MIN(c.id) FROM organisations o JOIN contacts c ON c.org_id = o.id
          WHERE o.type = 'service' GROUP BY o.id ORDER BY o.id" >"$RUN_DIR/services.txt"
  awk -v per="$LOGINS_PER_SERVICE" '{ for (k = 1; k <= per; k++)
        printf "dienst%s.login%d@noonrush.example %s %s\n", $1, k, $1, $2 }' \
    "$RUN_DIR/services.txt" >"$RUN_DIR/logins.txt"
  awk -v n="$READERS" 'NR % 15 == 1 && c < n { printf "dienst%s.lezer@noonrush.example %s %s\n",
        $1, $1, $2; c++ }' "$RUN_DIR/services.txt" >"$RUN_DIR/readers.txt"
  want=$(cat "$RUN_DIR/logins.txt" "$RUN_DIR/readers.txt" | wc -l)
  say "inviting $want logins through POST /api/v1/invitations (8 at a time)"
  cfg="$RUN_DIR/invite.cfg"
  : >"$cfg"
  while read -r email sid _; do
    {
      [[ -s $cfg ]] && echo next
      echo silent
      curl_config_line url "$base/api/v1/invitations"
      curl_config_line header "Content-Type: application/json"
      curl_config_line header "X-CSRF-Token: $csrf"
      curl_config_line header "Cookie: stagematch_session=$cookie"
      curl_config_line data "{\"email\":\"$email\",\"org_id\":$sid,\"role\":\"service\"}"
      curl_config_line output /dev/null
      curl_config_line write-out "%{http_code}\n"
    } >>"$cfg"
  done < <(cat "$RUN_DIR/logins.txt" "$RUN_DIR/readers.txt")
  codes=$(parallel_posts "$cfg" 8 | sort | uniq -c | tr -s ' ' | tr '\n' ',')
  [[ $codes == " $want 201," ]] || die "invitations answered: $codes (want $want x 201)"

  say "waiting for the $want activation mails in the maildrop"
  deadline=$((SECONDS + 180))
  while true; do
    got=$(activation_tokens "$(instance_dir setup)/var/mail" | wc -l)
    ((got >= want)) && break
    ((SECONDS < deadline)) || die "only $got of $want activation mails arrived in 180 s"
    sleep 1
  done
  activation_tokens "$(instance_dir setup)/var/mail" >"$RUN_DIR/tokens.txt"

  say "activating the $want logins through POST /api/v1/activate (4 at a time)"
  cfg="$RUN_DIR/activate.cfg"
  : >"$cfg"
  while read -r _ token; do
    {
      [[ -s $cfg ]] && echo next
      echo silent
      curl_config_line url "$base/api/v1/activate"
      curl_config_line header "Content-Type: application/json"
      curl_config_line data "{\"token\":\"$token\",\"password\":\"$PASSWORD\"}"
      curl_config_line output /dev/null
      curl_config_line write-out "%{http_code}\n"
    } >>"$cfg"
  done <"$RUN_DIR/tokens.txt"
  codes=$(parallel_posts "$cfg" 4 | sort | uniq -c | tr -s ' ' | tr '\n' ',')
  [[ $codes == " $want 200," ]] || die "activations answered: $codes (want $want x 200)"
}

# activation_tokens MAILDIR: "address token" for every activation mail of a noonrush login
# (quoted-printable: soft line breaks joined, =3D decoded).
activation_tokens() {
  # shellcheck disable=SC2016 # an awk program
  find "$1" -maxdepth 1 -name '*.eml' -print0 | xargs -0 -r awk '
    function flush() { if (to != "" && token != "") print to, token; to = ""; token = ""; buf = "" }
    FNR == 1 { flush() }
    { sub(/\r$/, "") }
    to == "" && /^To: / { to = $0; sub(/^To: */, "", to); gsub(/[<> ]/, "", to) }
    {
      if (sub(/=$/, "")) { buf = buf $0; next }
      line = buf $0; buf = ""
      gsub(/=3D/, "=", line)
      if (token == "" && match(line, /activeren\?token=[A-Za-z0-9_-]+/))
        token = substr(line, RSTART + 16, RLENGTH - 16)
    }
    END { flush() }' | awk '$1 ~ /@noonrush\.example$/ && $1 != "'"$ADMIN_EMAIL"'"' | sort -u
}

# open_students: the open secundair students of this school year: all of them
# (students-all.txt) for the one accept storm of the first mode, and in two halves
# (students-a.txt, students-b.txt) for the two storms of the second, on its own copy of the
# database, so that every storm fights over students nobody tried yet.
open_students() {
  psql_q "SELECT id FROM requests WHERE track = 'secundair' AND year = '$YEAR'
          AND state = 'active' AND accepted_by IS NULL ORDER BY id" >"$RUN_DIR/students-all.txt"
  R[open_students]=$(wc -l <"$RUN_DIR/students-all.txt")
  awk 'NR % 2 == 1' "$RUN_DIR/students-all.txt" >"$RUN_DIR/students-a.txt"
  awk 'NR % 2 == 0' "$RUN_DIR/students-all.txt" >"$RUN_DIR/students-b.txt"
}

# list_paths: the mix of list calls, as API paths (paths-api.txt) and the same as page paths
# (paths-page.txt): filters, sorts and pages a service uses at noon.
list_paths() {
  local school api=/api/v1/tracks/secundair/requests page=/dienst/secundair
  school=$(psql_q "SELECT school_id FROM requests WHERE track = 'secundair' AND year = '$YEAR'
                   GROUP BY school_id ORDER BY COUNT(*) DESC, school_id LIMIT 1")
  cat >"$RUN_DIR/paths-api.txt" <<EOF
$api
$api?page=2
$api?sort=name
$api?sort=-registered_at&page=3
$api?province=ANT
$api?province=OVL,WVL&sort=postal_code
$api?postal_code=9
$api?transport=fiets,openbaar_vervoer
$api?name=pe
$api?tab=accepted
$api?school=$school
$api?postal_code=20&sort=-name&page=2
EOF
  cat >"$RUN_DIR/paths-page.txt" <<EOF
$page
$page?pagina=2
$page?sorteer=naam
$page?sorteer=recent&pagina=3
$page?provincie_ANT=1
$page?provincie_OVL=1&provincie_WVL=1&sorteer=postcode
$page?postcode=9
$page?vervoer_fiets=1&vervoer_openbaar_vervoer=1
$page?naam=pe
$page?tab=aanvaard
$page?school=$school
$page?postcode=20&sorteer=naam-za&pagina=2
EOF
}

# ---- measurements ------------------------------------------------------------------------------

# read_wrk KEY FILE: the NOONRUSH (and ACCEPT) line of a wrk run into R[KEY.field].
read_wrk() {
  local key=$1 line field fields
  line=$(grep -h '^NOONRUSH ' "$2" | tail -n 1 || true)
  if [[ -z $line ]]; then
    note "$key: wrk printed no result (see its output below)"
    tail -n 5 "$2" | sed 's/^/    /' >&2
    return 0
  fi
  read -ra fields <<<"${line#NOONRUSH }"
  for field in "${fields[@]}"; do R[$key.${field%%=*}]=${field#*=}; done
  R[$key.errors]=$((${R[$key.connect]} + ${R[$key.read]} + ${R[$key.write]} + ${R[$key.timeout]}))
  # The bars count answers that were a success: 2xx per second.
  R[$key.ok_rps]=$(awk -v n="${R[$key.requests]}" -v b="${R[$key.non2xx]}" -v s="${R[$key.seconds]}" \
    'BEGIN { printf "%.1f", (s > 0 ? (n - b) / s : 0) }')
  [[ $key == two.* ]] && nginx_errors "$key"
  still_running "$key"
  line=$(grep -h '^ACCEPT ' "$2" | tail -n 1 || true)
  [[ -n $line ]] || return 0
  read -ra fields <<<"${line#ACCEPT }"
  for field in "${fields[@]}"; do R[$key.${field%%=*}]=${field#*=}; done
}

# still_running KEY: note every instance that died during run KEY (not killed by us).
still_running() {
  local name
  for name in "${!SERVER_PIDS[@]}"; do
    kill -0 "${SERVER_PIDS[$name]}" 2>/dev/null && continue
    note "$1: instance $name died during the run (its last log lines: $(tail -n 3 \
      "$RUN_DIR/logs/server-$name.log" | tr '\n' ' ' | cut -c1-300))"
    unset "SERVER_PIDS[$name]"
  done
}

# nginx_errors KEY: what nginx's error log (second mode) says about the upstreams since the last
# call, in R[KEY.nginx]: why nginx answered 502 during that run.
nginx_errors() {
  local log="$RUN_DIR/nginx/two/stagematch.error.log" total
  [[ -f $log ]] || return 0
  total=$(wc -l <"$log")
  R[$1.nginx]=$(tail -n +"$((NGINX_ERR_LINES + 1))" "$log" | awk '
    /no live upstreams/ { c["no live upstreams (every instance set aside)"]++; next }
    /prematurely closed/ { c["instance closed the connection"]++; next }
    /reset by peer/ { c["instance reset the connection"]++; next }
    /Connection refused/ { c["connection refused"]++; next }
    /timed out/ { c["timed out"]++; next }
    /temporarily disabled/ { c["instance set aside"]++; next }
    /\[(error|crit|alert|emerg)\]/ { c["other error"]++ }
    END { for (k in c) printf "%s%s: %d", (n++ ? ", " : ""), k, c[k] }')
  NGINX_ERR_LINES=$total
}

# run_wrk KEY CONNECTIONS DURATION URL SCRIPT [ENV=VALUE...]: one timed wrk run; the result in
# R[KEY.*], wrk's whole output in logs/wrk-KEY.txt.
run_wrk() {
  local key=$1 conns=$2 duration=$3 url=$4 script=$5 threads=2
  shift 5
  ((conns < threads)) && threads=$conns
  [[ $script == accept.lua ]] && threads=$conns
  env "$@" NOON_RUSH_CONNECTIONS="$conns" wrk -t "$threads" -c "$conns" -d "$duration" \
    --timeout "$WRK_TIMEOUT" --latency -s "$LUA_DIR/$script" "$url" \
    >"$RUN_DIR/logs/wrk-$key.txt" 2>&1 || note "$key: wrk exited non-zero"
  read_wrk "$key" "$RUN_DIR/logs/wrk-$key.txt"
  say "$key: $(summary "$key")"
}

# summary KEY: one line about a run, for the console.
summary() {
  printf '%s 2xx/s, p50 %s ms, p99 %s ms, socket errors %s, non-2xx %s (%s)' \
    "${R[$1.ok_rps]:-?}" "${R[$1.p50_ms]:-?}" "${R[$1.p99_ms]:-?}" "${R[$1.errors]:-?}" \
    "${R[$1.non2xx]:-?}" "${R[$1.statuses]:-?}"
}

# lists MODE BASE: the list API and the list page at 1, 50 and 500 connections.
lists() {
  local mode=$1 base=$2 c kind
  for kind in api page; do
    for c in "${CONNECTION_LEVELS[@]}"; do
      say "$mode: list ${kind/api/API} at $c connections for $DURATION"
      run_wrk "$mode.$kind.$c" "$c" "$DURATION" "$base" get.lua \
        NOON_RUSH_SESSIONS="$RUN_DIR/sessions-$mode.txt" NOON_RUSH_PATHS="$RUN_DIR/paths-$kind.txt"
      sleep "$PAUSE"
    done
  done
}

# login_config DIR BASE INDEX...: a curl config logging in those lines of logins.txt (0-based),
# each answer's headers and body in DIR/head.N and DIR/body.N; written to stdout.
login_config() {
  local dir=$1 base=$2 n=0 email first=1
  shift 2
  local -A wanted=()
  for n in "$@"; do wanted[$n]=1; done
  n=0
  while read -r email _ _; do
    if [[ -n ${wanted[$n]:-} ]]; then
      ((first)) || echo next
      first=0
      echo silent
      curl_config_line url "$base/api/v1/login"
      curl_config_line header "Content-Type: application/json"
      curl_config_line data "{\"email\":\"$email\",\"password\":\"$PASSWORD\"}"
      curl_config_line dump-header "$dir/head.$n"
      curl_config_line output "$dir/body.$n"
      curl_config_line write-out "$n %{http_code} %{time_total} %{exitcode}\n"
    fi
    n=$((n + 1))
  done <"$RUN_DIR/logins.txt"
}

# storm_sessions MODE DIR: sessions-MODE.txt ("service_id cookie csrf mentor_id email") from
# the login answers in DIR, in the order of logins.txt; prints the indexes that have none.
storm_sessions() {
  local mode=$1 dir=$2 n=0 email sid mentor cookie csrf
  : >"$RUN_DIR/sessions-$mode.txt"
  while read -r email sid mentor; do
    cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: stagematch_session=\([^;]*\).*/\1/p' \
      "$dir/head.$n" 2>/dev/null | tr -d '\r')
    csrf=$(jq -r '.csrf_token // empty' "$dir/body.$n" 2>/dev/null || true)
    if [[ -n $cookie && -n $csrf ]]; then
      echo "$sid $cookie $csrf $mentor $email" >>"$RUN_DIR/sessions-$mode.txt"
    else
      echo "$n"
    fi
    n=$((n + 1))
  done <"$RUN_DIR/logins.txt"
}

# login_storm MODE BASE: all 480 logins at once (two curl processes of 240 parallel transfers,
# each its own connection), while wrk reads the list with the readers' sessions (4
# connections). Stores the time to completion, p50/p99/max of the logins that got a 200, how
# many did not (curl's exit code for those without an answer: 7 refused, 52 empty answer, 56
# reset), and writes sessions-MODE.txt; logins that failed are retried afterwards, 4 at a time
# and untimed, so that the rest of the load has all 480 sessions.
login_storm() {
  local mode=$1 base=$2 dir half n start end wrk_pid pids=() missing round
  dir="$RUN_DIR/storm-$mode"
  mkdir -p "$dir"
  say "$mode: logging in the $READERS readers"
  : >"$RUN_DIR/readers-$mode.txt"
  while read -r email sid mentor; do
    echo "$sid $(api_login "$base" "$email") $mentor $email" >>"$RUN_DIR/readers-$mode.txt"
  done <"$RUN_DIR/readers.txt"
  n=$(wc -l <"$RUN_DIR/logins.txt")
  # Two config files of 240 transfers (curl runs at most 300 at once).
  login_config "$dir" "$base" $(seq 0 2 $((n - 1))) >"$dir/storm-0.cfg"
  login_config "$dir" "$base" $(seq 1 2 $((n - 1))) >"$dir/storm-1.cfg"

  say "$mode: login storm, $n logins at once, the list read meanwhile on 4 connections"
  NOON_RUSH_SESSIONS="$RUN_DIR/readers-$mode.txt" NOON_RUSH_PATHS="$RUN_DIR/paths-api.txt" \
    wrk -t 2 -c 4 -d 600s --timeout "$WRK_TIMEOUT" --latency -s "$LUA_DIR/get.lua" "$base" \
    >"$RUN_DIR/logs/wrk-$mode.storm_list.txt" 2>&1 &
  wrk_pid=$!
  BG_PIDS+=("$wrk_pid")
  sleep 0.3  # wrk connected
  start=$(date +%s%N)
  for half in 0 1; do
    parallel_posts "$dir/storm-$half.cfg" 300 >"$dir/times-$half.txt" &
    pids+=($!)
  done
  wait "${pids[@]}" || true  # curl exits non-zero when a transfer failed: counted below
  end=$(date +%s%N)
  kill -INT "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" 2>/dev/null || true
  read_wrk "$mode.storm_list" "$RUN_DIR/logs/wrk-$mode.storm_list.txt"

  cat "$dir"/times-*.txt | sort -n >"$dir/times.txt"
  R[$mode.storm.seconds]=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", (e - s) / 1e9 }')
  R[$mode.storm.count]=$(wc -l <"$dir/times.txt")
  R[$mode.storm.ok]=$(awk '$2 == 200' "$dir/times.txt" | wc -l)
  R[$mode.storm.failed]=$((${R[$mode.storm.count]} - ${R[$mode.storm.ok]}))
  R[$mode.storm.statuses]=$(awk '{ k = $2 == "000" ? "no answer (curl exit " $4 ")" : $2; c[k]++ }
    END { for (k in c) printf "%s%s: %d", (n++ ? ", " : ""), k, c[k] }' "$dir/times.txt")
  read -r "R[$mode.storm.p50_ms]" "R[$mode.storm.p99_ms]" "R[$mode.storm.max_ms]" < <(
    awk '$2 == 200 { print $3 * 1000 }' "$dir/times.txt" | sort -n | awk '{ v[NR] = $1 } END {
      if (NR == 0) { print "? ? ?"; exit }
      p50 = int(NR * 0.50 + 0.999); p99 = int(NR * 0.99 + 0.999)
      printf "%.0f %.0f %.0f\n", v[p50], v[p99], v[NR] }')
  R[$mode.storm.rate]=$(awk -v n="${R[$mode.storm.ok]}" -v s="${R[$mode.storm.seconds]}" \
    'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  say "$mode: login storm: ${R[$mode.storm.ok]} of ${R[$mode.storm.count]} logins done in" \
    "${R[$mode.storm.seconds]} s, p50 ${R[$mode.storm.p50_ms]} ms, p99 ${R[$mode.storm.p99_ms]} ms" \
    "(${R[$mode.storm.statuses]}); the list meanwhile: $(summary "$mode.storm_list")"

  for round in 1 2 3 4 5; do
    mapfile -t missing < <(storm_sessions "$mode" "$dir")
    ((${#missing[@]} == 0)) && break
    say "$mode: retrying the ${#missing[@]} logins that failed in the storm (round $round)"
    login_config "$dir" "$base" "${missing[@]}" >"$dir/retry-$round.cfg"
    parallel_posts "$dir/retry-$round.cfg" 4 >"$dir/retry-$round.txt" || true
  done
  R[$mode.sessions]=$(wc -l <"$RUN_DIR/sessions-$mode.txt")
  ((${R[$mode.sessions]} > 0)) || die "$mode: not one login gave a session"
  ((${R[$mode.sessions]} == n)) ||
    note "$mode: only ${R[$mode.sessions]} of $n logins gave a session, even after retries; the load runs on those"
}

# accept_storm MODE BASE SLICE KEY [KILL_INSTANCE]: 64 connections, 16 services on every
# student of students-SLICE.txt, for DURATION; with KILL_INSTANCE, kill -9 that instance half
# way. Then the database checks (check_winners).
accept_storm() {
  local mode=$1 base=$2 slice=$3 key=$4 victim=${5:-} wrk_pid half
  say "$key: accept storm, $ACCEPT_CONNECTIONS connections, $CONTENDERS services per student," \
    "for $DURATION${victim:+, kill -9 of instance $victim half way}"
  env NOON_RUSH_SESSIONS="$RUN_DIR/sessions-$mode.txt" \
    NOON_RUSH_STUDENTS="$RUN_DIR/students-$slice.txt" NOON_RUSH_CONTENDERS="$CONTENDERS" \
    NOON_RUSH_WINNERS="$RUN_DIR/winners-$key.txt" NOON_RUSH_CONNECTIONS="$ACCEPT_CONNECTIONS" \
    wrk -t "$ACCEPT_CONNECTIONS" -c "$ACCEPT_CONNECTIONS" -d "$DURATION" --timeout "$WRK_TIMEOUT" \
    --latency -s "$LUA_DIR/accept.lua" "$base" >"$RUN_DIR/logs/wrk-$key.txt" 2>&1 &
  wrk_pid=$!
  BG_PIDS+=("$wrk_pid")
  if [[ -n $victim ]]; then
    half=$(awk -v s="$(seconds_of "$DURATION")" 'BEGIN { print s / 2 }')
    sleep "$half"
    say "$key: kill -9 of instance $victim"
    kill_server "$victim"
  fi
  wait "$wrk_pid" || note "$key: wrk exited non-zero"
  read_wrk "$key" "$RUN_DIR/logs/wrk-$key.txt"
  R[$key.decided_per_s]=$(awk -v a="${R[$key.ok]:-0}" -v b="${R[$key.conflict]:-0}" \
    -v s="${R[$key.seconds]:-1}" 'BEGIN { printf "%.1f", (a + b) / s }')
  say "$key: ${R[$key.attempts]:-?} attempts, ${R[$key.decided_per_s]}/s answered 200 or 409:" \
    "${R[$key.ok]:-?} won," \
    "${R[$key.conflict]:-?} 409, ${R[$key.other]:-?} other (${R[$key.statuses]:-?})," \
    "${R[$key.unanswered]:-?} unanswered, p99 ${R[$key.p99_ms]:-?} ms"
  ((${R[$key.wrapped]:-0} == 0)) ||
    note "$key: the storm got through all its students and tried ${R[$key.wrapped]} again; those got ${R[$key.wrapped_other]:-?} answers other than 200 and 409 (a winner trying again gets 422), not counted as other"
  check_winners "$key" "$slice"
}

# check_winners KEY SLICE: in the database, after the storm KEY. A double accept would show as
# a request with more than one 'aanvaard' service status, more than one history row or audit
# entry to 'aanvaard', or an accepted_by without the matching status (or the reverse); every
# 200 the clients saw must be the stored winner of its request (R[KEY.not_stored] = 0).
check_winners() {
  local key=$1 slice=$2 db_url
  db_url=${PG_URL_OF[$key]:-$PG_URL}
  read -r "R[$key.double_status]" "R[$key.double_history]" "R[$key.double_audit]" \
    "R[$key.status_mismatch]" < <(psql_q "
    SELECT
      (SELECT COUNT(*) FROM (SELECT request_id FROM service_statuses WHERE status = 'aanvaard'
                             GROUP BY request_id HAVING COUNT(*) > 1) d),
      (SELECT COUNT(*) FROM (SELECT request_id FROM status_history WHERE to_status = 'aanvaard'
                             GROUP BY request_id HAVING COUNT(*) > 1) d),
      (SELECT COUNT(*) FROM (SELECT object_id FROM audit_log
                             WHERE action = 'status.change' AND outcome = 'ok'
                               AND object_type = 'request' AND detail LIKE '% -> aanvaard%'
                             GROUP BY object_id HAVING COUNT(*) > 1) d),
      (SELECT COUNT(*) FROM requests r FULL JOIN
              (SELECT * FROM service_statuses WHERE status = 'aanvaard') s ON s.request_id = r.id
        WHERE (r.accepted_by IS NOT NULL OR s.request_id IS NOT NULL)
          AND r.accepted_by IS DISTINCT FROM s.service_id)" "$db_url")
  if [[ -n ${R[$key.status_mismatch]:-} ]]; then
    R[$key.doubles]=$((${R[$key.double_status]} + ${R[$key.double_history]} +
      ${R[$key.double_audit]} + ${R[$key.status_mismatch]}))
  else
    note "$key: the double-accept query gave no answer"
  fi
  [[ -f $RUN_DIR/winners-$key.txt ]] || { note "$key: wrk wrote no winners"; return 0; }
  # The 200s the clients saw against the stored winners of this slice's students.
  read -r "R[$key.seen]" "R[$key.seen_requests]" "R[$key.not_stored]" "R[$key.stored]" < <(
    psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 -d "$db_url" <<EOF
CREATE TEMP TABLE seen (request_id BIGINT, service_id BIGINT);
\copy seen FROM '$RUN_DIR/winners-$key.txt' WITH (DELIMITER ' ')
CREATE TEMP TABLE slice (request_id BIGINT);
\copy slice FROM '$RUN_DIR/students-$slice.txt'
SELECT (SELECT COUNT(*) FROM seen),
       (SELECT COUNT(DISTINCT request_id) FROM seen),
       (SELECT COUNT(*) FROM seen JOIN requests r ON r.id = seen.request_id
         WHERE r.accepted_by IS DISTINCT FROM seen.service_id),
       (SELECT COUNT(*) FROM slice JOIN requests r ON r.id = slice.request_id
         WHERE r.accepted_by IS NOT NULL);
EOF
  )
  say "$key: in the database: ${R[$key.stored]} of the slice accepted, ${R[$key.seen]} 200s seen" \
    "(${R[$key.seen_requests]} requests), ${R[$key.not_stored]} of them not the stored winner;" \
    "doubles: ${R[$key.double_status]} statuses, ${R[$key.double_history]} history," \
    "${R[$key.double_audit]} audit, ${R[$key.status_mismatch]} accepted_by/status mismatches"
}

# healthz_vs_nginx MODE BASE: /healthz at 50 connections, then nginx serving its bytes from a
# file (access_log off) at 50 connections.
healthz_vs_nginx() {
  local mode=$1 base=$2 port
  mkdir -p "$RUN_DIR/static"
  curl -s -o "$RUN_DIR/static/healthz" "$base/healthz"
  chmod -R a+rX "$RUN_DIR/static"
  R[healthz_bytes]=$(wc -c <"$RUN_DIR/static/healthz")
  port=$(free_port 58480)
  start_nginx static "    access_log off;
    server {
        listen 127.0.0.1:$port;
        location = /healthz { default_type application/json; root $RUN_DIR/static; }
    }"
  [[ $(curl -s "http://127.0.0.1:$port/healthz" | cmp - "$RUN_DIR/static/healthz" && echo same) == same ]] ||
    note "nginx's /healthz differs from the server's"
  say "$mode: /healthz at 50 connections for $DURATION"
  run_wrk "$mode.healthz" 50 "$DURATION" "$base/healthz" get.lua
  sleep "$PAUSE"
  say "$mode: nginx static /healthz (the same ${R[healthz_bytes]} bytes) at 50 connections"
  run_wrk "$mode.nginx" 50 "$DURATION" "http://127.0.0.1:$port/healthz" get.lua
  stop_nginx "$RUN_DIR/nginx/static/nginx.conf"
}

# capture_sql MODE BASE: what the server sends PostgreSQL for one list call of each path of the
# mix: statement logging on for the whole cluster (ALTER SYSTEM, pg_reload_conf: it reaches the
# server's pooled connections at their next statement), each call between two marker
# statements from psql (three to ten times: until the fewest statements came twice), logging
# off again; each call follows a move of the change counter, so it reads its page from the
# database instead of the server's kept page; bench/noon_rush/capture_sql.lua turns the log into one pgbench script per path
# (sql/pNN.sql), keeping the try with the fewest statements.
capture_sql() {
  local mode=$1 base=$2 offset i=0 try path sid cookie tag
  mkdir -p "$RUN_DIR/sql"
  offset=$(stat -c %s "$PG_LOG")
  psql_q "ALTER SYSTEM SET log_statement = 'all'" >/dev/null
  psql_q "SELECT pg_reload_conf()" >/dev/null
  sleep 1
  while read -r path; do
    i=$((i + 1))
    # A different service for each path, from the sessions the load used (already warm).
    read -r sid cookie _ < <(sed -n "$((i * 37 % $(wc -l <"$RUN_DIR/sessions-$mode.txt") + 1))p" \
      "$RUN_DIR/sessions-$mode.txt")
    printf -v tag 'p%02d' "$i"
    echo "$tag $sid $path" >>"$RUN_DIR/sql/paths.txt"
    for try in 1 2 3 4 5 6 7 8 9 10; do
      # The change counter moved on, as any change would: the server keeps no page read under
      # the older number, so this call reads its page from the database.
      psql_q "SELECT nextval('request_changes')" >/dev/null
      psql_q "SELECT 'noon_rush_capture_begin_${tag}_$try'" >/dev/null
      curl -s -o /dev/null -H "Cookie: stagematch_session=$cookie" "$base$path"
      sleep 0.2
      psql_q "SELECT 'noon_rush_capture_end_${tag}_$try'" >/dev/null
      ((try >= 3)) && settled "$offset" "$tag" && break
      sleep 0.3
    done
  done <"$RUN_DIR/paths-api.txt"
  psql_q "ALTER SYSTEM RESET log_statement" >/dev/null
  psql_q "SELECT pg_reload_conf()" >/dev/null
  tail -c +"$((offset + 1))" "$PG_LOG" >"$RUN_DIR/sql/postgres.log"
  if ! lua5.4 "$LUA_DIR/capture_sql.lua" "$RUN_DIR/sql/postgres.log" "$RUN_DIR/sql" \
    >"$RUN_DIR/sql/captured.txt"; then
    note "could not read the captured SQL (sql/postgres.log): no pgbench"
    return 1
  fi
  local scenarios statements
  scenarios=$(grep -c '^scenario ' "$RUN_DIR/sql/captured.txt" || true)
  statements=$(awk '/^scenario / { s += $3 } END { print s + 0 }' "$RUN_DIR/sql/captured.txt")
  if ((scenarios != i)) || ! awk '/^scenario / && $3 == 0 { bad = 1 } END { exit bad }' \
    "$RUN_DIR/sql/captured.txt"; then
    note "the SQL of $scenarios of $i list calls was captured, or some sent none: no pgbench"
    return 1
  fi
  R[sql.scenarios]=$scenarios
  R[sql.statements]=$statements
  say "captured $statements statements for $i list calls"
}

# settled OFFSET TAG: true when the fewest statements any try of TAG logged so far were logged by
# at least two tries (background work of the server fell in neither).
settled() {
  tail -c +"$(($1 + 1))" "$PG_LOG" >"$RUN_DIR/sql/so-far.log"
  lua5.4 "$LUA_DIR/capture_sql.lua" "$RUN_DIR/sql/so-far.log" - |
    awk -v t="$2" '$1 == "try" && index($2, t "_") == 1 { n[$3]++; if (min == "" || $3 < min) min = $3 }
      END { exit !(min != "" && n[min] >= 2) }'
}

# pgbench_runs DB_URL: the captured list SQL at 1, 50 and 500 clients on the database it was
# captured from (the session rows it reads are there), the scripts mixed with equal weight as
# wrk mixes the paths. -M prepared (each statement parsed once per connection) unless a script
# holds something pgbench would take for a :variable.
pgbench_runs() {
  local url=$1 c args=() f mode=prepared seconds
  seconds=$(seconds_of "$DURATION")
  for f in "$RUN_DIR"/sql/p*.sql; do args+=(-f "$f@1"); done
  grep -q '^colon ' "$RUN_DIR/sql/captured.txt" && mode=simple
  R[pgbench.mode]=$mode
  for c in "${CONNECTION_LEVELS[@]}"; do
    say "pgbench: the list SQL at $c clients for ${seconds}s (-M $mode)"
    "$PG_BIN/pgbench" -n -M "$mode" -c "$c" -j "$((c < 2 ? 1 : 2))" -T "$seconds" "${args[@]}" \
      "$url" >"$RUN_DIR/logs/pgbench-$c.txt" 2>&1 || note "pgbench at $c clients failed"
    R[pgbench.$c.tps]=$(awk '/^tps = / { printf "%.1f", $3 }' "$RUN_DIR/logs/pgbench-$c.txt")
    R[pgbench.$c.latency]=$(awk '/^latency average/ { print $4 }' "$RUN_DIR/logs/pgbench-$c.txt")
    R[pgbench.$c.failed]=$(awk '/^number of failed transactions/ { print $5 }' \
      "$RUN_DIR/logs/pgbench-$c.txt")
    say "pgbench at $c clients: ${R[pgbench.$c.tps]:-?} tps, latency average ${R[pgbench.$c.latency]:-?} ms"
    sleep "$PAUSE"
  done
}

# ---- the two modes -----------------------------------------------------------------------------

# mode_one: everything against one instance, straight on its port.
mode_one() {
  local port base
  port=$(free_port 58080)
  base="http://127.0.0.1:$port"
  say "== one instance =="
  start_server one "$port" "$PG_URL"
  login_storm one "$base"
  lists one "$base"
  healthz_vs_nginx one "$base"
  capture_sql one "$base" && pgbench_runs "$PG_URL"
  accept_storm one "$base" all one.accept
  memory one one
  say "one: RSS ${R[one.rss]:-?} MB, peak ${R[one.hwm]:-?} MB"
  stop_server one
}

# mode_two: two instances on a fresh copy of the set-up database behind nginx with
# deploy/nginx/stagematch.conf; the same load, then the two kill -9 tests.
mode_two() {
  local a b port base url
  url="postgresql://postgres@127.0.0.1:$PG_PORT/noon_rush_two"
  a=$(free_port 58180)
  b=$(free_port $((a + 1)))
  port=$(free_port 58280)
  base="http://127.0.0.1:$port"
  say "== two instances behind nginx =="
  start_server a "$a" "$url"
  start_server b "$b" "$url"
  R[two.conf]=$(bench_conf "$a" "$b" "$port")
  start_nginx two "    include ${R[two.conf]};"
  PG_URL_OF[two.accept]=$url
  PG_URL_OF[two.accept_kill]=$url
  login_storm two "$base"
  lists two "$base"
  if ((RUN_ONE == 0)); then  # no first mode to take the database's speed from
    capture_sql two "$base" && pgbench_runs "$url"
  fi
  accept_storm two "$base" a two.accept
  memory a two.a
  memory b two.b
  say "two: RSS a ${R[two.a.rss]:-?} MB (peak ${R[two.a.hwm]:-?}), b ${R[two.b.rss]:-?} MB (peak ${R[two.b.hwm]:-?})"

  # kill -9 of a in the middle of an accept storm: no 200 may be missing from the database.
  accept_storm two "$base" b two.accept_kill a
  # a back (same port), then kill -9 of b in the middle of a list run: GETs fail over.
  start_server a "$a" "$url"
  sleep 3  # nginx's fail_timeout (2 s) for a to be tried again
  say "two: list API at 50 connections for $DURATION, kill -9 of instance b half way"
  NOON_RUSH_SESSIONS="$RUN_DIR/sessions-two.txt" NOON_RUSH_PATHS="$RUN_DIR/paths-api.txt" \
    wrk -t 2 -c 50 -d "$DURATION" --timeout "$WRK_TIMEOUT" --latency -s "$LUA_DIR/get.lua" \
    "$base" >"$RUN_DIR/logs/wrk-two.list_kill.txt" 2>&1 &
  local wrk_pid=$!
  BG_PIDS+=("$wrk_pid")
  sleep "$(awk -v s="$(seconds_of "$DURATION")" 'BEGIN { print s / 2 }')"
  say "two: kill -9 of instance b"
  kill_server b
  wait "$wrk_pid" || note "two.list_kill: wrk exited non-zero"
  read_wrk two.list_kill "$RUN_DIR/logs/wrk-two.list_kill.txt"
  say "two.list_kill: $(summary two.list_kill)"
  stop_server a
  stop_nginx "$RUN_DIR/nginx/two/nginx.conf"
}

# ---- results -----------------------------------------------------------------------------------

# bar MODE LABEL FIGURE OP LIMIT UNIT [HOW]: one row of MODE's table. OP is >= or <= (the
# ratio is figure / limit) or =0. An absent figure fails.
bar() {
  local mode=$1 label=$2 figure=$3 op=$4 limit=$5 unit=$6 how=${7:-} base=${8:-} ratio verdict
  if [[ -z $figure || $figure == "?" ]]; then
    verdict=FAIL ratio="n/a" figure="not measured"
  elif [[ $op == "=0" ]]; then
    ratio="n/a"
    verdict=$(awk -v f="$figure" 'BEGIN { print f + 0 == 0 ? "PASS" : "FAIL" }')
    figure="$figure$unit"
  elif [[ -z $limit ]]; then
    verdict=FAIL ratio="n/a" figure="$figure$unit" limit="not measured"
  else
    ratio=$(awk -v f="$figure" -v l="$limit" 'BEGIN { printf "%.2f", (l > 0 ? f / l : 0) }')
    verdict=$(awk -v f="$figure" -v l="$limit" -v op="$op" \
      'BEGIN { print (op == ">=" ? f >= l : f <= l) ? "PASS" : "FAIL" }')
    figure="$figure$unit"
    [[ -n $base ]] && figure="$figure ($(awk -v f="${figure%"$unit"}" -v b="$base" \
      'BEGIN { printf "%.2fx", (b > 0 ? f / b : 0) }'))"
  fi
  local shown_limit
  case $op in
    "=0") shown_limit="0" ;;
    *) shown_limit="$op $limit$unit${how:+ ($how)}" ;;
  esac
  ROWS+=("$mode|| $label | $figure | $shown_limit | $ratio | **$verdict** |")
  [[ $verdict == PASS ]] || FAILED+=("$mode: $label: $figure (bar $shown_limit)")
}

# mul A B: A x B, one decimal; nothing when either is missing.
mul() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") exit; printf "%.1f", a * b }'
}

# bars MODE: every bar of issue 9 for the figures of MODE (one or two).
bars() {
  local m=$1 c kind min p99 factor label
  bar "$m" "login storm: logins of ${R[$m.storm.count]:-?} without a 200" "${R[$m.storm.failed]:-}" "=0" "" ""
  bar "$m" "login storm: p99 of the ${R[$m.storm.ok]:-?} that got a 200" "${R[$m.storm.p99_ms]:-}" "<=" 2000 " ms"
  bar "$m" "list p99 during the login storm" "${R[$m.storm_list.p99_ms]:-}" "<=" 100 " ms"
  for kind in api page; do
    if [[ $kind == api ]]; then
      label="list API" min=2000 factor=0.5
    else
      label="list page" min=1600 factor=0.4
    fi
    for c in 50 500; do
      p99=$((c == 50 ? 50 : 500))
      [[ $kind == page ]] && p99=$((p99 * 6 / 5))
      bar "$m" "$label, $c conns: 2xx/s" "${R[$m.$kind.$c.ok_rps]:-}" ">=" "$min" ""
      bar "$m" "$label, $c conns: 2xx/s vs pgbench $c clients" "${R[$m.$kind.$c.ok_rps]:-}" ">=" \
        "$(mul "${R[pgbench.$c.tps]:-}" "$factor")" "" "${factor}x ${R[pgbench.$c.tps]:-?} tps" \
        "${R[pgbench.$c.tps]:-}"
      bar "$m" "$label, $c conns: p99" "${R[$m.$kind.$c.p99_ms]:-}" "<=" "$p99" " ms"
    done
    bar "$m" "$label, 500 conns: socket errors" "${R[$m.$kind.500.errors]:-}" "=0" "" ""
    bar "$m" "$label, 500 conns: non-2xx" "${R[$m.$kind.500.non2xx]:-}" "=0" "" ""
  done
  if [[ $m == one ]]; then
    bar "$m" "/healthz, 50 conns: 2xx/s vs nginx static" "${R[one.healthz.ok_rps]:-}" ">=" \
      "$(mul "${R[one.nginx.ok_rps]:-}" 0.6)" "" "0.6x ${R[one.nginx.ok_rps]:-?}/s" "${R[one.nginx.ok_rps]:-}"
  fi
  bar "$m" "accept storm: attempts/s (200 + 409)" "${R[$m.accept.decided_per_s]:-}" ">=" 1000 ""
  bar "$m" "accept storm: answers other than 200 and 409" "${R[$m.accept.other]:-}" "=0" "" ""
  bar "$m" "accept storm: double accepts in the database" "${R[$m.accept.doubles]:-}" "=0" "" ""
  bar "$m" "accept storm: 200s that are not the stored winner" "${R[$m.accept.not_stored]:-}" "=0" "" ""
  if [[ $m == one ]]; then
    bar "$m" "RSS at the end" "${R[one.rss]:-}" "<=" 100 " MB"
  else
    bar "$m" "RSS at the end, instance a" "${R[two.a.rss]:-}" "<=" 100 " MB"
    bar "$m" "RSS at the end, instance b" "${R[two.b.rss]:-}" "<=" 100 " MB"
    bar "$m" "kill -9 in an accept storm: 200s missing from the database" \
      "${R[two.accept_kill.not_stored]:-}" "=0" "" ""
    bar "$m" "kill -9 in an accept storm: double accepts" "${R[two.accept_kill.doubles]:-}" "=0" "" ""
    bar "$m" "kill -9 in a list run (50 conns): non-2xx" "${R[two.list_kill.non2xx]:-}" "=0" "" ""
  fi
}

# figures MODE: the table of every run of MODE as measured.
figures() {
  local m=$1 c kind key
  echo "| run | 2xx/s | all answers/s | p50 | p90 | p99 | max | socket errors (c/r/w/t) | non-2xx | statuses |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|---:|---|"
  for kind in api page; do
    for c in "${CONNECTION_LEVELS[@]}"; do
      row "list ${kind/api/API}, $c conns" "$m.$kind.$c"
    done
  done
  row "list API during the login storm, 4 conns" "$m.storm_list"
  if [[ $m == one ]]; then
    row "/healthz, 50 conns" one.healthz
    row "nginx static /healthz, 50 conns" one.nginx
  fi
  row "accept storm, 64 conns" "$m.accept"
  if [[ $m == two ]]; then
    row "accept storm, 64 conns, kill -9 of a half way" two.accept_kill
    row "list API, 50 conns, kill -9 of b half way" two.list_kill
  fi
  if [[ $m == two ]]; then
    echo
    echo "What nginx's error log says about the instances during each run:"
    echo
    echo "| run | nginx error log |"
    echo "|---|---|"
    for key in two.storm_list two.api.1 two.api.50 two.api.500 two.page.1 two.page.50 two.page.500 \
      two.accept two.accept_kill two.list_kill; do
      echo "| \`$key\` | ${R[$key.nginx]:-nothing} |"
    done
  fi
  echo
  key=$m.storm
  echo "Login storm: ${R[$key.count]:-?} logins sent at once (each its own connection);" \
    "the last answer came after ${R[$key.seconds]:-?} s; ${R[$key.ok]:-?} got a 200" \
    "(${R[$key.rate]:-?} logins/s), latency of those p50 ${R[$key.p50_ms]:-?} ms, p99" \
    "${R[$key.p99_ms]:-?} ms, max ${R[$key.max_ms]:-?} ms. Answers: ${R[$key.statuses]:-?}" \
    "(curl exit 7: connection refused, 52: closed without an answer, 56: reset)."
  for key in "$m.accept" $([[ $m == two ]] && echo two.accept_kill); do
    echo
    echo "Accept storm \`$key\`: ${R[$key.attempts]:-?} attempts in ${R[$key.seconds]:-?} s," \
      "${R[$key.decided_per_s]:-?}/s answered 200 or 409: ${R[$key.ok]:-?} won (200), ${R[$key.conflict]:-?}" \
      "409 already_accepted, ${R[$key.other]:-?} other (${R[$key.statuses]:-?})," \
      "${R[$key.unanswered]:-?} unanswered (connection broke). In the database afterwards:" \
      "${R[$key.stored]:-?} students of the storm accepted; ${R[$key.seen]:-?} 200s seen for" \
      "${R[$key.seen_requests]:-?} requests, ${R[$key.not_stored]:-?} of them not the stored" \
      "winner; requests with more than one 'aanvaard' status ${R[$key.double_status]:-?}," \
      "with more than one history row to 'aanvaard' ${R[$key.double_history]:-?}, with more" \
      "than one audit entry of an acceptance ${R[$key.double_audit]:-?}, accepted_by not" \
      "matching the 'aanvaard' status ${R[$key.status_mismatch]:-?}."
  done
  echo
  if [[ $m == one ]]; then
    echo "RSS at the end: ${R[one.rss]:-?} MB (peak VmHWM ${R[one.hwm]:-?} MB)."
  else
    echo "RSS at the end of the load (before the kill tests): instance a ${R[two.a.rss]:-?} MB" \
      "(peak ${R[two.a.hwm]:-?} MB), instance b ${R[two.b.rss]:-?} MB (peak ${R[two.b.hwm]:-?} MB)."
  fi
}

# row LABEL KEY: one run's figures.
row() {
  local k=$2
  if [[ -z ${R[$k.rps]:-} ]]; then
    echo "| $1 | not measured | | | | | | | | |"
    return
  fi
  echo "| $1 | ${R[$k.ok_rps]} | ${R[$k.rps]} | ${R[$k.p50_ms]} ms | ${R[$k.p90_ms]} ms | ${R[$k.p99_ms]} ms |" \
    "${R[$k.max_ms]} ms | ${R[$k.errors]} (${R[$k.connect]}/${R[$k.read]}/${R[$k.write]}/${R[$k.timeout]}) |" \
    "${R[$k.non2xx]} | ${R[$k.statuses]} |"
}

# machine: one line about where this ran.
machine() {
  local cpu mem
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  printf '%s CPUs (nproc; %s), %s memory, %s, load average before the run: %s' \
    "$(nproc)" "${cpu:-unknown CPU}" "$mem" "$(uname -sr)" "${R[load]}"
}

# versions: the programs measured and measuring.
versions() {
  printf '%s; nginx %s; %s; curl %s; Poco %s; libpq %s; Boost %s; %s' \
    "$("$PG_BIN/postgres" --version)" \
    "$(nginx -v 2>&1 | sed 's#.*nginx/##')" \
    "$( (wrk -v 2>&1 || true) | head -n 1 | cut -d' ' -f1-2)" \
    "$(curl --version | head -n 1 | cut -d' ' -f2)" \
    "$(dpkg-query -W -f='${Version}' libpoco-dev 2>/dev/null || echo '?')" \
    "$(dpkg-query -W -f='${Version}' libpq5 2>/dev/null || echo '?')" \
    "$(dpkg-query -W -f='${Version}' libboost-dev 2>/dev/null || echo '?')" \
    "$(dpkg-query -W -f='lua5.4 ${Version}' lua5.4 2>/dev/null || echo 'lua5.4')"
}

# write_results: bench/results/noon_rush.md.
write_results() {
  local when commit changes="" r m seconds tag sid path minutes rest tries
  when=$(date -u '+%Y-%m-%d %H:%M UTC')
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
  git diff --quiet HEAD -- 2>/dev/null || changes=", with uncommitted changes"
  seconds=$(seconds_of "$DURATION")
  minutes=$((R[elapsed] / 60)) rest=$((R[elapsed] % 60))
  mkdir -p "$(dirname "$RESULTS")"
  {
    cat <<EOF
# The noon rush: round opening on one instance and on two behind nginx

Made by \`${R[command]}\` on $when (git $commit$changes), in $minutes min $rest s.

Machine: $(machine). Server, database, nginx and the load generators all share these CPUs:
expect noise, above all in p99.

Server: ${R[binary]}, copied into the run dir before the run.
Versions: $(versions).

Data: ${R[data]:-not generated}. ${R[open_students]:-?} open secundair students in $YEAR.
Personal data past its retention (2 years after its school year) on the test clock's day
erased beforehand by \`stagematch purge --as-of $CLOCK_START\`, as the server's daily purge
would have done that night: ${R[purged]:-not run}.
Test clock at $CLOCK_START: secundair round 3 (open: every request nobody accepted yet)
opened at 12:00. 120 services with $LOGINS_PER_SERVICE logins each (480), invited through
\`POST /api/v1/invitations\` and activated with the token from the maildrop; $READERS more
logins (one each on $READERS services) only read during the login storm, because a new login
ends the older session of the same login.

Each timed run lasts $DURATION; wrk's timeout is $WRK_TIMEOUT (a slower answer counts as a
timeout error). Every request carries a session cookie; the cookie changes on every request,
going round the 480 sessions (wrk's Lua has no per-connection state), and the path goes round
the 12 of the mix (below), shifted on every pass, so each service asks for each path.
Socket errors are wrk's connect/read/write/timeout; non-2xx counts every answer outside
200-299 (3xx too), counted by the Lua script; the throughput bars count 2xx answers per second
(a fast 502 from nginx is no answer). Latency percentiles are wrk's, over all answers.

EOF
    for m in one two; do
      [[ $m == one && $RUN_ONE == 0 || $m == two && $RUN_TWO == 0 ]] && continue
      if [[ $m == one ]]; then
        echo "## One instance, straight on its port"
      else
        echo "## Two instances behind nginx (deploy/nginx/stagematch.conf), one PostgreSQL"
        echo
        echo "A fresh copy of the database as it was after the set-up (no sessions, no storm" \
          "accepts), both instances started on it, nginx $(nginx -v 2>&1 | sed 's#.*nginx/##')" \
          "with the shipped file, only the ports and log paths changed."
        ((RUN_ONE)) && echo "pgbench figures are the one-instance ones (the same data, the same run)."
      fi
      echo
      echo "| bar | figure | limit | figure / limit | |"
      echo "|---|---:|---|---:|---|"
      for r in "${ROWS[@]}"; do [[ ${r%%|*} == "$m" ]] && echo "|${r#*||}"; done
      echo
      echo "### Every run"
      echo
      figures "$m"
      echo
    done
    if [[ -n ${R[sql.scenarios]:-} ]]; then
      cat <<EOF
## pgbench: the list's own SQL

| clients | tps | latency average | failed |
|---:|---:|---:|---:|
EOF
      for c in "${CONNECTION_LEVELS[@]}"; do
        echo "| $c | ${R[pgbench.$c.tps]:-not measured} | ${R[pgbench.$c.latency]:-?} ms | ${R[pgbench.$c.failed]:-0} |"
      done
      cat <<EOF

How the SQL was captured: with the load over, \`ALTER SYSTEM SET log_statement = 'all'\` and
\`SELECT pg_reload_conf()\` (it reaches the server's pooled connections at their next
statement); then, for each of the 12 paths of the mix, with a different service's warm session
each, one \`GET\` of the list API between two marker statements sent by psql, right after
\`SELECT nextval('request_changes')\` (what every change to requests does: the server keeps a
service's page while that counter stands still, so without it the call would send the database
only the counter read; with it, the call reads its page from the database as it does after
every change, and that is what pgbench runs);
then \`ALTER SYSTEM RESET log_statement\`. bench/noon_rush/capture_sql.lua reads the log:
every statement a backend other than psql's logged between the markers, simple protocol
(\`statement:\`) and extended (\`execute\`, the \`DETAIL: parameters\` values put in place of
\$1, \$2, ...), in the order sent, BEGIN and COMMIT included, DEALLOCATE left out (pgbench
prepares its own statements); each call is made three to ten times, until the fewest
statements were seen twice, and that try is kept (the server's background work, round mails
and the outbox, can fall between the markers; in steady state the calls are as warm as these). So the session lookup, the
user and organisation reads and whatever else the server runs for a list call are in the
script exactly as often as the server ran them. pgbench runs the 12 scripts with equal weight:
\`pgbench -n -M ${R[pgbench.mode]:-prepared} -c C -j 2 -T $seconds -f p01.sql@1 ... -f p12.sql@1\`
(-M prepared: each statement parsed once per connection, the fastest the database can do this
work). ${R[sql.statements]:-?} statements for ${R[sql.scenarios]:-?} calls:

| statement (literals as ?; the first 100 characters) | calls it is in | times per call |
|---|---:|---:|
EOF
      awk '$1 == "shape" { k = $0; sub(/^shape [^ ]+ /, "", k); if (!((k, $2) in seen)) { seen[k, $2] = 1; calls[k]++ }
          times[k]++; if (!(k in order)) { order[k] = ++n; keys[n] = k } }
        $1 == "scenario" { scenarios++ }
        END { for (i = 1; i <= n; i++) { k = keys[i]; gsub(/[|]/, "\\|", k)
          printf "| `%s` | %d of %d | %.0f |\n", k, calls[keys[i]], scenarios, times[keys[i]] / calls[keys[i]] } }' \
        "$RUN_DIR/sql/captured.txt"
      cat <<EOF

The calls (the session of a different service each), and how many statements each try of the
call logged (the fewest were kept):

| path | service | statements per try |
|---|---:|---|
EOF
      while read -r tag sid path; do
        tries=$(awk -v t="$tag" '$1 == "try" && index($2, t "_") == 1 { printf "%s%s", (n++ ? ", " : ""), $3 }' \
          "$RUN_DIR/sql/captured.txt")
        echo "| \`${path}\` | $sid | $tries |"
      done <"$RUN_DIR/sql/paths.txt"
      echo
    fi
    cat <<EOF
## How it was measured

\`\`\`sh
stagematch serve --db postgresql://... --listen 127.0.0.1:PORT --test-clock \\
    --test-clock-start $CLOCK_START            # from a working dir in the temp dir
# login storm: 480 x POST /api/v1/login at once, two curl processes of 240 transfers:
curl -s --parallel --parallel-immediate --parallel-max 300 -K storm-N.cfg
#   meanwhile, until the last login answered:
wrk -t 2 -c 4 -d 600s --timeout $WRK_TIMEOUT --latency -s bench/noon_rush/get.lua URL  # stopped by SIGINT
# list API and page, C = 1, 50, 500 (one thread for C = 1):
wrk -t 2 -c C -d $DURATION --timeout $WRK_TIMEOUT --latency -s bench/noon_rush/get.lua URL
# /healthz and nginx (worker_processes auto, access_log off) serving its bytes from a file:
wrk -t 2 -c 50 -d $DURATION --timeout $WRK_TIMEOUT --latency -s bench/noon_rush/get.lua URL/healthz
# accept storm: one connection per thread, so each answer belongs to the request before it:
wrk -t 64 -c 64 -d $DURATION --timeout $WRK_TIMEOUT --latency -s bench/noon_rush/accept.lua URL
\`\`\`

Paths of the mix (API; the page gets the same filters in its own parameters):
$(awk '{ printf "%s`%s`", (NR > 1 ? ", " : ""), $0 }' "$RUN_DIR/paths-api.txt").

Accept storm: \`POST /api/v1/requests/ID/status\` \`{"status":"aanvaard","mentor_id":M,
"periods":[0],"notes":...}\` with the service's first contact person as mentor. The open
students of $YEAR are all fought over in the one-instance storm; the two-instance storms (on
their own copy of the database) take half of them each. $CONTENDERS different services try
each student (each once), at about the same moment. Afterwards, in the database: requests with
more than one \`aanvaard\` service status, more than one \`status_history\` row to
\`aanvaard\`, more than one audit entry of an acceptance, or an \`accepted_by\` that does not
match the \`aanvaard\` status (either way) are double accepts (over the whole database); and
every (request, service) that got a 200 is compared with \`requests.accepted_by\`.

EOF
    if ((${#NOTES[@]})); then
      echo "## Notes from the run"
      echo
      for r in "${NOTES[@]}"; do echo "- $r"; done
      echo
    fi
    echo "## Failed bars"
    echo
    if ((${#FAILED[@]})); then
      for r in "${FAILED[@]}"; do echo "- $r"; done
    else
      echo "None: every bar passed."
    fi
  } >"$RESULTS"
}

# ---- main --------------------------------------------------------------------------------------

main() {
  local arg base port started=$SECONDS
  R[command]="$( (env | grep '^NOON_RUSH_' || true) | sort | tr '\n' ' ')bash bench/noon_rush.sh${*:+ $*}"
  for arg in "$@"; do
    case $arg in
      --one-instance) RUN_TWO=0 ;;
      --two-instances) RUN_ONE=0 ;;
      -h | --help) usage; exit 0 ;;
      *) usage >&2; die "unknown option: $arg" ;;
    esac
  done
  R[load]=$(cut -d' ' -f1-3 /proc/loadavg)
  install_packages "${BUILD_PACKAGES[@]}" "${PACKAGES[@]}"
  if [[ -z ${NOON_RUSH_SKIP_BUILD:-} ]]; then
    [[ $BUILD_DIR == build ]] || die "NOON_RUSH_BUILD_DIR is only for NOON_RUSH_SKIP_BUILD=1"
    build_release
  fi
  [[ -x $BUILD_DIR/stagematch && -x $BUILD_DIR/bench/stagematch_bench_generate ]] ||
    die "no $BUILD_DIR/stagematch or $BUILD_DIR/bench/stagematch_bench_generate: build first"
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

  set -E
  trap 'printf "error: line %s: %s failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  RUN_DIR=$(mktemp -d -t stagematch-noon-rush.XXXXXX)
  chmod 0755 "$RUN_DIR"
  mkdir "$RUN_DIR/logs"
  prepare_binaries
  start_postgres
  generate

  # Set-up on one instance: the logins, then a pristine copy of the database for mode two.
  port=$(free_port 58080)
  base="http://127.0.0.1:$port"
  start_server setup "$port" "$PG_URL"
  create_logins "$base"
  stop_server setup
  open_students
  list_paths
  if ((RUN_TWO)); then
    psql_q "CREATE DATABASE noon_rush_two TEMPLATE noon_rush" >/dev/null
  fi

  ((RUN_ONE)) && mode_one
  ((RUN_TWO)) && mode_two

  ((RUN_ONE)) && bars one
  ((RUN_TWO)) && bars two
  R[elapsed]=$((SECONDS - started))
  write_results
  cat "$RESULTS"
  say "wrote $RESULTS"
  if ((${#FAILED[@]})); then
    say "${#FAILED[@]} bars failed:"
    printf '  %s\n' "${FAILED[@]}"
  else
    say "every bar passed"
  fi
}

main "$@"
