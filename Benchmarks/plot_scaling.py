#!/usr/bin/env python3
"""Charts of Benchmarks/scaling.sh's measurements (stdlib only, SVG): reads the `scaling key=value` lines
of OUT_DIR/scaling.txt and writes scaling-size.svg (time per model second and peak RSS against network
size), scaling-activity.svg (time against input activity, exact / grid / dense clock-driven loop) and
prints the multi-thread speed-up. With OUT_DIR/scaling-nest.txt (`Benchmarks/peers.sh scaling`: NEST and
Spikebar measured in the same run on the same chips and spikes) the size chart also draws NEST's curves
and the same-run ratios are printed. Nothing is computed but ratios of the measured figures."""
import math
import os
import sys


def parse(path):
    rows = []
    for line in open(path):
        if not line.startswith("scaling "):
            continue
        kv = dict(f.split("=", 1) for f in line.split()[1:] if "=" in f)
        for k, v in list(kv.items()):
            try:
                kv[k] = float(v.rstrip("%"))
            except ValueError:
                pass
        rows.append(kv)
    return rows


COLORS = {"exact": "#1f77b4", "grid": "#2ca02c", "dense": "#d62728", "rss": "#9467bd",
          "iaf_psc_exp_ps": "#ff7f0e", "iaf_psc_exp": "#8c564b"}


def chart(path, title, xlabel, ylabel, series, note=""):
    """series: [(name, color, [(x, y)], dashed)] on log-log axes."""
    W, H, L, R, T, B = 640, 420, 80, 170, 40, 60
    pts = [p for _, _, s, _ in series for p in s if p[0] > 0 and p[1] > 0]
    if not pts:
        return
    lx = [math.log10(p[0]) for p in pts]
    ly = [math.log10(p[1]) for p in pts]
    x0, x1 = math.floor(min(lx)), math.ceil(max(lx))
    y0, y1 = math.floor(min(ly)), math.ceil(max(ly))
    x1 = max(x1, x0 + 1)
    y1 = max(y1, y0 + 1)
    X = lambda v: L + (math.log10(v) - x0) / (x1 - x0) * (W - L - R)
    Y = lambda v: H - B - (math.log10(v) - y0) / (y1 - y0) * (H - T - B)
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{W/2}" y="22" text-anchor="middle" font-size="14">{title}</text>']
    for e in range(x0, x1 + 1):
        x = L + (e - x0) / (x1 - x0) * (W - L - R)
        o.append(f'<line x1="{x}" y1="{T}" x2="{x}" y2="{H-B}" stroke="#ddd"/><text x="{x}" y="{H-B+16}" text-anchor="middle">1e{e}</text>')
    for e in range(y0, y1 + 1):
        y = H - B - (e - y0) / (y1 - y0) * (H - T - B)
        o.append(f'<line x1="{L}" y1="{y}" x2="{W-R}" y2="{y}" stroke="#ddd"/><text x="{L-6}" y="{y+4}" text-anchor="end">1e{e}</text>')
    o.append(f'<rect x="{L}" y="{T}" width="{W-L-R}" height="{H-T-B}" fill="none" stroke="black"/>')
    o.append(f'<text x="{(L+W-R)/2}" y="{H-20}" text-anchor="middle">{xlabel}</text>')
    o.append(f'<text x="18" y="{(T+H-B)/2}" text-anchor="middle" transform="rotate(-90 18 {(T+H-B)/2})">{ylabel}</text>')
    for k, (name, color, s, dashed) in enumerate(series):
        s = sorted(p for p in s if p[0] > 0 and p[1] > 0)
        if not s:
            continue
        d = " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in s)
        dash = ' stroke-dasharray="6,4"' if dashed else ""
        o.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        for x, y in s:
            o.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="3" fill="{color}"/>')
        ly_ = T + 14 + 18 * k
        o.append(f'<line x1="{W-R+10}" y1="{ly_-4}" x2="{W-R+30}" y2="{ly_-4}" stroke="{color}" stroke-width="2"{dash}/>'
                 f'<text x="{W-R+34}" y="{ly_}">{name}</text>')
    if note:
        o.append(f'<text x="{L}" y="{H-4}" font-size="10" fill="#555">{note}</text>')
    o.append("</svg>")
    open(path, "w").write("\n".join(o) + "\n")


