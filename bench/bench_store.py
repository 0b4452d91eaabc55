"""Store and validation benchmarks on synthetic knowledge bases, each figure beside its baseline (bench/README.md).

For each size: generate a synthetic KB (``stancekb.generate``), then, each configuration in a child process of
its own so that peak memory figures do not mix:

- load (``bulk_load``) into Oxigraph in memory and on disk, and rdflib's memory store (``Dataset.parse``, the
  baseline): seconds, triples a second, peak resident memory;
- the competency questions (kb/queries/*.rq) on each: median latency of several runs, rows fully read;
- SHACL: the whole KB (the baseline: pySHACL over the whole graph, as ``validate_shacl`` runs it today), one
  new ~1,000-triple source with the reference graph (what an incremental gate would validate), and the gate
  as it is today (``load_graphs`` of that source into an Oxigraph store holding the KB).

    python bench/bench_store.py                       # 10k, 100k and 1M triples
    python bench/bench_store.py --sizes 10M --skip validate-full,gate
    python bench/bench_store.py report                # the Markdown tables of bench/results/store.json

Results are merged into bench/results/store.json after every measurement, so a size can be rerun alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from stancekb.generate import SyntheticKB, write_synthetic_kb
from stancekb.incremental import PendingWrite, affected_nodes, context_graph, graph_write_delta, shape_reads
from stancekb.load import graphs_of, load_graphs, validate_graph_write, validate_graph_write_fully
from stancekb.namespaces import REFERENCE_GRAPH, SKB
from stancekb.rdfio import parse_bytes
from stancekb.resources import ontology_graph, query_files, shapes_graph
from stancekb.shacl_sparql import compile_shapes, validate_store
from stancekb.store import OxigraphStore, QueryTimeout, Store, WorkerPool
from stancekb.validate import validate_shacl

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "store.json"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "3M": 3_000_000, "10M": 10_000_000}
TASKS = (
    "generate",
    "oxigraph",
    "oxigraph-disk",
    "rdflib",
    "validate-full",
    "validate-sparql",
    "validate-source",
    "gate",
    "gate-incremental",
    "gate-incremental-disk",
)
Record = dict[str, Any]


# ---------------------------------------------------------------------------------------------------------
# Measuring, in the child process
# ---------------------------------------------------------------------------------------------------------


def emit(kind: str, **fields: Any) -> None:
    """One measurement as a JSON line on standard output, read by the parent as it comes."""
    print(json.dumps({"kind": kind, **fields}), flush=True)


def peak_rss_mib() -> float:
    """This process's peak resident set size so far, in MiB (Linux reports ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@contextmanager
def timed() -> Iterator[list[float]]:
    """Measure a block: the list yielded holds its seconds afterwards."""
    elapsed: list[float] = []
    start = time.perf_counter()
    yield elapsed
    elapsed.append(time.perf_counter() - start)


class OverTime(Exception):
    """A run went past its time limit."""


def _over_time(signum: int, frame: object) -> None:
    raise OverTime


Timing = tuple[int, float, float]
"""A run's rows, wall-clock seconds and CPU seconds."""


def clocked(run: Callable[[], int]) -> Timing:
    """Run once: its rows, its seconds and its process's CPU seconds (``time.process_time``)."""
    cpu = time.process_time()
    with timed() as elapsed:
        rows = run()
    return rows, elapsed[0], time.process_time() - cpu


def alarmed(run: Callable[[], int], limit: float) -> Timing:
    """Run Python code (rdflib, pySHACL) once, stopped by SIGALRM after ``limit`` seconds (``OverTime``)."""
    signal.signal(signal.SIGALRM, _over_time)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return clocked(run)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


