#!/usr/bin/env bash
# Spikebar next to its peers, measured side by side in one run on the same workloads (issue #9;
# Benchmarks/README.md, Docs/performance.md). Every figure printed is measured in this run.
#
#   Benchmarks/peers.sh all|kernel|sanafe|train|trace|accuracy [--smoke] [options]
#
#   kernel    the quickstart 784-128-10 chip, Poisson input (--rate, default 20 Hz ≈ 2 % of inputs per ms)
#             for --duration of model time (default 1 s): Spikebar exact and grid(0.1 ms) vs Brian2 2.9
#             (runtime/Cython and C++ standalone, dt 0.1 ms, code generation and compilation excluded) and
#             NEST 3.10 (iaf_psc_exp_ps precise and iaf_psc_exp grid, 0.1 ms, 1 and 2 threads, network
#             construction excluded; Benchmarks/nest_kernel.py), the same chip and the same input spikes
#             (`spikebar bench kernel --export`); synaptic events/s, and NEST's spike times vs the exact mode's.
#   sanafe    one inference of that chip (the quickstart window, 0.1 s, same export, 1 ms steps as SANA-FE's
#             and the quickstart's) simulated by SANA-FE 2.2.9 on its bundled Loihi description
#             (Benchmarks/sanafe_bench.py) vs Spikebar's kernel: wall time per inference; energy / latency per
#             inference of Spikebar's cost models on the same run; and the Loihi cross-check: Spikebar's
#             `loihi` model vs SANA-FE's Loihi estimate, by category, with the ratio (target within 15 %).
#   train     time per training step, 784-128-10 and 700-128(rec)-20, T = 100, batch 128, p = 0.02, Adam,
#             fast-sigmoid surrogate: `spikebar bench train` vs snnTorch (Benchmarks/snntorch_bench.py),
#             both on --threads (default 2) threads.
#   trace     `spikebar bench trace` (.sbt vs zstd -19 / xz -9 of the plain dump, measured in its run,
#             and the Poisson entropy bound) gathered into the same summary.
#   accuracy  MNIST 784-128-10 with the twin's recipe (Scenarios/nhc-mnist.yaml): `spikebar train` +
#             `spikebar evaluate --no-exact` vs snnTorch trained on the same data, network, batch, lr,
#             schedule, T and --epochs (default: the scenario's 10). Data: ../shared/data/mnist/*.gz.
#   scaling   the size points of `Benchmarks/scaling.sh` (the quickstart chip with its input layer grown to
#             10^3, 10^4, 10^5 neurons; 20 Hz per input; 0.05 s) on Spikebar (exact, grid 0.1 ms) and NEST
#             (iaf_psc_exp_ps and iaf_psc_exp, 1 and 2 threads) on the same chip and spikes, and
#             Spikebar's grid mode with one inference on 2 threads (--inference-threads 2)
#             (`spikebar bench scaling --export`); lines appended to Docs/figures/scaling-nest.txt (or
#             $SCALING_OUT), which Benchmarks/plot_scaling.py draws next to Spikebar's curves. 10^6 is left
#             out: NEST's network construction at 128 M synapses does not fit the time of one run here.
#   all       every benchmark above but scaling, then one summary.
#   --smoke   every benchmark on a tiny size (seconds each, accuracy about a minute): checks the
#             pipeline, not the speed.
# Options: --repeat N, --threads T, --epochs E, --rate HZ, --duration S.
#
# The peers install into .venv-peers (created here, from PyPI, pinned versions) on first use of each
# benchmark; nothing else is touched. torch comes from PyPI as is (with its CUDA wheels: the venv is ≈ 6.8 GB on disk;
# only the CPU is used). CI does not run this script; `swift test` runs the Spikebar side on tiny sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: Benchmarks/peers.sh all|kernel|sanafe|train|trace|accuracy|scaling [--smoke] [--repeat N] [--threads T] [--epochs E] [--rate HZ] [--duration S]"
what=${1:-}; shift || true
case "$what" in all|kernel|sanafe|train|trace|accuracy|scaling) ;; *) echo "$usage" >&2; exit 2 ;; esac
repeat=7; rate=20; duration=1; smoke=0; threads=2; epochs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --smoke) smoke=1; repeat=1; duration=0.005; shift ;;
    *) echo "unknown option $1"; echo "$usage" >&2; exit 2 ;;
  esac
