"""The Graph Store HTTP Protocol (/graph-store) against a real server: reads, writes, the gate, auth."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from server_utils import TOKEN, LiveServer, live_server

EX = Namespace("https://example.org/gs/")
AUTH = {"authorization": f"Bearer {TOKEN}"}
TURTLE = {"content-type": "text/turtle", **AUTH}
ALICE = f'<{EX.alice}> <{EX.name}> "Alice" .'
BOB = f'<{EX.bob}> <{EX.name}> "Bob" .'


def graph_of(text: str, fmt: str = "turtle") -> Graph:
    return Graph().parse(data=text, format=fmt)


@pytest.fixture
def server() -> Iterator[LiveServer]:
    with live_server(update_token=TOKEN) as running:
        yield running


@pytest.fixture
def client(server: LiveServer):
    with server.client() as http:
        yield http


def test_put_get_post_delete_cycle(client):
    params = {"graph": str(EX.g1)}
    assert client.put("/graph-store", params=params, content=ALICE, headers=TURTLE).status_code == 201
    response = client.get("/graph-store", params=params, headers={"accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert isomorphic(graph_of(response.text), graph_of(ALICE))
    assert client.put("/graph-store", params=params, content=BOB, headers=TURTLE).status_code == 204
    assert isomorphic(graph_of(client.get("/graph-store", params=params).text), graph_of(BOB))
    assert client.post("/graph-store", params=params, content=ALICE, headers=TURTLE).status_code == 204
    assert isomorphic(graph_of(client.get("/graph-store", params=params).text), graph_of(ALICE + BOB))
    assert client.delete("/graph-store", params=params, headers=AUTH).status_code == 204
    assert client.get("/graph-store", params=params).status_code == 404
    assert client.delete("/graph-store", params=params, headers=AUTH).status_code == 404


@pytest.mark.parametrize("media_type", ["application/n-triples", "application/ld+json", "application/rdf+xml"])
def test_get_negotiates_the_rdf_format(client, media_type):
    client.put("/graph-store", params={"graph": str(EX.g2)}, content=ALICE, headers=TURTLE)
    response = client.get("/graph-store", params={"graph": str(EX.g2)}, headers={"accept": media_type})
    assert response.headers["content-type"].split(";")[0] == media_type
    assert isomorphic(graph_of(response.text, media_type), graph_of(ALICE))


def test_head_answers_headers_only(client):
    client.put("/graph-store", params={"graph": str(EX.g3)}, content=ALICE, headers=TURTLE)
    existing = client.head("/graph-store", params={"graph": str(EX.g3)})
    assert existing.status_code == 200 and existing.content == b""
    assert existing.headers["content-type"] == "text/turtle; charset=utf-8"
    assert client.head("/graph-store", params={"graph": str(EX.nothing)}).status_code == 404


def test_direct_identification_names_the_graph_by_its_url(client, server):
    assert client.put("/graph-store/people/1", content=ALICE, headers=TURTLE).status_code == 201
    indirect = client.get("/graph-store", params={"graph": f"{server.url}/graph-store/people/1"})
    assert isomorphic(graph_of(indirect.text), graph_of(ALICE))


def test_default_graph(client, server):
    assert client.put("/graph-store?default", content=ALICE, headers=TURTLE).status_code == 204
    assert isomorphic(graph_of(client.get("/graph-store?default").text), graph_of(ALICE))
    assert set(server.store.named_graphs()) == set()


def test_post_to_the_store_creates_a_graph(client, server):
    response = client.post("/graph-store", content=BOB, headers=TURTLE)
    assert response.status_code == 201
    location = response.headers["location"]
    assert location.startswith(f"{server.url}/graph-store/")
    assert isomorphic(graph_of(client.get(location.removeprefix(server.url)).text), graph_of(BOB))


def test_relative_iris_resolve_against_the_graph(client):
    client.put("/graph-store", params={"graph": str(EX.g4)}, content='<#me> <#name> "Me" .', headers=TURTLE)
    graph = graph_of(client.get("/graph-store", params={"graph": str(EX.g4)}).text)
    assert (URIRef(f"{EX.g4}#me"), URIRef(f"{EX.g4}#name"), Literal("Me")) in graph


@pytest.mark.parametrize(
    ("content_type", "body", "status", "kind"),
    [
        ("text/turtle", "<a> <b> .", 400, "bad-rdf"),
        ("text/turtle", f"{ALICE}\n<{EX.x}> <{EX.y}> ", 400, "bad-rdf"),
        ("application/trig", f"<{EX.g}> {{ {ALICE} }}", 400, "bad-rdf"),
        ("text/plain-ish", ALICE, 415, "unsupported-media-type"),
        (None, ALICE, 415, "unsupported-media-type"),
    ],
)
def test_bad_content_is_refused_and_writes_nothing(client, server, content_type, body, status, kind):
    headers = {**AUTH, **({"content-type": content_type} if content_type else {})}
    response = client.put("/graph-store", params={"graph": str(EX.g5)}, content=body, headers=headers)
    assert response.status_code == status
    assert response.json()["type"].endswith("/" + kind)
    assert len(server.store) == 0


def test_a_parse_error_names_the_line(client):
    body = f"{ALICE}\n<{EX.x}> <{EX.y}> ."
    problem = client.put("/graph-store", params={"graph": str(EX.g5)}, content=body, headers=TURTLE).json()
    assert ":2:" in problem["detail"]


def test_a_write_that_breaks_the_shapes_is_refused(client, server):
    client.put("/graph-store", params={"graph": str(EX.g6)}, content=ALICE, headers=TURTLE)
    before = set(server.store.quads())
    stance = f"<{EX.s1}> a <https://w3id.org/stancekb/ontology#Stance> ."
    response = client.put("/graph-store", params={"graph": str(EX.g6)}, content=stance, headers=TURTLE)
    assert response.status_code == 422
    assert {violation["focusNode"] for violation in response.json()["violations"]} == {f"<{EX.s1}>"}
    assert set(server.store.quads()) == before


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_writes_need_the_token(client, method):
    response = client.request(
        method, "/graph-store", params={"graph": str(EX.g7)}, content=ALICE, headers={"content-type": "text/turtle"}
    )
    assert response.status_code == 401


def test_reads_are_open_and_writes_off_without_a_configured_token():
    with live_server() as server, server.client() as http:
        assert http.get("/graph-store?default").status_code == 200
        response = http.put("/graph-store?default", content=ALICE, headers=TURTLE)
        assert response.status_code == 401


@pytest.mark.parametrize("query", ["", "graph=a&graph=b", "default&graph=https://example.org/g"])
def test_a_request_must_name_one_graph(client, query):
    assert client.get(f"/graph-store?{query}").status_code == 400
