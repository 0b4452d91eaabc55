"""Helpers of the REST layer's tests (``tests/test_rest_*.py``): the KB-backed app, /sparql as the oracle,
and a pyld document loader that serves the server's context and refuses every other URL.

Named ``test_rest_*`` to sit with those tests; it holds no test of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import httpx
from fastapi.testclient import TestClient
from pyld import jsonld
from rdflib import Graph

from stancekb.api.main import create_app
from stancekb.load import load_packaged_kb
from stancekb.namespaces import SPARQL_PREFIXES
from stancekb.resources import query_files
from stancekb.settings import Settings
from stancekb.store import Store, open_store

ID = "https://w3id.org/stancekb/id/"
RSA = ID + "rutte-stands-alone-new-nato/"
BASE = "http://testserver"


@cache
def kb_store() -> Store:
    """An in-memory Oxigraph store holding the packaged KB; shared and never written to by these tests."""
    store = open_store("oxigraph:")
    load_packaged_kb(store)
    return store


@contextmanager
def rest_client() -> Iterator[TestClient]:
    """A TestClient of the app over the packaged KB, its worker pool started and stopped with it."""
    app = create_app(Settings(load_kb=False, base_url=BASE), store=kb_store())  # type: ignore[call-arg]
    with TestClient(app, base_url=BASE) as client:
        yield client


def results(client: httpx.Client | TestClient, query: str) -> dict[str, Any]:
    """The SPARQL JSON results of a query sent to /sparql by form POST, with the project's prefixes declared."""
    response = client.post(
        "/sparql",
        data={"query": f"{SPARQL_PREFIXES}\n{query}"},
        headers={"accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def sparql(client: httpx.Client | TestClient, query: str) -> list[dict[str, str]]:
    """The rows of a SELECT through /sparql, each term as its lexical form."""
    return [
        {name: term["value"] for name, term in row.items()} for row in results(client, query)["results"]["bindings"]
    ]


def ask(client: httpx.Client | TestClient, query: str) -> bool:
    """The answer of an ASK through /sparql."""
    return bool(results(client, query)["boolean"])


def column(client: httpx.Client | TestClient, query: str, name: str) -> set[str]:
    """One column of a SELECT through /sparql, as a set."""
    return {row[name] for row in sparql(client, query) if name in row}


def items(client: httpx.Client | TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a REST list, following its pages; checks the totals on the way."""
    found: list[dict[str, Any]] = []
    url: str | None = path
    total = None
    while url is not None:
        response = client.get(url, params={"limit": 100, **params} if url == path else None)
        assert response.status_code == 200, response.text
        page = response.json()
        total = page["total"] if total is None else total
        assert page["total"] == total
        found += page["items"]
        url = page["next"]
    assert len(found) == total
    return found


def ids(client: httpx.Client | TestClient, path: str, **params: Any) -> set[str]:
    """The IRIs of every item of a REST list."""
    return {item["id"] for item in items(client, path, **params)}


def local_loader(client: httpx.Client | TestClient, base: str) -> Any:
    """A pyld document loader that gets the server's context from the server and refuses every other URL."""

    def load(url: str, options: object = None) -> dict[str, Any]:
        if url != base + "/context.jsonld":
            raise jsonld.JsonLdError(
                f"refused to load {url}: only the server's context is loaded", "loading document failed"
            )
        response = client.get("/context.jsonld")
        assert response.status_code == 200
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": response.json(),
        }

    return load


def expand_to_graph(document: dict[str, Any], loader: Any) -> Graph:
    """The RDF graph a JSON-LD document denotes (pyld's toRdf, then parsed as N-Quads by rdflib)."""
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": loader})
    graph = Graph()
    graph.parse(data=nquads, format="nt")
    return graph


def ask_pattern(graph: Any) -> str:
    """An ASK whose pattern is the graph, its blank nodes acting as variables: true iff the store entails it."""
    return "ASK {\n" + "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in graph) + "\n}"


def competency(client: httpx.Client | TestClient, number: str) -> list[dict[str, str]]:
    """The rows of a competency question (``kb/queries/{number}-*.rq``) asked through /sparql."""
    [entry] = [entry for entry in query_files() if entry.name.startswith(f"{number}-")]
    return sparql(client, entry.read_text(encoding="utf-8"))
