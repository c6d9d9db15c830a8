#!/usr/bin/env bash
# Spikebar next to its peers, measured in one run on the same workload (Benchmarks/README.md).
#
#   Benchmarks/peers.sh kernel [--repeat N] [--rate HZ] [--duration S]
#       the quickstart 784-128-10 network, Poisson input: Spikebar exact and grid(0.1 ms) vs Brian2
#       2.9 (runtime/Cython and C++ standalone, dt 0.1 ms, code generation and compilation excluded),
#       the same chip and the same input spikes (exported by `spikebar bench kernel --export`).
#   Benchmarks/peers.sh kernel --smoke
#       the same on a tiny workload (a few ms of model time): checks the pipeline, not the speed.
#
# The peers install into .venv-peers (created here, from PyPI) on first use; nothing else is touched.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-kernel}; shift || true
repeat=7; rate=20; duration=1; smoke=0
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --smoke) smoke=1; repeat=1; duration=0.005; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$what" = kernel ] || { echo "usage: Benchmarks/peers.sh kernel [--repeat N] [--rate HZ] [--duration S] [--smoke]" >&2; exit 2; }

venv=.venv-peers
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import brian2" 2>/dev/null; then
  echo "installing the peers into $venv (PyPI: brian2 2.9.0, numpy < 2.3, cython)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip >/dev/null
  # Brian2 2.9 uses ndarray.ptp, which NumPy 2.3 removed.
  "$venv/bin/pip" install -q "brian2==2.9.0" "numpy<2.3" cython
fi

make -s build >/dev/null
bin=$(swift build -c release --show-bin-path)/spikebar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" bench kernel --repeat "$repeat" --rate "$rate" --duration "$duration" --export "$work/workload" | tee "$work/spikebar.txt"
for target in runtime cpp_standalone; do
  "$venv/bin/python" Benchmarks/brian2_kernel.py "$work/workload" --target "$target" --build-dir "$work/b2" \
    2>"$work/brian2-$target.log" | tail -1 > "$work/brian2-$target.json" \
    || { echo "Brian2 $target failed; its log:" >&2; tail -20 "$work/brian2-$target.log" >&2; exit 1; }
done

"$venv/bin/python" - "$work" <<'EOF'
import json, re, sys
work = sys.argv[1]
spikebar = {}
for line in open(f"{work}/spikebar.txt"):
    m = re.match(r"^(exact|grid\([^)]*\))\s+([0-9.]+) ms .* ([0-9.]+) M synaptic events/s\s+\((\d+) synaptic events.*spikes per population ([0-9/]+)", line)
    if m:
        spikebar[m.group(1)] = (float(m.group(2)) * 1e-3, int(m.group(4)), m.group(5))
peers = [json.load(open(f"{work}/brian2-{t}.json")) for t in ("runtime", "cpp_standalone")]
print()
print(f"{'simulator':34} {'time':>10} {'synaptic events/s':>18}  spikes per population")
rows = [(f"Spikebar {k}", v[0], v[1] / v[0], v[2]) for k, v in spikebar.items()]
rows += [(f"Brian2 2.9 {p['target']} (dt {p['dt_s']*1e3:g} ms)", p["seconds"], p["synaptic_events"] / p["seconds"],
          "/".join(map(str, p["spikes"]))) for p in peers]
for name, secs, rate, spikes in rows:
    print(f"{name:34} {secs*1e3:8.2f} ms {rate/1e6:14.1f} M/s  {spikes}")
standalone = peers[1]["synaptic_events"] / peers[1]["seconds"]
for k, v in spikebar.items():
    print(f"  Spikebar {k}: {v[1] / v[0] / standalone:.2f}x Brian2 C++ standalone, {v[1] / v[0] / (peers[0]['synaptic_events'] / peers[0]['seconds']):.1f}x Brian2 runtime")
if peers[0]["dropped_input_spikes"]:
    print(f"  (Brian2 dropped {peers[0]['dropped_input_spikes']} input spikes that fell in the same 0.1 ms bin as another of their channel)")
EOF
