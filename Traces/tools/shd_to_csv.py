#!/usr/bin/env python3
"""Convert Spiking Heidelberg Digits (SHD, Cramer et al. 2020, doi:10.1109/TNNLS.2020.3044364) HDF5
files to the CSV accepted by `spikebar trace import --format csv --time-column us`.

SHD stores, per sample i, `spikes/times[i]` (seconds, float) and `spikes/units[i]` (0..699), plus
`labels[i]`. Samples are concatenated like the N-MNIST importer does: sample k+1 starts 1 us after the
last spike of sample k. Times are rounded to whole microseconds (SHD's own resolution is finer than
its ~1 ms feature scale needs). A JSON sidecar (<out>.samples.json) lists each sample's start, event
count and label so the trace can be cut back into samples.

Usage:  python3 shd_to_csv.py shd_test.h5 --samples 0:100 --out shd.csv
Needs:  h5py (pip install h5py) and numpy.
"""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("h5", help="SHD HDF5 file (shd_train.h5 / shd_test.h5)")
    ap.add_argument("--samples", default=":", help="Python slice of samples, e.g. 0:100 (default: all)")
    ap.add_argument("--out", required=True, help="output CSV")
    ap.add_argument("--population", default="input", help="population name (default: input)")
    a = ap.parse_args()
    try:
        import h5py
        import numpy as np
    except ImportError:
        sys.exit("shd_to_csv.py needs h5py and numpy: pip install h5py")

    with h5py.File(a.h5, "r") as f:
        times, units = f["spikes"]["times"], f["spikes"]["units"]
        labels = f["labels"][:] if "labels" in f else None
        n = len(times)
        parts = [int(x) if x else None for x in a.samples.split(":")]
        idx = range(n)[slice(*parts)] if len(parts) > 1 else [parts[0]]
        start_us = 0
        table = []
        with open(a.out, "w") as out:
            out.write("time_us,population,index\n")
            for i in idx:
                t = np.rint(np.asarray(times[i], dtype=np.float64) * 1e6).astype(np.int64)
                u = np.asarray(units[i], dtype=np.int64)
                order = np.argsort(t, kind="stable")
                t, u = t[order], u[order]
                if len(u) and (u.min() < 0 or u.max() > 699):
                    sys.exit(f"{a.h5}: sample {i}: unit outside 0..699")
                for ti, ui in zip(t + start_us, u):
                    out.write(f"{ti},{a.population},{ui}\n")
                table.append({"sample": int(i), "startMicroseconds": int(start_us), "events": int(len(t)),
                              "label": int(labels[i]) if labels is not None else None})
                start_us = int(start_us + (t[-1] if len(t) else 0) + 1)
    with open(a.out + ".samples.json", "w") as side:
        json.dump({"source": "SHD", "file": a.h5, "samples": table}, side)
    print(f"{a.out}: {sum(s['events'] for s in table)} events from {len(table)} samples")


if __name__ == "__main__":
    main()
