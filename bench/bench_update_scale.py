"""A gated SPARQL Update of ~100 triples on a 1M-triple synthetic KB, in-process and through the WorkerPool.

Compares the gate as it is (updates compiled into explicit quad changes, ``stancekb.update_compile``) with the
gate as committed before (``--before FILE``: a copy of the old ``kb/update.py``, loaded as a module: it copies
or diffs the whole store). Each figure is one run (the machine is shared): INSERT DATA of ``--size`` triples
into a new graph, then DELETE WHERE of those triples.

    .venv/bin/python bench/bench_update_scale.py --triples 1000000 [--before /tmp/old_update.py]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import platform
import sys
import time
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox

from stancekb import update
from stancekb.generate import write_synthetic_kb
from stancekb.store import OxigraphStore, WorkerPool

GRAPH = "https://example.org/bench/update-scale"
NAME = "http://xmlns.com/foaf/0.1/name"


def texts(size: int) -> tuple[str, str]:
    """The INSERT DATA and the DELETE WHERE of the run."""
    triples = " ".join(f'<https://example.org/bench/p{n}> <{NAME}> "P {n}" .' for n in range(size))
    return (
        f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {triples} }} }}",
        f"DELETE WHERE {{ GRAPH <{GRAPH}> {{ ?s <{NAME}> ?n }} }}",
    )


def load(path: Path) -> ModuleType:
    """A module from a file (the gate as it was)."""
    spec = importlib.util.spec_from_file_location("stancekb_update_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # picklable jobs for the worker pool
    spec.loader.exec_module(module)
    return module


def run(gate: ModuleType, store: OxigraphStore, size: int) -> dict[str, float]:
    """Seconds for each gated write, in-process then through a one-worker pool."""
    insert, delete = texts(size)
    figures: dict[str, float] = {}
    for name, text in (("write INSERT DATA", insert), ("write DELETE WHERE", delete)):
        began = time.perf_counter()
        outcome = gate.write(store, gate.SparqlUpdate(text))
        figures[name] = time.perf_counter() - began
        assert outcome.committed, outcome.report

    async def pooled() -> None:
        pool = WorkerPool(store, size=1, timeout=600)
        try:
            await pool.start()
            for name, text in (("submit INSERT DATA", insert), ("submit DELETE WHERE", delete)):
                began = time.perf_counter()
                outcome = await gate.submit(pool, gate.SparqlUpdate(text))
                figures[name] = time.perf_counter() - began
                assert outcome.committed, outcome.report
        finally:
            await pool.close()

    asyncio.run(pooled())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--size", type=int, default=100, help="triples inserted and deleted")
    parser.add_argument("--data", type=Path, default=Path("/tmp/t9-1m.nq"), help="the synthetic KB (written if absent)")
    parser.add_argument("--before", type=Path, help="the old kb/update.py, to measure beside the current gate")
    args = parser.parse_args()
    if not args.data.exists():
        write_synthetic_kb(args.data, args.triples)
    store = OxigraphStore()
    store.native.bulk_load(path=str(args.data), format=ox.RdfFormat.N_QUADS)
    results: dict[str, object] = {"quads": len(store), "size": args.size}
    gates = {"after": update, **({"before": load(args.before)} if args.before else {})}
    for label, gate in gates.items():
        results[label] = run(gate, store, args.size)
        print(label, json.dumps(results[label]), file=sys.stderr)
    load_average = Path("/proc/loadavg").read_text().split()[:3]
    results["machine"] = {"platform": platform.platform(), "cores": os.cpu_count(), "load": " ".join(load_average)}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