@contextmanager
def worker(store: OxigraphStore, limit: float) -> Iterator[Callable[[Callable[[Store], Timing]], Timing]]:
    """Run jobs on the store in a forked worker process (``WorkerPool``), killed after ``limit`` seconds.

    SIGALRM cannot stop Oxigraph: it evaluates a query inside one native call (question 16, a property path
    under DISTINCT, ran on for minutes past its limit at 10M, and on disk until its task was killed). A job
    times itself in the worker, so that forking a new worker after a kill is not counted.
    """
    loop = asyncio.new_event_loop()
    pool = WorkerPool(store, size=1, timeout=limit)
    loop.run_until_complete(pool.start())

    def run(job: Callable[[Store], Timing]) -> Timing:
        try:
            return loop.run_until_complete(pool.run(job))
        except QueryTimeout:
            raise OverTime from None

    try:
        yield run
    finally:
        loop.run_until_complete(pool.close())
        loop.close()


def median_run(run: Callable[[], Timing], repeat: int, budget: float, limit: float) -> Record:
    """Median seconds of ``repeat`` runs (fewer once ``budget`` seconds are spent; one at least), and rows.

    ``run`` raises ``OverTime`` past ``limit`` seconds (see ``alarmed`` and ``worker``); a first run stopped
    so gives ``over_s`` instead.
    """
    seconds: list[float] = []
    cpu_seconds: list[float] = []
    rows = 0
    while len(seconds) < repeat and (not seconds or sum(seconds) < budget):
        try:
            rows, elapsed, cpu = run()
        except OverTime:
            if not seconds:
                return {"over_s": limit, "runs": 0}
            break
        seconds.append(elapsed)
        cpu_seconds.append(cpu)
    return {
        "median_ms": round(statistics.median(seconds) * 1000, 2),
        "cpu_median_ms": round(statistics.median(cpu_seconds) * 1000, 2),
        "runs": len(seconds),
        "rows": rows,
    }


def warm_up() -> None:
    """Parse the shapes and the ontology (once a process) before anything is timed."""
    shapes_graph()
    ontology_graph()


def native_rows(text: str, store: Store) -> Timing:
    """Ask Oxigraph a SELECT question over the union of the graphs; read every value of every row (in a worker)."""
    assert isinstance(store, OxigraphStore)
    native = store.native

    def ask() -> int:
        solutions = native.query(text, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        return len([list(solution) for solution in solutions])

    return clocked(ask)


def library_rows(text: str, store: Store) -> Timing:
    """Ask through ``stancekb.store`` (rows of rdflib terms; in a worker)."""
    return clocked(lambda: len(store.query(text).rows))


def rdflib_rows(dataset: Dataset, text: str) -> int:
    """Ask rdflib; read every row."""
    return len(list(dataset.query(text)))


def questions() -> list[tuple[str, str]]:
    """The competency questions: name (file stem) and text."""
    return [(entry.name.removesuffix(".rq"), entry.read_text(encoding="utf-8")) for entry in query_files()]


def task_generate(args: argparse.Namespace) -> None:
    """Write the synthetic KB as N-Quads."""
    with timed() as elapsed:
        triples = write_synthetic_kb(args.file, args.size, args.seed)
    emit("result", seconds=elapsed[0], triples=triples, bytes=args.file.stat().st_size, peak_rss_mib=peak_rss_mib())


def task_oxigraph(args: argparse.Namespace, on_disk: bool = False) -> None:
    """Bulk-load into an Oxigraph store (in memory, or on disk in the scratch folder), then ask every question.

    Each question is timed twice: natively (pyoxigraph terms) and through ``stancekb.store`` (``Store.query``,
    rows of rdflib terms, what the library's callers get).
    """
    folder: Path | None = args.scratch / "store" if on_disk else None
    store = OxigraphStore(f"oxigraph:{folder or ''}")
    baseline, cpu = peak_rss_mib(), time.process_time()
    with timed() as elapsed:
        store.native.bulk_load(path=args.file, format=ox.RdfFormat.N_QUADS)
        if folder:
            store.native.flush()
    load: Record = {"seconds": elapsed[0], "cpu_seconds": time.process_time() - cpu, "triples": len(store)}
    load["sources"] = len(store.named_graphs()) - 1
    if folder:
        load["disk_mib"] = round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)
    emit("load", **load, rss_after_imports_mib=baseline, peak_rss_mib=peak_rss_mib())
    with worker(store, args.limit) as in_worker:
        for name, text in questions():
            native, library = (
                median_run(partial(in_worker, partial(job, text)), args.repeat, args.budget, args.limit)
                for job in (native_rows, library_rows)
            )
            emit("query", name=name, native=native, library=library)
    emit("end", peak_rss_after_questions_mib=peak_rss_mib())


