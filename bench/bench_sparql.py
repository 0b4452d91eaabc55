"""Latency of the SPARQL endpoint against the store in-process and against rdflib-endpoint, in one run.

Measured, for each competency question (kb/queries/*.rq) plus a stances-on-a-topic query and a trivial ASK,
on the packaged KB grown with synthetic stances to about ``--triples`` triples:

- ``library``: ``Store.query`` in-process (the Python API, results as rdflib terms);
- ``native``: pyoxigraph in-process, query and SPARQL JSON serialisation (the floor);
- ``ours``: GET /sparql on ``stancekb``'s server (uvicorn, in a process of its own), SPARQL JSON;
- ``peer``: GET /sparql on rdflib-endpoint serving an rdflib Dataset of the same data, SPARQL JSON;

and the GET endpoints of the REST layer that take no path parameter (found in the app's routes), through
our server. Servers run in subprocesses on 127.0.0.1; the client keeps its connection alive. Medians of
``--repeat`` runs after ``--warmup`` runs, in milliseconds. Each query is asked over HTTP first: one the server
stops at its query timeout is not run in-process. See bench/README.md.

    .venv/bin/python bench/bench_sparql.py --triples 100000 --repeat 20
    .venv/bin/python bench/bench_sparql.py --data kb-10m.nq --no-peer --http-only --repeat 3 --warmup 1  # 10M
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import httpx
import pyoxigraph as ox

from stancekb.namespaces import PREFIXES
from stancekb.resources import query_files
from stancekb.store import OxigraphStore, QueryRequest, open_store

SKB, SKR = PREFIXES["skb"], PREFIXES["skr"]
GRAPH = "https://w3id.org/stancekb/graph/bench"
POLARITIES = ["Favour", "Against", "Neutral", "Mixed"]
TOPIC_QUERY = f"""PREFIX skb: <{SKB}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?stance ?holder ?label ?polarity WHERE {{
  ?stance a skb:Stance ; skb:target <{SKR}bench-topic-7> ; skb:holder ?holder ; skb:polarity ?polarity .
  ?holder rdfs:label ?label .
}} ORDER BY ?stance"""
TRIVIAL = "ASK {}"
JSON_RESULTS = "application/sparql-results+json"
SKIPPED_ROUTES = ("/sparql", "/graph-store", "/.well-known", "/docs", "/redoc", "/openapi.json")


def build_data(triples: int, path: Path) -> int:
    """Write the packaged KB plus synthetic stances (about ``triples`` in all) as N-Quads; return the count."""
    from stancekb.load import load_packaged_kb

    store = open_store("oxigraph:")
    assert isinstance(store, OxigraphStore)
    load_packaged_kb(store)
    synthetic = []
    for i in range(max(0, triples - len(store)) // 6):
        stance, actor = ox.NamedNode(f"{SKR}bench-stance-{i}"), ox.NamedNode(f"{SKR}bench-actor-{i % 1000}")
        for p, o in (
            ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(f"{SKB}Stance")),
            (f"{SKB}holder", actor),
            (f"{SKB}target", ox.NamedNode(f"{SKR}bench-topic-{i % 100}")),
            (f"{SKB}polarity", ox.NamedNode(f"{SKB}{POLARITIES[i % 4]}")),
            (f"{SKB}reportingMode", ox.NamedNode(f"{SKB}Paraphrase")),
        ):
            synthetic.append(ox.Quad(stance, ox.NamedNode(p), o, ox.NamedNode(GRAPH)))
        label = ox.Literal(f"Actor {i % 1000}")
        synthetic.append(
            ox.Quad(actor, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), label, ox.NamedNode(GRAPH))
        )
    store.native.extend(synthetic)
    store.native.dump(str(path), ox.RdfFormat.N_QUADS)
    return len(store)


def serve(kind: str, data: Path, port: int) -> None:
    """Run one of the two servers on 127.0.0.1:port (in the subprocess the benchmark starts)."""
    import uvicorn

    if kind == "ours":
        from stancekb.api.main import create_app
        from stancekb.settings import Settings

        store = open_store("oxigraph:")
        assert isinstance(store, OxigraphStore)
        store.native.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        settings = Settings(load_kb=False, port=port, base_url=f"http://127.0.0.1:{port}")
        app = create_app(settings, store=store)
    else:
        from rdflib import Dataset
        from rdflib_endpoint import SparqlEndpoint

        dataset = Dataset(default_union=True)
        dataset.parse(str(data), format="nquads")
        app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False)
    from stancekb.api.main import server_config
    from stancekb.settings import Settings

    uvicorn.Server(server_config(app, Settings(host="127.0.0.1", port=port), log_level="warning")).run()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(kind: str, data: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--data", str(data), "--port", str(port)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 1800  # loading ten million triples took over 15 min at a load average of 10
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/sparql", params={"query": TRIVIAL}, timeout=5).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"the {kind} server did not start")


def timed(run: Callable[[], object], warmup: int, repeat: int) -> float | None:
    """Median milliseconds of ``run``, or ``None`` if it fails."""
    try:
        for _ in range(warmup):
            run()
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            samples.append((time.perf_counter() - started) * 1000)
    except Exception as error:
        print(f"  failed: {type(error).__name__}: {str(error)[:200]}", file=sys.stderr)
        return None
    return statistics.median(samples)


def http_query(client: httpx.Client, query: str) -> Callable[[], object]:
    def run() -> object:
        response = client.get("/sparql", params={"query": query}, headers={"accept": JSON_RESULTS})
        response.raise_for_status()
        return response.content

    return run


def rest_paths(url: str) -> list[str]:
    """The REST layer's GET endpoints without path parameters, from the server's OpenAPI description."""
    paths = httpx.get(f"{url}/openapi.json", timeout=30).json()["paths"]
    return sorted(p for p, ops in paths.items() if "get" in ops and "{" not in p and not p.startswith(SKIPPED_ROUTES))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--data", type=Path, help="an N-Quads file to serve (a synthetic KB) instead of building one")
    parser.add_argument("--no-peer", action="store_true", help="no rdflib-endpoint (its rdflib graph: ~1.8 GB per 1M)")
    parser.add_argument("--http-only", action="store_true", help="no in-process columns (no store in this process)")
    parser.add_argument("--peer-timeout", type=float, default=300, help="seconds before a peer request is given up")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--serve", choices=["ours", "peer"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.data, args.port)
        return

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder, ExitStack() as running:
        data = args.data or Path(folder) / "data.nq"
        if args.data is None:
            build_data(args.triples, data)
        store = None if args.http_only else open_store("oxigraph:")
        if isinstance(store, OxigraphStore):
            store.native.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        queries = {q.name.removesuffix(".rq"): q.read_text(encoding="utf-8") for q in query_files()}
        queries |= {"stances-on-a-topic": TOPIC_QUERY, "trivial-ask": TRIVIAL}
        ours_client = running.enter_context(httpx.Client(base_url=running_server(running, "ours", data), timeout=120))
        peer_client = None
        if not args.no_peer:
            peer_client = running.enter_context(
                httpx.Client(base_url=running_server(running, "peer", data), timeout=args.peer_timeout)
            )
        rows: list[tuple[str, dict[str, float | None]]] = []
        for name, query in queries.items():
            print(f"{name} ...", file=sys.stderr)
            rows.append((name, measure_query(query, store, ours_client, peer_client, args)))
        for path in rest_paths(str(ours_client.base_url)):
            rest = timed(partial(ours_client.get, path), args.warmup, args.repeat)
            rows.append((f"REST {path}", {"ours": rest}))
        count = len(store) if store else sum(1 for _ in data.open("rb"))  # N-Quads: one quad a line
    report(rows, count, args, load_before)


def running_server(running: ExitStack, kind: str, data: Path) -> str:
    """Start a server over ``data``, stopped when ``running`` closes; its URL."""
    process, url = start(kind, data)

    def stop() -> None:
        process.terminate()
        process.wait(timeout=30)

    running.callback(stop)
    return url


def measure_query(
    query: str,
    store: OxigraphStore | None,
    ours: httpx.Client,
    peer: httpx.Client | None,
    args: argparse.Namespace,
) -> dict[str, float | None]:
    """Median ms of one query over HTTP on each server, then (if our server answered it) in-process."""
    times = {"ours": timed(http_query(ours, query), args.warmup, args.repeat)}
    if times["ours"] is None:
        print("  not answered by the server: not run in-process", file=sys.stderr)
    elif store is not None:
        job = QueryRequest(query, {"select": JSON_RESULTS, "ask": JSON_RESULTS, "graph": "text/turtle"})

        def native() -> object:
            result = store.native.query(query, use_default_graph_as_union=True)
            return result.serialize(format=ox.QueryResultsFormat.JSON)

        times["library"] = timed(partial(store.query, query), args.warmup, args.repeat)
        times["native"] = timed(native, args.warmup, args.repeat)
        times["run_query"] = timed(partial(store.run_query, job), args.warmup, args.repeat)
    if peer is not None:
        times["peer"] = timed(http_query(peer, query), 1, max(3, args.repeat // 4))
    return times


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}" if a and b else "-"


def ms(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "-"


COLUMNS = ["library", "native", "run_query", "ours", "peer"]


def report(
    rows: list[tuple[str, dict[str, float | None]]],
    count: int,
    args: argparse.Namespace,
    load_before: tuple[float, float, float],
) -> None:
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, pyoxigraph {ox.__version__}"
    )
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    before = " ".join(f"{value:.2f}" for value in load_before)
    runs = f"medians of {args.repeat} runs (peer: {max(3, args.repeat // 4)}), ms"
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"\n{count} triples; {machine}; load average {before} before, {load} after; {when}; {runs}\n")
    print(f"| query | {' | '.join(COLUMNS)} | peer/ours | ours/library | ours/native |")
    print("|---" + "|---:" * (len(COLUMNS) + 3) + "|")
    for name, times in rows:
        cells = [ms(times.get(column)) for column in COLUMNS]
        ratios = [
            ratio(times.get(a), times.get(b)) for a, b in (("peer", "ours"), ("ours", "library"), ("ours", "native"))
        ]
        print(f"| {name} | {' | '.join(cells + ratios)} |")
    if args.json:
        figures = {
            "triples": count,
            "machine": machine,
            "load_average": {"before": load_before, "after": os.getloadavg()},
            "commit": subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
            ).stdout.strip(),
            "rows": {name: times for name, times in rows},
        }
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
