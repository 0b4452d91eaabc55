"""Load test: many concurrent clients over the synthetic KB, reads alone and reads mixed with writes.

One run writes a synthetic KB (``stancekb.generate.write_synthetic_kb``, about ``--triples`` triples; or serves
``--data``), serves it with StanceKB's server in a subprocess on 127.0.0.1 (with an update token, through
``bench_sparql.start``), then runs two phases of ``--duration`` seconds each with ``--clients`` concurrent
asyncio httpx clients:

- ``reads``: every client loops over rounds of a read mix (``--mix``): ``interactive`` (the default) is point
  queries on /sparql (a holder's stances, the stances and polarity counts on a topic, a stance's properties,
  ``ASK {}``) and a source's graph from /graph-store; ``competency`` is the 21 competency questions (whole-KB
  answers, up to megabytes at 1M triples); ``rest`` is the REST lists (``limit=20``);
- ``mixed``: the same, except that ``--writers`` of the clients write instead: each PUTs a small valid graph
  of its own through the SHACL gate (``/graph-store``, bearer token), then deletes it.

Each request's latency is measured by the client, from sending to the last byte. An error is any transport
failure or a status other than the one expected (200 for reads, 201/204 for writes). The test stops itself at
the end of each phase (requests in flight are awaited) and reaches nothing but the loopback server.

    .venv/bin/python bench/load_test.py --triples 1000000 --duration 60 --clients 32 --json load.json
    .venv/bin/python bench/load_test.py --data kb.nq --mix rest --phases reads --clients 8
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
from bench_sparql import start

from stancekb.generate import write_synthetic_kb
from stancekb.resources import query_files

TOKEN = "load-test-token-" + os.urandom(8).hex()
ID, SKB = "https://w3id.org/stancekb/id/", "https://w3id.org/stancekb/ontology#"
INTERACTIVE = {
    "stances of a holder": """SELECT ?stance ?target ?polarity WHERE {{ ?stance a <{skb}Stance> ;
        <{skb}holder> <{id}person-{n:05d}> ; <{skb}target> ?target ; <{skb}polarity> ?polarity }} LIMIT 100""",
    "stances on a topic": """SELECT ?stance ?holder WHERE {{ ?stance <{skb}target> <{id}topic-synthetic-{n:03d}> ;
        <{skb}holder> ?holder }} LIMIT 100""",
    "polarities on a topic": """SELECT ?polarity (COUNT(?stance) AS ?n) WHERE {{
        ?stance <{skb}target> <{id}topic-synthetic-{n:03d}> ; <{skb}polarity> ?polarity }} GROUP BY ?polarity""",
    "a stance's properties": "SELECT ?p ?o WHERE {{ <{id}synthetic-{n:06d}/stance-6> ?p ?o }}",
    "trivial ask": "ASK {{}}",
}
"""Point queries of the kind an interactive client sends; ``{n}`` varies with the client and the round."""
REST_READS = ["/actors?limit=20", "/stances?limit=20", "/meetings?limit=20", "/dependencies?limit=20", "/topics"]
WRITE_GRAPH = "https://example.org/load-test/writer-{client}"
WRITE_BODY = '<https://example.org/load-test/item-{client}-{n}> <http://xmlns.com/foaf/0.1/name> "item {n}" .'


@dataclass
class Sample:
    """One request: what it was, how long it took (ms) and whether it went wrong."""

    kind: str
    milliseconds: float
    error: str | None


@dataclass
class Phase:
    """The samples of one phase and its wall time."""

    name: str
    seconds: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    connections: int = 0
    """TCP connections the clients opened: more than ``--clients`` means idle ones expired and were replaced."""

    async def trace(self, event: str, info: dict[str, object]) -> None:
        """httpx's trace hook: count the connections opened."""
        if event == "connection.connect_tcp.complete":
            self.connections += 1


def read_requests(mix: str, n: int) -> list[tuple[str, str, dict[str, str]]]:
    """(label, path, params) of one round of a read mix; ``n`` picks the holder, topic, source... of the round."""
    if mix == "competency":
        return [(f"sparql {q.name}", "/sparql", {"query": q.read_text(encoding="utf-8")}) for q in query_files()]
    if mix == "rest":
        return [(f"GET {path}", path, {}) for path in REST_READS]
    reads = [
        (f"sparql {name}", "/sparql", {"query": query.format(n=n % 50, skb=SKB, id=ID)})
        for name, query in INTERACTIVE.items()
    ]
    graph = f"https://w3id.org/stancekb/graph/synthetic-{n % 50:06d}"
    return [*reads, ("GET a source's graph", "/graph-store", {"graph": graph})]


async def timed(kind: str, send: Awaitable[httpx.Response], expected: set[int]) -> Sample:
    """Await a request and measure it."""
    started = time.perf_counter()
    error = None
    try:
        response = await send
        if response.status_code not in expected:
            error = f"{response.status_code} {response.text[:200]}"
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}"
    return Sample(kind, (time.perf_counter() - started) * 1000, error)


async def reader(client: httpx.AsyncClient, number: int, deadline: float, phase: Phase, mix: str) -> None:
    """Loop over rounds of the read mix (each client starting elsewhere) until the deadline."""
    for round_number in itertools.count(number):
        for label, path, params in read_requests(mix, round_number):
            if time.monotonic() >= deadline:
                return
            accept = "application/sparql-results+json" if path == "/sparql" else "*/*"
            request = client.get(path, params=params, headers={"accept": accept}, extensions={"trace": phase.trace})
            phase.samples.append(await timed(f"read {label}", request, {200}))


