"""Actors matched across sources, and a stance that moves between them as two dated stances (question 21)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from stancekb.load import load_files, load_packaged_kb
from stancekb.namespaces import GRAPH, RESOURCE, SKB
from stancekb.resources import query_files
from stancekb.sources import ActorIndex, store_actors
from stancekb.store import Store, open_store

SECOND = Path(__file__).parent / "data" / "second-source" / "allies-close-ranks.trig"
FIRST = f"{RESOURCE}rutte-stands-alone-new-nato/"
SECOND_NS = f"{RESOURCE}allies-close-ranks/"


@pytest.fixture(scope="module", params=["memory:", "oxigraph:"])
def two_sources(request: pytest.FixtureRequest) -> Iterator[Store]:
    """The packaged KB and the second (test) source, loaded through the gate."""
    store = open_store(request.param)
    load_packaged_kb(store)
    report = load_files(store, [SECOND])
    assert report.committed, report.validation.text() if report.validation else ""
    yield store
    store.close()


def test_labels_surnames_and_ambiguity() -> None:
    index = ActorIndex()
    index.add(URIRef(f"{RESOURCE}mark-rutte"), "Mark Rutte", person=True)
    index.add(URIRef(f"{RESOURCE}anna-rutte"), "Anna Rutte", person=True)
    index.add(URIRef(f"{RESOURCE}white-house-office"), "the White House", person=False)
    assert index.match("mark  rutte") == URIRef(f"{RESOURCE}mark-rutte")
    assert index.match("White House") == URIRef(f"{RESOURCE}white-house-office")
    assert index.match("Rutte") is None  # two persons of that surname: no guess
    assert index.match("Nobody") is None


def test_the_store_index_knows_shared_actors_only(two_sources: Store) -> None:
    index = store_actors(two_sources)
    assert index.match("Spatafora") == URIRef(f"{RESOURCE}giuseppe-spatafora")
    assert index.match("Jean-Noël Barrot") == URIRef(f"{RESOURCE}jean-noel-barrot")
    assert index.match("U.S.") == URIRef(f"{RESOURCE}united-states")
    # an unnamed source belongs to its article: "a NATO official" of one source is nobody else's
    assert index.match("a NATO official") is None
    assert index.match("a NATO diplomat") is None


def test_the_same_person_is_one_resource_in_both_sources(two_sources: Store) -> None:
    rows = two_sources.query(
        """SELECT DISTINCT ?g WHERE { GRAPH ?g { ?quote <http://www.w3.org/ns/prov#wasAttributedTo>
           <https://w3id.org/stancekb/id/giuseppe-spatafora> } }"""
    ).rows
    assert {row["g"] for row in rows} == {GRAPH["rutte-stands-alone-new-nato"], GRAPH["allies-close-ranks"]}
    second = Graph()
    for s, p, o, _ in two_sources.quads(GRAPH["allies-close-ranks"]):
        second.add((s, p, o))
    # reused, not copied: the second source does not type or label the person again
    assert (URIRef(f"{RESOURCE}giuseppe-spatafora"), RDF.type, None) not in second


def test_question_21_shows_the_position_moving(two_sources: Store) -> None:
    question = next(q for q in query_files() if q.name.startswith("21-"))
    rows = two_sources.query(question.read_text(encoding="utf-8")).rows
    moves = {
        (str(row["stance"]), row["polarity"], str(row.get("before", "")), row.get("polarityBefore")) for row in rows
    }
    assert moves == {
        (f"{FIRST}stance-spatafora-relations-not-strong", SKB.Against, "", None),
        (
            f"{SECOND_NS}stance-spatafora-relations-strong",
            SKB.Favour,
            f"{FIRST}stance-spatafora-relations-not-strong",
            SKB.Against,
        ),
    }
