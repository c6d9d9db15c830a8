#!/usr/bin/env python3
"""snnTorch side of `Benchmarks/peers.sh train` and `Benchmarks/peers.sh accuracy`.

train     time per training step (forward over T steps + BPTT backward + Adam update) for the shapes of
          `spikebar bench train`: 784-128-10 and 700-128(recurrent)-20, T = 100, batch 128, Bernoulli
          input spikes with p = 0.02 per channel and step (drawn once, as Spikebar draws them once),
          snn.Synaptic neurons (synaptic current + membrane, the twin's two state variables; snn.RSynaptic
          with an all-to-all recurrent Linear for the recurrent shape; snnTorch's default subtractive reset,
          its fastest), fast-sigmoid surrogate (slope 10),
          spike-count readout x 0.5, cross-entropy, Adam. torch.set_num_threads(--threads). Median of
          --repeat steps after --warmup untimed steps (default 3);
          denormals flushed to zero (torch.set_flush_denormal), in the peer's favour.
          Prints one JSON object per shape: {"shape", "ms_per_step", "threads", "batch", "input_rate"}.

accuracy  the twin's MNIST recipe (`Scenarios/nhc-mnist.yaml`) trained by snnTorch: 784-128-10, Poisson
          input at 100 Hz x pixel/255 in T = 100 steps of 1 ms (p = 0.1 x pixel/255 per step, a fresh draw
          every presentation), tau_syn 5 ms / tau_mem 20 ms (alpha = e^-1/5, beta = e^-1/20),
          threshold 1, snnTorch's default subtractive reset (the twin resets to 0), no bias, fast-sigmoid surrogate slope 10, spike-count readout x 0.5,
          cross-entropy, Adam with cosine decay over all steps (peers.sh passes --lr 7.9e-4: the twin's 5e-3
          converted to threshold units), batch 128, 5 % of the training set
          held out for validation; the weights of the best validation epoch are tested on all 10,000 test
          digits. Homogeneous time constants and float weights: the peer of the twin's "ideal" column.
          Prints progress on stderr and one JSON object on stdout.
"""
import argparse
import gzip
import json
import math
import os
import statistics
import sys
import time


def need(module):
    try:
        return __import__(module)
    except ImportError:
        sys.exit(f"{module} is not installed: run `Benchmarks/peers.sh train --smoke` (it installs the peers into .venv-peers)")


class Net:
    """784-H-O (optionally recurrent hidden layer) of snn.Synaptic neurons, spike-count readout."""

    def __init__(self, torch, snn, surrogate, n_in, n_hidden, n_out, recurrent, slope=10.0):
        nn = torch.nn
        alpha, beta = math.exp(-1 / 5), math.exp(-1 / 20)
        grad = surrogate.fast_sigmoid(slope=slope)
        self.fc1 = nn.Linear(n_in, n_hidden, bias=False)
        self.fc2 = nn.Linear(n_hidden, n_out, bias=False)
        if recurrent:
            self.lif1 = snn.RSynaptic(alpha=alpha, beta=beta, spike_grad=grad, all_to_all=True,
                                      linear_features=n_hidden, init_hidden=False)
            # the twin has no bias anywhere: drop the recurrent Linear's bias too
            self.lif1.recurrent.bias = None
        else:
            self.lif1 = snn.Synaptic(alpha=alpha, beta=beta, spike_grad=grad)
        self.lif2 = snn.Synaptic(alpha=alpha, beta=beta, spike_grad=grad)
        self.recurrent = recurrent
        self.modules = nn.ModuleList([self.fc1, self.fc2, self.lif1, self.lif2])

    def parameters(self):
        return self.modules.parameters()

    def __call__(self, x):                      # x: [T, batch, n_in] of 0/1
        if self.recurrent:
            spk1, syn1, mem1 = self.lif1.init_rsynaptic()
        else:
            syn1, mem1 = self.lif1.init_synaptic()
        syn2, mem2 = self.lif2.init_synaptic()
        count = 0
        for t in range(x.shape[0]):
            if self.recurrent:
                spk1, syn1, mem1 = self.lif1(self.fc1(x[t]), spk1, syn1, mem1)
            else:
                spk1, syn1, mem1 = self.lif1(self.fc1(x[t]), syn1, mem1)
            spk2, syn2, mem2 = self.lif2(self.fc2(spk1), syn2, mem2)
            count = count + spk2
        return 0.5 * count                      # logits: readout_scale x output spike counts


def bench_train(args):
    torch = need("torch")
    snn = need("snntorch")
    from snntorch import surrogate
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)   # in the peer's favour: decaying states otherwise hit denormal slow paths
    torch.manual_seed(1)
    shapes = {"ff": ("784-128-10", 784, 128, 10, False), "rec": ("700-128(rec)-20", 700, 128, 20, True)}
    for key in (["ff", "rec"] if args.shape == "all" else [args.shape]):
        name, n_in, n_hidden, n_out, recurrent = shapes[key]
        net = Net(torch, snn, surrogate, n_in, n_hidden, n_out, recurrent)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        x = (torch.rand(args.steps, args.batch, n_in) < 0.02).float()
        labels = torch.arange(args.batch) % n_out
        loss_fn = torch.nn.CrossEntropyLoss()
        times = []
        for r in range(args.repeat + args.warmup):
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x), labels)
            loss.backward()
            opt.step()
            if r >= args.warmup:
                times.append(time.perf_counter() - t0)
        print(json.dumps({"shape": name, "ms_per_step": statistics.median(times) * 1e3, "threads": args.threads,
                          "batch": args.batch, "steps": args.steps, "input_rate": float(x.mean()),
                          "torch": torch.__version__, "snntorch": snn.__version__}), flush=True)


