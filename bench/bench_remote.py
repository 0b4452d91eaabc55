"""The remote backend on Virtuoso against Oxigraph in memory: loading the KB, the competency questions, the gate.

    .venv/bin/python bench/bench_remote.py [--repeat 20] [--location sparql:URL]
    .venv/bin/python bench/bench_remote.py gate [--sizes 10k,100k] [--sources 3] [--location sparql:URL]
    .venv/bin/python bench/bench_remote.py update [--sizes 10k,100k] [--location sparql:URL]

Without ``--location`` a Virtuoso is started for the run as the tests start one (tests/virtuoso.py: Debian's
``virtuoso-opensource-7-bin``, files in a temporary folder, loopback only).

Questions (the default): for each backend, the time to load the packaged KB (``load_packaged_kb``, without
SHACL, the median of ``--loads`` loads), then for each competency question (kb/queries/*.rq) the median
latency of ``Store.query`` (rows read into rdflib terms) and of ``Store.run_query`` (SPARQL JSON bytes, the
endpoint's path). Prints a Markdown table and writes bench/results/remote.json.

``gate``: for each size, a synthetic KB (``stancekb.generate``, seed 0) is loaded into Virtuoso, then new
~1,000-triple sources (the next numbers after the KB's last) are written through the write gate
(``load_graphs``): the first is validated by the old fallback too (at ``--full-sizes``), whole-KB validation
(``validate_graph_write_fully``: every quad downloaded, pySHACL over all of them), in the same run; then each
source is validated incrementally (``validate_graph_write``: the store read by SPARQL in batches) and
committed, and a last one with a stance's holder left out must be refused. Wall and CPU time, the requests
sent and the bytes the server answered, the load average before and after. Writes
bench/results/remote-gate.json.

``update``: for each size, the synthetic KB loaded as for ``gate``, then one small SPARQL Update through the
gate (``write``): INSERT DATA of 100 triples into a new graph, then DELETE WHERE of them; first compiled
(``stancekb.update_compile``: the WHERE evaluated by Virtuoso, ``match_many``, committed as data), then, in the
same run, by the whole-copy fallback (the remote store taken out of ``WHERE_DATASETS``: the store copied, the
update applied to the copy, the copy compared). Wall and CPU time, requests, bytes sent and received, load
averages. Writes bench/results/remote-update.json.
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
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from stancekb.generate import SyntheticKB, generate
from stancekb.load import graphs_of, load_graphs, load_packaged_kb, validate_graph_write, validate_graph_write_fully
from stancekb.namespaces import REFERENCE_GRAPH
from stancekb.rdfio import parse_bytes
from stancekb.remote import RemoteStore
from stancekb.resources import query_files
from stancekb.store import OxigraphStore, Quad, QueryRequest, Store, from_ox
from stancekb.update import SparqlUpdate, WriteOutcome, write
from stancekb.update_compile import WHERE_DATASETS
from stancekb.validate import ValidationReport

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from bench_store import broken  # noqa: E402 - a source with a stance's holder left out
from virtuoso import Traffic, empty, running_virtuoso  # noqa: E402 - the tests' own Virtuoso and request counter

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


SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
LOAD_GRAPHS = 200
"""Graphs loaded a request: the last request of a staged write moves each in, and Virtuoso 7 refuses one of 1,000
("SQ200: Query too large")."""


def measured(traffic: Traffic, action: Callable[[], ValidationReport | WriteOutcome]) -> dict[str, Any]:
    """Run a validation (or a gated write): its verdict, wall and CPU seconds, requests, bytes, load averages."""
    requests, sent, received, load = traffic.requests, traffic.sent, traffic.received, os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    report = action()
    return {
        "conforms": report.conforms,
        "violations": len(report.violations),
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "requests": traffic.requests - requests,
        "sent_bytes": traffic.sent - sent,
        "received_bytes": traffic.received - received,
        "load_average": [load, os.getloadavg()[0]],
    }


def source_graphs(kb: SyntheticKB, number: int) -> dict[URIRef, Graph]:
    """A new synthetic source as parsed graphs, as a file load would have them."""
    data = ox.serialize(kb.source(number).quads, format=ox.RdfFormat.N_QUADS)
    assert data is not None
    return graphs_of(parse_bytes(data, ox.RdfFormat.N_QUADS), REFERENCE_GRAPH)


def load_synthetic(store: RemoteStore, size: int) -> dict[str, Any]:
    """Load a synthetic KB (seed 0) into the (emptied) store, ``LOAD_GRAPHS`` graphs a write: quads, seconds."""
    started = time.perf_counter()
    by_graph: dict[object, list[Quad]] = {}
    for q in generate(size, seed=0):
        quad = (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(q.graph_name))
        by_graph.setdefault(q.graph_name, []).append(quad)  # type: ignore[arg-type]
    batches = list(by_graph.values())
    for start in range(0, len(batches), LOAD_GRAPHS):  # Virtuoso refuses one request switching 1,000 graphs in
        store.add_quads(quad for batch in batches[start : start + LOAD_GRAPHS] for quad in batch)
    return {"quads": len(store), "load_s": time.perf_counter() - started}


def measure_gate(store: RemoteStore, size: int, sources: int, full: bool) -> dict[str, Any]:
    """Load a synthetic KB into the (emptied) store, then write new sources through the gate (see the docstring)."""
    figures = load_synthetic(store, size)
    traffic = Traffic(store)
    kb, first = SyntheticKB(size, 0), len(store.named_graphs()) - 1
    graphs = source_graphs(kb, first)
    figures["source_triples"] = sum(len(graph) for graph in graphs.values())
    if full:
        figures["full"] = measured(traffic, lambda: validate_graph_write_fully(store, graphs, replace=True))
        assert figures["full"]["conforms"]
    runs = []
    for number in range(first, first + sources):
        graphs = source_graphs(kb, number)
        run = measured(traffic, lambda graphs=graphs: validate_graph_write(store, graphs, replace=True))  # type: ignore[misc]
        assert run["conforms"], f"source {number} was refused"
        started = time.perf_counter()
        store.replace_graphs(graphs)
        run["commit_s"] = time.perf_counter() - started
        runs.append(run)
    figures["incremental"] = runs
    refused = broken(source_graphs(kb, first + sources))
    figures["broken"] = measured(traffic, lambda: load_graphs(store, refused).validation)  # type: ignore[arg-type,return-value]
    assert not figures["broken"]["conforms"]
    return figures


NOTES = "https://example.org/bench/notes"
NAME = "http://xmlns.com/foaf/0.1/name"
NOTE_TRIPLES = " ".join(f'<https://example.org/bench/n{i}> <{NAME}> "note {i}" .' for i in range(100))
SMALL_UPDATES = {
    "insert_data": f"INSERT DATA {{ GRAPH <{NOTES}> {{ {NOTE_TRIPLES} }} }}",
    "delete_where": f"DELETE WHERE {{ GRAPH <{NOTES}> {{ ?s <{NAME}> ?o }} }}",
}
"""The small updates measured, in this order: 100 triples into a new graph, then the same removed."""


@contextmanager
def whole_copy_fallback() -> Iterator[None]:
    """The remote store's SPARQL updates not compiled (the gate as it was: the whole store copied and compared)."""
    where = WHERE_DATASETS.pop(RemoteStore)
    try:
        yield
    finally:
        WHERE_DATASETS[RemoteStore] = where


