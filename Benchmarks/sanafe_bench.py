#!/usr/bin/env python3
"""SANA-FE side of `Benchmarks/peers.sh sanafe`: the workload Spikebar exported (`spikebar bench kernel
--export DIR`, one inference: the quickstart 784-128-10 chip and its Poisson input) mapped onto SANA-FE's
bundled Loihi architecture description (`sanafe.load_loihi()`) and simulated by SANA-FE.

Mapping. Loihi's CUBA LIF compartment (SANA-FE model `leaky_integrate_fire`, per time step:
u <- input_decay * u + sum(w); v <- leak_decay * v + u; spike if v > threshold; hard reset) is the
discrete form of Spikebar's DPI + LIF neuron, so each neuron keeps its own constants: time step dt
(--dt, default 1 ms, Loihi's usual step), input_decay = e^(-dt/tau_syn), leak_decay = e^(-dt/tau_mem),
threshold and reset in volts, refractory_delay = round(t_ref/dt) steps; a synapse adds
kappa_i * (current step) volts, kappa_i = R tau_syn/(tau_syn - tau_mem) (alpha - beta) — the twin's
StepPropagator constant (Docs/twin.md). Synapses: `loihi_dense_synapse`; somas: `loihi_lif`;
dendrites: `loihi_dendrites`; inputs: `loihi_inputs` somas replaying the exported spikes binned to dt.
Hidden layer on core 0.1, output on core 0.2, inputs on core 0.0 (one Loihi tile, as a 138-neuron
network needs); `--tiles 0,1,4` puts each population on its own tile instead (input, hidden, output:
tiles (0,0), (0,1), (1,0) of SANA-FE's column-major 8x4 mesh), which `peers.sh sanafe` uses to check the
mesh-hop and barrier pricing of Spikebar's `loihi` model (its `loihi-spread` estimate).

Measured: SANA-FE's own wall time for chip.sim (network build and load excluded), its energy and
simulated latency estimates, and the spike counts. Prints one JSON object on stdout.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

# Potentials in millivolts: the Loihi model truncates the potential to multiples of 1/64 each step
# (its 6-bit fixed-point fraction); in volts that would be 16 mV steps on a 1 V threshold.
MV = 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload", help="folder written by `spikebar bench kernel --export`")
    ap.add_argument("--dt", type=float, default=1e-3, help="SANA-FE time step (s)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timing-model", default="detailed", choices=["simple", "detailed", "cycle"])
    ap.add_argument("--tiles", default="0,0,0",
                    help="tile of each population (input first), comma-separated; populations on one tile take its cores in order")
    args = ap.parse_args()
    try:
        import sanafe
    except ImportError:
        sys.exit("sanafe is not installed: run `Benchmarks/peers.sh sanafe --smoke` (it installs the peers into .venv-peers)")

    d = args.workload
    wl = json.load(open(os.path.join(d, "workload.json")))
    steps = int(round(wl["duration_s"] / args.dt))
    inp = np.loadtxt(os.path.join(d, wl["input_file"]), delimiter=",", skiprows=1, ndmin=2)
    trains = np.zeros((wl["input_size"], steps), dtype=bool)
    if len(inp):
        b = np.minimum((inp[:, 0] / args.dt).astype(np.int64), steps - 1)
        trains[inp[:, 1].astype(np.int64), b] = True
    dropped = len(inp) - int(trains.sum())      # second spike of a channel in one step

    arch = sanafe.load_loihi()
    net = sanafe.Network()
    groups = [net.create_neuron_group("in", wl["input_size"], model_attributes={}, log_spikes=True)]
    kappas = []
    for layer in wl["layers"]:
        g = net.create_neuron_group(layer["name"], layer["size"], model_attributes={},
                                    default_synapse_hw_name="loihi_dense_synapse",
                                    default_dendrite_hw_name="loihi_dendrites", soma_hw_name="loihi_lif",
                                    log_spikes=True)
        kappa = []
        for k, n in enumerate(g):
            ts, tm, r = layer["tau_syn_s"][k], layer["tau_mem_s"][k], layer["resistance_ohm"][k]
            a, bta = math.exp(-args.dt / ts), math.exp(-args.dt / tm)
            kappa.append(r * ts / (ts - tm) * (a - bta))
            n.set_attributes(model_attributes={
                "input_decay": a, "leak_decay": bta, "threshold": layer["threshold_v"][k] * MV,
                "reset": layer["reset_v"][k] * MV, "reset_mode": "hard",
                "refractory_delay": int(round(layer["refractory_s"][k] / args.dt))})
        kappas.append(np.array(kappa))
        groups.append(g)
    for k, n in enumerate(groups[0]):
        # one `loihi_inputs[k]` unit per input neuron (the description replicates 1024 of them per core)
        n.set_attributes(soma_hw_name=f"loihi_inputs[{k}]", model_attributes={"spikes": trains[k].tolist()})
    for c in wl["connections"]:
        w = np.fromfile(os.path.join(d, c["file"]), dtype="<f8").reshape(c["inputs"], c["outputs"])
        w = w * kappas[c["to"] - 1][None, :] * MV
        groups[c["from"]].connect_neurons_dense(groups[c["to"]], {"weight": w.flatten().tolist()})
    tiles = [int(t) for t in args.tiles.split(",")]
    if len(tiles) != len(groups):
        sys.exit(f"--tiles lists {len(tiles)} tiles for {len(groups)} populations")
    taken = {}
    for g, t in zip(groups, tiles):
        k = taken.get(t, 0)
        taken[t] = k + 1
        for n in g:
            n.map_to_core(arch.tiles[t].cores[k])

    chip = sanafe.SpikingChip(arch)
    times, res = [], None
    for _ in range(args.repeat):
        chip.reset()
        chip.load(net)
        t0 = time.perf_counter()
        res = chip.sim(steps, timing_model=args.timing_model, spike_trace=None)
        times.append(time.perf_counter() - t0)
    spikes = res.get("spikes", None)
    out = {
        "sanafe": getattr(sanafe, "__version__", "2.2.9"),
        "dt_s": args.dt, "timesteps": steps, "timing_model": args.timing_model, "tiles": tiles,
        "seconds": float(np.median(times)),
        "energy_j": res["energy"]["total"] if isinstance(res.get("energy"), dict) else res.get("energy"),
        "sim_time_s": res.get("sim_time"),
        "synaptic_events": spikes, "input_spikes": int(trains.sum()), "dropped_input_spikes": dropped,
        "layer_spikes": int(res.get("neurons_fired", 0)) - int(trains.sum()),
        "raw": {k: v for k, v in res.items() if k not in ("spike_trace", "potential_trace", "perf_trace", "message_trace")},
    }
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