def read_idx(path):
    import numpy as np
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * k: 8 + 4 * k], "big") for k in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def bench_accuracy(args):
    torch = need("torch")
    snn = need("snntorch")
    import numpy as np
    from snntorch import surrogate
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(args.seed)
    d = args.data
    try:
        xtr = read_idx(os.path.join(d, "train-images-idx3-ubyte.gz")).reshape(-1, 784)
        ytr = read_idx(os.path.join(d, "train-labels-idx1-ubyte.gz"))
        xte = read_idx(os.path.join(d, "t10k-images-idx3-ubyte.gz")).reshape(-1, 784)
        yte = read_idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz"))
    except FileNotFoundError as e:
        sys.exit(f"MNIST not found ({e.filename}): put the four *-ubyte.gz files in {d} or pass --data")
    if args.train_samples:
        xtr, ytr = xtr[: args.train_samples], ytr[: args.train_samples]
    if args.test_samples:
        xte, yte = xte[: args.test_samples], yte[: args.test_samples]
    perm = np.random.default_rng(args.seed).permutation(len(xtr))
    n_val = int(round(len(xtr) * 0.05))
    val_idx, tr_idx = perm[:n_val], perm[n_val:]
    # per-step spike probability: 100 Hz x pixel/255 x 1 ms
    p_tr = torch.from_numpy(xtr.astype(np.float32) / 255 * 0.1)
    p_te = torch.from_numpy(xte.astype(np.float32) / 255 * 0.1)
    y_tr, y_te = torch.from_numpy(ytr.astype(np.int64)), torch.from_numpy(yte.astype(np.int64))
    net = Net(torch, snn, surrogate, 784, 128, 10, False)
    with torch.no_grad():                   # --init-scale: multiply torch's default Linear init
        for fc in (net.fc1, net.fc2):
            fc.weight.mul_(args.init_scale)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    batches = math.ceil(len(tr_idx) / args.batch)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=batches * args.epochs)
    loss_fn = torch.nn.CrossEntropyLoss()

    def encode(p):
        return (torch.rand(args.steps, *p.shape) < p).float()

    def accuracy(p, y):
        right = 0
        with torch.no_grad():
            for k in range(0, len(y), 500):
                right += int((net(encode(p[k:k + 500])).argmax(1) == y[k:k + 500]).sum())
        return right / len(y)

    best = (-1.0, None, 0)
    history = []
    t_train = 0.0
    rng = np.random.default_rng(args.seed + 1)
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(tr_idx)
        t0 = time.perf_counter()
        for b in range(batches):
            idx = torch.from_numpy(order[b * args.batch:(b + 1) * args.batch])
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(encode(p_tr[idx])), y_tr[idx])
            loss.backward()
            opt.step()
            sched.step()
        dt = time.perf_counter() - t0
        t_train += dt
        val = accuracy(p_tr[torch.from_numpy(val_idx)], y_tr[torch.from_numpy(val_idx)])
        history.append({"epoch": epoch, "validation": val, "seconds": dt, "loss": loss.item()})
        print(f"snnTorch epoch {epoch}/{args.epochs}: validation {val * 100:.2f} %, {dt:.1f} s", file=sys.stderr, flush=True)
        if val > best[0]:
            best = (val, {k: v.clone() for k, v in net.modules.state_dict().items()}, epoch)
    net.modules.load_state_dict(best[1])
    test = accuracy(p_te, y_te)
    print(json.dumps({"test_accuracy": test, "test_samples": len(y_te), "best_epoch": best[2], "epochs": args.epochs,
                      "best_validation": best[0], "init_scale": args.init_scale, "train_seconds": t_train, "threads": args.threads,
                      "history": history, "torch": torch.__version__, "snntorch": snn.__version__}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    t = sub.add_parser("train", help="time per training step")
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--repeat", type=int, default=7)
    t.add_argument("--warmup", type=int, default=3, help="untimed steps first (the first steps of a fresh torch process are 10-30x slower)")
    t.add_argument("--batch", type=int, default=128)
    t.add_argument("--steps", type=int, default=100)
    t.add_argument("--shape", choices=["all", "ff", "rec"], default="all")
    a = sub.add_parser("accuracy", help="MNIST accuracy with the twin's recipe")
    a.add_argument("--data", default="../shared/data/mnist")
    a.add_argument("--epochs", type=int, default=10)
    a.add_argument("--batch", type=int, default=128)
    a.add_argument("--lr", type=float, default=5e-3)
    a.add_argument("--steps", type=int, default=100)
    a.add_argument("--threads", type=int, default=2)
    a.add_argument("--train-samples", type=int, default=0, help="first N training digits only (0 = all)")
    a.add_argument("--test-samples", type=int, default=0, help="first N test digits only (0 = all)")
    a.add_argument("--seed", type=int, default=42)
    a.add_argument("--init-scale", type=float, default=1.0, help="factor on torch's default Linear initialisation")
    args = ap.parse_args()
    bench_train(args) if args.what == "train" else bench_accuracy(args)


if __name__ == "__main__":
    main()
