#!/usr/bin/env bash
# `stagematch serve --config FILE`: a wrong setting stops the start with FILE:LINE and exit 2;
# the shipped example is accepted; the command line wins over the environment, and the
# environment over the file.
set -euo pipefail
bin=$1
cd "$2"
work=$(mktemp -d)
pid=""
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
fail() { echo "FAIL: $*"; [[ -f $work/serve.log ]] && tail -20 "$work/serve.log"; exit 1; }

printf 'db = sqlite:%s/x.db\nluister = 127.0.0.1:8080\nworkers = veel\n' "$work" >"$work/bad.conf"
rc=0
out=$("$bin" serve --config "$work/bad.conf" 2>&1) || rc=$?
[[ $rc == 2 ]] || fail "a wrong config file: exit $rc"
grep -qF "$work/bad.conf:2: onbekende instelling 'luister'" <<<"$out" || fail "no position: $out"
grep -qF "$work/bad.conf:3: workers verwacht een getal van 1 tot 256" <<<"$out" || fail "$out"
rc=0
out=$(STAGEMATCH_BASE_URL=ftp://x "$bin" serve --db "sqlite:$work/x.db" 2>&1) || rc=$?
[[ $rc == 2 ]] && grep -qF "STAGEMATCH_BASE_URL: base-url verwacht" <<<"$out" || fail "bad env: $rc $out"
[[ ! -e $work/x.db ]] || fail "a refused start created the database"

# started: wait for /healthz on PORT
started() {
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
stop() { kill "$pid"; wait "$pid" || true; pid=""; }

file_port=$(free_port)
env_port=$(free_port)
line_port=$(free_port)
sed "s|^db = .*|db = sqlite:$work/live.db|; s|^smtp = .*||; s|^starttls = .*||" \
  deploy/stagematch.conf.example >"$work/stagematch.conf"
sed -i "s|^workflows = .*|workflows = $PWD/workflows|; s|^rules = .*|rules = $PWD/rules|; s|^mail-templates = .*|mail-templates = $PWD/mail-templates|" "$work/stagematch.conf"
echo "listen = 127.0.0.1:$file_port" >>"$work/stagematch.conf"

"$bin" serve --config "$work/stagematch.conf" >"$work/serve.log" 2>&1 &
pid=$!
started "$file_port" || fail "the example configuration does not start on its listen"
footer=$(curl -sf "http://127.0.0.1:$file_port/login")
grep -q "02/250 37 77" <<<"$footer" || fail "the helpdesk from the file is not in the footer"
stop

STAGEMATCH_LISTEN="127.0.0.1:$env_port" "$bin" serve --config "$work/stagematch.conf" >"$work/serve.log" 2>&1 &
pid=$!
started "$env_port" || fail "STAGEMATCH_LISTEN does not win over the file"
stop

STAGEMATCH_LISTEN="127.0.0.1:$env_port" STAGEMATCH_HELPDESK_PHONE="09/999 99 99" \
  "$bin" serve --config "$work/stagematch.conf" --listen "127.0.0.1:$line_port" >"$work/serve.log" 2>&1 &
pid=$!
started "$line_port" || fail "--listen does not win over the environment"
grep -q "09/999 99 99" <<<"$(curl -sf "http://127.0.0.1:$line_port/login")" || fail "env helpdesk phone"
stop
echo "serve --config: positions for wrong settings; command line > environment > file"
