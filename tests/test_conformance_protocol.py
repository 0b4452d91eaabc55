"""The W3C SPARQL 1.1 Protocol tests, driven from their manifest against a real server (updates enabled)."""

from collections.abc import Iterator

import pytest
from server_utils import CONFORMANCE, TOKEN, LiveServer, live_server, load_graph_data, read_manifest, run_test

MANIFEST = CONFORMANCE / "protocol" / "manifest.ttl"
TESTS = read_manifest(MANIFEST)
EXPECTED_FAILURES: dict[str, str] = {}
"""Tests expected to fail, by local name, with the reason (none at present)."""


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server(update_token=TOKEN) as running:
        yield running


def test_the_manifest_has_its_34_tests():
    assert len(TESTS) == 34


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
def test_protocol(server: LiveServer, test) -> None:
    load_graph_data(server.store, test)
    run_test(server, test, {"/sparql/": "/sparql"})


def test_the_runner_fails_a_server_that_does_not_conform():
    """A read-only server answers updates with 401: the runner must report those tests as failures."""
    [update_post_direct] = [test for test in TESTS if test.iri.endswith("#update_post_direct")]
    with live_server() as read_only, pytest.raises(AssertionError, match="answered 401"):
        run_test(read_only, update_post_direct, {"/sparql/": "/sparql"})
