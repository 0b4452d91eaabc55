"""Shared fixtures: test data folders, the store backends, and a SHACL shape for gate tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rdflib import Graph
from virtuoso import virtuoso, virtuoso_store  # noqa: F401 - fixtures: a real Virtuoso for the remote backend

from stancekb.store import Quad, Store, open_store

TESTS = Path(__file__).parent
VALID = TESTS / "data" / "valid"
SOURCES = TESTS.parent.parent / "shared" / "sources"

# Every ex:City needs exactly one rdfs:label: data that breaks it is easy to write and names no KB class.
CITY_SHAPES = """
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix ex:   <https://example.org/sample/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:CityShape a sh:NodeShape ; sh:targetClass ex:City ;
    sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:maxCount 1 ] .
"""

BACKENDS = ["memory:", "oxigraph:"]
STORE_BACKENDS = [*BACKENDS, "sparql:"]
"""The ``store`` fixture's backends: the in-memory ones and a remote endpoint (the session's Virtuoso)."""


@pytest.fixture
def valid() -> Path:
    """The folder of valid test inputs."""
    return VALID


@pytest.fixture(params=STORE_BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """An empty store, once per backend (``sparql:``: the session's Virtuoso, emptied)."""
    if request.param == "sparql:":
        yield request.getfixturevalue("virtuoso_store")
        return
    opened = open_store(request.param)
    yield opened
    opened.close()


@pytest.fixture
def city_shapes() -> Graph:
    """A shapes graph with one constraint: an ex:City has exactly one rdfs:label."""
    return Graph().parse(data=CITY_SHAPES, format="turtle")


SHAPES_READERS = ("stancekb.validate", "stancekb.shacl_sparql", "stancekb.incremental")
"""The modules that take the project's shapes (``stancekb.resources.shapes_graph``) when given none."""


@pytest.fixture
def use_city_shapes(monkeypatch: pytest.MonkeyPatch, city_shapes: Graph) -> None:
    """The gate's shapes become CityShape alone, so that a violation is easy to cause and cheap to check."""
    for module in SHAPES_READERS:
        monkeypatch.setattr(f"{module}.shapes_graph", lambda: city_shapes)


@pytest.fixture
def snapshot() -> Callable[[Store], set[Quad]]:
    """The store's content as a set of quads, to compare before and after."""
    return lambda store: set(store.quads())
