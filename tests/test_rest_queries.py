"""The REST layer's SPARQL (api/queries/*.rq): the conditional lines, that every variant parses, and that both
store backends give the same answers to the same lookups.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from itertools import combinations
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import XSD, BNode, Literal, URIRef
from rdflib.namespace import TIME
from test_rest_support import ID, kb_store

from stancekb.api.models import PROFILE_LISTS
from stancekb.api.rest import (
    ACTOR,
    DEPENDENCY,
    MEETING,
    SOURCE,
    STANCE,
    TOPIC,
    Found,
    Lookup,
    QueryTemplate,
    Select,
    query,
)
from stancekb.load import load_packaged_kb
from stancekb.namespaces import SKB
from stancekb.store import Store, open_store

QUERIES = sorted(
    entry.name.removesuffix(".rq")
    for entry in files("stancekb.api").joinpath("queries").iterdir()
    if entry.name.endswith(".rq")
)


def test_conditional_lines() -> None:
    template = QueryTemplate('# "#if x" in prose\na\nb  #if x\nc  #if x !y\nd  #if !x\ne  #if x y\n')
    assert template.render([]) == '# "#if x" in prose\na\nd  #if !x\n'
    assert template.render(["x"]) == '# "#if x" in prose\na\nb  #if x\nc  #if x !y\n'
    assert template.render(["x", "y"]) == '# "#if x" in prose\na\nb  #if x\ne  #if x y\n'
    assert QueryTemplate.condition("?s ?p ?o .  #if depender !transitive") == ["depender", "!transitive"]


@pytest.mark.parametrize("name", QUERIES)
def test_every_variant_parses(name: str) -> None:
    """Every combination of conditions gives a query Oxigraph parses (rdflib's parser is checked below)."""
    text = query(name).text
    conditions = sorted(
        {
            alternative.lstrip("!")
            for line in text.splitlines()
            for name in QueryTemplate.condition(line)
            for alternative in name.split("|")
        }
    )
    assert len(conditions) <= 13, conditions  # each is a parameter or a flag; 2**13 variants at most
    store = ox.Store()
    for size in range(len(conditions) + 1):
        for given in combinations(conditions, size):
            store.query(query(name).render(given))


def test_the_queries_are_package_data() -> None:
    assert {"actors", "stances", "meetings", "dependencies", "topics", "sources", "describe"} <= set(QUERIES)


def raw(found: Found) -> tuple[list, list]:
    """A lookup's items and the triples of their neighbourhoods, unshaped."""
    return found.items, list(found.graph)


LOOKUPS = [
    Lookup(ACTOR.select({"type": SKB.Person}), "actor", raw, limit=4),
    Lookup(STANCE.select({"holder": URIRef(ID + "giuseppe-spatafora")}, ["anonymous"]), "stance", raw),
    Lookup(STANCE.select({"polarity": SKB.Favour}, ["named"]), "stance", raw, offset=3, limit=3),
    Lookup(MEETING.select({"place": URIRef(ID + "france")}), "meeting", raw),
    Lookup(DEPENDENCY.select({"depender": URIRef(ID + "nato")}, ["transitive"]), "dependency", raw, limit=3),
    Lookup(TOPIC.select(), "topic", raw, limit=3),
    Lookup(SOURCE.select(), "source", raw),
    Lookup(
        Select.of("actor-profile", {"actor": URIRef(ID + "mark-rutte")}, ["stancesAbout"]),
        "item",
        raw,
        offset=2,
        limit=3,
        count=Select.of("actor-profile", {"actor": URIRef(ID + "mark-rutte")}, ["stancesAbout", "count"]),
    ),
    Lookup(STANCE.select(), "stance", raw, offset=5, limit=4, count=STANCE.count()),
]

COUNTED = [
    ("stances", {}, []),
    ("stances", {}, ["named"]),
    ("stances", {"holder": URIRef(ID + "giuseppe-spatafora"), "polarity": SKB.Against}, []),
    ("stances", {"target": URIRef(ID + "ukraine")}, ["anonymous"]),
    ("stances", {"topic": URIRef(ID + "topic-nato-future"), "mode": SKB.DirectQuotation}, []),
    ("stances", {"source": URIRef(ID + "rutte-stands-alone-new-nato"), "relation": TIME.before}, []),
    ("stances", {"holder": URIRef(ID + "nobody")}, []),
    *(
        ("actor-profile", {"actor": URIRef(ID + actor)}, [name])
        for actor in ("mark-rutte", "france")
        for name in PROFILE_LISTS
    ),
]


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
@pytest.mark.parametrize(("name", "bindings", "flags"), COUNTED)
def test_a_count_is_the_number_of_items(
    memory_store: Store, backend: str, name: str, bindings: dict, flags: list
) -> None:
    """The ``count`` flag's ?total is the number of items the query gives, and LIMIT/OFFSET pages them alike."""
    store = kb_store() if backend == "oxigraph" else memory_store
    select, count = Select.of(name, bindings, flags), Select.of(name, bindings, [*flags, "count"])
    item = "item" if name == "actor-profile" else "stance"
    every = Lookup(select, item, raw)(store)
    pages = [Lookup(select, item, raw, offset=offset, limit=2, count=count)(store) for offset in range(0, 40, 2)]
    assert {page.total for page in pages} == {every.total}
    assert [node for page in pages for node in page.body[0]] == every.body[0]


@pytest.fixture(scope="module")
def memory_store() -> Store:
    store = open_store("memory:")
    load_packaged_kb(store)
    return store


@pytest.mark.parametrize("lookup", LOOKUPS, ids=lambda lookup: lookup.select.sparql.split("SELECT")[0][-40:])
def test_both_backends_agree(memory_store: Store, lookup: Lookup) -> None:
    oxigraph, rdflib = lookup(kb_store()), lookup(memory_store)
    assert oxigraph.total == rdflib.total and oxigraph.body[0] == rdflib.body[0]

    def same_value(term):
        """Oxigraph stores xsd:integer for the derived integer types (xsd:nonNegativeInteger): compare values."""
        if isinstance(term, Literal) and isinstance(term.value, int) and not isinstance(term.value, bool):
            return Literal(str(term), datatype=XSD.integer)
        return term

    def named(triples: list) -> set:
        return {tuple(map(same_value, t)) for t in triples if not any(isinstance(term, BNode) for term in t)}

    assert named(oxigraph.body[1]) == named(rdflib.body[1])
    assert len(oxigraph.body[1]) == len(rdflib.body[1])


def test_the_rest_layer_s_data_files_are_package_data() -> None:
    """pip install . must ship api/queries/*.rq and api/rest-context.jsonld (package ``stancekb.api``)."""
    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = pyproject["tool"]["setuptools"]["package-data"].get("stancekb.api", [])
    assert {"queries/*.rq", "rest-context.jsonld"} <= set(shipped)