def task_rdflib(args: argparse.Namespace) -> None:
    """The baseline: rdflib's memory store (a Dataset, its default graph the union), parsed and queried by rdflib."""
    dataset = Dataset(default_union=True)
    baseline, cpu = peak_rss_mib(), time.process_time()
    with timed() as elapsed:
        dataset.parse(args.file, format="nquads")
    cpu_seconds = time.process_time() - cpu
    emit(
        "load",
        seconds=elapsed[0],
        cpu_seconds=cpu_seconds,
        triples=len(dataset),
        rss_after_imports_mib=baseline,
        peak_rss_mib=peak_rss_mib(),
    )
    for name, text in questions():
        ask = partial(alarmed, partial(rdflib_rows, dataset, text), args.limit)
        measured = median_run(ask, args.repeat, args.budget, args.limit)
        emit("query", name=name, rdflib=measured)
    emit("end", peak_rss_after_questions_mib=peak_rss_mib())


def task_validate_full(args: argparse.Namespace) -> None:
    """The baseline: SHACL over the whole KB, as the gate runs it today (pySHACL, ontology merged, no inference)."""
    warm_up()
    with timed() as parsing:
        dataset = Dataset()
        dataset.parse(args.file, format="nquads")
    with timed() as elapsed:
        report = validate_shacl(dataset)
    emit(
        "result",
        seconds=elapsed[0],
        parse_seconds=parsing[0],
        triples=len(dataset),
        conforms=report.conforms,
        violations=len(report.violations),
        peak_rss_mib=peak_rss_mib(),
    )


def task_validate_sparql(args: argparse.Namespace) -> None:
    """Whole-KB validation compiled to SPARQL (``validate_store``) on an in-memory Oxigraph store, beside its load."""
    warm_up()
    store = OxigraphStore("oxigraph:")
    cpu = time.process_time()
    with timed() as loading:
        store.native.bulk_load(path=args.file, format=ox.RdfFormat.N_QUADS)
    load_cpu, cpu = time.process_time() - cpu, time.process_time()
    with timed() as elapsed:
        report = validate_store(store)
    emit(
        "result",
        seconds=elapsed[0],
        cpu_seconds=time.process_time() - cpu,
        load_seconds=loading[0],
        load_cpu_seconds=load_cpu,
        triples=len(store),
        conforms=report.conforms,
        violations=len(report.violations),
        shapes_left_to_pyshacl=len(compile_shapes(shapes_graph()).fallback),
        peak_rss_mib=peak_rss_mib(),
    )


def new_source(args: argparse.Namespace, with_reference: bool, number: int | None = None) -> Dataset:
    """A new synthetic source (by default the next number after the KB's last), alone or with the reference graph."""
    kb = SyntheticKB(args.size, args.seed)
    source = kb.source(args.source if number is None else number).quads
    quads = [*kb.reference(), *source] if with_reference else source
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert data is not None
    return parse_bytes(data, ox.RdfFormat.N_QUADS)


def task_validate_source(args: argparse.Namespace) -> None:
    """SHACL over one new source and the reference graph: what an incremental gate would validate."""
    warm_up()
    data = new_source(args, with_reference=True)
    graphs = graphs_of(data, REFERENCE_GRAPH)
    reports = []

    def validate() -> int:
        reports.append(validate_shacl(data))
        return len(reports[-1].violations)

    timing = median_run(partial(alarmed, validate, args.limit), args.repeat, args.budget, args.limit)
    emit(
        "result",
        median_ms=timing["median_ms"],
        runs=timing["runs"],
        triples=len(data),
        source_triples=sum(len(graph) for name, graph in graphs.items() if name != REFERENCE_GRAPH),
        conforms=all(report.conforms for report in reports),
        peak_rss_mib=peak_rss_mib(),
    )


