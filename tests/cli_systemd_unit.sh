#!/usr/bin/env bash
# deploy/systemd/stagematch@.service as systemd reads it: `systemd-analyze verify` on an
# instance of the template, with the program path pointed at the built binary, prints nothing
# (it exits 0 even on a key it ignores, so any output fails); a unit with a bad value is
# noticed, so the check can fail; and every option the unit passes to `stagematch serve` is one
# the program knows.
set -euo pipefail
bin=$1
cd "$2"
unit=deploy/systemd/stagematch@.service
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is missing (Debian package systemd)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

verify() {  # verify FILE: what systemd-analyze says of an instance of that template
  mkdir -p "$work/$1.d"
  sed "s|/opt/stagematch/bin/stagematch|$bin|" "$2" >"$work/$1.d/stagematch@.service"
  ln -sf stagematch@.service "$work/$1.d/stagematch@8081.service"
  SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no "$work/$1.d/stagematch@8081.service" 2>&1 || true
}

said=$(verify shipped "$unit")
[[ -z $said ]] || { echo "systemd-analyze verify on $unit:"; echo "$said"; exit 1; }

sed 's/^Restart=on-failure/Restart=sometimes/' "$unit" >"$work/broken.service"
said=$(verify broken "$work/broken.service")
[[ -n $said ]] || { echo "a bad Restart= value went unnoticed: the check cannot fail"; exit 1; }

usage=$("$bin" --help 2>&1 || true)
for option in $(sed -n '/^ExecStart=/,/^[^ ]/p' "$unit" | grep -o -- '--[a-z-]*' | sort -u); do
  grep -q -- "\[$option[] ]" <<<"$usage" || { echo "stagematch serve does not know $option"; exit 1; }
done
echo "systemd unit: verified, and every serve option it passes exists"
