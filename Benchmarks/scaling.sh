#!/usr/bin/env bash
# Kernel scaling curves (issue #9), measured with `spikebar bench scaling` (one process per point, so
# that peak RSS is the point's own), written as key=value lines to OUT_DIR/scaling.txt and charted by Benchmarks/plot_scaling.py:
#   size      network of 10^3 … 10^6 neurons (input layer grown, hidden 128 + output 10 fixed) at 20 Hz
#             per input (2 % of inputs per ms), 0.05 s of model time: time per model second and peak RSS;
#   activity  the quickstart network (784-128-10) at 1 … 200 Hz per input (0.1 % … 20 % of inputs per ms),
#             0.1 s of model time, with the dense clock-driven loop (the ADC crossbar's work) beside it;
#   threads   16 independent quickstart inferences (0.1 s each) on 1 and 2 threads (ParallelMap).
# Usage: Benchmarks/scaling.sh [OUT_DIR (default Docs/figures)] [--smoke]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-Docs/figures}; smoke=0
[ "${2:-}" = --smoke ] || [ "${1:-}" = --smoke ] && smoke=1
[ "$out" = --smoke ] && out=Docs/figures
mkdir -p "$out"
make -s build >/dev/null
bin=$(swift build -c release --show-bin-path)/spikebar
csv=$out/scaling.txt
echo "# spikebar bench scaling, $(date -u +%FT%TZ), $(nproc) cores, $(uptime | sed 's/.*load average/load average/')" > "$csv"
sizes="862 9862 99862 999862"; rates="1 2 5 10 20 50 100 200"; dur=0.05; rep=3; samples=16
[ "$smoke" = 1 ] && { sizes="862 1862"; rates="1 20"; dur=0.005; rep=1; samples=2; }
for n in $sizes; do
  "$bin" bench scaling --inputs "$n" --duration "$dur" --repeat "$rep" | tee -a "$csv"
done
for r in $rates; do
  "$bin" bench scaling --rate "$r" --duration 0.1 --repeat "$rep" --dense | tee -a "$csv"
done
for t in 1 2; do
  for m in exact grid; do
    "$bin" bench scaling --samples "$samples" --threads "$t" --mode "$m" --repeat "$rep" | tee -a "$csv"
  done
done
python3 Benchmarks/plot_scaling.py "$csv" "$out"
