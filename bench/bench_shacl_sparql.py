"""SHACL compiled to SPARQL (stancekb.shacl_sparql) against its baselines, measured in the same run.

For each size: the synthetic KB's N-Quads bulk-loaded into an in-memory Oxigraph store (the baseline the issue
names), then ``validate_store`` on it (full validation by the compiled queries), median of ``--repeat`` runs;
pySHACL over the same KB (``validate_shacl``, parsing apart) once, up to ``--pyshacl-max`` triples; and the
validation of one new ~1,000-triple synthetic source with the reference graph, ``validate_graph`` against
``validate_shacl`` (median of ``--repeat``). Every figure has its wall-clock and CPU time and the load average
before and after. Results: bench/results/shacl_sparql.json.

    .venv/bin/python bench/bench_shacl_sparql.py --sizes 10k,100k,1M --data 1M=/tmp/t8-1m.nq --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset

from stancekb.generate import SyntheticKB, write_synthetic_kb
from stancekb.rdfio import parse_bytes
from stancekb.shacl_sparql import validate_graph, validate_store
from stancekb.store import OxigraphStore
from stancekb.validate import ValidationReport, validate_shacl

RESULTS = Path(__file__).parent / "results" / "shacl_sparql.json"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
Record = dict[str, Any]


def measured(run: Callable[[], Any]) -> tuple[Record, Any]:
    """Wall-clock and CPU seconds of one call, the load average before and after, and what it returned."""
    load_before = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    value = run()
    record = {
        "wall_s": round(time.perf_counter() - wall, 4),
        "cpu_s": round(time.process_time() - cpu, 4),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }
    return record, value


def median(records: list[Record]) -> Record:
    """The run of median wall-clock time, with every run's wall and CPU time."""
    ordered = sorted(records, key=lambda r: r["wall_s"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["runs_wall_s"] = [r["wall_s"] for r in records]
    chosen["runs_cpu_s"] = [r["cpu_s"] for r in records]
    return chosen


def outcome(report: ValidationReport) -> Record:
    return {"conforms": report.conforms, "violations": len(report.violations)}


def bulk_loaded(path: Path) -> OxigraphStore:
    store = OxigraphStore("oxigraph:")
    store.native.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


def full_validation(path: Path, repeat: int) -> Record:
    """Bulk load (the baseline) and ``validate_store`` on the loaded store, ``repeat`` times each."""
    loads, validations, reports = [], [], []
    triples = 0
    for _ in range(repeat):
        load, store = measured(lambda: bulk_loaded(path))
        triples = len(store)
        validation, report = measured(partial(validate_store, store))
        loads.append(load)
        validations.append(validation)
        reports.append(outcome(report))
        store.close()
        del store
    load_median, validation_median = median(loads), median(validations)
    return {
        "triples": triples,
        "bulk_load": load_median,
        "validate_store": validation_median,
        "outcome": reports[0],
        "ratio_wall": round(validation_median["wall_s"] / load_median["wall_s"], 2),
        "ratio_cpu": round(validation_median["cpu_s"] / load_median["cpu_s"], 2),
    }


def pyshacl_validation(path: Path) -> Record:
    """pySHACL over the whole KB, as ``stancekb validate`` ran it (parsing into rdflib timed apart)."""
    parse, dataset = measured(lambda: Dataset().parse(str(path), format="nquads"))
    validation, report = measured(lambda: validate_shacl(dataset))
    return {"parse": parse, "validate_shacl": validation, "outcome": outcome(report)}


def context_validation(size: int, seed: int, repeat: int) -> Record:
    """One new synthetic source (number ``size``: past the KB's last) with the reference graph: both validators."""
    kb = SyntheticKB(size, seed)
    quads = [*kb.reference(), *kb.source(size).quads]
    serialized = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert serialized is not None
    data = parse_bytes(serialized, ox.RdfFormat.N_QUADS)
    compiled = [measured(lambda: validate_graph(data)) for _ in range(repeat)]
    baseline = [measured(lambda: validate_shacl(data)) for _ in range(repeat)]
    same = {(v.focus_node, v.source_shape) for v in compiled[0][1].violations} == {
        (v.focus_node, v.source_shape) for v in baseline[0][1].violations
    }
    return {
        "triples": len(data),
        "validate_graph": median([r for r, _ in compiled]),
        "validate_shacl": median([r for r, _ in baseline]),
        "outcome": outcome(compiled[0][1]),
        "same_results": same,
    }


def machine() -> Record:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "pyoxigraph": ox.__version__ if hasattr(ox, "__version__") else "?",
        "commit": commit.stdout.strip(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated: 10k, 100k, 1M, 10M")
    parser.add_argument("--data", action="append", default=[], help="SIZE=FILE: an existing generate output")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--pyshacl-max", type=int, default=100_000, help="largest KB pySHACL validates")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    given = dict(item.split("=", 1) for item in args.data)
    results: Record = {"machine": machine(), "sizes": {}}
    with tempfile.TemporaryDirectory() as folder:
        for label in args.sizes.split(","):
            size = SIZES[label]
            path = Path(given[label]) if label in given else Path(folder) / f"synthetic-{label}.nq"
            if label not in given:
                write_synthetic_kb(path, size, args.seed)
            record: Record = {"file": str(path), "full": full_validation(path, args.repeat)}
            if size <= args.pyshacl_max:
                record["pyshacl"] = pyshacl_validation(path)
            record["context"] = context_validation(size, args.seed, args.repeat)
            results["sizes"][label] = record
            print(label, json.dumps(record), flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
