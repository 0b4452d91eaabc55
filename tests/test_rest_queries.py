"""The REST layer's SPARQL (api/queries/*.rq): the conditional lines, that every variant parses, and that both
store backends give the same answers to the same lookups.
"""

from __future__ import annotations

from importlib.resources import files
from itertools import combinations

import pyoxigraph as ox
import pytest
from rdflib import XSD, BNode, Literal, URIRef
from test_rest_support import ID, kb_store

from stancekb.api.rest import ACTOR, DEPENDENCY, MEETING, SOURCE, STANCE, TOPIC, Lookup, QueryTemplate, Select, query
from stancekb.load import load_packaged_kb
from stancekb.namespaces import SKB
from stancekb.store import Store, open_store

QUERIES = sorted(entry.name.removesuffix(".rq") for entry in files("stancekb.api").joinpath("queries").iterdir()
                 if entry.name.endswith(".rq"))  # fmt: skip


def test_conditional_lines() -> None:
    template = QueryTemplate("a\nb  #if x\nc  #if x !y\nd  #if !x\ne  #if x y\n")
    assert template.render([]) == "a\nd  #if !x\n"
    assert template.render(["x"]) == "a\nb  #if x\nc  #if x !y\n"
    assert template.render(["x", "y"]) == "a\nb  #if x\ne  #if x y\n"


@pytest.mark.parametrize("name", QUERIES)
def test_every_variant_parses(name: str) -> None:
    """Each condition alone, in pairs and all together give queries Oxigraph parses (rdflib: below)."""
    text = query(name).text
    conditions = sorted({word.lstrip("!") for line in text.splitlines() if "#if " in line
                         for word in line.rpartition("#if ")[2].split()})  # fmt: skip
    # none, all, each alone and each pair: every subset would be 2**n queries (stances has 27 conditions)
    store = ox.Store()
    for given in [(), tuple(conditions), *combinations(conditions, 1), *combinations(conditions, 2)]:
        store.query(query(name).render(given))


def test_the_queries_are_package_data() -> None:
    assert {"actors", "stances", "meetings", "dependencies", "topics", "sources", "describe"} <= set(QUERIES)


LOOKUPS = [
    Lookup(ACTOR.select({"type": SKB.Person}), "actor", limit=4),
    Lookup(STANCE.select({"holder": URIRef(ID + "giuseppe-spatafora"), "relation": None}, ["anonymous"]), "stance"),
    Lookup(STANCE.select({"polarity": SKB.Favour}, ["named"]), "stance", offset=3, limit=3),
    Lookup(MEETING.select({"place": URIRef(ID + "france")}), "meeting"),
    Lookup(DEPENDENCY.select({"depender": URIRef(ID + "nato")}, ["transitive"]), "dependency", limit=3),
    Lookup(TOPIC.select(), "topic", limit=3),
    Lookup(SOURCE.select(), "source"),
    Lookup(Select.of("actor-profile", {"actor": URIRef(ID + "mark-rutte")}), "item", limit=3),
]


@pytest.fixture(scope="module")
def memory_store() -> Store:
    store = open_store("memory:")
    load_packaged_kb(store)
    return store


@pytest.mark.parametrize("lookup", LOOKUPS, ids=lambda lookup: lookup.select.sparql.split("SELECT")[0][-40:])
def test_both_backends_agree(memory_store: Store, lookup: Lookup) -> None:
    oxigraph, rdflib = lookup(kb_store()), lookup(memory_store)
    assert (oxigraph.total, oxigraph.items) == (rdflib.total, rdflib.items)

    def same_value(term):
        """Oxigraph stores xsd:integer for the derived integer types (xsd:nonNegativeInteger): compare values."""
        if isinstance(term, Literal) and isinstance(term.value, int) and not isinstance(term.value, bool):
            return Literal(str(term), datatype=XSD.integer)
        return term

    def named(triples: list) -> set:
        return {tuple(map(same_value, t)) for t in triples if not any(isinstance(term, BNode) for term in t)}

    assert named(oxigraph.triples) == named(rdflib.triples)
    assert len(set(oxigraph.triples)) == len(set(rdflib.triples))
