"""Independent check of `spikebar nir evaluate` on the Sinabs CNN (Docs/nir.md): the same NIR semantics
written again in NumPy — the graph read by the `nir` package (not by Spikebar's HDF5 reader), N-MNIST
parsed here, dense convolutions instead of Spikebar's event scatter — and compared recording by
recording with Spikebar's JSON output.

    python3 -m venv .venv-nir && .venv-nir/bin/pip install nir h5py
    swift build -c release --product spikebar
    .venv-nir/bin/python Docs/tools/nir_crosscheck.py --spikebar .build/release/spikebar \\
        --nir Tests/Fixtures/nir/cnn_sinabs.nir --data ../shared/data [--limit 100] [--sinabs]

--sinabs runs both with v >= threshold and reset by subtraction (else NIR's v > threshold, reset to 0).
Exit status 1 when a prediction differs.
"""
import argparse
import json
import os
import subprocess
import sys

import nir
import numpy as np


def recording(path):
    b = np.fromfile(path, dtype=np.uint8).reshape(-1, 5).astype(np.int64)
    x, y = b[:, 0], b[:, 1]
    p = b[:, 2] >> 7
    t = ((b[:, 2] & 0x7F) << 16) | (b[:, 3] << 8) | b[:, 4]
    frames = np.zeros((t.max() // 1000 + 1, 2, 34, 34))
    np.add.at(frames, (t // 1000, p, y, x), 1)  # (polarity, y, x), OFF = 0
    return frames


def conv2d(x, node):
    w = np.asarray(node.weight, dtype=np.float64)
    s, p = [int(v) for v in np.broadcast_to(node.stride, 2)], [int(v) for v in np.broadcast_to(node.padding, 2)]
    xp = np.pad(x, ((0, 0), (p[0], p[0]), (p[1], p[1])))
    win = np.lib.stride_tricks.sliding_window_view(xp, w.shape[2:], axis=(1, 2))[:, ::s[0], ::s[1]]
    return np.einsum("chwij,ocij->ohw", win, w) + np.asarray(node.bias, dtype=np.float64)[:, None, None]


def run(graph, frames, sinabs):
    order, node = [], "input"
    succ = {a: b for a, b in graph.edges}
    while node in succ:
        node = succ[node]
        order.append(node)
    state = {n: 0.0 for n in order}
    counts = 0
    for f in frames:
        x = f
        for name in order:
            n = graph.nodes[name]
            if isinstance(n, nir.Conv2d):
                x = conv2d(x, n)
            elif isinstance(n, nir.IF):
                v = state[name] + np.asarray(n.r, dtype=np.float64).reshape(x.shape) * x
                th = np.asarray(n.v_threshold, dtype=np.float64).reshape(x.shape)
                z = (v >= th) if sinabs else (v > th)
                v = np.where(z, v - th, v) if sinabs else np.where(z, 0.0, v)
                state[name] = v
                x = z.astype(np.float64)
            elif isinstance(n, nir.SumPool2d):
                k = int(np.asarray(n.kernel_size).ravel()[0])
                c, h, w = x.shape
                x = x[:, : h - h % k, : w - w % k].reshape(c, h // k, k, w // k, k).sum(axis=(2, 4))
            elif isinstance(n, nir.Flatten):
                x = x.reshape(-1)
            elif isinstance(n, nir.Affine):
                x = np.asarray(n.weight, dtype=np.float64) @ x + np.asarray(n.bias, dtype=np.float64)
            elif isinstance(n, nir.Output):
                counts = counts + x
            else:
                raise SystemExit(f"node {name}: {type(n).__name__} not handled by this check")
    return counts


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--spikebar", required=True)
    a.add_argument("--nir", required=True)
    a.add_argument("--data", required=True)
    a.add_argument("--limit", type=int, default=100)
    a.add_argument("--sinabs", action="store_true")
    o = a.parse_args()
    args = [o.spikebar, "nir", "evaluate", o.nir, "--data", o.data, "--limit", str(o.limit), "--json"]
    if o.sinabs:
        args += ["--reset", "subtract", "--threshold", ">="]
    ours = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)["samples"]
    graph = nir.read(o.nir)
    folder = os.path.join(o.data, "nmnist-subset")
    ids = [l.split() for l in open(os.path.join(folder, "test100.txt")) if l.strip() and not l.startswith("#")]
    ids = [(int(i), int(c)) for i, c, *_ in ids if i.isdigit()][: o.limit]
    same_class = same_counts = correct = 0
    for (rid, label), s in zip(ids, ours):
        counts = run(graph, recording(os.path.join(folder, f"{rid}.bin")), o.sinabs)
        pred = int(np.argmax(counts)) if counts.max() > 0 else None
        correct += pred == label
        same_class += pred == s.get("predicted")
        same = np.array_equal(counts, np.array(s["outputCounts"]))
        same_counts += same
        if not same:
            print(f"{rid}: output counts differ: numpy {counts.astype(int).tolist()} spikebar {[int(c) for c in s['outputCounts']]}")
    n = len(ours)
    print(f"{n} recordings ({'v >= th, subtract' if o.sinabs else 'v > th, reset to 0'}): numpy reference {correct}/{n} correct; "
          f"same class as spikebar {same_class}/{n}; identical output spike counts {same_counts}/{n}")
    sys.exit(0 if same_class == n else 1)


main()
