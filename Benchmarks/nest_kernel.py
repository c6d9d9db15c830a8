#!/usr/bin/env python3
"""NEST side of `Benchmarks/peers.sh kernel`: the workload Spikebar exported (`spikebar bench kernel
--export DIR`) simulated by NEST 3 with `iaf_psc_exp_ps` (precise, off-grid spike times: the exact mode's
closest peer) or `iaf_psc_exp` (grid), timed without network construction (nest.Prepare / Run / Cleanup).

The mapping is exact, not approximate. Spikebar's neuron (Docs/neurons.md, LIFDynamics.swift) is
    tau_mem dV/dt = -V + R I,   dI/dt = -I / tau_syn,   I += w at each presynaptic spike (A),
    V >= theta: spike, V <- V_reset, V held there for t_ref while I keeps decaying and integrating;
NEST's iaf_psc_exp / iaf_psc_exp_ps are
    C_m dV/dt = -(V - E_L) + ... i.e. dV/dt = -(V - E_L)/tau_m + I_syn/C_m,  dI_syn/dt = -I_syn/tau_syn,
with the same reset and refractory hold (I_syn keeps integrating). So, per neuron: E_L = 0,
C_m = tau_mem / R, tau_m = tau_mem, tau_syn_ex = tau_syn_in = tau_syn (a negative weight goes to the
inhibitory synapse, with the same tau), V_th = theta, V_reset = reset, t_ref = refractory, V_m(0) = 0,
V_min = -inf (no lower bound, as in Spikebar), weights = the exported current steps. Units: mV, ms, pF, pA.

Spikebar has no synaptic delay; NEST needs one of at least its resolution h. Every connection gets
delay h, and the input generators emit each spike at t + h (NEST emits nothing at t <= 0): population k
(k = 0 the input) therefore sees every spike k + 1 steps late, a pure shift that is taken out before
the spike times are compared with Spikebar's exact mode (`spikes-exact.csv` in the export folder).

Prints one JSON object on stdout: {"model", "threads", "resolution_ms", "seconds", "synaptic_events",
"spikes": [input, layer1, ...], "agreement": [...] (when the export holds Spikebar's spikes)}.
"""
import argparse
import json
import os
import sys
import time

import numpy as np


def load(directory):
    with open(os.path.join(directory, "workload.json")) as f:
        workload = json.load(f)
    if workload.get("format") != "spikebar-peer-workload" or workload.get("version") != 1:
        sys.exit(f"{directory}/workload.json: not a Spikebar peer workload (version 1)")
    data = np.loadtxt(os.path.join(directory, workload["input_file"]), delimiter=",", skiprows=1, ndmin=2)
    times = data[:, 0] if len(data) else np.zeros(0)
    channels = data[:, 1].astype(np.int64) if len(data) else np.zeros(0, dtype=np.int64)
    weights = [np.fromfile(os.path.join(directory, c["file"]), dtype="<f8").reshape(c["inputs"], c["outputs"])
               for c in workload["connections"]]
    return workload, times, channels, weights


