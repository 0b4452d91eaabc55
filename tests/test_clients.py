"""Real SPARQL clients against a real server: SPARQLWrapper, rdflib's SPARQLStore / SPARQLUpdateStore, httpx."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from server_utils import TOKEN, LiveServer, live_server
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

from stancekb.store import open_store

EX = Namespace("https://example.org/clients/")
NAME = URIRef("http://xmlns.com/foaf/0.1/name")
SELECT = f"SELECT ?s ?name WHERE {{ ?s <{NAME}> ?name }} ORDER BY ?name"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    store = open_store("oxigraph:")
    store.update(f'INSERT DATA {{ GRAPH <{EX.g}> {{ <{EX.alice}> <{NAME}> "Alice" . <{EX.bob}> <{NAME}> "Bob" }} }}')
    with live_server(store, update_token=TOKEN) as running:
        yield running


@pytest.fixture
def endpoint(server: LiveServer) -> str:
    return f"{server.url}/sparql"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json(endpoint, method):
    client = SPARQLWrapper(endpoint)
    client.setQuery(SELECT)
    client.setMethod(method)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]  # type: ignore[index, call-overload]
    assert [(b["s"]["value"], b["name"]["value"]) for b in bindings] == [(str(EX.alice), "Alice"), (str(EX.bob), "Bob")]


def test_sparqlwrapper_select_xml_and_csv(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery(SELECT)
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert [node.firstChild.data for node in document.getElementsByTagName("literal")] == ["Alice", "Bob"]  # type: ignore[union-attr]
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().splitlines()[1:] == [f"{EX.alice},Alice", f"{EX.bob},Bob"]  # type: ignore[union-attr]


def test_sparqlwrapper_ask_and_construct(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery(f'ASK {{ <{EX.alice}> <{NAME}> "Alice" }}')
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True  # type: ignore[index, call-overload]
    client.setQuery(f"CONSTRUCT WHERE {{ <{EX.alice}> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    expected = Graph()
    expected.add((EX.alice, NAME, Literal("Alice")))
    assert isomorphic(Graph().parse(data=client.query().convert(), format="turtle"), expected)  # type: ignore[arg-type]


def test_sparqlwrapper_update_with_bearer_token(endpoint, server):
    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.setQuery(f'INSERT DATA {{ GRAPH <{EX.h}> {{ <{EX.carol}> <{NAME}> "Carol" }} }}')
    client.query()
    assert [s for s, _, _, _ in server.store.quads(EX.h)] == [EX.carol]
    client.setQuery(f"DROP GRAPH <{EX.h}>")
    client.query()
    assert list(server.store.quads(EX.h)) == []


def test_rdflib_sparqlstore_reads(endpoint):
    graph = Graph(SPARQLStore(endpoint))
    assert [(row.s, str(row.name)) for row in graph.query(SELECT)] == [(EX.alice, "Alice"), (EX.bob, "Bob")]  # type: ignore[union-attr]
    assert (EX.bob, NAME, None) in graph
    constructed = graph.query(f"CONSTRUCT WHERE {{ ?s <{NAME}> ?o }}").graph
    assert constructed is not None and len(constructed) == 2


def test_rdflib_sparqlupdatestore_writes(endpoint, server):
    store = SPARQLUpdateStore(endpoint, endpoint, headers={"Authorization": f"Bearer {TOKEN}"})
    graph = Graph(store, identifier=EX.k)
    graph.add((EX.dave, NAME, Literal("Dave")))
    assert [s for s, _, _, _ in server.store.quads(EX.k)] == [EX.dave]
    graph.remove((EX.dave, None, None))
    assert list(server.store.quads(EX.k)) == []


def test_httpx_concurrent_queries(server):
    async def many() -> list[int]:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            responses = await asyncio.gather(*(client.get("/sparql", params={"query": SELECT}) for _ in range(12)))
        return [response.status_code for response in responses]

    assert asyncio.run(many()) == [200] * 12
