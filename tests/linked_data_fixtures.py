"""Fixtures of the linked-data tests: the packaged KB in a store, a real server over it, and a client.

A test module uses them with ``pytest_plugins = ["linked_data_fixtures"]``; its ``EXTRA_QUADS``, if it
has them, are added to the store before the server starts.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from server_utils import LiveServer, live_server

from stancekb.load import load_packaged_kb
from stancekb.store import Store, open_store


@pytest.fixture(scope="module")
def kb(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A new Oxigraph store with the packaged KB and the test module's ``EXTRA_QUADS``."""
    store = open_store("oxigraph:")
    assert load_packaged_kb(store).committed
    store.add_quads(getattr(request.module, "EXTRA_QUADS", []))
    yield store
    store.close()


@pytest.fixture(scope="module")
def server(kb: Store) -> Iterator[LiveServer]:
    """A server on 127.0.0.1 over ``kb``."""
    with live_server(kb) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    """An httpx client of ``server``."""
    with server.client() as opened:
        yield opened