def main():
    src, out = sys.argv[1], sys.argv[2]
    rows = parse(src)
    header = open(src).readline().strip("# \n")
    size = [r for r in rows if r.get("kind") == "run" and r.get("rate_hz") == 20.0 and r.get("duration_s") != 0.1]
    act = [r for r in rows if r.get("kind") == "run" and r.get("duration_s") == 0.1]
    thr = [r for r in rows if r.get("kind") == "threads"]
    per_s = lambda r: r["seconds"] / r["duration_s"]
    series = [(f"{m} (s per model s)", COLORS[m], [(r["neurons"], per_s(r)) for r in size if r["mode"] == m], False) for m in ("exact", "grid")]
    rss = {}
    for r in size:
        rss[r["neurons"]] = max(rss.get(r["neurons"], 0), r["rss_mib"] / 1024)
    series.append(("peak RSS (GiB)", COLORS["rss"], sorted(rss.items()), True))
    nest_path = f"{out}/scaling-nest.txt"
    nest = parse(nest_path) if os.path.exists(nest_path) else []
    # A run line with inference_threads > 1 is one inference on several threads: its own name.
    for r in nest:
        if r.get("kind") == "run" and r.get("inference_threads", 1) > 1:
            r["mode"] = f"{r['mode']} {int(r['inference_threads'])} thr"
    peer_runs = [r for r in nest if r.get("kind") == "run"]
    for model in ("iaf_psc_exp_ps", "iaf_psc_exp"):
        pts = [(r["neurons"], per_s(r)) for r in nest if r.get("kind") == "nest" and r.get("model") == model and r.get("threads") == 1.0]
        if pts:
            series.append((f"NEST {model.replace('iaf_psc_', '')}", COLORS[model], pts, False))
    chart(f"{out}/scaling-size.svg", "Kernel time and memory vs network size (20 Hz inputs)", "neurons (inputs + 138)",
          "seconds per model second / GiB", series, header)
    series = [(f"{m}", COLORS[m], [(r["active_per_ms"], per_s(r)) for r in act if r["mode"] == m], m == "dense") for m in ("exact", "grid", "dense")]
    chart(f"{out}/scaling-activity.svg", "Kernel time vs input activity (784-128-10)", "% of inputs spiking per ms",
          "seconds per model second", series, header)
    print("size:")
    for r in sorted(size, key=lambda r: (r["mode"], r["neurons"])):
        print(f"  {r['mode']:5} {int(r['neurons']):8d} neurons {int(r['synapses']):10d} synapses  {per_s(r):9.4f} s/model-s  "
              f"{r['syn_per_s']/1e6:7.1f} M syn ev/s  RSS {r['rss_mib']:8.1f} MiB  setup {r['setup_s']:.2f} s  layer rates {r.get('layer_rates_hz')}")
    if nest:
        print("size, same run as NEST (Benchmarks/peers.sh scaling; synaptic events/s, and Spikebar's ratio to NEST):")
        for r in sorted(nest, key=lambda r: (r["neurons"], r.get("mode", r.get("model", "")), r.get("threads", 1))):
            name = r["mode"] if r.get("kind") == "run" else f"NEST {r['model']} {int(r['threads'])} thr"
            line = f"  {int(r['neurons']):8d} neurons  {name:28} {r['seconds']*1e3:10.2f} ms  {r['syn_per_s']/1e6:8.1f} M syn ev/s"
            if r.get("kind") == "nest":
                mine = {p["mode"]: p for p in peer_runs if p["neurons"] == r["neurons"]}
                line += "  " + "  ".join(f"{m} {mine[m]['syn_per_s'] / r['syn_per_s']:.1f}x" for m in ("exact", "grid", "grid 2 thr") if m in mine)
            print(line)
    print("activity:")
    for r in sorted(act, key=lambda r: (r["mode"], r["active_per_ms"])):
        extra = f"{r['syn_per_s']/1e6:7.1f} M syn ev/s" if "syn_per_s" in r else f"{r['synapse_updates']:.3g} synapse updates"
        print(f"  {r['mode']:5} {r['active_per_ms']:6.2f} %/ms  {per_s(r):9.4f} s/model-s  {extra}  layer rates {r.get('layer_rates_hz', '-')}")
    print("threads:")
    for m in ("exact", "grid"):
        t = {int(r["threads"]): r for r in thr if r["mode"] == m}
        if 1 in t and 2 in t:
            print(f"  {m}: 1 thread {t[1]['seconds']*1e3:.1f} ms, 2 threads {t[2]['seconds']*1e3:.1f} ms for {int(t[1]['samples'])} inferences: speed-up {t[1]['seconds']/t[2]['seconds']:.2f}x")


if __name__ == "__main__":
    main()