def run_once(workload, times, channels, weights, model, threads, h_ms):
    import nest
    nest.ResetKernel()
    if hasattr(nest, "VerbosityLevel"):            # NEST >= 3.10; set_verbosity before
        nest.verbosity = nest.VerbosityLevel.ERROR
    else:
        nest.set_verbosity("M_ERROR")
    nest.SetKernelStatus({"resolution": h_ms, "local_num_threads": threads, "rng_seed": 1})
    precise = model.endswith("_ps")
    duration_ms = workload["duration_s"] * 1e3
    # Input: one spike generator per channel, each spike at t + h (see the module note).
    n_in = workload["input_size"]
    gens = nest.Create("spike_generator", n_in)
    order = np.argsort(channels, kind="stable")
    bounds = np.searchsorted(channels[order], np.arange(n_in + 1))
    t_ms = times * 1e3 + h_ms
    params = []
    for ch in range(n_in):
        ts = np.sort(t_ms[order[bounds[ch]:bounds[ch + 1]]])
        # The grid model gets the spike in the step that holds it (NEST rounds off-grid times up to the step's end).
        params.append({"spike_times": ts.tolist(), "precise_times": precise, "allow_offgrid_times": not precise})
    gens.set(params)
    pops = [gens]
    for layer in workload["layers"]:
        n = layer["size"]
        pop = nest.Create(model, n)
        tau_m = np.array(layer["tau_mem_s"]) * 1e3
        tau_s = np.array(layer["tau_syn_s"]) * 1e3
        c_m = np.array(layer["tau_mem_s"]) / np.array(layer["resistance_ohm"]) * 1e12   # pF
        p = {"E_L": [0.0] * n, "V_m": [0.0] * n, "I_e": [0.0] * n,
             "C_m": c_m.tolist(), "tau_m": tau_m.tolist(), "tau_syn_ex": tau_s.tolist(), "tau_syn_in": tau_s.tolist(),
             "V_th": (np.array(layer["threshold_v"]) * 1e3).tolist(), "V_reset": (np.array(layer["reset_v"]) * 1e3).tolist(),
             "t_ref": (np.array(layer["refractory_s"]) * 1e3).tolist()}
        if precise:
            p["V_min"] = [-np.inf] * n
        pop.set(p)
        pops.append(pop)
    for c, w in zip(workload["connections"], weights):
        # all_to_all takes the weights as (post, pre).
        nest.Connect(pops[c["from"]], pops[c["to"]], "all_to_all",
                     syn_spec={"synapse_model": "static_synapse", "weight": w.T * 1e12, "delay": h_ms})
    recorders = []
    for pop in pops:
        r = nest.Create("spike_recorder")
        nest.Connect(pop, r)
        recorders.append(r)
    # Population k lags by (k + 1) h: run that much longer so that every spike of the window is seen.
    run_ms = duration_ms + (len(pops) + 1) * h_ms
    nest.Prepare()
    t0 = time.perf_counter()
    nest.Run(run_ms)
    seconds = time.perf_counter() - t0
    nest.Cleanup()
    out = []
    for k, (r, pop) in enumerate(zip(recorders, pops)):
        ev = r.get("events")
        t = np.asarray(ev["times"], dtype=float) - (k + 1) * h_ms      # the delay shift taken out (ms)
        senders = np.asarray(ev["senders"], dtype=np.int64) - pop[0].global_id
        # Input spikes all lie in the window (the grid model records them at the end of their step).
        keep = t < duration_ms if k > 0 else np.ones(len(t), dtype=bool)
        out.append((t[keep], senders[keep]))
    return seconds, out


def agreement(directory, workload, spikes, h_ms):
    """Per layer: neurons whose spike count equals Spikebar exact mode's, and over those the
    differences of their spike times (NEST minus Spikebar, shift taken out)."""
    path = os.path.join(directory, "spikes-exact.csv")
    if not os.path.exists(path):
        return None
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.int64)
    rows = []
    for k, layer in enumerate(workload["layers"], start=1):
        n = layer["size"]
        mine = data[data[:, 1] == k] if len(data) else np.zeros((0, 3), dtype=np.int64)
        t_nest, s_nest = spikes[k]
        same, diffs = 0, []
        for i in range(n):
            a = np.sort(t_nest[s_nest == i])                       # ms
            b = np.sort(mine[mine[:, 2] == i, 0] * 1e-9)            # ps -> ms
            if len(a) == len(b):
                same += 1
                diffs.extend((a - b).tolist())
        d = np.abs(np.array(diffs)) * 1e3                           # µs
        rows.append({"layer": layer["name"], "neurons": n, "neurons_same_count": same, "spikes_compared": len(diffs),
                     "max_abs_us": float(d.max()) if len(d) else 0.0, "median_abs_us": float(np.median(d)) if len(d) else 0.0,
                     "p99_abs_us": float(np.quantile(d, 0.99)) if len(d) else 0.0})
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workload", help="folder written by spikebar bench kernel --export")
    ap.add_argument("--model", choices=["iaf_psc_exp_ps", "iaf_psc_exp"], required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--resolution", type=float, default=0.1, help="NEST resolution and delay (ms)")
    ap.add_argument("--repeat", type=int, default=3, help="runs (network rebuilt each time); the median is reported")
    args = ap.parse_args()
    workload, times, channels, weights = load(args.workload)
    runs = []
    for _ in range(max(1, args.repeat)):
        runs.append(run_once(workload, times, channels, weights, args.model, args.threads, args.resolution))
    secs = sorted(r[0] for r in runs)
    spikes = runs[-1][1]
    counts = [int(len(t)) for t, _ in spikes]
    import nest
    out = {"model": args.model, "nest": nest.__version__, "threads": args.threads, "resolution_ms": args.resolution,
           "seconds": secs[len(secs) // 2], "repeat": len(secs),
           "synaptic_events": sum(counts[c["from"]] * c["outputs"] for c in workload["connections"]),
           "spikes": counts, "agreement": agreement(args.workload, workload, spikes, args.resolution)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
