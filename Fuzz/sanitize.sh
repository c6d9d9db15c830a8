#!/usr/bin/env bash
# Runs the test suite under the sanitizers (Docs/reliability.md). Each sanitizer has its own build
# folder (.build-asan, .build-tsan, .build-ubsan) so the normal .build is untouched.
# address: the whole suite (~11 min on the shared 2-core machine); thread: the multi-threaded tests.
#   Fuzz/sanitize.sh [address|thread|undefined|all]   (default all)
#   SANITIZE_FILTER='Robustness|Importer' Fuzz/sanitize.sh address    # a subset (swift test --filter)
# thread runs only the tests that run work on several threads (sweeps, runAll(threads:), batched
# training), the place where a data race could hide; TSan slows the rest for nothing.
set -u
cd "$(dirname "$0")/.."
WHICH=${1:-all}
THREAD_FILTER=${SANITIZE_THREAD_FILTER:-'DeterminismTests|sweep|WhateverTheThreads|ThreadCountInvariant|twoMoonsTrainsAndTransfers|traceInputReproducesTheRecordedRun|noiseAndStuckCells'}
export SWIFT_BACKTRACE=enable=no
# LeakSanitizer's only report is in the toolchain's XCTest runner (XCTMainMisc / XCTestSuiteRun objects,
# 368 bytes, in the empty XCTest pass before swift-testing runs): not project code, so leaks are off.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
status=0

run() {   # name, scratch folder, extra args…
  local name=$1 scratch=$2; shift 2
  echo "== swift test --sanitize=$name $*"
  local start=$SECONDS log="$scratch/sanitize-$name.log"
  mkdir -p "$scratch"
  nice swift test --sanitize="$name" --scratch-path "$scratch" "$@" > "$log" 2>&1
  local rc=$?
  # A sanitizer report makes the test process exit non-zero; show its summary too.
  grep -E "SUMMARY: (Address|Thread|UndefinedBehavior)Sanitizer|WARNING: ThreadSanitizer|runtime error:" "$log" | sort | uniq -c | head -20
  grep -E "Test run with [0-9]+ tests|tests? (passed|failed)|Executed [0-9]+ tests" "$log" | tail -3
  echo "   rc=$rc, $((SECONDS - start)) s (log: $log)"
  [ $rc -eq 0 ] || status=1
}

filter() { [ -n "${SANITIZE_FILTER:-}" ] && echo "--filter $SANITIZE_FILTER"; }

case "$WHICH" in address|all) run address .build-asan $(filter) ;; esac
case "$WHICH" in thread|all) run thread .build-tsan --filter "$THREAD_FILTER" ;; esac
# Swift 6.3.1 on Linux rejects -sanitize=undefined ("unsupported option … for target
# x86_64-unknown-linux-gnu"); Swift code traps on overflow and out-of-range access by itself, and the
# project has no C sources of its own. Probe, so that a toolchain that supports it runs it.
ubsan_supported() {
  local d; d=$(mktemp -d)
  echo 'print(0)' > "$d/p.swift"
  swiftc -sanitize=undefined "$d/p.swift" -o "$d/p" > "$d/log" 2>&1; local rc=$?
  grep -q "unsupported option" "$d/log" && rc=1
  rm -rf "$d"; return $rc
}
case "$WHICH" in undefined|all)
  if ubsan_supported; then run undefined .build-ubsan $(filter)
  else echo "== undefined: skipped, swiftc $(swiftc --version 2>&1 | grep -o 'Swift version [0-9.]*') does not support -sanitize=undefined on $(uname -m) Linux"; fi ;;
esac
[ $status -eq 0 ] && echo "sanitizers: no reports from the runs above" || echo "sanitizers: FAILED (see the logs above)"
exit $status