def task_gate(args: argparse.Namespace) -> None:
    """The gate with whole-KB validation (as it was before the incremental gate): one new source, then commit."""
    warm_up()
    store = OxigraphStore("oxigraph:")
    store.native.bulk_load(path=args.file, format=ox.RdfFormat.N_QUADS)
    number = len(store.named_graphs()) - 1
    graphs = graphs_of(new_source(args, with_reference=False, number=number), REFERENCE_GRAPH)
    with timed() as elapsed:
        report = validate_graph_write_fully(store, graphs, replace=True)
        if report.conforms:
            store.replace_graphs(graphs)
    emit("result", seconds=elapsed[0], committed=report.conforms, triples=len(store), peak_rss_mib=peak_rss_mib())


def broken(graphs: dict[URIRef, Graph]) -> dict[URIRef, Graph]:
    """The graphs with the holder of one stance left out: the gate must refuse them."""
    copies = {name: Graph() + graph for name, graph in graphs.items()}
    for graph in copies.values():
        for stance, holder in graph.subject_objects(SKB.holder):
            graph.remove((stance, SKB.holder, holder))
            return copies
    raise AssertionError("the synthetic source has no stance")


def task_gate_incremental(args: argparse.Namespace, on_disk: bool = False) -> None:
    """The gate as it is: ``load_graphs`` of new ~1,000-triple sources into a store holding the KB, one at a time.

    Each run validates (incrementally) and commits the next new source; validation and commit are timed apart
    (medians of ``--repeat`` runs). A last run with a stance's holder left out must be refused.
    """
    warm_up()
    folder: Path | None = args.scratch / "store" if on_disk else None
    store = OxigraphStore(f"oxigraph:{folder or ''}")
    store.native.bulk_load(path=args.file, format=ox.RdfFormat.N_QUADS)
    reads = shape_reads(shapes_graph())
    runs: list[Record] = []
    first = len(store.named_graphs()) - 1  # sources are numbered from 0; the reference graph is the other one
    for number in range(first, first + args.repeat):
        graphs = graphs_of(new_source(args, with_reference=False, number=number), REFERENCE_GRAPH)
        cpu = time.process_time()
        with timed() as validation:
            report = validate_graph_write(store, graphs, replace=True)
        cpu_validation = time.process_time() - cpu
        with timed() as commit:
            if report.conforms:
                store.replace_graphs(graphs)
        runs.append(
            {
                "validate": validation[0],
                "commit": commit[0],
                "cpu": time.process_time() - cpu,
                "cpu_validate": cpu_validation,
                "conforms": report.conforms,
            }
        )
    last = graphs_of(new_source(args, with_reference=False, number=first + args.repeat), REFERENCE_GRAPH)
    last_delta = graph_write_delta(store, last, replace=True)
    added = Graph()
    for triple in last_delta.added:
        added.add(triple)
    pending = PendingWrite(store, added, last_delta.removed)
    focus = affected_nodes(pending, reads, last_delta)
    context = context_graph(pending, reads, focus)
    with timed() as refusing:
        refused = load_graphs(store, broken(last))
    emit(
        "result",
        validate_ms=round(statistics.median(run["validate"] for run in runs) * 1000, 1),
        commit_ms=round(statistics.median(run["commit"] for run in runs) * 1000, 1),
        total_ms=round(statistics.median(run["validate"] + run["commit"] for run in runs) * 1000, 1),
        cpu_validate_ms=round(statistics.median(run["cpu_validate"] for run in runs) * 1000, 1),
        cpu_total_ms=round(statistics.median(run["cpu"] for run in runs) * 1000, 1),
        runs=len(runs),
        all_committed=all(run["conforms"] for run in runs),
        source_triples=len(last_delta.added),
        focus_nodes=len(focus),
        context_triples=len(context),
        broken_refused=not refused.committed,
        broken_ms=round(refusing[0] * 1000, 1),
        triples=len(store),
        peak_rss_mib=peak_rss_mib(),
    )


