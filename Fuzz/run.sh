#!/usr/bin/env bash
# Builds the libFuzzer targets (libFuzzer + AddressSanitizer) and runs each for a bounded time.
#   Fuzz/run.sh [seconds per target, default 60] [target …]
#   FUZZ_JOBS=2 Fuzz/run.sh 600        # two targets at a time (each is one process on one core)
# Targets: trace-reader scenario nmnist csv device-table checkpoint nir architecture (all by default).
# Seeds: Fuzz/Corpus/<target>/ (read only); what the fuzzer adds goes to Fuzz/.work/<target>/; a crash
# or a broken invariant is saved as Fuzz/Crashes/<target>/crash-… and makes the script exit 1.
# Replay one input: Fuzz/.build/release/<Binary> Fuzz/Crashes/<target>/crash-…   (Docs/reliability.md)
set -u
cd "$(dirname "$0")"
SECONDS_PER_TARGET=${1:-60}
shift || true
ALL=(trace-reader scenario nmnist csv device-table checkpoint nir architecture)
TARGETS=("${@:-${ALL[@]}}")
[ $# -eq 0 ] && TARGETS=("${ALL[@]}")
JOBS=${FUZZ_JOBS:-1}

binary() {
  case "$1" in
    trace-reader) echo FuzzTraceReader ;; scenario) echo FuzzScenario ;; nmnist) echo FuzzNMNIST ;;
    csv) echo FuzzCSV ;; device-table) echo FuzzDeviceTable ;; checkpoint) echo FuzzCheckpoint ;; nir) echo FuzzNIR ;; architecture) echo FuzzArchitecture ;;
    *) echo "unknown fuzz target '$1' (known: ${ALL[*]})" >&2; exit 2 ;;
  esac
}
maxlen() { case "$1" in trace-reader|nir) echo 65536 ;; scenario|checkpoint) echo 16384 ;; *) echo 8192 ;; esac; }

for t in "${TARGETS[@]}"; do binary "$t" >/dev/null || exit 2; done

echo "building fuzz targets (release, -sanitize=fuzzer,address)…"
mkdir -p Logs
# SwiftPM keeps the build plan of the path dependency (the main package) in description.json and does
# not notice source files added to it since: without this, a new file there fails the build with
# "cannot find … in scope".
rm -f .build/release/description.json
nice swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library > Logs/build.log 2>&1
build=$?
grep -v "Cannot export local symbol" Logs/build.log | grep -E "error|Compiling|Build complete" | tail -3
# A failed build must stop here: the binaries of an earlier build would otherwise be fuzzed instead.
[ $build -eq 0 ] || { echo "build failed (Fuzz/Logs/build.log)" >&2; exit 2; }
BIN=.build/release
for t in "${TARGETS[@]}"; do [ -x "$BIN/$(binary "$t")" ] || { echo "build failed: $BIN/$(binary "$t") missing" >&2; exit 2; }; done

# Swift's own crash reporter would catch the trap first and stall; libFuzzer must see the signal.
export SWIFT_BACKTRACE=enable=no
# Swift's runtime keeps metadata caches alive for the process: not leaks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}

run_one() {
  local t=$1 b; b=$(binary "$t")
  mkdir -p ".work/$t" "Crashes/$t" Logs
  nice "$BIN/$b" ".work/$t" "Corpus/$t" -max_total_time="$SECONDS_PER_TARGET" -max_len="$(maxlen "$t")" \
    -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="Crashes/$t/" > "Logs/$t.log" 2>&1
  local rc=$?
  local runs eps
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "Logs/$t.log" | grep -o '[0-9]*$')
  eps=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "Logs/$t.log" | grep -o '[0-9]*$')
  local crashes; crashes=$(find "Crashes/$t" -type f | wc -l)
  printf '%-13s rc=%d  %ss  execs=%s  exec/s=%s  crash files=%s  (log: Fuzz/Logs/%s.log)\n' \
    "$t" "$rc" "$SECONDS_PER_TARGET" "${runs:-?}" "${eps:-?}" "$crashes" "$t"
  return $rc
}

status=0
pids=()
for t in "${TARGETS[@]}"; do
  run_one "$t" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$JOBS" ]; then wait "${pids[0]}" || status=1; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
[ $status -eq 0 ] && echo "no crashes" || echo "CRASH (see Fuzz/Crashes/ and Fuzz/Logs/)"
exit $status