done

venv=.venv-peers
py=$venv/bin/python
# install_peer <import name> <pip requirement>...: installs into $venv unless the module imports.
install_peer() {
  local module=$1; shift
  if [ ! -x "$py" ]; then
    echo "creating $venv (python3 -m venv)" >&2
    python3 -m venv "$venv" || { echo "cannot create $venv: install python3-venv" >&2; exit 1; }
    "$venv/bin/pip" install -q --upgrade pip >/dev/null
  fi
  if ! "$py" -c "import $module" >/dev/null 2>&1; then     # quietly: NEST prints a banner on import
    echo "installing $* into $venv (PyPI)" >&2
    "$venv/bin/pip" install -q "$@" || { echo "pip install $* failed: check the network / disk (df -h .)" >&2; exit 1; }
  fi
}
# Brian2 2.9 uses ndarray.ptp, which NumPy 2.3 removed.
peer_brian2() { install_peer brian2 "brian2==2.9.0" "numpy<2.3" cython; }
peer_torch() { install_peer snntorch "numpy<2.3" "torch==2.9.1" "snntorch==0.9.4"; }
peer_sanafe() { install_peer sanafe "numpy<2.3" "sanafe==2.2.9"; }
peer_nest() { install_peer nest "nest-simulator==3.10.0" "numpy<2.3"; }

