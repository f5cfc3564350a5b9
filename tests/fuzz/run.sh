#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS]: build the fuzz targets with clang into build-fuzz/ and run each
# for an equal share of SECONDS (default 60) from its seed corpus in tests/fuzz/corpus/TARGET/
# (and the dictionary tests/fuzz/TARGET.dict, when there).
# What a run discovers goes to a temp dir that is removed afterwards; the seeds stay as they are.
# Exits non-zero when any target reports a crash, leak, timeout, out-of-memory or sanitizer
# error, after printing the report and the path of the input that caused it
# (build-fuzz/artifacts/TARGET/). Reproduce with: build-fuzz/TARGET_fuzzer PATH
#
# FUZZ_TARGETS="json multipart" runs only those; CXX_FUZZ names the clang (default clang++-16).
set -euo pipefail

cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/../.."
# shellcheck source=script/lib.sh
source script/lib.sh

TOTAL_SECONDS=${1:-60}
read -ra TARGETS <<<"${FUZZ_TARGETS:-definition json multipart query_cookie validators}"
BUILD_DIR=build-fuzz
CORPUS_DIR=tests/fuzz/corpus
RUN_DIR=""
# Sanitizer reports name file and line only through llvm-symbolizer (Debian's llvm-16).
SYMBOLIZER=/usr/lib/llvm-16/bin/llvm-symbolizer
[[ -x $SYMBOLIZER ]] || SYMBOLIZER=$(command -v llvm-symbolizer || true)

cleanup() {
  [[ -n $RUN_DIR ]] && rm -rf -- "$RUN_DIR"
}

build() {
  say "building the fuzz targets (clang, libFuzzer, ASan, UBSan) in $BUILD_DIR/"
  cmake -S tests/fuzz -B "$BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER="${CXX_FUZZ:-clang++-16}" \
    >"$RUN_DIR/configure.log" 2>&1 || { cat "$RUN_DIR/configure.log" >&2; return 1; }
  cmake --build "$BUILD_DIR" --parallel 2
}

# The value of libFuzzer's final statistic NAME (e.g. number_of_executed_units) in LOG.
stat_of() {
  sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

# run_target NAME SECONDS: fuzz one target; print one summary line; false on any finding.
run_target() {
  local name=$1 seconds=$2 binary="$BUILD_DIR/${1}_fuzzer" artifacts="$BUILD_DIR/artifacts/$1"
  local work="$RUN_DIR/$name" log="$RUN_DIR/$name.log" rc=0 options=()
  [[ -f tests/fuzz/$name.dict ]] && options+=(-dict="tests/fuzz/$name.dict")
  mkdir -p -- "$work" "$artifacts"
  rm -f -- "$artifacts"/*
  # The temp dir comes first: libFuzzer writes the inputs it finds into its first corpus dir.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ASAN_SYMBOLIZER_PATH=$SYMBOLIZER \
    "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    "${options[@]}" -artifact_prefix="$artifacts/" "$work" "$CORPUS_DIR/$name" >"$log" 2>&1 ||
    rc=$?
  local coverage
  coverage=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 || true)
  printf '%-14s %4ss  %10s runs  %s\n' "$name" "$seconds" \
    "$(stat_of number_of_executed_units "$log")" "${coverage:-cov: ?}"
  if ((rc != 0)); then
    say "FAILED: ${name}_fuzzer exited with $rc; its report:"
    # From the sanitizer's or libFuzzer's first error line on; the progress lines before it
    # tell nothing about the failure.
    local report
    report=$(sed -n '/ERROR: \|runtime error: \|_fuzzer: \|==[0-9]*== *ERROR/,$p' "$log" | head -n 150)
    printf '%s\n' "${report:-$(tail -n 60 "$log")}" >&2
    local input
    for input in "$artifacts"/*; do
      [[ -e $input ]] && printf 'input that failed: %s (rerun: %s %s)\n' "$input" "$binary" "$input" >&2
    done
    return 1
  fi
}

main() {
  trap cleanup EXIT
  RUN_DIR=$(mktemp -d -t stagematch-fuzz.XXXXXX)
  build
  local per=$((TOTAL_SECONDS / ${#TARGETS[@]})) name failed=0
  ((per >= 1)) || per=1
  say "fuzzing ${TARGETS[*]}: ${per}s each"
  for name in "${TARGETS[@]}"; do
    run_target "$name" "$per" || failed=1
  done
  if ((failed)); then
    say "fuzzing FAILED"
    return 1
  fi
  say "fuzzing found nothing"
}

main "$@"