TASK_FUNCTIONS: dict[str, Callable[[argparse.Namespace], None]] = {
    "generate": task_generate,
    "oxigraph": task_oxigraph,
    "oxigraph-disk": lambda args: task_oxigraph(args, on_disk=True),
    "rdflib": task_rdflib,
    "validate-full": task_validate_full,
    "validate-sparql": task_validate_sparql,
    "validate-source": task_validate_source,
    "gate": task_gate,
    "gate-incremental": task_gate_incremental,
    "gate-incremental-disk": lambda args: task_gate_incremental(args, on_disk=True),
}


# ---------------------------------------------------------------------------------------------------------
# Running, in the parent process
# ---------------------------------------------------------------------------------------------------------


def run_child(task: str, args: argparse.Namespace, size: int, path: Path, source: int) -> Record:
    """Run one task in a child process; gather its JSON lines (those written before a timeout too).

    The child gets a scratch folder (an on-disk store goes there), removed however the child ends.
    """
    print(f"  {task} ...", end="", flush=True, file=sys.stderr)
    started, load_before, measured_commit = time.perf_counter(), os.getloadavg()[0], commit()
    with tempfile.TemporaryDirectory(prefix="scratch-", dir=args.data) as scratch:
        command = [sys.executable, __file__, "task", task, "--file", str(path), "--size", str(size)]
        command += ["--seed", str(args.seed), "--source", str(source), "--scratch", scratch]
        command += ["--repeat", str(args.repeat), "--budget", str(args.budget), "--limit", str(args.limit)]
        try:
            completed = subprocess.run(command, capture_output=True, timeout=args.timeout, check=False)
            output, status = completed.stdout, ("ok" if completed.returncode == 0 else f"exit {completed.returncode}")
            if completed.returncode:
                print(completed.stderr.decode()[-3000:], file=sys.stderr)
        except subprocess.TimeoutExpired as expired:  # what the child wrote before it was stopped is kept
            output, status = expired.stdout or b"", f"timeout after {args.timeout:g} s"
    print(f" {status} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    record: Record = {"status": status, "load_average": [load_before, os.getloadavg()[0]], "commit": measured_commit}
    record["queries"] = {}
    for line in output.decode().splitlines():
        fields = json.loads(line)
        kind = fields.pop("kind")
        if kind == "query":
            record["queries"][fields.pop("name")] = fields
        else:
            record.update(fields)
    if not record["queries"]:
        del record["queries"]
    return record


def commit() -> str:
    """The commit the benchmark runs (the working tree may differ: see ``git status``)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BENCH, capture_output=True, text=True)
    return head.stdout.strip() or "unknown"


def machine() -> Record:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": cpu,
        "memory_gib": round(memory_kib / 2**20, 1),
        "python": platform.python_version(),
        "libraries": {name: version(name) for name in ("pyoxigraph", "rdflib", "pyshacl", "stancekb")},
    }


def run(args: argparse.Namespace) -> None:
    """Measure every requested size and task; merge into the results file after each measurement."""
    results: Record = json.loads(args.out.read_text()) if args.out.exists() else {"sizes": {}}
    results["machine"] = machine()
    results["seed"] = args.seed
    results["repeat"], results["budget_seconds"] = args.repeat, args.budget
    args.data.mkdir(parents=True, exist_ok=True)
    for label in args.sizes:
        size = SIZES[label]
        path = args.data / f"synthetic-{label}-seed{args.seed}.nq"
        print(f"{label} triples ({path})", file=sys.stderr)
        measured: Record = results["sizes"].setdefault(label, {})
        results["sizes"] = dict(sorted(results["sizes"].items(), key=lambda item: SIZES[item[0]]))
        source = 0
        for task in TASKS:
            if task in args.skip:
                continue
            measured[task] = run_child(task, args, size, path, source)
            source = measured[task].get("sources", source)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(results, indent=1) + "\n")
        if not args.keep_data:
            path.unlink(missing_ok=True)
    print(markdown(results))


# ---------------------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------------------


def ratio(baseline: float | None, ours: float | None) -> str:
    """How many times faster (or smaller) ours is than the baseline: '12x', '1.4x', or '-' if not measured."""
    if not baseline or not ours:
        return "-"
    times = baseline / ours
    return f"{times:.0f}x" if times >= 10 else f"{times:.1f}x"


def cell(value: float | None, unit: str = "", digits: int = 1) -> str:
    """A number for a table, or '-' when not measured."""
    return "-" if value is None else f"{value:,.{digits}f}{unit}"


Latency = tuple[float | None, bool]
"""Milliseconds, and whether that is only a lower bound (a run stopped at its limit)."""


def latency(measured: Record | None) -> Latency:
    """The median of a question's runs, or its time limit as a lower bound if its first run was stopped."""
    if not measured:
        return None, False
    if "over_s" in measured:
        return measured["over_s"] * 1000, True
    return measured["median_ms"], False


def total_ms(record: Record, column: str) -> Latency:
    """The sum of the questions' latencies in one column, if every question of the run was measured."""
    values = [latency(entry.get(column)) for entry in record.get("queries", {}).values()]
    if not values or any(ms is None for ms, _ in values):
        return None, False
    return sum(ms or 0 for ms, _ in values), any(at_least for _, at_least in values)


def total_cpu(record: Record, column: str) -> str:
    """' (CPU x ms)': the sum of the questions' CPU medians in one column, if every question has one."""
    values = [entry.get(column, {}).get("cpu_median_ms") for entry in record.get("queries", {}).values()]
    return "" if not values or None in values else f" (CPU {sum(values):,.0f} ms)"


def shown(value: Latency, unit: str = "", digits: int = 1) -> str:
    """A latency for a table, marked '>' if it is a lower bound."""
    ms, at_least = value
    return f"> {cell(ms, unit, digits)}" if at_least and ms is not None else cell(ms, unit, digits)


def speed_up(baseline: Latency, ours: Latency) -> str:
    """baseline / ours, marked '>' or '<' when one side is a lower bound, '?' when both are."""
    (slow, slow_bound), (fast, fast_bound) = baseline, ours
    text = ratio(slow, fast)
    if text == "-" or not (slow_bound or fast_bound):
        return text
    return "?" if slow_bound and fast_bound else f"> {text}" if slow_bound else f"< {text}"


def median_speed_up(ours: Record, baseline: Record) -> str:
    """The median over the questions of baseline / ours (a stopped run counts as its time limit)."""
    ratios = []
    for name, entry in ours.get("queries", {}).items():
        (slow, _), (fast, _) = (
            latency(baseline.get("queries", {}).get(name, {}).get("rdflib")),
            latency(entry["library"]),
        )
        if slow is not None and fast:
            ratios.append(slow / fast)
    return ratio(statistics.median(ratios), 1) if ratios else "-"


def markdown(results: Record) -> str:
    """The results as Markdown tables: one summary row per size, then the questions at each size."""
    lines = [
        "| triples | generate: time, peak RSS | load: Oxigraph in memory | rdflib (baseline) | speed-up "
        "| peak RSS: Oxigraph | rdflib | ratio | Oxigraph on disk: load, size |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, measured in results["sizes"].items():
        made, ox_load, rd_load, disk = (
            measured.get(task, {}) for task in ("generate", "oxigraph", "rdflib", "oxigraph-disk")
        )
        lines.append(
            f"| {label} ({cell(made.get('triples'), digits=0)}) "
            f"| {cell(made.get('seconds'), ' s')}, {cell(made.get('peak_rss_mib'), ' MiB', 0)} "
            f"| {load_time(ox_load)} | {load_time(rd_load)} "
            f"| {ratio(rd_load.get('seconds'), ox_load.get('seconds'))} "
            f"| {memory(ox_load)} | {memory(rd_load)} "
            f"| {ratio(rd_load.get('peak_rss_mib'), ox_load.get('peak_rss_mib'))} "
            f"| {cell(disk.get('seconds'), ' s', 2)}, {cell(disk.get('disk_mib'), ' MiB', 0)} |"
        )
    lines += [
        "",
        "| triples | questions, sum of medians: Oxigraph native | via stancekb.store | rdflib (baseline) "
        "| speed-up (store): of the sums, median of the questions' "
        "| SHACL: whole KB (baseline) | one new source + reference | speed-up "
        "| gate today (load_graphs) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, measured in results["sizes"].items():
        ox_q, rd_q = measured.get("oxigraph", {}), measured.get("rdflib", {})
        library, baseline = total_ms(ox_q, "library"), total_ms(rd_q, "rdflib")
        full, one, gate = (measured.get(task, {}) for task in ("validate-full", "validate-source", "gate"))
        one_s = one.get("median_ms", 0) / 1000 or None
        lines.append(
            f"| {label} | {shown(total_ms(ox_q, 'native'), ' ms', 0)}{total_cpu(ox_q, 'native')} "
            f"| {shown(library, ' ms', 0)}{total_cpu(ox_q, 'library')} "
            f"| {shown(baseline, ' ms', 0)}{total_cpu(rd_q, 'rdflib')} "
            f"| {speed_up(baseline, library)}, {median_speed_up(ox_q, rd_q)} "
            f"| {cell(full.get('seconds'), ' s')} | {cell(one_s, ' s', 2)} "
            f"({cell(one.get('triples'), digits=0)} triples) | {ratio(full.get('seconds'), one_s)} "
            f"| {cell(gate.get('seconds'), ' s')} |"
        )
    lines += ["", *gate_table(results), "", *full_validation_table(results)]
    loads = [
        value
        for measured in results["sizes"].values()
        for task in measured.values()
        for value in task.get("load_average", [])
    ]
    if loads:
        lines += [
            "",
            f"One-minute load average before and after each measurement: {min(loads):.1f} to {max(loads):.1f}.",
        ]
    for label, measured in results["sizes"].items():
        if "queries" in measured.get("oxigraph", {}):
            lines += ["", *question_table(label, measured)]
    return "\n".join(lines)


def gate_table(results: Record) -> list[str]:
    """The write gate at each size: whole-KB validation (the baseline) against the incremental gate."""
    lines = [
        "| triples | SHACL, whole KB (baseline) | incremental gate: validate | commit | total "
        "| speed-up (validation, wall) | focus nodes, context triples (source triples) | broken source refused in "
        "| on disk: total |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, measured in results["sizes"].items():
        full, gate, disk = (
            measured.get(task, {}) for task in ("validate-full", "gate-incremental", "gate-incremental-disk")
        )
        if not gate:
            continue
        refused = "refused" if gate.get("broken_refused") else "NOT refused"
        lines.append(
            f"| {label} | {cell(full.get('seconds'), ' s')} | {with_cpu(gate, 'validate_ms', 'cpu_validate_ms')} "
            f"| {cell(gate.get('commit_ms'), ' ms', 0)} | {with_cpu(gate, 'total_ms', 'cpu_total_ms')} "
            f"| {ratio(full.get('seconds'), (gate.get('validate_ms') or 0) / 1000 or None)} "
            f"| {cell(gate.get('focus_nodes'), digits=0)}, {cell(gate.get('context_triples'), digits=0)} "
            f"({cell(gate.get('source_triples'), digits=0)}) "
            f"| {refused}, {cell(gate.get('broken_ms'), ' ms', 0)} | {cell(disk.get('total_ms'), ' ms', 0)} |"
        )
    return lines


def full_validation_table(results: Record) -> list[str]:
    """Whole-KB validation compiled to SPARQL against pySHACL (the baseline) and the load of the same store."""
    lines = [
        "| triples | compiled to SPARQL (validate_store) | load into Oxigraph, same run | validation / load "
        "| pySHACL, whole KB (baseline) | speed-up | peak RSS |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, measured in results["sizes"].items():
        sparql, full = measured.get("validate-sparql", {}), measured.get("validate-full", {})
        if "seconds" not in sparql:
            continue
        lines.append(
            f"| {label} | {with_cpu(sparql, 'seconds', 'cpu_seconds', ' s', 1)} "
            f"| {with_cpu(sparql, 'load_seconds', 'load_cpu_seconds', ' s', 1)} "
            f"| {ratio(sparql['seconds'], sparql['load_seconds'])} | {cell(full.get('seconds'), ' s')} "
            f"| {ratio(full.get('seconds'), sparql['seconds'])} | {cell(sparql.get('peak_rss_mib'), ' MiB', 0)} |"
        )
    return lines


def with_cpu(record: Record, wall: str, cpu: str, unit: str = " ms", digits: int = 0) -> str:
    """Wall-clock time, with the CPU time in parentheses where it was measured."""
    shown = cell(record.get(wall), unit, digits)
    return f"{shown} (CPU {cell(record[cpu], unit, digits)})" if cpu in record else shown


def question_table(label: str, measured: Record) -> list[str]:
    """The questions at one size: rows, latency on each store, speed-up."""
    rd_q = measured.get("rdflib", {}).get("queries", {})
    disk_q = measured.get("oxigraph-disk", {}).get("queries", {})
    lines = [
        f"Competency questions at {label} triples (median ms; rows):",
        "",
        "| question | rows | Oxigraph native | via stancekb.store | rdflib (baseline) | speed-up (store) "
        "| on disk: via stancekb.store |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, entry in measured["oxigraph"]["queries"].items():
        baseline, library = latency(rd_q.get(name, {}).get("rdflib")), latency(entry["library"])
        rows = next(
            (run["rows"] for run in (*entry.values(), rd_q.get(name, {}).get("rdflib", {})) if "rows" in run), None
        )
        lines.append(
            f"| {name} | {cell(rows, digits=0)} | {shown(latency(entry['native']))} | {shown(library)} "
            f"| {shown(baseline)} | {speed_up(baseline, library)} "
            f"| {shown(latency(disk_q.get(name, {}).get('library')))} |"
        )
    return lines


def memory(load: Record) -> str:
    """Peak RSS after loading, and how much of it the load added to the interpreter with its imports."""
    if "peak_rss_mib" not in load:
        return "-"
    return f"{load['peak_rss_mib']:,.0f} MiB (+{load['peak_rss_mib'] - load['rss_after_imports_mib']:,.0f})"


def load_time(load: Record) -> str:
    """Load seconds (with the CPU time where measured) and triples a second."""
    cpu = f", CPU {cell(load['cpu_seconds'], ' s', 2)}" if "cpu_seconds" in load else ""
    return f"{cell(load.get('seconds'), ' s', 2)} ({cell(rate(load), '/s', 0)}{cpu})"


def rate(load: Record) -> float | None:
    """Triples loaded a second."""
    return load["triples"] / load["seconds"] if load.get("seconds") and load.get("triples") else None


# ---------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Parse the command line: run the benchmarks (default), one task (internal), or print the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file (JSON), merged into")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("report", help="print the Markdown tables of the results file")
    task = commands.add_parser("task", help="run one measurement in this process (used by the parent)")
    task.add_argument("name", choices=TASKS)
    task.add_argument("--file", type=Path, required=True)
    task.add_argument("--size", type=int, required=True)
    task.add_argument("--source", type=int, default=0, help="number of the new synthetic source")
    task.add_argument("--scratch", type=Path, help="a folder the task may write to (the on-disk store)")
    for target in (parser, task):
        target.add_argument("--seed", type=int, default=0, help="generator seed")
        target.add_argument("--repeat", type=int, default=5, help="runs per question or validation (median)")
        target.add_argument("--budget", type=float, default=30.0, help="seconds per question before fewer runs")
        target.add_argument("--limit", type=float, default=120.0, help="seconds before a question's run is stopped")
    parser.add_argument("--sizes", type=lambda value: value.split(","), default=["10k", "100k", "1M"])
    parser.add_argument("--skip", type=lambda value: value.split(","), default=[], help=f"tasks to skip: {TASKS}")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "stancekb-bench")
    parser.add_argument("--keep-data", action="store_true", help="keep the generated N-Quads files")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per task before it is stopped")
    args = parser.parse_args(argv)
    if args.command == "task":
        TASK_FUNCTIONS[args.name](args)
    elif args.command == "report":
        print(markdown(json.loads(args.out.read_text())))
    else:
        unknown = set(args.sizes) - set(SIZES) | set(args.skip) - set(TASKS)
        if unknown:
            parser.error(f"unknown size or task: {', '.join(sorted(unknown))}")
        run(args)


if __name__ == "__main__":
    main()
