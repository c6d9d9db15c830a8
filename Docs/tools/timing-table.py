#!/usr/bin/env python3
"""Prints the Randman / N-MNIST table of Docs/results.md (issue #21) from the JSON files that
Docs/tools/timing-table.sh and timing-family.sh write under spikebar-out/. Usage:
  python3 Docs/tools/timing-table.py table [seeds…]     (default 1 2 3)
  python3 Docs/tools/timing-table.py family [seeds…]    (default 1)"""
import json, os, statistics, sys

def acc(path, name):
    with open(path) as f:
        d = json.load(f)
    d = d.get("evaluation", d)
    for a in d["accuracies"]:
        if a["name"] == name or (name == "chip" and a["name"].startswith("programmed chip, kernel grid")):
            return 100 * a["accuracy"]
    raise KeyError(name)

def drift(path, t):
    with open(path) as f:
        d = json.load(f)
    return 100 * next(p for p in d["points"] if p["value"] == t)["accuracies"][0]

def cell(values):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    if len(values) == 1:
        return "%.1f %%" % values[0]
    return "%.1f ± %.1f %% (%s)" % (statistics.mean(values), statistics.stdev(values), " / ".join("%.1f" % v for v in values))

def get(f, *a):
    try:
        return f(*a)
    except (OSError, KeyError, StopIteration, ValueError):
        return None

def table(seeds):
    o = "spikebar-out"
    rm = lambda sc, s: "%s/%s-s%s/evaluate.json" % (o, sc, s)
    nm = lambda sc: "%s/%s/evaluate.json" % (o, sc)
    rows = [
        ("best float SNN (no ANN trained)", lambda s: max(x for x in [get(acc, rm("randman-nc", s), "ideal twin"), get(acc, rm("randman-nhc", s), "float twin"), get(acc, rm("randman-trained-tau", s), "float twin")] if x is not None),
         lambda: max(x for x in [get(acc, nm("nmnist-rec-nc"), "ideal twin"), get(acc, nm("nmnist-rec-nhc"), "float twin"), get(acc, nm("nmnist-rec-trained-tau"), "float twin")] if x is not None)),
        ("NC SNN, float32, on the chip's τ", lambda s: get(acc, rm("randman-nc", s), "float twin"), lambda: get(acc, nm("nmnist-rec-nc"), "float twin")),
        ("NC SNN, programmed chip (8 levels, programming error)", lambda s: get(acc, rm("randman-nc", s), "chip"), lambda: get(acc, nm("nmnist-rec-nc"), "chip")),
        ("Hom. SNN, float32", lambda s: get(acc, rm("randman-nc", s), "ideal twin"), lambda: get(acc, nm("nmnist-rec-nc"), "ideal twin")),
        ("Hom. SNN, 3 bits (8 levels)", lambda s: get(acc, rm("randman-nc", s), "quantised ideal twin"), lambda: get(acc, nm("nmnist-rec-nc"), "quantised ideal twin")),
        ("NHC SNN, float32", lambda s: get(acc, rm("randman-nhc", s), "float twin"), lambda: get(acc, nm("nmnist-rec-nhc"), "float twin")),
        ("NHC SNN, 3 bits (8 levels)", lambda s: get(acc, rm("randman-nhc", s), "quantised twin"), lambda: get(acc, nm("nmnist-rec-nhc"), "quantised twin")),
        ("NHC SNN, programmed chip (simple cell model)", lambda s: get(acc, rm("randman-nhc", s), "chip"), lambda: get(acc, nm("nmnist-rec-nhc"), "chip")),
    ]
    for t, label in [(0, "0 s"), (5, "5 s"), (3600, "1 h")]:
        rows.append(("NHC SNN, RRAM t = %s (HfO₂ model)" % label,
                     (lambda t: lambda s: get(drift, "%s/randman-nhc-s%s/drift.json" % (o, s), t))(t),
                     (lambda t: lambda: get(drift, "%s/nmnist-rec-nhc/drift.json" % o, t))(t)))
    rows += [
        ("trained τ, float32", lambda s: get(acc, rm("randman-trained-tau", s), "float twin"), lambda: get(acc, nm("nmnist-rec-trained-tau"), "float twin")),
        ("trained τ, 3 bits (8 levels)", lambda s: get(acc, rm("randman-trained-tau", s), "quantised twin"), lambda: get(acc, nm("nmnist-rec-trained-tau"), "quantised twin")),
        ("trained τ, programmed chip", lambda s: get(acc, rm("randman-trained-tau", s), "chip"), lambda: get(acc, nm("nmnist-rec-trained-tau"), "chip")),
    ]
    print("| model (seed 000 Table I row) | Randman, seeds %s | N-MNIST subset (small: 100 test recordings) |" % " / ".join(seeds))
    print("|---|---:|---:|")
    for name, r, n in rows:
        print("| %s | %s | %s |" % (name, cell([get(r, s) for s in seeds]), cell([get(n)])))

def family(seeds):
    o = "spikebar-out/family"
    print("| setting (D, α, jitter) | homogeneous τ | chip's fixed τ | trained τ |")
    print("|---|---:|---:|---:|")
    for D, A, J, W in [("1", "2", "0", ""), ("2", "2", "0", ""), ("2", "1", "0", ""), ("2", "2", "4e-3", ""), ("2", "2", "8e-3", ""), ("3", "2", "0", ""),
                       ("2", "2", "0", "-w300ms"), ("2", "2", "0", "-w200ms"), ("2", "2", "0", "-w200ms-warp2"),
                       ("2", "2", "0", "-w300ms-warp3"), ("2", "2", "0", "-w200ms-spu4")]:
        cells = []
        for tc, name in [("homogeneous", "ideal twin"), ("chip", "float twin"), ("trained", "float twin")]:
            cells.append(cell([get(acc, "%s/D%s-a%s-j%s%s-%s-s%s/evaluate.json" % (o, D, A, J, W, tc, s), name) for s in seeds]))
        window = ", window %s ms" % W.split("-")[1][1:-2] if W else ""
        if "warp" in W: window += ", time warp %s" % W.split("warp")[1]
        if "spu" in W: window += ", %s spikes per unit" % W.split("spu")[1]
        print("| D = %s, α = %s, jitter %s%s | %s |" % (D, A, "0" if J == "0" else "%g ms" % (1e3 * float(J)), window, " | ".join(cells)))

if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "table"
    seeds = sys.argv[2:] or (["1", "2", "3"] if what == "table" else ["1"])
    table(seeds) if what == "table" else family(seeds)
