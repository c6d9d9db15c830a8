"""Checks of the Python entry point against the CLI (run by `swift test`, PythonPackageTests, in a venv it
makes; SPIKEBAR_BIN points at the binary under test, SPIKEBAR_TEST_SCENARIO at a small scenario)."""
import json
import os
import subprocess
import sys

import spikebar

scenario = os.environ["SPIKEBAR_TEST_SCENARIO"]

# run(): the same report the CLI prints with --json.
r = spikebar.run(scenario, samples=1, threads=1)
direct = json.loads(subprocess.run([os.environ["SPIKEBAR_BIN"], "run", scenario, "--samples", "1", "--threads", "1", "--json"],
                                   capture_output=True, text=True, check=True).stdout)
assert [a["architecture"] for a in r["architectures"]] == [a["architecture"] for a in direct["architectures"]], r.keys()
assert r["architectures"][0]["energy"] == direct["architectures"][0]["energy"]
assert r["assumptions"], "the report's assumptions travel with the numbers"

# A bad scenario is a SpikebarError carrying the CLI's message and exit status 2.
try:
    spikebar.run(scenario + ".missing")
    raise AssertionError("a missing scenario must raise")
except spikebar.SpikebarError as e:
    assert e.status == 2 and "not found" in e.message, (e.status, e.message)

# NIR: a NIRGraph object goes through nir.write; inspect_nir returns its nodes.
graph_path = os.environ.get("SPIKEBAR_TEST_NIR")
if graph_path:
    import nir
    import numpy as np
    g = nir.NIRGraph(
        nodes={"input": nir.Input(input_type=np.array([3])),
               "fc": nir.Affine(weight=np.ones((2, 3), dtype=np.float32), bias=np.zeros(2, dtype=np.float32)),
               "lif": nir.LIF(tau=np.full(2, 0.02), r=np.ones(2), v_leak=np.zeros(2), v_threshold=np.ones(2)),
               "output": nir.Output(output_type=np.array([2]))},
        edges=[("input", "fc"), ("fc", "lif"), ("lif", "output")])
    info = spikebar.inspect_nir(g)
    text = json.dumps(info)
    assert "Affine" in text and "LIF" in text, text[:300]
    info_path = spikebar.inspect_nir(graph_path)
    assert json.dumps(info_path), "inspect of a shipped graph"
    # import_nir(): a graph of dense CubaLIF layers becomes a scenario of the chip's own layers, which run() runs.
    import tempfile
    n1, n2 = 3, 2
    layers = nir.NIRGraph(
        nodes={"input": nir.Input(input_type=np.array([4])),
               "w1": nir.Linear(weight=np.full((n1, 4), 0.5)),
               "hidden": nir.CubaLIF(tau_syn=np.full(n1, 0.005), tau_mem=np.full(n1, 0.02), r=np.ones(n1), v_leak=np.zeros(n1),
                                     v_threshold=np.ones(n1), v_reset=np.zeros(n1), w_in=np.full(n1, 2.0)),
               "w2": nir.Linear(weight=np.full((n2, n1), -0.25)),
               "out": nir.CubaLIF(tau_syn=np.full(n2, 0.005), tau_mem=np.full(n2, 0.02), r=np.ones(n2), v_leak=np.zeros(n2),
                                  v_threshold=np.ones(n2), v_reset=np.zeros(n2), w_in=np.full(n2, 2.0)),
               "output": nir.Output(output_type=np.array([n2]))},
        edges=[("input", "w1"), ("w1", "hidden"), ("hidden", "w2"), ("w2", "out"), ("out", "output")])
    with tempfile.TemporaryDirectory() as d:
        written = spikebar.import_nir(layers, like=scenario, out=os.path.join(d, "imported.yaml"))
        assert written["network"]["input"] == 4 and [l["size"] for l in written["network"]["layers"]] == [n1, n2], written
        assert len(written["gains"]) == 2 and all(g > 0 for g in written["gains"]), written
        report = spikebar.run(written["scenario"], samples=1, threads=1, out=os.path.join(d, "report"))
        assert report["architectures"] and report["populations"][1]["size"] == n1, report.keys()
    # new_nir(): a fresh CNN in seed 003's notation, which inspect_nir reads back.
    with tempfile.TemporaryDirectory() as d:
        made = spikebar.new_nir("12x12x1-2c3-2s-3o", out=os.path.join(d, "fresh.nir"), seed=3)
        assert made["architecture"] == "12x12x1-2c3-2s-3o" and made["parameters"] > 0, made
        back = nir.read(made["file"])
        assert {"conv0", "if0", "pool1", "flatten", "fc2", "if2"} <= set(back.nodes), sorted(back.nodes)
        assert np.all(back.nodes["conv0"].bias == 0) and back.nodes["conv0"].weight.shape == (2, 1, 3, 3)
print("python entry point: ok")