async def writer(client: httpx.AsyncClient, number: int, deadline: float, phase: Phase) -> None:
    """PUT a small graph of this client's own through the gate, then DELETE it (if written), until the deadline."""
    graph = WRITE_GRAPH.format(client=number)
    auth = {"authorization": f"Bearer {TOKEN}"}
    for n in itertools.count():
        if time.monotonic() >= deadline:
            return
        body = WRITE_BODY.format(client=number, n=n)
        put = client.put(
            "/graph-store",
            params={"graph": graph},
            content=body,
            headers={**auth, "content-type": "text/turtle"},
            extensions={"trace": phase.trace},
        )
        phase.samples.append(await timed("write PUT", put, {201, 204}))
        if phase.samples[-1].error:
            continue  # nothing to delete
        delete = client.delete("/graph-store", params={"graph": graph}, headers=auth, extensions={"trace": phase.trace})
        phase.samples.append(await timed("write DELETE", delete, {204}))


async def run_phase(name: str, url: str, clients: int, writers: int, duration: float, mix: str) -> Phase:
    """Run ``clients`` concurrent clients (``writers`` of them writing) for ``duration`` seconds."""
    assert urlsplit(url).hostname == "127.0.0.1", "the load test only reaches the loopback server"
    phase = Phase(name)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(300), limits=limits) as client:
        started = time.monotonic()
        deadline = started + duration
        await asyncio.gather(
            *(writer(client, number, deadline, phase) for number in range(writers)),
            *(reader(client, number, deadline, phase, mix) for number in range(writers, clients)),
        )
        phase.seconds = time.monotonic() - started
    return phase


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server; kill it if it does not stop within 30 s (it waits for requests in flight)."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summary(phase: Phase, kind_prefix: str = "") -> dict[str, object]:
    """Throughput, p50/p99 latency and errors of the phase's samples whose kind starts with the prefix."""
    samples = [s for s in phase.samples if s.kind.startswith(kind_prefix)]
    latencies = [s.milliseconds for s in samples] or [0.0]
    errors = [s for s in samples if s.error]
    return {
        "requests": len(samples),
        "per_second": round(len(samples) / phase.seconds, 1) if phase.seconds else 0.0,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "errors": len(errors),
        "error_kinds": dict(Counter(f"{s.kind}: {(s.error or '')[:80]}" for s in errors).most_common(5)),
    }


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    return {
        "platform": platform.platform(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "pyoxigraph": ox.__version__,
        "load_average_after": " ".join(load),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, help="an N-Quads KB to serve instead of writing a synthetic one")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per phase")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--writers", type=int, default=2, help="clients that write in the mixed phase")
    parser.add_argument("--mix", choices=["interactive", "competency", "rest"], default="interactive")
    parser.add_argument("--phases", default="reads,mixed", help="reads, mixed, or both (the default)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    results: dict[str, object] = {"arguments": {k: str(v) for k, v in vars(args).items()}}
    with tempfile.TemporaryDirectory() as folder:
        data = args.data or Path(folder) / "kb.nq"
        if args.data is None:
            began = time.monotonic()
            results["triples"] = write_synthetic_kb(data, args.triples)
            print(f"wrote {results['triples']} triples in {time.monotonic() - began:.0f} s", file=sys.stderr)
        else:
            results["triples"] = sum(1 for _ in ox.parse(path=data, format=ox.RdfFormat.N_QUADS))
        os.environ["STANCEKB_UPDATE_TOKEN"] = TOKEN  # read by the server subprocess's Settings
        server, url = start("ours", data)
        try:
            for name, writers in (("reads", 0), ("mixed", args.writers)):
                if name not in args.phases.split(","):
                    continue
                print(f"phase {name}: {args.clients} clients, {writers} writing, {args.duration:g} s", file=sys.stderr)
                phase = asyncio.run(run_phase(name, url, args.clients, writers, args.duration, args.mix))
                results[name] = {
                    "all": summary(phase),
                    "reads": summary(phase, "read"),
                    "writes": summary(phase, "write"),
                    "by_kind": {kind: summary(phase, kind) for kind in sorted({s.kind for s in phase.samples})},
                    "connections_opened": phase.connections,
                }
                print(
                    json.dumps({**summary(phase), "connections_opened": phase.connections}, indent=2), file=sys.stderr
                )
        finally:
            stop(server)
    results["machine"] = machine()
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def report(results: dict[str, object]) -> None:
    """The figures as a Markdown table: each phase in all, its reads, its writes, then each kind of request."""
    print(f"\n{results['triples']} triples; {json.dumps(results['machine'])}\n")
    print("| phase | requests | requests/s | p50 ms | p99 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in ("reads", "mixed"):
        phase = results.get(name)
        if not isinstance(phase, dict):
            continue
        by_kind: dict[str, dict[str, object]] = phase["by_kind"]
        rows = [(part, phase[part]) for part in ("all", "reads", "writes")] + list(by_kind.items())
        for part, row in rows:
            if row["requests"]:
                cells = [row[key] for key in ("requests", "per_second", "p50_ms", "p99_ms", "max_ms", "errors")]
                print(f"| {name}: {part} | " + " | ".join(str(cell) for cell in cells) + " |")


if __name__ == "__main__":
    main()
