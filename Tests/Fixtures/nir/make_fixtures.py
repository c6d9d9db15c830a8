"""Writes the small NIR test fixtures of Tests/SpikebarNIRTests with the Python `nir` package (1.0.x) and h5py.

    python3 -m venv .venv-nir && .venv-nir/bin/pip install nir h5py
    .venv-nir/bin/python Tests/Fixtures/nir/make_fixtures.py

Values are chosen so that the tests can check them by hand (see NIRReadingTests.swift).
"""
import os
import h5py
import nir
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
out = lambda name: os.path.join(here, name)
a = lambda *v: np.array(v, dtype=np.float64)


def nested_cycle():
    # A recurrent CubaLIF layer nested as a subgraph (cycle lif -> rec -> lif), fed by a Linear layer.
    sub = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([2])),
            "lif": nir.CubaLIF(tau_syn=a(2e-3, 2e-3), tau_mem=a(5e-3, 5e-3), r=a(1.0, 2.0), v_leak=a(0.0, 0.0),
                               v_threshold=a(1.0, 1.5), w_in=a(1.0, 1.0)),
            "rec": nir.Linear(weight=np.array([[0.0, -0.5], [0.25, 0.0]])),
            "output": nir.Output(output_type=np.array([2])),
        },
        edges=[("input", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")],
    )
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([3])),
            "fc": nir.Linear(weight=np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])),
            "sub": sub,
            "fc2": nir.Affine(weight=np.array([[1.0, 1.0]]), bias=a(0.5)),
            "if": nir.IF(r=a(1000.0), v_threshold=a(2.0)),  # dt·r = 1 at dt = 1 ms
            "output": nir.Output(output_type=np.array([1])),
        },
        edges=[("input", "fc"), ("fc", "sub"), ("sub", "fc2"), ("fc2", "if"), ("if", "output")],
    )


def kinds():
    # One node of every other kind, in a chain (read back parameter by parameter; not executed).
    nodes = {
        "input": nir.Input(input_type=np.array([2, 6])),
        "conv1": nir.Conv1d(input_shape=6, weight=np.arange(12, dtype=np.float64).reshape(2, 2, 3), stride=1,
                            padding="same", dilation=1, groups=1, bias=a(0.1, 0.2)),
        "conv2": nir.Conv2d(input_shape=(4, 4), weight=np.ones((4, 1, 2, 2)), stride=2, padding="valid", dilation=1,
                            groups=2, bias=a(0, 0, 0, 0)),
        "avg": nir.AvgPool2d(kernel_size=np.array([2, 2]), stride=np.array([1, 1]), padding=np.array([0, 0])),
        "sum": nir.SumPool2d(kernel_size=np.array([3, 3]), stride=np.array([3, 3]), padding=np.array([1, 1])),
        "flat": nir.Flatten(input_type={"input": np.array([4, 2, 2])}, start_dim=0, end_dim=-1),
        "scale": nir.Scale(scale=a(2.0, -1.0)),
        "thr": nir.Threshold(threshold=a(0.5, 0.25)),
        "delay": nir.Delay(delay=a(1e-3, 2e-3)),
        "li": nir.LI(tau=a(1e-2, 2e-2), r=a(1.0, 1.0), v_leak=a(0.0, 0.1)),
        "integ": nir.I(r=a(3.0, 4.0)),
        "lif": nir.LIF(tau=a(1e-2, 1e-2), r=a(1.0, 1.0), v_leak=a(0.0, 0.0), v_threshold=a(1.0, 1.0), v_reset=a(-0.5, 0.0)),
        "culi": nir.CubaLI(tau_syn=a(1e-3, 1e-3), tau_mem=a(1e-2, 1e-2), r=a(1.0, 1.0), v_leak=a(0.0, 0.0), w_in=a(2.0, 2.0)),
        "output": nir.Output(output_type=np.array([2])),
    }
    names = list(nodes)
    return nir.NIRGraph(nodes=nodes, edges=list(zip(names[:-1], names[1:])), type_check=False)


nir.write(out("nested_cycle_gzip.nir"), nested_cycle(), compression="gzip")
nir.write(out("nested_cycle_plain.nir"), nested_cycle(), compression=None)
nir.write(out("kinds_gzip.nir"), kinds(), compression="gzip")


def malformed(name, edit):
    path = out(name)
    nir.write(path, nested_cycle(), compression=None)
    with h5py.File(path, "r+") as f:
        edit(f)


malformed("bad_missing_weight.nir", lambda f: f.__delitem__("node/nodes/fc/weight"))


def wrong_shape(f):
    del f["node/nodes/sub/nodes/lif/tau_mem"]
    f.create_dataset("node/nodes/sub/nodes/lif/tau_mem", data=a(1e-3, 1e-3, 1e-3))


malformed("bad_wrong_shape.nir", wrong_shape)


def unknown(f):
    del f["node/nodes/if/type"]
    f.create_dataset("node/nodes/if/type", data="Spiky", dtype=h5py.string_dtype())


malformed("bad_unknown_node.nir", unknown)


def dangling(f):
    e = f["node/edges"][()]
    del f["node/edges"]
    e = np.concatenate([e, np.array([[b"fc2", b"nowhere"]], dtype=object)])
    f.create_dataset("node/edges", data=e, dtype=h5py.string_dtype())


malformed("bad_dangling_edge.nir", dangling)
with open(out("bad_not_hdf5.nir"), "w") as f:
    f.write("this is not an HDF5 file\n")


# The shipped braille subgraph file (snnTorch export, NIR repository `paper/`) has dangling edges inside
# `lif1`: they name `lif`, the node is `lif1` (nir 1.0.8 rejects it too). A repaired copy tests nesting.
import shutil
fixed = out("braille_subgraph_repaired.nir")
shutil.copyfile(out("braille_noDelay_bias_zero_subgraph.nir"), fixed)
os.chmod(fixed, 0o644)
with h5py.File(fixed, "r+") as f:
    e = f["node/nodes/lif1/edges"][()]
    e = np.array([[b"lif1" if x == b"lif" else x for x in row] for row in e], dtype=object)
    del f["node/nodes/lif1/edges"]
    f.create_dataset("node/nodes/lif1/edges", data=e, dtype=h5py.string_dtype())
