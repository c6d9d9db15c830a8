#!/usr/bin/env python3
"""Train a small spiking network in snnTorch on N-MNIST, export it to NIR, and price it in Spikebar.

The tutorial's script (Docs/from-snntorch.md). Steps:
  1. N-MNIST recordings (../shared/data/nmnist-subset: 1,000 training, 100 test) as frames of event
     counts per 1 ms — the frames `spikebar nir evaluate` feeds a graph (OFF = channel 0, then y, x).
  2. snnTorch: Flatten -> Linear(2312, H) -> Leaky -> Linear(H, 10) -> Leaky, trained with BPTT on the
     count of output spikes (snntorch.functional.ce_count_loss), Adam.
  3. snntorch.export_to_nir -> nir.write(OUT): the graph a user would exchange.
  4. Spikebar through its Python package: the graph's accuracy on the 100 test recordings
     (spikebar.evaluate_nir) next to snnTorch's own, then energy / latency / area per inference on every
     architecture (spikebar.price).

Usage: python Docs/tools/from_snntorch.py [--data DIR] [--epochs E] [--hidden H] [--out FILE.nir] [--seed S]
Needs: torch, snntorch, nir, and the spikebar package (pip install ./python) with a built binary.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import snntorch as snn
import snntorch.functional as SF
from snntorch import utils
from snntorch.export_nir import export_to_nir
import nir

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
import spikebar  # noqa: E402


def read_recording(path):
    """N-MNIST .bin: 5 bytes per event, x, y, polarity bit + 23-bit timestamp (µs), big-endian."""
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 5).astype(np.int64)
    x, y = raw[:, 0], raw[:, 1]
    p = raw[:, 2] >> 7
    t = ((raw[:, 2] & 0x7F) << 16) | (raw[:, 3] << 8) | raw[:, 4]
    return x, y, p, t


def frames(path, steps, bin_us=1000):
    """Event counts per 1 ms bin, shape (steps, 2, 34, 34); OFF (p = 0) is channel 0."""
    x, y, p, t = read_recording(path)
    k = t // bin_us
    keep = (k < steps) & (x < 34) & (y < 34)
    f = np.zeros((steps, 2, 34, 34), dtype=np.float32)
    np.add.at(f, (k[keep], p[keep], y[keep], x[keep]), 1.0)
    return f


def load(data, split, steps):
    lab = os.path.join(data, "nmnist-subset", "train1K.txt" if split == "train" else "test100.txt")
    ids, labels = [], []
    for line in open(lab).read().splitlines()[1:]:
        if line.strip():
            i, c = line.split()
            ids.append(int(i)); labels.append(int(c))
    X = np.stack([frames(os.path.join(data, "nmnist-subset", f"{i}.bin"), steps) for i in ids])
    return torch.from_numpy(X), torch.tensor(labels), ids


def make_net(hidden, beta):
    """One time step as an nn.Sequential — the form snnTorch's NIR export traces."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(2 * 34 * 34, hidden),
        snn.Leaky(beta=beta, init_hidden=True),
        nn.Linear(hidden, 10),
        snn.Leaky(beta=beta, init_hidden=True, output=True),
    )


def run(net, x):
    """x: (steps, batch, 2, 34, 34) -> output spikes (steps, batch, 10)."""
    utils.reset(net)
    out = []
    for t in range(x.shape[0]):
        spk, _ = net(x[t])
        out.append(spk)
    return torch.stack(out)


