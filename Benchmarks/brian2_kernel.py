#!/usr/bin/env python3
"""Brian2 side of `Benchmarks/peers.sh kernel`: the workload Spikebar exported (`spikebar bench kernel
--export DIR`) simulated by Brian2, timed without code generation / compilation.

Same network and same input spikes as the Spikebar kernel: per layer a NeuronGroup of leaky
integrate-and-fire neurons with an exponential (DPI) current synapse, each neuron with its own tau_mem,
tau_syn, R, threshold, reset and refractory period; per connection Synapses adding the exported
current step (A) to I_post at each presynaptic spike. Brian2 is clock-driven (dt, default 0.1 ms, as
in issue #2's reference), exact integration of the linear equations ('exact' method).

Prints one JSON object per target on stdout:
{"target", "dt_s", "seconds", "synaptic_events", "spikes": [input, layer1, ...]}.
"""
import argparse
import json
import os
import sys
import time

import numpy as np


def build(workload, directory, dt_s):
    import brian2 as b2
    b2.defaultclock.dt = dt_s * b2.second
    with open(os.path.join(directory, workload["input_file"])) as f:
        next(f)
        rows = [line.split(",") for line in f if line.strip()]
    times = np.array([float(r[0]) for r in rows])
    channels = np.array([int(r[1]) for r in rows])
    # Brian2 allows one spike per neuron per time step: drop the (rare) second spike of a channel
    # within one dt bin, and report how many were dropped.
    bins = np.floor(times / dt_s).astype(np.int64)
    seen = set()
    keep = []
    for k, (b, c) in enumerate(zip(bins, channels)):
        if (b, c) in seen:
            continue
        seen.add((b, c))
        keep.append(k)
    dropped = len(times) - len(keep)
    source = b2.SpikeGeneratorGroup(workload["input_size"], channels[keep], times[keep] * b2.second)
    eqs = """
    dv/dt = (-v + R * I) / tau_m : volt (unless refractory)
    dI/dt = -I / tau_s : amp
    tau_m : second (constant)
    tau_s : second (constant)
    R : ohm (constant)
    theta : volt (constant)
    v_reset : volt (constant)
    t_ref : second (constant)
    """
    groups = [source]
    for layer in workload["layers"]:
        g = b2.NeuronGroup(layer["size"], eqs, threshold="v >= theta", reset="v = v_reset",
                           refractory="t_ref", method="exact")
        g.tau_m = np.array(layer["tau_mem_s"]) * b2.second
        g.tau_s = np.array(layer["tau_syn_s"]) * b2.second
        g.R = np.array(layer["resistance_ohm"]) * b2.ohm
        g.theta = np.array(layer["threshold_v"]) * b2.volt
        g.v_reset = np.array(layer["reset_v"]) * b2.volt
        g.t_ref = np.array(layer["refractory_s"]) * b2.second
        groups.append(g)
    synapses = []
    for c in workload["connections"]:
        w = np.fromfile(os.path.join(directory, c["file"]), dtype="<f8").reshape(c["inputs"], c["outputs"])
        s = b2.Synapses(groups[c["from"]], groups[c["to"]], "w : amp", on_pre="I_post += w")
        s.connect()                      # all-to-all, i-major: index = i * outputs + j
        s.w[:] = w.reshape(-1) * b2.amp
        synapses.append(s)
    monitors = [b2.SpikeMonitor(g) for g in groups]
    net = b2.Network(*groups, *synapses, *monitors)
    return b2, net, monitors, dropped


def synaptic_events(workload, counts):
    return sum(counts[c["from"]] * c["outputs"] for c in workload["connections"])


def run_runtime(workload, directory, dt_s):
    b2, net, monitors, dropped = build(workload, directory, dt_s)
    b2.prefs.codegen.target = "cython" if _has_cython() else "numpy"
    net.store()
    net.run(2 * b2.ms)                   # code generation and compilation happen here
    net.restore()
    t0 = time.perf_counter()
    net.run(workload["duration_s"] * b2.second)
    seconds = time.perf_counter() - t0
    counts = [int(m.num_spikes) for m in monitors]
    return {"target": "runtime-" + b2.prefs.codegen.target, "dt_s": dt_s, "seconds": seconds,
            "synaptic_events": synaptic_events(workload, counts), "spikes": counts, "dropped_input_spikes": dropped}


def run_standalone(workload, directory, dt_s, build_dir):
    import brian2 as b2
    b2.set_device("cpp_standalone", build_on_run=False, directory=build_dir)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    _, net, monitors, dropped = build(workload, directory, dt_s)
    net.run(workload["duration_s"] * b2.second)
    b2.device.build(directory=build_dir, compile=True, run=True, debug=False)
    seconds = float(b2.device._last_run_time)   # simulation time of the compiled binary only
    counts = [int(m.num_spikes) for m in monitors]
    return {"target": "cpp_standalone", "dt_s": dt_s, "seconds": seconds,
            "synaptic_events": synaptic_events(workload, counts), "spikes": counts, "dropped_input_spikes": dropped}


def _has_cython():
    try:
        import Cython  # noqa: F401
        return True
    except ImportError:
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workload", help="folder written by spikebar bench kernel --export")
    ap.add_argument("--target", choices=["runtime", "cpp_standalone"], required=True)
    ap.add_argument("--dt", type=float, default=1e-4, help="Brian2 time step (s)")
    ap.add_argument("--build-dir", default=None, help="cpp_standalone build folder")
    args = ap.parse_args()
    with open(os.path.join(args.workload, "workload.json")) as f:
        workload = json.load(f)
    if workload.get("format") != "spikebar-peer-workload" or workload.get("version") != 1:
        sys.exit(f"{args.workload}/workload.json: not a Spikebar peer workload (version 1)")
    if args.target == "runtime":
        out = run_runtime(workload, args.workload, args.dt)
    else:
        out = run_standalone(workload, args.workload, args.dt, args.build_dir or os.path.join(args.workload, "brian2-standalone"))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
