"""The HTTP API fuzzed from its own OpenAPI description (schemathesis, on hypothesis) against a live server.

Every operation in ``/openapi.json`` gets generated requests, valid and invalid (positive and negative
generation), with a fixed seed and a bounded number of examples: none may answer 5xx, show a traceback or
take longer than the client's timeout, and every error is a problem document. Writes are fuzzed with the
update token, through the SHACL gate, so the store must afterwards still be exactly the valid KB or the KB
plus what the gate accepted.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from server_utils import TOKEN, LiveServer, live_server
from test_rest_support import ID, ids, sparql

from stancekb.api.main import create_app
from stancekb.load import load_packaged_kb
from stancekb.settings import Settings
from stancekb.store import open_store
from stancekb.validate import validate_shacl

FUZZ = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,  # the same examples on every run
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
TIMEOUT = 30  # seconds: a request that takes longer is a hang


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    store = open_store("oxigraph:")
    load_packaged_kb(store)
    with live_server(store, update_token=TOKEN, query_timeout=5.0) as running:
        yield running
    assert validate_shacl(running.store.to_dataset()).conforms, "the fuzzed writes left the KB invalid"


OPENAPI = create_app(Settings(load_kb=False), store=open_store("oxigraph:")).openapi()
schema = schemathesis.openapi.from_dict(OPENAPI)
"""The app's description, read at collection (schemathesis' fixture-based loader fails on pytest 9); the
server's own ``/openapi.json`` is checked to be the same, and every request goes to the live server."""


def check(response: schemathesis.Response) -> None:
    """No server error, no traceback; an error answer is a problem document."""
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert b"Traceback" not in response.content
    if response.status_code >= 400 and response.request.method != "HEAD":
        assert response.headers.get("content-type", [""])[0].startswith("application/problem+json"), response.headers


@schema.include(method="GET").parametrize()
@FUZZ
def test_reads(server: LiveServer, case: schemathesis.Case) -> None:
    check(case.call(base_url=server.url, timeout=TIMEOUT))


@schema.include(method=["PUT", "POST", "DELETE"]).parametrize()
@FUZZ
def test_writes_with_the_token(server: LiveServer, case: schemathesis.Case) -> None:
    check(case.call(base_url=server.url, headers={"authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT))


@schema.include(method=["PUT", "POST", "DELETE"]).parametrize()
@FUZZ
def test_writes_without_a_token_are_401(server: LiveServer, case: schemathesis.Case) -> None:
    response = case.call(base_url=server.url, timeout=TIMEOUT)
    check(response)
    if case.path.startswith("/graph-store") and case.method != "POST":
        assert response.status_code in {400, 401, 404, 405, 413, 415}, response.text


def test_the_server_describes_what_was_fuzzed_and_still_answers(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as http:
        assert http.get("/openapi.json").json() == OPENAPI
        assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200


# --- injection through REST parameters, with generated values --------------------------------------------

DANGEROUS = st.lists(
    st.sampled_from([*"\"'{}<>\n\r\\#?$.;,()[]|^* ", "UNION", "} ", "a", "NATO", "mark-rutte"]), min_size=1, max_size=8
).map("".join)
SEARCHED = {"/actors": "rdfs:label|skos:altLabel|skb:describedAs", "/topics": "rdfs:label|skos:prefLabel|skos:altLabel"}


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


@pytest.fixture(scope="module")
def names(http: httpx.Client) -> dict[str, tuple[set[str], list[dict[str, str]]]]:
    """For each searchable list: every item, and every (node, name) pair the search reads."""
    return {
        path: (ids(http, path), sparql(http, f"SELECT ?node ?name WHERE {{ ?node {pattern} ?name }}"))
        for path, pattern in SEARCHED.items()
    }


@settings(FUZZ, max_examples=25)
@given(text=DANGEROUS)
def test_search_text_cannot_change_the_query(http: httpx.Client, names: dict, text: str) -> None:
    """Whatever the text, the answer is what filtering every name in Python gives (tests/test_rest_security.py
    does the same with a fixed list of payloads)."""
    for path, (listed, named) in names.items():
        response = http.get(path, params={"q": text, "limit": 100})
        assert response.status_code in {200, 400}, response.text
        if response.status_code == 200:
            expected = {row["node"] for row in named if text.lower() in row["name"].lower()} & listed
            assert {item["id"] for item in response.json()["items"]} == expected, text


@settings(FUZZ, max_examples=25)
@given(text=DANGEROUS)
def test_identifiers_cannot_change_the_query(http: httpx.Client, text: str) -> None:
    for path, parameter in [("/stances", "holder"), ("/meetings", "participant"), ("/dependencies", "depender")]:
        for value in (text, "mark-rutte" + text, ID + "mark-rutte" + text):
            response = http.get(path, params={parameter: value})
            if value == "mark-rutte" or value == ID + "mark-rutte":
                assert response.status_code == 200
            else:
                assert response.status_code in {400, 404}, (value, response.text)
