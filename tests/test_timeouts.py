"""Runaway queries and updates are stopped at the timeout, other clients are served meanwhile and after, and a
write stopped at the timeout leaves an on-disk store exactly as it was (reopened and compared).

(tests/test_sparql_protocol.py checks that the stopped worker process is really gone.)
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_utils import TOKEN, LiveServer, live_server

from stancekb.load import load_packaged_kb
from stancekb.store import open_store

TIMEOUT = 2.0
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
RUNAWAY_UPDATE = (  # GRAPH patterns: an update's WHERE reads the default graph alone, and the KB is in named graphs
    "INSERT { GRAPH <https://example.org/runaway> { ?a <https://example.org/p> ?d } } "
    "WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i } }"
)
SMALL_READS = [
    ("/sparql", {"query": "ASK { ?s a <https://w3id.org/stancekb/ontology#Stance> }"}),
    ("/actors", {"limit": "5"}),
    ("/graph-store", {"graph": "https://w3id.org/stancekb/graph/reference"}),
]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """The packaged KB, served with a short timeout."""
    store = open_store("oxigraph:")
    load_packaged_kb(store)
    with live_server(store, update_token=TOKEN, query_timeout=TIMEOUT) as running:
        yield running


def serve_others_while(server: LiveServer, runaway: httpx.Request) -> tuple[httpx.Response, float, list[float]]:
    """Send the runaway; meanwhile another client reads in a loop. The runaway's answer, its time, the reads' times."""
    reads: list[float] = []
    done = threading.Event()

    def read() -> None:
        with server.client() as other:
            while not done.is_set():
                for path, params in SMALL_READS:
                    started = time.monotonic()
                    response = other.get(path, params=params)
                    assert response.status_code == 200, response.text
                    reads.append(time.monotonic() - started)

    reader = threading.Thread(target=read)
    with server.client() as http:
        http.get("/sparql", params={"query": "ASK {}"})  # the workers are forked
        reader.start()
        started = time.monotonic()
        try:
            response = http.send(runaway)
        finally:
            elapsed = time.monotonic() - started
            done.set()
            reader.join()
    return response, elapsed, reads


def assert_stopped_while_others_served(response: httpx.Response, elapsed: float, reads: list[float]) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["type"].endswith("/query-timeout")
    assert TIMEOUT <= elapsed < TIMEOUT + 3
    assert len(reads) >= 3, "the other client was not served while the runaway ran"
    assert max(reads) < TIMEOUT, f"a read waited for the runaway: {max(reads):.2f} s"


def test_a_runaway_query_is_stopped_and_others_are_served(server: LiveServer) -> None:
    runaway = httpx.Request("GET", f"{server.url}/sparql", params={"query": CROSS_PRODUCT})
    assert_stopped_while_others_served(*serve_others_while(server, runaway))
    with server.client() as http:
        for path, params in SMALL_READS:
            assert http.get(path, params=params).status_code == 200


def test_a_runaway_update_is_stopped_and_others_are_served(server: LiveServer) -> None:
    before = set(server.store.quads())
    runaway = httpx.Request(
        "POST",
        f"{server.url}/sparql",
        content=RUNAWAY_UPDATE,
        headers={"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"},
    )
    assert_stopped_while_others_served(*serve_others_while(server, runaway))
    assert set(server.store.quads()) == before


def test_runaways_on_every_worker_delay_others_only_until_the_timeout(server: LiveServer) -> None:
    """With every worker busy with a runaway, a read waits for a free one: at most about the timeout."""
    pool = server.app.state.pool  # type: ignore[attr-defined]
    runaways: list[httpx.Response] = []

    def run_away() -> None:
        with server.client() as http:
            runaways.append(http.get("/sparql", params={"query": CROSS_PRODUCT}))

    threads = [threading.Thread(target=run_away) for _ in range(pool.size)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    with server.client() as http:
        started = time.monotonic()
        assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        waited = time.monotonic() - started
    for thread in threads:
        thread.join()
    assert [response.status_code for response in runaways] == [503] * pool.size
    assert waited < TIMEOUT + 3


def test_a_write_stopped_at_the_timeout_leaves_the_disk_store_as_it_was(tmp_path: Path) -> None:
    """The server is stopped, the store closed and opened again from disk, and compared."""
    location = f"oxigraph:{tmp_path / 'store'}"
    store = open_store(location)
    triples = " ".join(f"<https://example.org/n{i}> <https://example.org/p> {i} ." for i in range(300))
    store.update(f"INSERT DATA {{ GRAPH <https://example.org/g> {{ {triples} }} }}")
    before = set(store.quads())
    with live_server(store, update_token=TOKEN, query_timeout=TIMEOUT) as running, running.client() as http:
        response = http.post(
            "/sparql",
            content=RUNAWAY_UPDATE,
            headers={"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"},
        )
    assert response.status_code == 503, response.text
    store.close()
    del store, running
    gc.collect()  # an on-disk Oxigraph store keeps its lock until collected
    assert set(open_store(location).quads()) == before
