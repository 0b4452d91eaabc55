"""The dumps and the description served by a real server: every dump listed at /dumps/ parses back to what the
store holds, with its media type, file name and a strong ETag; /.well-known/void parses and has the store's
counts, and its download links answer."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import RDFS, VOID
from server_utils import LiveServer, live_server
from test_query_page import references

from stancekb.describe import DATASET, DCAT, describe
from stancekb.export import FORMATS, VOID_GRAPH, canonical_nquads, dump_path, export, ox_quad
from stancekb.namespaces import GRAPH, RESOURCE
from stancekb.store import Store, open_store

BY_EXTENSION = {fmt.extension: fmt for fmt in FORMATS.values()}

pytest_plugins = ["linked_data_fixtures"]  # kb, server, client


def listed_dumps(client: httpx.Client, server: LiveServer) -> list[str]:
    response = client.get("/dumps/")
    assert response.status_code == 200
    assert not references(response.text).loaded
    return [href for href in references(response.text).links if urlsplit(href).path.startswith("/dumps/")]


@cache
def description(store: Store, base_url: str) -> list[ox.Quad]:
    """The store's description as quads of ``VOID_GRAPH``, made once (the store does not change meanwhile)."""
    return [ox_quad((s, p, o, VOID_GRAPH)) for s, p, o in describe(store, base_url)]


def expected(store: Store, server: LiveServer, graph: URIRef | None, holds_graphs: bool) -> bytes:
    """What a dump must say, from the store's own quads and the description, as canonical N-Quads."""
    quads = [] if graph == VOID_GRAPH else [ox_quad(q) for q in store.quads(graph)]
    if graph in (None, VOID_GRAPH):
        quads += description(store, server.url)
    if not holds_graphs:
        quads = [ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads]
    return canonical_nquads(quads)


def test_the_listing_offers_every_format_of_the_dataset_and_of_each_graph(
    client: httpx.Client, server: LiveServer, kb: Store
) -> None:
    paths = {urlsplit(href).path for href in listed_dumps(client, server)}
    for graph in (None, VOID_GRAPH, *kb.named_graphs()):
        assert {dump_path(name, graph) for name in FORMATS} <= paths


def test_every_listed_dump_parses_back_to_the_store(client: httpx.Client, server: LiveServer, kb: Store) -> None:
    hrefs = listed_dumps(client, server)
    assert len(hrefs) == len(FORMATS) * (2 + len(kb.named_graphs()))
    for href in hrefs:
        path = urlsplit(href).path
        fmt = BY_EXTENSION[path.rpartition(".")[2]]
        name = path.removeprefix("/dumps/").removeprefix("graph/").rpartition(".")[0]
        graph = None if path.startswith("/dumps/stancekb.") else GRAPH[name]
        response = client.get(href)
        assert response.status_code == 200, href
        assert response.headers["content-type"].split(";")[0] == fmt.media_type
        filename = path.removeprefix("/dumps/").removeprefix("graph/").replace("/", "-")
        assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
        parsed = ox.parse(response.content, ox.RdfFormat.from_media_type(fmt.media_type))
        assert canonical_nquads(parsed) == expected(kb, server, graph, fmt.holds_graphs), href


def test_a_dump_is_the_same_bytes_as_stancekb_export(client: httpx.Client, server: LiveServer, kb: Store) -> None:
    assert client.get("/dumps/stancekb.trig").content == export(kb, "trig", base_url=server.url)


def test_the_etag_is_strong_and_answers_304(client: httpx.Client) -> None:
    first = client.get("/dumps/stancekb.ttl")
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get("/dumps/stancekb.ttl", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/dumps/stancekb.ttl", headers={"if-none-match": '"other"'}).status_code == 200
    assert client.get("/dumps/stancekb.nt").headers["etag"] != etag


@pytest.mark.parametrize("path", ["/dumps/stancekb.xyz", "/dumps/graph/nothing.ttl", "/dumps/other.ttl", "/dumps/x"])
def test_an_unknown_dump_answers_404(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_a_change_to_the_store_changes_the_dump_and_its_etag() -> None:
    store = open_store("oxigraph:")
    graph = GRAPH["test-dumps"]
    store.add_quads([(RESOURCE["x"], RDFS.label, Literal("before"), graph)])
    with live_server(store) as running, running.client() as client:
        before = client.get("/dumps/graph/test-dumps.nt")
        store.add_quads([(RESOURCE["x"], RDFS.label, Literal("after"), graph)])
        after = client.get("/dumps/graph/test-dumps.nt")
    store.close()
    assert before.headers["etag"] != after.headers["etag"]
    assert b'"after"' in after.content and b'"after"' not in before.content


# ---- /.well-known/void -----------------------------------------------------------------------------------


def test_well_known_void_parses_and_has_the_counts(client: httpx.Client, server: LiveServer, kb: Store) -> None:
    response = client.get("/.well-known/void", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-location"] == f"{server.url}/dumps/graph/void.ttl"
    assert "accept" in response.headers["vary"].lower()
    void = Graph().parse(data=response.text, format="turtle")
    triples = {(s, p, o) for s, p, o, _ in kb.quads()}
    assert void.value(DATASET, VOID.triples) == Literal(len(triples))
    entities = {s for s, _, _ in triples if isinstance(s, URIRef) and s.startswith(str(RESOURCE))}
    assert void.value(DATASET, VOID.entities) == Literal(len(entities))
    assert void.value(DATASET, VOID.classes) == Literal(len({o for _, p, o in triples if p == RDF.type}))
    assert void.value(DATASET, VOID.properties) == Literal(len({p for _, p, _ in triples}))
    per_graph = {g: sum(1 for q in kb.quads(g)) for g in kb.named_graphs()}
    assert {s: void.value(s, VOID.triples) for s in void.objects(DATASET, VOID.subset)} == {
        g: Literal(n) for g, n in per_graph.items()
    }
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(f"{server.url}/sparql")
    for distribution in void.objects(DATASET, DCAT.distribution):
        url = str(void.value(distribution, DCAT.downloadURL))
        media_type = str(void.value(distribution, DCAT.mediaType)).rpartition("media-types/")[2]
        download = client.get(url)
        assert download.status_code == 200 and download.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize("accept", ["application/ld+json", "application/n-triples", "application/rdf+xml"])
def test_well_known_void_is_the_description_dump_in_each_format(client: httpx.Client, accept: str) -> None:
    response = client.get("/.well-known/void", headers={"accept": accept})
    fmt = next(fmt for fmt in FORMATS.values() if fmt.media_type == accept)
    assert response.content == client.get(dump_path(fmt.name, VOID_GRAPH)).content


def test_well_known_void_refuses_an_unsupported_accept(client: httpx.Client) -> None:
    assert client.get("/.well-known/void", headers={"accept": "text/html"}).status_code == 406


def test_the_description_is_in_the_whole_dataset_dump(client: httpx.Client) -> None:
    dataset = ox.Dataset(ox.parse(client.get("/dumps/stancekb.nq").content, ox.RdfFormat.N_QUADS))
    typed = ox.Quad(*(ox.NamedNode(str(term)) for term in (DATASET, RDF.type, VOID.Dataset, VOID_GRAPH)))
    assert typed in dataset
    assert ox.DefaultGraph() not in {q.graph_name for q in dataset}
