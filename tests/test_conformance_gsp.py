"""The W3C SPARQL 1.1 Graph Store HTTP Protocol tests, driven from their manifests against a real server."""

from collections.abc import Iterator

import pytest
from server_utils import CONFORMANCE, TOKEN, LiveServer, live_server, load_graph_data, read_manifest, run_test

MANIFEST = CONFORMANCE / "graph-store-protocol" / "manifest.ttl"
TESTS = read_manifest(MANIFEST)
SUPPORTED = {"DirectGraphIdentification", "IndirectGraphIdentification", "POSTGraphCreation"}
EXPECTED_FAILURES: dict[str, str] = {}
"""Tests expected to fail, by local name, with the reason (none at present)."""


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server(update_token=TOKEN) as running:
        yield running


def test_the_manifests_have_their_tests_and_we_support_every_feature_they_need():
    assert len(TESTS) == 13
    assert {feature for test in TESTS for feature in test.requires} <= SUPPORTED


@pytest.mark.parametrize(
    "test",
    [
        pytest.param(
            test,
            id=test.iri.rsplit("#", 1)[-1],
            marks=[pytest.mark.xfail(reason=reason, strict=True)]
            if (reason := EXPECTED_FAILURES.get(test.iri.rsplit("#", 1)[-1]))
            else [],
        )
        for test in TESTS
    ],
)
def test_graph_store_protocol(server: LiveServer, test) -> None:
    load_graph_data(server.store, test)
    run_test(server, test, {"/gsp": "/graph-store"})