def measure_update(store: RemoteStore, size: int) -> dict[str, Any]:
    """Load a synthetic KB into the (emptied) store, then the small updates, compiled and by the fallback."""
    figures = load_synthetic(store, size)
    traffic = Traffic(store)

    def gated(text: str, compiled: bool) -> WriteOutcome:
        outcome = write(store, SparqlUpdate(text))
        assert outcome.committed and (outcome.changes is not None) == compiled, (compiled, text[:40])
        return outcome

    for path, context in (("compiled", nullcontext), ("whole_copy", whole_copy_fallback)):
        with context():
            figures[path] = {
                name: measured(traffic, partial(gated, text, path == "compiled"))
                for name, text in SMALL_UPDATES.items()
            }
    assert len(store) == figures["quads"]
    return figures


def update_table(results: dict[str, Any]) -> str:
    """The small updates' figures as a Markdown table."""
    lines = [
        "| triples | update | compiled: wall (CPU) | requests, sent, received | whole copy: wall (CPU) "
        "| requests, sent, received |",
        "|---|---|---|---|---|---|",
    ]
    for label, figures in results["sizes"].items():
        for name in SMALL_UPDATES:
            cells = []
            for path in ("compiled", "whole_copy"):
                run = figures[path][name]
                cells += [
                    f"{run['wall_s'] * 1000:,.0f} ms ({run['cpu_s'] * 1000:,.0f} ms)",
                    f"{run['requests']}, {run['sent_bytes'] / 1e3:,.0f} kB, {run['received_bytes'] / 1e3:,.0f} kB",
                ]
            lines.append(f"| {label} ({figures['quads']:,}) | {name} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main_update(argv: list[str]) -> None:
    """Measure the small updates over Virtuoso at each size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=lambda value: value.split(","), default=["10k", "100k"])
    parser.add_argument("--location", help="a sparql: location of a running server (default: start Virtuoso)")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "remote-update.json")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"sizes": {}}
    with virtuoso_location(args.location) as location:
        store = RemoteStore(location)
        for label in args.sizes:
            results["sizes"][label] = measure_update(empty(store), SIZES[label])
            print(label, json.dumps(results["sizes"][label]), flush=True)
        empty(store).close()
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(update_table(results))


def gate_table(results: dict[str, Any]) -> str:
    """The gate's figures as a Markdown table (medians of the incremental runs)."""
    lines = [
        "| triples | whole-KB validation (old fallback) | incremental gate: validate | commit | requests, bytes "
        "received (incremental / whole) | broken source refused in |",
        "|---|---|---|---|---|---|",
    ]
    for label, figures in results["sizes"].items():
        full, runs, broken = figures.get("full"), figures["incremental"], figures["broken"]

        def median(key: str, runs: list[dict[str, Any]] = runs) -> float:
            return statistics.median(run[key] for run in runs)

        whole = "not measured" if full is None else f"{full['wall_s']:.1f} s (CPU {full['cpu_s']:.1f} s)"
        whole_traffic = "-" if full is None else f"{full['requests']}, {full['received_bytes'] / 1e6:,.1f} MB"
        lines.append(
            f"| {label} ({figures['quads']:,}) | {whole} | "
            f"{median('wall_s') * 1000:,.0f} ms (CPU {median('cpu_s') * 1000:,.0f} ms) | "
            f"{median('commit_s') * 1000:,.0f} ms | {median('requests'):.0f}, {median('received_bytes') / 1e3:,.0f} kB "
            f"/ {whole_traffic} | {broken['wall_s'] * 1000:,.0f} ms |"
        )
    return "\n".join(lines)


def main_gate(argv: list[str]) -> None:
    """Measure the gate over Virtuoso at each size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=lambda value: value.split(","), default=["10k", "100k"])
    parser.add_argument("--sources", type=int, default=3)
    parser.add_argument("--full-sizes", type=lambda value: value.split(","), default=["10k", "100k"])
    parser.add_argument("--location", help="a sparql: location of a running server (default: start Virtuoso)")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "remote-gate.json")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"sizes": {}}
    with virtuoso_location(args.location) as location:
        store = RemoteStore(location)
        for label in args.sizes:
            results["sizes"][label] = measure_gate(empty(store), SIZES[label], args.sources, label in args.full_sizes)
            print(label, json.dumps(results["sizes"][label]), flush=True)
        empty(store).close()
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(gate_table(results))


def main() -> None:
    """Measure both backends and print the table (``gate``, ``update``: the write gate over Virtuoso)."""
    if sys.argv[1:2] == ["gate"]:
        main_gate(sys.argv[2:])
        return
    if sys.argv[1:2] == ["update"]:
        main_update(sys.argv[2:])
        return
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
