#!/usr/bin/env bash
# `stagematch serve` started from another folder finds its templates and static files next to
# the program (<bindir>/../web) and answers pages with 200; --web-root, web-root in --config and
# STAGEMATCH_WEB_ROOT choose another folder; a folder without templates stops the start with a
# Dutch message instead of a server that answers every page with 500.
set -euo pipefail
bin=$(realpath "$1")
src=$(realpath "$2")
work=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; [[ -f $work/log ]] && cat "$work/log"; exit 1; }
cd "$work"  # no web/ here

# serve ARGS...: starts the server on a free port, waits for /healthz; sets pid and port.
serve() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$bin" serve --db "sqlite:$work/db/stagematch.db" --listen "127.0.0.1:$port" \
    --workflows "$src/workflows" --rules "$src/rules" --mail-templates "$src/mail-templates" \
    "$@" 2>"$work/log" &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || fail "serve $* stopped"
    sleep 0.1
  done
  fail "serve $* did not answer"
}
stop() { kill -TERM "$pid"; wait "$pid" || true; pid=; }
status_of() { curl -s -o "$work/body" -w '%{http_code}' "http://127.0.0.1:$port$1"; }

serve
[[ $(status_of /login) == 200 ]] || fail "/login from $work: $(status_of /login) $(cat "$work/body")"
grep -q '<h1' "$work/body" || fail "/login is not a page"
[[ $(status_of /static/app.css) == 200 ]] || fail "/static/app.css from $work"
[[ $(status_of /bestaat-niet) == 404 ]] || fail "unknown page is not a 404"
grep -q 'site-footer' "$work/body" || fail "the 404 page lacks the layout"
stop

# A web root of one's own, by option, configuration file and environment.
cp -r "$src/web" "$work/eigen-web"
sed -i 's|</main>|<p>eigen web root</p></main>|' "$work/eigen-web/templates/_bottom.mustache"
serve --web-root eigen-web
status_of /login >/dev/null
grep -q 'eigen web root' "$work/body" || fail "--web-root (relative) was not used"
stop
printf 'web-root = %s\n' "$work/eigen-web" >"$work/stagematch.conf"
serve --config "$work/stagematch.conf"
status_of /login >/dev/null
grep -q 'eigen web root' "$work/body" || fail "web-root in --config was not used"
stop
STAGEMATCH_WEB_ROOT="$work/eigen-web" serve
status_of /login >/dev/null
grep -q 'eigen web root' "$work/body" || fail "STAGEMATCH_WEB_ROOT was not used"
stop

# A folder without templates: no start, and a message that says why.
set +e
out=$("$bin" serve --db "sqlite:$work/db/stagematch.db" --listen 127.0.0.1:0 \
  --workflows "$src/workflows" --rules "$src/rules" --web-root "$work/leeg" 2>&1)
rc=$?
set -e
[[ $rc -ne 0 ]] || fail "serve started without templates"
grep -q "geen sjablonen gevonden in $work/leeg/templates" <<<"$out" || fail "message: $out"
echo "serve: web root found from another folder, chosen by option, file and environment"
