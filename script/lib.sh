# shellcheck shell=bash
# Shared helpers for script/server and script/test. Sourced, never run on its own.
# Callers set `set -euo pipefail` and cd to the repository root before using these.

# shellcheck disable=SC2034 # BUILD_PACKAGES, TEST_PACKAGES and FORMAT_PACKAGES are used by the callers.

# Debian packages needed to build build/stagematch (and its GoogleTest suites).
BUILD_PACKAGES=(
  cmake g++ ninja-build pkg-config
  libpoco-dev libyaml-cpp-dev liblua5.4-dev libboost-dev libsodium-dev
  libgtest-dev libkainjow-mustache-dev libxlsxwriter-dev libpq-dev libsqlite3-dev
)

# Extra Debian packages for script/test: PostgreSQL 15, python3 (the security suite and the
# fault tests), the SMTP capture, python-stdnum (the national register number cross-check),
# Node.js, systemd (systemd-analyze for the unit), and for the fuzz targets clang 16 with
# libFuzzer and the sanitizer runtimes, and llvm-symbolizer for their reports
# (tests/fuzz/README.md: why 16, not 14).
TEST_PACKAGES=(postgresql python3 python3-aiosmtpd python3-stdnum nodejs npm curl systemd
  clang-16 libclang-rt-16-dev llvm-16)
# The calendar feed's independent reader (tests/agenda_ics.py).
TEST_PACKAGES+=(python3-icalendar)

# script/format and script/test's formatting check: clang-format 14 only, since other versions
# lay out the same code differently.
FORMAT_PACKAGES=(clang-format-14)

# say MESSAGE: print one progress line, so the output tells what is being done.
say() {
  printf '==> %s\n' "$*"
}

# die MESSAGE: print an error to stderr and stop with status 1.
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# as_root CMD...: run a command as root (directly when we are root, else through sudo).
as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# package_present PKG: true when PKG is installed. Node.js and npm also count as present
# when their commands exist (e.g. a NodeSource nodejs that bundles npm and conflicts with
# Debian's npm package: installing that one would replace the machine's Node.js).
package_present() {
  case $1 in
    nodejs) command -v node >/dev/null && return 0 ;;
    npm) command -v npm >/dev/null && return 0 ;;
  esac
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# install_packages PKG...: apt-get install the missing ones; apt-get update once first.
install_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    package_present "$pkg" || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    say "system packages present"
    return 0
  fi
  say "installing ${missing[*]}"
  if [[ -z ${STAGEMATCH_APT_UPDATED:-} ]]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    STAGEMATCH_APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
}

# build_release: configure and build the Release preset (binary build/stagematch, 2 jobs).
build_release() {
  say "configuring (cmake --preset release)"
  cmake --preset release
  say "building (cmake --build --preset release)"
  cmake --build --preset release
  [[ -x build/stagematch ]] || die "build finished but build/stagematch is missing"
}

# build_dev: configure and build the dev preset in build-dev/: Debug with AddressSanitizer and
# UndefinedBehaviorSanitizer, warnings as errors (2 jobs).
build_dev() {
  say "configuring (cmake --preset dev: ASan, UBSan, warnings as errors)"
  cmake --preset dev
  say "building (cmake --build --preset dev)"
  cmake --build --preset dev
}
