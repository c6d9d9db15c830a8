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
print("python entry point: ok")