# The baseline release build (`make build`), for the benchmarks that use it (kernel uses `make build-native`).
bin=""
need_bin() {
  if [ -z "$bin" ]; then make -s build >/dev/null; bin=$(swift build -c release --show-bin-path)/spikebar; fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
summary=$work/summary.txt
: > "$summary"
echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')" | tee -a "$summary"

# ---------------------------------------------------------------------------------------------------
run_kernel() {
  peer_brian2
  peer_nest
  echo "== kernel: Spikebar vs Brian2 and NEST (duration $duration s, rate $rate Hz, median of $repeat)"
  # Brian2's C++ standalone is compiled with its default `-march=native` (codegen.cpp.extra_compile_args_gcc),
  # so Spikebar's side is the build for this machine's vector units too (`make build-native`, as `make bench`);
  # the outputs of the two Spikebar builds are bit-identical (Docs/performance.md, Event kernel).
  make -s build-native >/dev/null
  .build-native/release/spikebar bench kernel --repeat "$repeat" --rate "$rate" --duration "$duration" --export "$work/kernel" | tee "$work/spikebar-kernel.txt"
  for target in runtime cpp_standalone; do
    "$py" Benchmarks/brian2_kernel.py "$work/kernel" --target "$target" --build-dir "$work/b2" \
      2>"$work/brian2-$target.log" | tail -1 > "$work/brian2-$target.json" \
      || { echo "Brian2 $target failed; its log:" >&2; tail -20 "$work/brian2-$target.log" >&2; exit 1; }
  done
  # NEST: precise (iaf_psc_exp_ps) and grid (iaf_psc_exp) at 0.1 ms, 1 and 2 threads; the network is built
  # before the clock starts (Benchmarks/nest_kernel.py). Fewer repeats: each rebuilds the network.
  local nrep=$(( repeat < 3 ? repeat : 3 ))
  for model in iaf_psc_exp_ps iaf_psc_exp; do
    for t in 1 2; do
      "$py" Benchmarks/nest_kernel.py "$work/kernel" --model "$model" --threads "$t" --repeat "$nrep" \
        2>"$work/nest-$model-$t.log" | tail -1 > "$work/nest-$model-$t.json" \
        || { echo "NEST $model ($t threads) failed; its log:" >&2; tail -20 "$work/nest-$model-$t.log" >&2; exit 1; }
    done
  done
  python3 - "$work" <<'EOF' | tee -a "$summary"
import json, re, sys
work = sys.argv[1]
spikebar = {}
for line in open(f"{work}/spikebar-kernel.txt"):
    m = re.match(r"^(exact|grid\([^)]*\))\s+([0-9.]+) ms .* ([0-9.]+) M synaptic events/s\s+\((\d+) synaptic events.*spikes per population ([0-9/]+)", line)
    if m:
        spikebar[m.group(1)] = (float(m.group(2)) * 1e-3, int(m.group(4)), m.group(5))
peers = [json.load(open(f"{work}/brian2-{t}.json")) for t in ("runtime", "cpp_standalone")]
print("\nkernel (synaptic events/s; same chip, same input spikes)")
print(f"  {'simulator':34} {'time':>10} {'synaptic events/s':>18}  spikes per population")
rows = [(f"Spikebar {k}", v[0], v[1] / v[0], v[2]) for k, v in spikebar.items()]
rows += [(f"Brian2 2.9 {p['target']} (dt {p['dt_s']*1e3:g} ms)", p["seconds"], p["synaptic_events"] / p["seconds"],
          "/".join(map(str, p["spikes"]))) for p in peers]
for name, secs, r, spikes in rows:
    print(f"  {name:34} {secs*1e3:8.2f} ms {r/1e6:14.1f} M/s  {spikes}")
standalone = peers[1]["synaptic_events"] / peers[1]["seconds"]
runtime = peers[0]["synaptic_events"] / peers[0]["seconds"]
for k, v in spikebar.items():
    # Issue #9's targets (exact >= 3x, grid >= 5x) and issue #19's (exact >= 5x, grid >= 10x).
    targets = (3, 5) if k == "exact" else (5, 10)
    ratio = v[1] / v[0] / standalone
    verdicts = ", ".join(f"target >= {t}x (issue #{i}): {'met' if ratio >= t else 'NOT met'}" for t, i in zip(targets, (9, 19)))
    print(f"  Spikebar {k}: {ratio:.2f}x Brian2 C++ standalone ({verdicts}), {v[1] / v[0] / runtime:.1f}x Brian2 runtime")
if peers[0]["dropped_input_spikes"]:
    print(f"  (Brian2 dropped {peers[0]['dropped_input_spikes']} input spikes that fell in the same 0.1 ms bin as another of their channel)")
nest = [json.load(open(f"{work}/nest-{m}-{t}.json")) for m in ("iaf_psc_exp_ps", "iaf_psc_exp") for t in (1, 2)]
print(f"\nNEST {nest[0]['nest']} (resolution = delay = {nest[0]['resolution_ms']:g} ms; median of {nest[0]['repeat']}, network construction excluded)")
print(f"  {'simulator':34} {'time':>10} {'synaptic events/s':>18}  spikes per population   Spikebar exact / grid is ... x faster")
for p in nest:
    r = p["synaptic_events"] / p["seconds"]
    ratios = " / ".join(f"{v[1] / v[0] / r:.1f}" for v in spikebar.values())
    print(f"  {'NEST ' + p['model'] + ', ' + str(p['threads']) + ' thread' + ('s' if p['threads'] > 1 else ''):34} {p['seconds']*1e3:8.2f} ms {r/1e6:14.1f} M/s  {'/'.join(map(str, p['spikes'])):22} {ratios}")
    if "exact" in spikebar and p["model"] == "iaf_psc_exp_ps" and p["threads"] == 1:
        ratio = spikebar["exact"][1] / spikebar["exact"][0] / r
        print(f"  Spikebar exact: {ratio:.1f}x NEST iaf_psc_exp_ps, 1 thread (target >= 50x: {'met' if ratio >= 50 else 'NOT met'})")
print("  spike times vs Spikebar exact (NEST's delay shift taken out; neurons with the same spike count as Spikebar's):")
def span(us):
    return f"{us * 1e6:.3g} ps" if us < 1e-3 else f"{us:.3g} us"
for p in nest:
    if p["threads"] != 1 or not p.get("agreement"):
        continue
    for a in p["agreement"]:
        print(f"    {p['model']:15} {a['layer']:8} {a['neurons_same_count']}/{a['neurons']} neurons, {a['spikes_compared']} spikes: "
              f"|dt| median {span(a['median_abs_us'])}, 99 % {span(a['p99_abs_us'])}, max {span(a['max_abs_us'])}")
EOF
}

# ---------------------------------------------------------------------------------------------------
run_sanafe() {
  need_bin
  peer_sanafe
  # Step 1 ms: SANA-FE's time step and the quickstart's, so that Spikebar's time-stepped estimates (loihi,
  # adc-cim) count the same 100 steps as SANA-FE, and the grid mode runs the same discretisation.
  local window=0.1 reps=$repeat step=1e-3
  [ "$smoke" = 1 ] && window=0.01
  echo "== sanafe: one inference (window $window s) of the quickstart chip, Spikebar vs SANA-FE (Loihi)"
  "$bin" bench kernel --repeat "$reps" --rate "$rate" --duration "$window" --dt "$step" --export "$work/sanafe" | tee "$work/spikebar-sanafe.txt"
  "$py" Benchmarks/sanafe_bench.py "$work/sanafe" --repeat "$reps" --dt "$step" 2>"$work/sanafe.log" | tail -1 > "$work/sanafe.json" \
    || { echo "SANA-FE failed; its log:" >&2; tail -20 "$work/sanafe.log" >&2; exit 1; }
  # The same, each population on its own tile, for the mesh-hop and barrier check (energies only: one run).
  "$py" Benchmarks/sanafe_bench.py "$work/sanafe" --repeat 1 --dt "$step" --tiles 0,1,4 2>"$work/sanafe-spread.log" | tail -1 > "$work/sanafe-spread.json" \
    || { echo "SANA-FE (--tiles 0,1,4) failed; its log:" >&2; tail -20 "$work/sanafe-spread.log" >&2; exit 1; }
  python3 - "$work" <<'EOF' | tee -a "$summary"
import json, re, sys
work = sys.argv[1]
costs = json.load(open(f"{work}/sanafe/costs.json"))
sf = json.load(open(f"{work}/sanafe.json"))
spikes = {}
for line in open(f"{work}/spikebar-sanafe.txt"):
    m = re.match(r"^(exact|grid\([^)]*\))\s.*spikes per population ([0-9/]+)", line)
    if m:
        spikes[m.group(1)] = m.group(2)
print(f"\nsanafe: one inference ({sf['timesteps']} steps of {sf['dt_s']*1e3:g} ms in SANA-FE; same chip, same input spikes)")
print(f"  {'simulator':36} {'wall time':>12}  spikes (input/layers)")
for mode, c in costs.items():
    print(f"  {'Spikebar ' + mode:36} {c['seconds']*1e3:9.3f} ms  {spikes.get(mode, '?')}")
print(f"  {'SANA-FE 2.2.9 (' + sf['timing_model'] + ' timing, Loihi)':36} {sf['seconds']*1e3:9.3f} ms  {sf['input_spikes']}/{sf['layer_spikes']} (layers together)")
for mode, c in costs.items():
    print(f"  wall time: Spikebar {mode} {sf['seconds'] / c['seconds']:.1f}x faster than SANA-FE")
mode = "exact" if "exact" in costs else next(iter(costs))
print(f"  energy / compute latency per inference (Spikebar cost models on the {mode} run's activity, to their read-out; SANA-FE: its Loihi model, all steps)")
print(f"  {'SANA-FE Loihi':36} {sf['energy_j']*1e9:12.2f} nJ  {sf['sim_time_s']*1e6:10.2f} us simulated chip time")
for a in costs[mode]["architectures"]:
    if a["architecture"] == "loihi-spread":
        continue                                 # the mesh variant of loihi, for the cross-check below
    e = a["energy_j"]
    rel = f"{sf['energy_j'] / e:.3g}x less than SANA-FE Loihi" if e < sf["energy_j"] else f"{e / sf['energy_j']:.3g}x more than SANA-FE Loihi"
    print(f"  {'Spikebar ' + a['architecture']:36} {e*1e9:12.2f} nJ  {a['compute_latency_s']*1e6:10.2f} us  ({rel}; streaming latency {a['latency_s']*1e3:.2f} ms)")
if sf["dropped_input_spikes"]:
    print(f"  (SANA-FE: {sf['dropped_input_spikes']} input spikes fell in the same step as another of their channel and merged)")

# Loihi cross-check: the same network and input spikes priced by SANA-FE's Loihi description and by Spikebar's
# `loihi` cost model (the same per-operation constants), category by category (Docs/cost-models.md section 5).
wl = json.load(open(f"{work}/sanafe/workload.json"))
neurons = sum(l["size"] for l in wl["layers"])
layer_spikes = sum(map(int, spikes.get(mode, "0").split("/")[1:]))

def crosscheck(sf, est, title):
    parts = {c["name"]: c for c in est["energy_components"]}
    def part(*names):
        return sum(parts[n]["energy_j"] for n in names if n in parts), sum(parts[n]["count"] for n in names if n in parts)
    def unit(name):
        return parts[name]["energy_j"] / parts[name]["count"] if parts[name]["count"] else 0.0
    raw, se, steps = sf["raw"], sf["raw"]["energy"], sf["timesteps"]
    updated = int(raw["neurons_updated"]) - sf["input_spikes"]     # SANA-FE counts a firing input unit as updated
    syn, n_syn = part("synapse operations")
    soma, _ = part("neuron state access", "neuron updates", "spike out")
    net, _ = part("routing: messages sent", "routing: messages received", "routing: mesh hops E-W", "routing: mesh hops N-S", "static power")
    hops, n_hops = part("routing: mesh hops E-W", "routing: mesh hops N-S")
    _, n_msg = part("routing: messages sent")
    sf_hops = se["network"] - int(raw["packets_sent"]) * unit("routing: messages sent")   # its messages at the same price
    print(f"\n{title}")
    print(f"  {'category':10} {'SANA-FE 2.2.9':>14} {'Spikebar ' + est['architecture']:>15} {'ratio':>7}  counts (SANA-FE / Spikebar)")
    rows = [("synapses", se["synapse"], syn, f"synaptic ops {int(raw['spikes'])} / {n_syn:.0f}"),
            ("somas", se["soma"] + se["dendrite"], soma, f"neuron-steps updated {updated} / {neurons * steps}; layer spikes {sf['layer_spikes']} / {layer_spikes}"),
            ("network", se["network"], net, f"messages {int(raw['packets_sent'])} / {n_msg:.0f}"),
            ("  of which hops", sf_hops, hops, f"hops - / {n_hops:.0f} (SANA-FE: network energy less its messages)")]
    for name, a, b, what in rows:
        r = f"{b / a:7.3f}" if abs(a) > 1e-15 else f"{'-':>7}"
        print(f"  {name:10} {a*1e9:11.2f} nJ {b*1e9:12.2f} nJ {r}  {what}")
    ratio = est["energy_j"] / sf["energy_j"]
    print(f"  {'total':10} {sf['energy_j']*1e9:11.2f} nJ {est['energy_j']*1e9:12.2f} nJ {ratio:7.3f}  energy per inference {abs(ratio - 1) * 100:.1f} % apart (target <= 15 %: {'met' if abs(ratio - 1) <= 0.15 else 'NOT met'})")
    # SANA-FE runs every step back to back: compare with Spikebar's compute latency per step (busiest core +
    # barrier) times the same step count (its own compute latency stops at the read-out step).
    comp = {c["name"]: c for c in est["compute_latency_components"]}
    n_read = comp["time-step processing (busiest core)"]["count"]
    per_step = sum(c["seconds"] for c in comp.values()) / n_read if n_read else 0.0
    print(f"  {'latency':10} {sf['sim_time_s']*1e6:11.2f} us {per_step * steps*1e6:12.2f} us {per_step * steps / sf['sim_time_s']:7.3f}  all {steps} steps, input buffered: SANA-FE {sf['timing_model']} timing model; Spikebar: simple model on per-step means + barrier")
    # Where the difference comes from, from the counts: input spikes SANA-FE merged into one per step and channel
    # (each one synaptic op per first-layer neuron, one message and its hops less), neuron-steps SANA-FE left idle
    # (no update charged), and the rest: the simulators' own layer spikes (event kernel vs Loihi's discrete LIF).
    in_hops = hops / max(1, n_msg)    # mean hop energy per message: a small term
    merged = sf["dropped_input_spikes"] * (wl["layers"][0]["size"] * unit("synapse operations") + unit("routing: messages sent") + in_hops)
    idle = (neurons * steps - updated) * unit("neuron updates")
    rest = est["energy_j"] - sf["energy_j"] - merged - idle
    print(f"  difference {(est['energy_j'] - sf['energy_j'])*1e9:+.2f} nJ = merged input spikes {merged*1e9:+.2f} nJ ({sf['dropped_input_spikes']} spikes)"
          f" + neuron-steps SANA-FE left idle {idle*1e9:+.2f} nJ ({neurons * steps - updated})"
          f" + layer-spike difference and rest {rest*1e9:+.2f} nJ")

ests = {a["architecture"]: a for a in costs[mode]["architectures"]}
if "loihi" not in ests or "loihi-spread" not in ests:
    sys.exit("costs.json has no loihi / loihi-spread estimate: rebuild spikebar")
crosscheck(sf, ests["loihi"], f"loihi cross-check: same network and input spikes, {sf['timesteps']} steps of {sf['dt_s']*1e3:g} ms, one tile (cores 0-2); SANA-FE's loihi.yaml vs Spikebar's loihi model ({mode} run's activity)")
crosscheck(json.load(open(f"{work}/sanafe-spread.json")), ests["loihi-spread"],
           "loihi cross-check across the mesh: input, hidden, output on tiles (0,0), (0,1), (1,0) (SANA-FE tiles 0, 1, 4; Spikebar one core per tile, mesh 2 tiles high)")
EOF
}

# ---------------------------------------------------------------------------------------------------
run_train() {
  peer_torch
  local batch=128 shapes=(ff rec)
  [ "$smoke" = 1 ] && batch=8
  echo "== train: time per training step, Spikebar twin vs snnTorch, $threads threads, batch $batch, median of $repeat"
  # torch dispatches to its AVX2 / AVX-512 kernels at run time; Spikebar's side is likewise the build for this
  # machine's vector units (`make build-native`; gradients bit-identical to the baseline build, Docs/performance.md).
  make -s build-native >/dev/null
  .build-native/release/spikebar bench train --threads "$threads" --repeat "$repeat" --batch "$batch" | tee "$work/spikebar-train.txt"
  "$py" Benchmarks/snntorch_bench.py train --threads "$threads" --repeat "$repeat" --batch "$batch" \
    $([ "$smoke" = 1 ] && echo "--warmup 1") 2>"$work/snntorch-train.log" > "$work/snntorch-train.json" \
    || { echo "snnTorch failed; its log:" >&2; tail -20 "$work/snntorch-train.log" >&2; exit 1; }
  python3 - "$work" <<'EOF' | tee -a "$summary"
import json, re, sys
work = sys.argv[1]
sb = {}
for line in open(f"{work}/spikebar-train.txt"):
    m = re.match(r"^(\S+)\s+([0-9.]+) ms/step", line)
    if m:
        sb[m.group(1)] = float(m.group(2))
peers = [json.loads(l) for l in open(f"{work}/snntorch-train.json") if l.strip()]
print(f"\ntrain: ms per step (forward + BPTT + Adam), T = {peers[0]['steps']}, batch {peers[0]['batch']}, {peers[0]['threads']} threads")
print(f"  {'shape':18} {'Spikebar':>10} {'snnTorch':>10}  ratio")
for p in peers:
    s = sb.get(p["shape"])
    if s is None:
        continue
    r = p["ms_per_step"] / s
    print(f"  {p['shape']:18} {s:7.2f} ms {p['ms_per_step']:7.2f} ms  {r:.2f}x faster (target >= 3x: {'met' if r >= 3 else 'NOT met'})")
print(f"  (snnTorch {peers[0]['snntorch']}, torch {peers[0]['torch']}, CPU)")
EOF
}

# ---------------------------------------------------------------------------------------------------
run_trace() {
  need_bin
  echo "== trace: spikebar bench trace (zstd -19 / xz -9 measured in the same run)"
  local args=(--json)
  [ "$smoke" = 1 ] && args+=(--events 20000 --nmnist-files 5 --run-samples 2 --repeats 1)
  "$bin" bench trace "${args[@]}" > "$work/trace.json"
  python3 - "$work" <<'EOF' | tee -a "$summary"
import json, sys
d = json.load(open(f"{sys.argv[1]}/trace.json"))
print("\ntrace: bytes/event and speed (.sbt vs general-purpose compressors on the 12-byte plain dump)")
print(f"  {'workload':14} {'events':>9} {'sbt B/ev':>9} {'zstd-19':>8} {'xz-9':>8} {'sbt/zstd':>9} {'encode':>10} {'decode':>10}  entropy bound")
for w in d["workloads"]:
    base = {b["codec"].split(" of")[0]: b for b in w["baselines"]}
    z, x = base.get("zstd -19", {}), base.get("xz -9", {})
    s = w["sbt"]
    ratio = s["bytesPerEvent"] / z["bytesPerEvent"] if z else float("nan")
    bound = ""
    if w.get("entropyBitsPerEvent"):
        bits = s["bytesPerEvent"] * 8
        bound = f"{w['entropyBitsPerEvent']:.2f} bit/ev; sbt {bits:.2f} (+{(bits / w['entropyBitsPerEvent'] - 1) * 100:.1f} %, target <= 15 %)"
    print(f"  {w['name']:14} {w['events']:9d} {s['bytesPerEvent']:9.3f} {z.get('bytesPerEvent', float('nan')):8.3f} {x.get('bytesPerEvent', float('nan')):8.3f} "
          f"{ratio:8.3f}x {s['encodeEventsPerSecond']/1e6:6.1f} M/s {s['decodeEventsPerSecond']/1e6:6.1f} M/s  {bound}")
    if z:
        print(f"  {'':14} zstd -19 encode {z['encodeEventsPerSecond']/1e6:.2f} M/s, decode {z['decodeEventsPerSecond']/1e6:.1f} M/s; "
              f"size target <= 0.6x zstd: {'met' if ratio <= 0.6 else 'NOT met'}; decode target >= 150 M/s: {'met' if s['decodeEventsPerSecond'] >= 150e6 else 'NOT met'}")
EOF
}

# ---------------------------------------------------------------------------------------------------
run_accuracy() {
  need_bin
  peer_torch
  local data=${SPIKEBAR_DATA:-../shared/data}/mnist
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -f "$data/$f.gz" ] || { echo "MNIST not found: $data/$f.gz (set SPIKEBAR_DATA to the folder holding mnist/)" >&2; exit 1; }
  done
  local ep=${epochs:-10} sbargs=() ptargs=()
  if [ "$smoke" = 1 ]; then
    ep=1; sbargs=(--train-samples 1024); ptargs=(--train-samples 1024 --test-samples 500)
  fi
  echo "== accuracy: MNIST 784-128-10, the nhc-mnist recipe, $ep epoch(s), $threads threads"
  local t0 t1
  t0=$(date +%s.%N)
  SPIKEBAR_DATA=${SPIKEBAR_DATA:-../shared/data} "$bin" train Scenarios/nhc-mnist.yaml --epochs "$ep" --threads "$threads" \
    --out "$work/nhc" --quiet "${sbargs[@]}"
  t1=$(date +%s.%N)
  local samples=()
  [ "$smoke" = 1 ] && samples=(--samples 500)
  SPIKEBAR_DATA=${SPIKEBAR_DATA:-../shared/data} "$bin" evaluate Scenarios/nhc-mnist.yaml --weights "$work/nhc/weights.json" \
    --no-exact --threads "$threads" --json "${samples[@]}" > "$work/evaluate.json"
  # lr: the scenario's 5e-3 is in the twin's weight units (the conductance window); one unit of twin weight
  # moves the membrane by 0.159 V for a 1 V threshold (V_read t_read (G_max - G_min) gain / tau_syn x kappa,
  # nhc-mnist constants), snnTorch's weights are in threshold units: the same step is 5e-3 x 0.159 = 7.9e-4.
  "$py" Benchmarks/snntorch_bench.py accuracy --data "$data" --epochs "$ep" --threads "$threads" --lr 7.9e-4 "${ptargs[@]}" \
    2>"$work/snntorch-acc.log" > "$work/snntorch-acc.json" \
    || { echo "snnTorch failed; its log:" >&2; tail -20 "$work/snntorch-acc.log" >&2; exit 1; }
  python3 - "$work" "$ep" "$t0" "$t1" <<'EOF' | tee -a "$summary"
import json, sys
work, ep, sb_secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[4]) - float(sys.argv[3])
ev = json.load(open(f"{work}/evaluate.json"))
pt = json.load(open(f"{work}/snntorch-acc.json"))
print(f"\naccuracy: MNIST test ({pt['test_samples']} digits), 784-128-10, T = 100, batch 128, Adam cosine (5e-3 twin units = 7.9e-4 snnTorch units), {ep} epoch(s)")
def find(o):
    if isinstance(o, dict):
        if "accuracies" in o:
            return o["accuracies"]
        for v in o.values():
            r = find(v)
            if r is not None:
                return r
    return None
