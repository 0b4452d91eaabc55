"""The REST layer over real HTTP: a uvicorn server on 127.0.0.1 (``server_utils.live_server``) and httpx."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from server_utils import LiveServer, live_server
from test_rest_support import ID, RSA, ask, ask_pattern, column, expand_to_graph, ids, kb_store, local_loader


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server(kb_store()) as running:
        yield running


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as http:
        yield http


def test_a_profile_over_http(client: httpx.Client) -> None:
    response = client.get("/actors/mark-rutte")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert {o["office"]["label"]: o["period"] for o in body["offices"]} == {
        "Secretary General of NATO": "current",
        "Prime Minister of the Netherlands": "former",
    }
    assert [m["id"] for m in body["meetingsMissed"]] == [RSA + "meeting-paris"]
    assert [m["id"] for m in body["meetingsAttended"]] == [RSA + "meeting-white-house"]


def test_rest_and_sparql_agree_over_http(client: httpx.Client) -> None:
    assert ids(client, "/stances", polarity="against") == column(
        client, "SELECT ?s WHERE { ?s a skb:Stance ; skb:polarity skb:Against }", "s"
    )
    assert ids(client, "/dependencies", dependee="united-states", resource="troops") == {
        RSA + "dependency-europe-us-troops"
    }


def test_json_ld_with_the_context_fetched_from_the_server(server: LiveServer, client: httpx.Client) -> None:
    document = client.get("/meetings", headers={"accept": "application/ld+json"}).json()
    assert document["@context"] == server.url + "/context.jsonld"
    graph = expand_to_graph(document, local_loader(client, server.url))
    assert ask(client, ask_pattern(graph))


def test_problems_over_http(client: httpx.Client) -> None:
    response = client.get("/stances", params={"holder": "mark-rutte> } UNION { ?s ?p ?o"})
    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    response = client.get("/actors/nobody")
    assert (
        response.status_code == 404 and response.json()["detail"] == f"no actor {ID}nobody in the knowledge base (path)"
    )


def test_concurrent_requests_get_their_own_answers(server: LiveServer) -> None:
    urls = ["/actors/mark-rutte", "/stances?polarity=against", "/meetings?absentee=mark-rutte", "/topics"] * 5

    def get(url: str) -> tuple[str, dict]:
        with server.client() as http:
            return url, http.get(url).json()

    with ThreadPoolExecutor(max_workers=8) as threads:
        answers = list(threads.map(get, urls))
    first = {url: body for url, body in answers[:4]}
    assert all(body == first[url] for url, body in answers)
