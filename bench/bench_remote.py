"""The remote backend on Virtuoso against Oxigraph in memory: loading the KB, and the competency questions.

    .venv/bin/python bench/bench_remote.py [--repeat 20] [--location sparql:URL]

Without ``--location`` a Virtuoso is started for the run as the tests start one (tests/virtuoso.py: Debian's
``virtuoso-opensource-7-bin``, files in a temporary folder, loopback only). For each backend: the time to
load the packaged KB (``load_packaged_kb``, without SHACL, the median of ``--loads`` loads), then for each
competency question (kb/queries/*.rq) the median latency of ``Store.query`` (rows read into rdflib terms)
and of ``Store.run_query`` (SPARQL JSON bytes, the endpoint's path). Prints a Markdown table and writes
bench/results/remote.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from stancekb.load import load_packaged_kb
from stancekb.remote import RemoteStore
from stancekb.resources import query_files
from stancekb.store import OxigraphStore, QueryRequest, Store

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from virtuoso import empty, running_virtuoso  # noqa: E402 - the tests' own way of starting Virtuoso

JSON_MEDIA = {
    "select": "application/sparql-results+json",
    "ask": "application/sparql-results+json",
    "graph": "application/n-triples",
}


def median_ms(action: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``action`` in milliseconds, after one warm-up run."""
    action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(make: Callable[[], Store], repeat: int, loads: int) -> dict[str, object]:
    """Load times (s) into empty stores that ``make`` gives, and per-question latencies (ms) on the last."""
    load_times = []
    for _ in range(loads):
        store = make()
        start = time.perf_counter()
        report = load_packaged_kb(store)
        load_times.append(time.perf_counter() - start)
        assert report.committed
    questions: dict[str, dict[str, float]] = {}
    for file in query_files():
        text = file.read_text(encoding="utf-8")
        request = QueryRequest(text, JSON_MEDIA)
        questions[file.name.removesuffix(".rq")] = {
            "query_ms": median_ms(lambda text=text: store.query(text), repeat),  # type: ignore[misc]
            "run_query_ms": median_ms(lambda request=request: store.run_query(request), repeat),  # type: ignore[misc]
        }
    return {"quads": len(store), "load_s": statistics.median(load_times), "questions": questions}


@contextmanager
def virtuoso_location(location: str | None) -> Iterator[str]:
    """The given location, or that of a Virtuoso started for the run."""
    if location is not None:
        yield location
        return
    with tempfile.TemporaryDirectory() as folder, running_virtuoso(Path(folder)) as server:
        yield server.location


def main() -> None:
    """Measure both backends and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--loads", type=int, default=3)
    parser.add_argument("--location", help="a sparql: location of a running server (default: start Virtuoso)")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "remote.json")
    args = parser.parse_args()

    results: dict[str, object] = {"oxigraph": measure(OxigraphStore, args.repeat, args.loads)}
    with virtuoso_location(args.location) as location:
        remote = RemoteStore(location)
        results["virtuoso"] = measure(lambda: empty(remote), args.repeat, args.loads)
        remote.close()
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))


def table(results: dict[str, object]) -> str:
    """The figures as a Markdown table."""
    ox_, vt = results["oxigraph"], results["virtuoso"]
    assert isinstance(ox_, dict) and isinstance(vt, dict)
    lines = [
        f"Load of the KB ({vt['quads']} quads): Oxigraph {ox_['load_s']:.3f} s, Virtuoso {vt['load_s']:.3f} s",
        "",
        "| question | Oxigraph query (ms) | Virtuoso query (ms) | Oxigraph run_query (ms) | Virtuoso run_query (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, figures in ox_["questions"].items():
        remote = vt["questions"][name]
        lines.append(
            f"| {name} | {figures['query_ms']:.2f} | {remote['query_ms']:.2f} | "
            f"{figures['run_query_ms']:.2f} | {remote['run_query_ms']:.2f} |"
        )
    for key in ("query_ms", "run_query_ms"):
        medians = [statistics.median(q[key] for q in side["questions"].values()) for side in (ox_, vt)]
        lines.append(f"\nmedian over the questions, {key}: Oxigraph {medians[0]:.2f}, Virtuoso {medians[1]:.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
