"""Hostile input to the REST layer: quotes, braces, angle brackets, newlines, comments and SPARQL fragments in every
parameter change nothing a query means. Each answer is a normal (possibly empty) answer or a 4xx problem that
names the parameter, never a 500 and never more data; and the store is left as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from test_rest_support import ID, ids, kb_store, rest_client, sparql

INJECTIONS = [
    '"',
    "'",
    '"}',
    "{",
    "}",
    "<",
    ">",
    "\n",
    "\r\n",
    "\\",
    "#",
    "%",
    "} UNION { ?s ?p ?o }",
    '" } UNION { ?s ?p ?o } #',
    "') } UNION { ?actor ?p ?o } #",
    "mark-rutte> } UNION { ?actor ?p ?o",
    "mark-rutte\n} UNION { ?stance ?p ?o }",
    f"{ID}mark-rutte> . ?x ?y ?z",
    "mark-rutte#",
    "mark-rutte # comment",
    "?actor",
    "$holder",
    "<https://w3id.org/stancekb/id/mark-rutte>",
    "skr:mark-rutte",
    "\x00",
    "\u202e",
    "ünïcödé",
    "a" * 501,
]

IDENTIFIERS = [
    ("/stances", "holder"),
    ("/stances", "target"),
    ("/stances", "topic"),
    ("/stances", "source"),
    ("/meetings", "participant"),
    ("/meetings", "absentee"),
    ("/meetings", "place"),
    ("/meetings", "within"),
    ("/meetings", "outside"),
    ("/meetings", "topic"),
    ("/dependencies", "depender"),
    ("/dependencies", "dependee"),
]
PATHS = ["/actors", "/stances", "/meetings", "/dependencies", "/topics", "/sources"]
ENUMERATED = [
    ("/actors", "type"),
    ("/stances", "polarity"),
    ("/stances", "mode"),
    ("/stances", "anonymous"),
    ("/stances", "period"),
    ("/dependencies", "resource"),
    ("/dependencies", "transitive"),
    ("/topics", "limit"),
    ("/sources", "offset"),
]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    before = sorted(kb_store().quads(), key=str)
    with rest_client() as running:
        yield running
    assert sorted(kb_store().quads(), key=str) == before, "a REST request changed the store"


def assert_problem(response, status: set[int], parameter: str) -> None:
    assert response.status_code in status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert parameter in response.json()["detail"]


@pytest.mark.parametrize(("path", "parameter"), IDENTIFIERS)
def test_identifier_parameters(client: TestClient, path: str, parameter: str) -> None:
    for payload in INJECTIONS:
        for value in (payload, "mark-rutte" + payload, ID + payload):
            response = client.get(path, params={parameter: value})
            assert_problem(response, {400, 404}, parameter)


@pytest.mark.parametrize("path", PATHS)
def test_path_identifiers(client: TestClient, path: str) -> None:
    for payload in INJECTIONS:
        response = client.get(f"{path}/{quote('x' + payload, safe='')}")
        assert response.status_code in {400, 404}, response.text
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("path", "names"),
    [("/actors", "rdfs:label|skos:altLabel|skb:describedAs"), ("/topics", "rdfs:label|skos:prefLabel|skos:altLabel")],
)
def test_search_text_is_only_text(client: TestClient, path: str, names: str) -> None:
    """Search text matches as text: the answer is what filtering every name in Python gives."""
    listed = ids(client, path)
    named = sparql(client, f"SELECT ?node ?name WHERE {{ ?node {names} ?name }}")
    for payload in [*INJECTIONS[:-1], "NATO", "'s"]:
        response = client.get(path, params={"q": payload, "limit": 100})
        assert response.status_code == 200, (payload, response.text)
        expected = {row["node"] for row in named if payload.lower() in row["name"].lower()} & listed
        assert {item["id"] for item in response.json()["items"]} == expected, payload
    assert_problem(client.get(path, params={"q": INJECTIONS[-1]}), {400}, "q")


@pytest.mark.parametrize(("path", "parameter"), ENUMERATED)
def test_enumerated_parameters(client: TestClient, path: str, parameter: str) -> None:
    for payload in INJECTIONS:
        assert_problem(client.get(path, params={parameter: payload}), {400}, parameter)


@pytest.mark.parametrize("path", PATHS)
def test_unknown_and_repeated_parameters(client: TestClient, path: str) -> None:
    assert_problem(client.get(path, params={"query": "SELECT * WHERE { ?s ?p ?o }"}), {400}, "query")
    assert_problem(client.get(path, params={"} UNION {": "x"}), {400}, "UNION")
    assert_problem(client.get(f"{path}?limit=1&limit=2"), {400}, "limit")


def test_an_injected_format_is_not_acceptable(client: TestClient) -> None:
    for payload in INJECTIONS[:-1]:
        response = client.get("/stances", params={"format": payload})
        assert response.status_code == 406 and response.headers["content-type"] == "application/problem+json"
