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
from hypothesis import HealthCheck, Phase, settings
from server_utils import TOKEN, LiveServer, live_server

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