for a in find(ev) or []:
    print(f"  Spikebar {a['name']:60} {a['accuracy'] * 100:6.2f} %")
print(f"  {'snnTorch (float, homogeneous tau, best-validation epoch ' + str(pt['best_epoch']) + ')':69} {pt['test_accuracy'] * 100:6.2f} %")
print(f"  training wall time: Spikebar {sb_secs:.0f} s (train command), snnTorch {pt['train_seconds']:.0f} s (epochs only)")
EOF
}

# ---------------------------------------------------------------------------------------------------
run_scaling() {
  peer_nest
  need_bin
  local out=${SCALING_OUT:-Docs/figures/scaling-nest.txt} sizes="862 9862 99862" dur=0.05 nrep=$(( repeat < 3 ? repeat : 3 ))
  [ "$smoke" = 1 ] && { sizes="862"; dur=0.005; out=$work/scaling-nest.txt; }
  mkdir -p "$(dirname "$out")"
  echo "# Benchmarks/peers.sh scaling, $(date -u +%FT%TZ), $(nproc) cores, $(uptime | sed 's/.*load average/load average/')" >> "$out"
  echo "== scaling: Spikebar vs NEST on the size points (duration $dur s, 20 Hz per input)" | tee -a "$summary"
  for n in $sizes; do
    "$bin" bench scaling --inputs "$n" --duration "$dur" --repeat "$nrep" --export "$work/scaling-$n" | tee -a "$out" "$summary"
    # One inference on two threads (grid mode), beside NEST's two threads.
    "$bin" bench scaling --inputs "$n" --duration "$dur" --repeat "$nrep" --mode grid --inference-threads 2 | tee -a "$out" "$summary"
    for model in iaf_psc_exp_ps iaf_psc_exp; do
      for t in 1 2; do
        "$py" Benchmarks/nest_kernel.py "$work/scaling-$n" --model "$model" --threads "$t" --repeat "$nrep" \
          2>"$work/nest-scaling.log" | tail -1 > "$work/nest-scaling.json" \
          || { echo "NEST $model ($t threads, $n inputs) failed; its log:" >&2; tail -20 "$work/nest-scaling.log" >&2; exit 1; }
        python3 - "$work/nest-scaling.json" "$n" "$dur" <<'PY' | tee -a "$out" "$summary"
import json, sys
p = json.load(open(sys.argv[1])); n = int(sys.argv[2])
print(f"scaling kind=nest model={p['model']} threads={p['threads']} inputs={n} neurons={n + 138} duration_s={sys.argv[3]} "
      f"seconds={p['seconds']} syn_events={p['synaptic_events']} syn_per_s={p['synaptic_events'] / p['seconds']} "
      f"spikes={'/'.join(map(str, p['spikes']))}")
PY
      done
    done
  done
}

case "$what" in
  all) run_kernel; run_sanafe; run_train; run_trace; run_accuracy ;;
  *) "run_$what" ;;
esac
echo
echo "==================== summary ($(date -u +%H:%MZ), smoke=$smoke)"
cat "$summary"
