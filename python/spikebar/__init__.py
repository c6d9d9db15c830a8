"""Spikebar from Python: the CLI's `--json` results as dicts.

Every function runs the `spikebar` executable (see `executable()`), waits for it, and returns its JSON
output parsed. Nothing is simulated in Python: numbers come from the same binary and the same code paths
as the command line, so they are identical to what `spikebar ... --json` prints.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Union

__all__ = ["SpikebarError", "executable", "run", "evaluate", "price", "inspect_nir", "evaluate_nir", "import_nir", "train_nir", "cli"]
__version__ = "0.1.0"

_HERE = Path(__file__).resolve().parent


class SpikebarError(RuntimeError):
    """The CLI refused or failed: `status` is its exit status (2 bad input, 3 damaged input, 1 a failed
    check), `message` what it printed on standard error."""

    def __init__(self, status: int, message: str, command: List[str]):
        super().__init__(f"spikebar exited with status {status}: {message.strip()}")
        self.status = status
        self.message = message
        self.command = command


def executable() -> str:
    """Path of the `spikebar` binary: `$SPIKEBAR_BIN`, `spikebar` on PATH, or a build of the checkout."""
    env = os.environ.get("SPIKEBAR_BIN")
    if env:
        return env
    found = shutil.which("spikebar")
    if found:
        return found
    roots = [Path.cwd(), _HERE.parent.parent]
    # An editable or in-tree install sits in <checkout>/python/spikebar.
    for root in roots:
        for build in ("release", "debug"):
            candidate = root / ".build" / build / "spikebar"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    raise SpikebarError(127, "the spikebar executable was not found: set SPIKEBAR_BIN, put it on PATH, "
                             "or build it (`make build` in the repository)", [])


def cli(args: Iterable[str], cwd: Optional[Union[str, os.PathLike]] = None) -> Any:
    """Runs `spikebar ARGS --json` and returns the parsed JSON (raises `SpikebarError` on failure)."""
    command = [executable(), *map(str, args)]
    if "--json" not in command:
        command.append("--json")
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SpikebarError(done.returncode, done.stderr or done.stdout, command)
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as e:
        raise SpikebarError(done.returncode, f"output is not JSON ({e}): {done.stdout[:200]}", command) from e


def _options(**options: Any) -> List[str]:
    out: List[str] = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if value is True:
            out.append(flag)
        else:
            out += [flag, str(value)]
    return out


def run(scenario: Union[str, os.PathLike], *, samples: Optional[int] = None, seed: Optional[int] = None,
        threads: Optional[int] = None, timing: Optional[str] = None, out: Optional[str] = None,
        cwd: Optional[Union[str, os.PathLike]] = None) -> Dict[str, Any]:
    """`spikebar run SCENARIO`: the report (per-architecture energy, latency, area, assumptions, every
    inference) as `report.json` has it."""
    return cli(["run", str(scenario), *_options(samples=samples, seed=seed, threads=threads, timing=timing, out=out)], cwd=cwd)


def evaluate(scenario: Union[str, os.PathLike], *, weights: Optional[str] = None, samples: Optional[int] = None,
             chips: Optional[int] = None, threads: Optional[int] = None, out: Optional[str] = None,
             cwd: Optional[Union[str, os.PathLike]] = None) -> Dict[str, Any]:
    """`spikebar evaluate SCENARIO`: accuracy of the twin, the programmed chip and the event kernel."""
    return cli(["evaluate", str(scenario), *_options(weights=weights, samples=samples, chips=chips, threads=threads, out=out)], cwd=cwd)


def _graph_path(graph: Any, folder: str) -> str:
    """A path for `graph`: a path as is, a `nir.NIRGraph` written to `folder` with `nir.write`."""
    if isinstance(graph, (str, os.PathLike)):
        return str(graph)
    try:
        import nir  # type: ignore
    except ImportError as e:
        raise SpikebarError(2, "pass a path, or install the nir package (pip install 'spikebar[nir]') to pass a NIRGraph", []) from e
    path = os.path.join(folder, "graph.nir")
    nir.write(path, graph)
    return path


def inspect_nir(graph: Any) -> Dict[str, Any]:
    """`spikebar nir inspect`: nodes, shapes, parameter counts and edges of a NIR graph (path or NIRGraph)."""
    with tempfile.TemporaryDirectory() as d:
        return cli(["nir", "inspect", _graph_path(graph, d)])


def evaluate_nir(graph: Any, *, data: Optional[str] = None, limit: Optional[int] = None, threads: Optional[int] = None,
                 **run_options: Any) -> Dict[str, Any]:
    """`spikebar nir evaluate`: accuracy of a NIR graph on the N-MNIST test recordings (ideal weights)."""
    with tempfile.TemporaryDirectory() as d:
        return cli(["nir", "evaluate", _graph_path(graph, d), *_options(data=data, limit=limit, threads=threads, **run_options)])


def price(graph: Any, *, mapping: str = "unrolled", data: Optional[str] = None, limit: Optional[int] = None,
          tile_rows: Optional[int] = None, tile_cols: Optional[int] = None, threads: Optional[int] = None,
          **run_options: Any) -> Dict[str, Any]:
    """`spikebar nir price`: energy, latency and area per inference of a NIR graph (a path or a
    `nir.NIRGraph`) on every architecture, its convolutions mapped `unrolled` or `kernel-stationary`."""
    with tempfile.TemporaryDirectory() as d:
        return cli(["nir", "price", _graph_path(graph, d),
                    *_options(mapping=mapping, data=data, limit=limit, tile_rows=tile_rows, tile_cols=tile_cols,
                              threads=threads, **run_options)])


def import_nir(graph: Any, *, like: Union[str, os.PathLike], out: Union[str, os.PathLike], dt: Optional[float] = None,
               name: Optional[str] = None, force: bool = False) -> Dict[str, Any]:
    """`spikebar nir import`: a graph of dense CubaLIF layers (a path or a `nir.NIRGraph`) as a scenario of
    the chip's own layers (`out`, a .yaml) and its weights file, taking device, tiles, input, timing and
    prices from the scenario `like`; `run(out)` then runs it in the event kernel. Returns what was written."""
    with tempfile.TemporaryDirectory() as d:
        return cli(["nir", "import", _graph_path(graph, d), "--like", str(like), "--out", str(out),
                    *_options(dt=dt, name=name, force=force)])


def new_nir(architecture: str, *, out: Union[str, os.PathLike], seed: Optional[int] = None, gain: Optional[float] = None,
            force: bool = False) -> Dict[str, Any]:
    """`spikebar nir new`: a fresh spiking CNN or FCN of IF neurons in seed 003's layer notation (e.g.
    `28x28x1-8c5-2s-16c5-2s-128o-10o`), written to `out`; returns what was written."""
    return cli(["nir", "new", architecture, "--out", str(out), *_options(seed=seed, gain=gain, force=force)])


def train_nir(scenario: Union[str, os.PathLike], *, out: Union[str, os.PathLike], hardware_aware: bool = False,
              epochs: Optional[int] = None, lr: Optional[float] = None, samples: Optional[int] = None,
              batch: Optional[int] = None, readout_scale: Optional[float] = None, freeze_biases: bool = False,
              data: Optional[str] = None, settings: Optional[Dict[str, Any]] = None, threads: Optional[int] = None,
              force: bool = False) -> Any:
    """`spikebar nir train`: an NIR scenario's graph trained by BPTT on its data (N-MNIST recordings or
    rate-coded MNIST digits, as its input says; convolutions included), `hardware_aware` on freshly
    programmed chips of its device; `settings` are `--set key=value` pairs (e.g. `{"network.nir":
    "/abs/fresh.nir"}`). Writes the trained graph to `out` and returns the epochs (loss, training
    accuracy, seconds)."""
    sets: List[str] = []
    for key, value in (settings or {}).items():
        sets += ["--set", f"{key}={value}"]
    return cli(["nir", "train", str(scenario), "--out", str(out), *sets,
                *_options(hardware_aware=hardware_aware, epochs=epochs, lr=lr, samples=samples, batch=batch,
                          readout_scale=readout_scale, freeze_biases=freeze_biases, data=data, threads=threads,
                          force=force)])
