#!/usr/bin/env bash
# Starts the real `stagematch serve` (fresh SQLite, --test-clock, --smtp to the capture server
# that script/test runs) and drives it with e2e_mail.py. Needs STAGEMATCH_TEST_SMTP and
# STAGEMATCH_TEST_MAILDIR.
set -euo pipefail
bin=$1
cd "$2"
: "${STAGEMATCH_TEST_SMTP:?run through script/test, which starts the SMTP capture server}"
: "${STAGEMATCH_TEST_MAILDIR:?run through script/test}"
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pid=""
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
echo 'geheim-wachtwoord-123' | "$bin" admin create --email admin@vivo.test --db "sqlite:$work/db.sqlite"
"$bin" serve --db "sqlite:$work/db.sqlite" --listen "127.0.0.1:$port" --smtp "$STAGEMATCH_TEST_SMTP" \
  --test-clock --test-clock-start 2025-06-01T09:00:00+02:00 >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
if ! python3 tests/e2e/e2e_mail.py "http://127.0.0.1:$port" "$STAGEMATCH_TEST_MAILDIR"; then
  echo "--- server log ---"
  cat "$work/server.log"
  exit 1
fi
if grep -q "85073003328" "$work/server.log"; then
  echo "the server log contains a national register number"
  exit 1
fi
