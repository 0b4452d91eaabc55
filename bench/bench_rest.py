"""Latency of every REST GET endpoint over HTTP at scale, against the same work done in-process, in one run.

On a synthetic KB (``stancekb.generate.write_synthetic_kb``, about ``--triples`` triples, or ``--data`` an
N-Quads file of one), for each list endpoint (``/actors`` ... ``/sources``, first page of 20), one item of each
kind but actors (the first of its list), and for each ``--actor`` its profile (``/actors/{id}``, each list
bounded) and the first page of its complete stances held (``/actors/{id}/stances-held``), it times:

- ``native``: the endpoint's list queries (``api/queries/{name}.rq``; where the route counts with the ``count``
  flag, the count and the page's ``LIMIT``/``OFFSET`` query; for a profile, both for each of its lists)
  evaluated by pyoxigraph in-process, every row read (the floor: no conversion, no describe, no HTTP);
- ``lookup``: the REST layer's whole work in-process (``rest.Lookup`` on an ``OxigraphStore``: checks, query,
  describes, models, JSON), what a worker does for the request; ``lookup CPU``: its CPU time (on a shared
  machine, the figure that load inflates least);
- ``http``: GET on StanceKB's server (``bench_sparql.py``'s, uvicorn and its worker pool, in a subprocess on
  127.0.0.1), the client keeping its connection alive.

Medians of ``--repeat`` runs after ``--warmup`` runs, in milliseconds; a request whose first run takes longer
than ``--budget`` seconds is timed by that run alone; one stopped after ``--cap`` seconds (in-process) or by the
server's query timeout (HTTP 503) shows as ``-``.

    .venv/bin/python bench/bench_rest.py --triples 1000000 --repeat 5 [--json figures.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx
import pyoxigraph as ox
from pydantic import BaseModel
from rdflib import URIRef
from rdflib.term import Node

sys.path.insert(0, str(Path(__file__).parent))
from bench_sparql import start, timed

from stancekb.api import models, rest
from stancekb.api.models import Neighbourhood, list_path
from stancekb.api.routes.actors import PROFILE_LIMIT, ProfileLookup, list_lookup
from stancekb.generate import write_synthetic_kb
from stancekb.namespaces import RESOURCE
from stancekb.store import OxigraphStore


@dataclass(frozen=True)
class Endpoint:
    """A list endpoint: its path, the kind it lists and how its items are read (a model's ``from_graph``)."""

    path: str
    kind: rest.Kind
    read: Callable[[Neighbourhood, Node], BaseModel]
    counted: bool = False
    """Whether the route counts the total with the query's ``count`` flag (and reads the page's rows alone)."""

    def lookup(self, iri: Node | None = None) -> rest.Lookup:
        """The lookup of the list's first page, or of the one item ``iri``, as the route builds it."""
        if iri is None:
            count = self.kind.count() if self.counted else None
            read = rest.Each(self.read)
            return rest.Lookup(self.kind.select(), self.kind.variable, read, limit=rest.DEFAULT_LIMIT, count=count)
        return rest.Lookup(self.kind.select({self.kind.variable: iri}), self.kind.variable, rest.Each(self.read))


ENDPOINTS = [
    Endpoint("/actors", rest.ACTOR, models.Actor.from_graph),
    Endpoint("/stances", rest.STANCE, models.Stance.from_graph, counted=True),
    Endpoint("/meetings", rest.MEETING, models.Meeting.from_graph),
    Endpoint("/dependencies", rest.DEPENDENCY, models.Dependency.from_graph),
    Endpoint("/topics", rest.TOPIC, models.Topic.from_graph),
    Endpoint("/sources", rest.SOURCE, models.Source.from_graph),
]


def profile_lookup(iri: URIRef) -> ProfileLookup:
    """The lookup of ``/actors/{iri}``, as the route builds it (the links are not followed here)."""
    return ProfileLookup(iri, PROFILE_LIMIT, {name: list_path(name) for name in models.PROFILE_LISTS})


def list_queries(lookup: rest.Lookup) -> list[rest.Select]:
    """The list queries a lookup runs: its query, or its count and its page (``LIMIT``/``OFFSET``)."""
    if lookup.count is None:
        return [lookup.select]
    window = f"\nOFFSET {lookup.offset}" + (f" LIMIT {lookup.limit}" if lookup.limit is not None else "")
    return [lookup.count, rest.Select(lookup.select.sparql + window, lookup.select.bindings)]


def profile_queries(iri: URIRef) -> list[rest.Select]:
    """The list queries of ``/actors/{iri}``: each list's count and first page."""
    return [
        select for name in models.PROFILE_LISTS for select in list_queries(list_lookup(iri, name, 0, PROFILE_LIMIT))
    ]


def native_list(store: OxigraphStore, selects: list[rest.Select]) -> int:
    """Evaluate list queries with pyoxigraph alone, reading every row."""
    rows = 0
    for select in selects:
        substitutions = {ox.Variable(name): ox.NamedNode(str(value)) for name, value in select.bindings.items()}
        result = store.native.query(select.sparql, use_default_graph_as_union=True, substitutions=substitutions)
        rows += sum(1 for _ in result)  # type: ignore[union-attr]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--data", type=Path, help="an N-Quads file of a synthetic KB (instead of generating one)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--actor", action="append", help="an actor whose profile to time (default: mark-rutte)")
    parser.add_argument("--budget", type=float, default=10, help="seconds past which a request is timed once only")
    parser.add_argument("--cap", type=float, default=30, help="seconds after which a run is stopped (shown as -)")
    parser.add_argument("--label", default="", help="a name for this run in the output (such as 'before')")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = args.data or Path(folder) / "kb.nq"
        if args.data is None:
            write_synthetic_kb(data, args.triples)
        store = OxigraphStore("oxigraph:")
        store.native.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        server, url = start("ours", data)
        try:
            with httpx.Client(base_url=url, timeout=120) as client:
                rows = measure(store, client, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(rows, len(store.native), args)


def measure(
    store: OxigraphStore, client: httpx.Client, args: argparse.Namespace
) -> list[tuple[str, dict[str, float | None]]]:
    """Time each endpoint in-process and over HTTP."""

    def get(path: str) -> object:
        response = client.get(path)
        response.raise_for_status()
        return response.content

    def bounded(run: Callable[[], object]) -> float | None:
        """The median of ``run``; the time of one run alone if it took over ``--budget`` s; None past ``--cap`` s."""
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, args.cap)
        try:
            if timed(run, 0, 1) is None:
                return None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        once = (time.perf_counter() - started) * 1000
        return once if once > args.budget * 1000 else timed(run, max(0, args.warmup - 1), args.repeat)

    def cpu(run: Callable[[], object]) -> float:
        """The median CPU time of ``run`` in this process, in milliseconds (``--repeat`` runs)."""
        samples = []
        for _ in range(args.repeat):
            started = time.process_time()
            run()
            samples.append((time.process_time() - started) * 1000)
        return statistics.median(samples)

    def case(name: str, lookup: Callable[[OxigraphStore], object], native: Callable[[], object]) -> None:
        print(f"{name} ...", file=sys.stderr)
        times = {"native": bounded(native), "lookup": bounded(partial(lookup, store))}
        times["lookup_cpu"] = cpu(partial(lookup, store)) if times["lookup"] is not None else None
        times["http"] = bounded(partial(get, name))
        print(f"  {times}", file=sys.stderr)
        rows.append((name, times))

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"stopped after {args.cap} s")

    signal.signal(signal.SIGALRM, expire)
    rows: list[tuple[str, dict[str, float | None]]] = []
    for endpoint in ENDPOINTS:
        lookup = endpoint.lookup()
        case(f"{endpoint.path}?limit={rest.DEFAULT_LIMIT}", lookup, partial(native_list, store, list_queries(lookup)))
    for endpoint in ENDPOINTS[1:]:  # one actor is its profile, timed below
        first = store.query(endpoint.kind.select().sparql + "\nLIMIT 1").rows[0][endpoint.kind.variable]
        key = str(first).removeprefix(str(RESOURCE))
        one = endpoint.lookup(first)
        case(f"{endpoint.path}/{key}", one, partial(native_list, store, list_queries(one)))
    for actor in args.actor or ["mark-rutte"]:
        iri = URIRef(str(RESOURCE) + actor)
        case(f"/actors/{actor}", profile_lookup(iri), partial(native_list, store, profile_queries(iri)))
        held = list_lookup(iri, "stancesHeld", 0, rest.DEFAULT_LIMIT)
        name = f"/actors/{actor}/stances-held?limit={rest.DEFAULT_LIMIT}"
        case(name, held, partial(native_list, store, list_queries(held)))
    return rows


def report(rows: list[tuple[str, dict[str, float | None]]], count: int, args: argparse.Namespace) -> None:
    """Print a Markdown table; write the JSON figures if asked."""
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, pyoxigraph {ox.__version__}"
    )
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"\n{args.label} {count} triples; {machine}; load average {load}; {when}; medians of {args.repeat}, ms\n")
    print("| request | native | lookup | lookup CPU | http | http/native |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, times in rows:
        native, lookup, cpu, http = (times.get(column) for column in ("native", "lookup", "lookup_cpu", "http"))
        cells = [f"{value:.1f}" if value is not None else "-" for value in (native, lookup, cpu, http)]
        ratio = f"{http / native:.0f}" if http and native else "-"
        print(f"| `{name}` | {' | '.join(cells)} | {ratio} |")
    if args.json:
        figures = {"label": args.label, "triples": count, "machine": machine, "load": load, "rows": dict(rows)}
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