def repair(graph):
    """snnTorch 0.9.4's export (through nirtorch 2.6) leaves four things another reader cannot use:
    the Flatten node's input type is None (nir.write then fails), and the Input and Output nodes carry
    the tracing sample's batch dimension ([1, 2, 34, 34], [1, 10]). NIR types are per sample, so the
    graph is repaired to [2, 34, 34] -> Flatten(start_dim 0) -> ... -> [10]; and the Leaky layers'
    scalar parameters are written once per neuron. Weights and neuron values are untouched."""
    flat = [k for k, n in graph.nodes.items() if isinstance(n, nir.Flatten)]
    for k in flat:
        n = graph.nodes[k]
        graph.nodes[k] = nir.Flatten(input_type={"input": np.array([2, 34, 34])}, start_dim=0, end_dim=-1)
    # Leaky's parameters are exported as scalars (one beta for the layer), which nir.write cannot
    # compress; NIR's LIF holds one value per neuron, so they are spread over the layer's neurons.
    for k, n in list(graph.nodes.items()):
        if isinstance(n, nir.LIF):
            src = next(a for a, b in graph.edges if b == k)
            size = graph.nodes[src].weight.shape[0]
            spread = lambda v: np.full(size, float(np.asarray(v).reshape(-1)[0]))
            graph.nodes[k] = nir.LIF(tau=spread(n.tau), r=spread(n.r), v_leak=spread(n.v_leak),
                                     v_threshold=spread(n.v_threshold), v_reset=spread(n.v_reset))
    graph.nodes["input"] = nir.Input(input_type={"input": np.array([2, 34, 34])})
    graph.nodes["output"] = nir.Output(output_type={"output": np.array([10])})
    return graph


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--data", default=os.environ.get("SPIKEBAR_DATA", "../shared/data"))
    a.add_argument("--epochs", type=int, default=5)
    a.add_argument("--hidden", type=int, default=64)
    a.add_argument("--steps", type=int, default=310,
                   help="1 ms frames per recording (N-MNIST recordings last 300-310 ms; Spikebar runs to each one's last event)")
    a.add_argument("--beta", type=float, default=0.9)
    a.add_argument("--lr", type=float, default=2e-3)
    a.add_argument("--batch", type=int, default=50)
    a.add_argument("--seed", type=int, default=1)
    a.add_argument("--threads", type=int, default=1)
    a.add_argument("--out", default="snntorch-nmnist.nir")
    args = a.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)

    t0 = time.time()
    Xtr, ytr, _ = load(args.data, "train", args.steps)
    Xte, yte, test_ids = load(args.data, "test", args.steps)
    print(f"data: {len(ytr)} training, {len(yte)} test recordings, {args.steps} frames of 1 ms ({time.time() - t0:.1f} s)")

    net = make_net(args.hidden, args.beta)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    loss_fn = SF.ce_count_loss()
    for epoch in range(args.epochs):
        t0 = time.time()
        perm = torch.randperm(len(ytr))
        total = 0.0
        for b in range(0, len(ytr), args.batch):
            idx = perm[b:b + args.batch]
            spk = run(net, Xtr[idx].transpose(0, 1))
            loss = loss_fn(spk, ytr[idx])
            opt.zero_grad(); loss.backward(); opt.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}: loss {total / len(ytr):.4f} ({time.time() - t0:.1f} s)")

    with torch.no_grad():
        counts = run(net, Xte.transpose(0, 1)).sum(0)  # (batch, 10)
    # Spikebar's rule: the class with the most output spikes, ties to the lower index (argmax does the same).
    pred = counts.argmax(1)
    acc = ((pred == yte) & (counts.sum(1) > 0)).float().mean().item()
    print(f"snnTorch: {100 * acc:.1f} % on the {len(yte)} test recordings")

    graph = repair(export_to_nir(net, torch.zeros(1, 2, 34, 34)))
    nir.write(args.out, graph)
    print(f"wrote {args.out}: nodes {sorted(graph.nodes)}")

    # Spikebar reads the graph. snnTorch's Leaky subtracts the threshold after a spike.
    ev = spikebar.evaluate_nir(args.out, data=args.data, limit=len(yte), reset="subtract")
    print(f"Spikebar (nir evaluate, 1 ms frames, reset by subtraction): {ev['accuracy'] * 100:.1f} % "
          f"({ev['correct']} of {ev['recordings']})")
    # A recording with a silent output layer has no predicted class in Spikebar (it counts as wrong).
    silent = counts.sum(1) == 0
    mine = [-1 if z else int(p) for p, z in zip(pred.tolist(), silent.tolist())]
    same = sum(r.get("predicted", -1) == p for r, p in zip(ev["samples"], mine))
    print(f"same class as snnTorch on {same} of {len(ev['samples'])} test recordings")
    pr = spikebar.price(args.out, mapping="unrolled", data=args.data, limit=len(yte), reset="subtract")
    print(f"per inference ({pr['recordings']} test recordings; {pr['mode']}):")
    for arch in pr["architectures"]:
        print(f"  {arch['architecture']:12} energy {arch['energy'] * 1e6:10.4g} µJ   streaming latency "
              f"{arch['latency'] * 1e3:8.4g} ms   compute latency {arch['computeLatency'] * 1e3:9.4g} ms   "
              f"area {arch['area'] * 1e6:8.4g} mm²{'' if arch['feasible'] else '   INFEASIBLE as mapped'}")
    for line in pr["assumptions"]:
        print(f"  assumes: {line}")

if __name__ == "__main__":
    main()
