"""Incremental SHACL validation (stancekb.incremental) gives the verdict of validating the whole would-be KB.

The valid KB is tests/data/shapes_baseline.trig in an Oxigraph store and in the session's Virtuoso (the remote
store, whose gate reads the server by SPARQL). Every file of tests/data/invalid, written onto it as a new graph,
must be refused by the gate with exactly the results the file declares (which test_shapes.py checks are those
of whole-KB validation); the cases that exercise the shapes' far reads (SPARQL constraints, inverse paths,
class checks on values, property pairs) are also compared result by result with whole-KB validation here, on
both stores. Removals and changes that break nodes in other graphs are caught with the same results as
whole-KB validation (on the remote store, written as the graphs they change), valid writes pass, and shapes
or writes whose reach has no bound fall back to whole-KB validation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from test_shapes import BASELINE, INVALID_FILES, load_case
from virtuoso import Virtuoso, empty

from stancekb.generate import SyntheticKB, generate
from stancekb.incremental import (
    Delta,
    PendingWrite,
    StoreTriples,
    Unbounded,
    affected_nodes,
    context_graph,
    graph_write_delta,
    shape_reads,
)
from stancekb.load import graphs_of, load_graphs, read_graphs, validate_graph_write, validate_graph_write_fully
from stancekb.namespaces import GRAPH, REFERENCE_GRAPH
from stancekb.rdfio import parse_bytes
from stancekb.remote import RemoteStore
from stancekb.resources import shapes_graph
from stancekb.store import OxigraphStore, Store, WorkerPool, open_store
from stancekb.update import Change, GraphWrite, SparqlUpdate, preview, submit, write
from stancekb.validate import ValidationReport, Violation, union_graph, validate_shacl

T = Namespace("https://w3id.org/stancekb/id/test/")
SKB = Namespace("https://w3id.org/stancekb/ontology#")
TG = Namespace("https://w3id.org/stancekb/graph/")
NEW_GRAPH = GRAPH["incremental-case"]
PREFIXES = """PREFIX t: <https://w3id.org/stancekb/id/test/> PREFIX skb: <https://w3id.org/stancekb/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX tg: <https://w3id.org/stancekb/graph/>
"""

# Cases whose shapes read beyond the focus node's own triples: compared with whole-KB validation here too.
FAR_READING_CASES = [
    "TextAnchorSpanShape",
    "TextAnchorInSourceShape",
    "QuoteMatchesAnchorShape",
    "Selector-anchor--quote-selector",
    "TextAnchor-quoteSelector",
    "Any-evidence",
    "Stance-holder",
    "Event-participantIsNotAbsentee--host",
]


def results(report: ValidationReport) -> set[tuple[object, ...]]:
    """Everything a result says, for comparing two reports."""
    return {
        (v.focus_node, v.result_path, v.value, v.source_shape, v.constraint, v.severity, v.message)
        for v in report.violations
    }


def named(violations: list[Violation] | tuple[Violation, ...]) -> set[tuple[object, object]]:
    return {(v.focus_node, v.source_shape) for v in violations}


@pytest.fixture(scope="module")
def kb() -> Iterator[OxigraphStore]:
    """The valid baseline KB in an in-memory Oxigraph store (not to be changed by the tests that share it)."""
    store = OxigraphStore("oxigraph:")
    assert load_graphs(store, read_graphs([BASELINE]), validate=False).committed
    yield store
    store.close()


@pytest.fixture(scope="module")
def remote_kb(virtuoso: Virtuoso) -> Iterator[RemoteStore]:
    """The valid baseline KB in the session's Virtuoso (not to be changed by the tests that share it)."""
    store = empty(RemoteStore(virtuoso.location))
    assert load_graphs(store, read_graphs([BASELINE]), validate=False).committed
    yield store
    empty(store).close()


@pytest.fixture(params=["oxigraph:", "sparql:"])
def any_kb(request: pytest.FixtureRequest, kb: OxigraphStore) -> Store:
    """The baseline KB in Oxigraph, then in Virtuoso."""
    if request.param == "sparql:":
        remote: Store = request.getfixturevalue("remote_kb")
        return remote
    return kb


@pytest.fixture
def scratch(kb: OxigraphStore) -> Store:
    """A copy of the baseline KB that a test may change."""
    return kb.scratch_copy()


def test_the_shapes_reach_is_bounded_and_derived_from_them() -> None:
    """The reads come from the shapes file: paths, class checks on values, SPARQL patterns two hops deep."""
    reads = shape_reads(shapes_graph()).reads
    evidence, selector = (SKB.evidence, False), (URIRef("http://www.w3.org/ns/oa#hasSelector"), False)
    assert ((evidence, selector), URIRef("http://www.w3.org/ns/oa#exact"), False) in reads  # QuoteMatchesAnchor
    assert (((SKB.holder, False),), RDF.type, False) in reads  # Stance-holder's sh:class
    assert ((), selector[0], True) in reads  # Selector-anchor's sh:inversePath
    assert max(len(chain) for chain, _, _ in reads) == 2


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_every_invalid_case_is_refused_with_its_results(any_kb: Store, path: Path) -> None:
    case = load_case(path)
    before = len(any_kb)
    report = load_graphs(any_kb, {NEW_GRAPH: case.data})
    assert not report.committed and report.validation is not None and not report.validation.conforms
    assert named(report.validation.violations) == case.expected
    assert len(any_kb) == before and NEW_GRAPH not in any_kb.named_graphs()


@pytest.mark.parametrize("name", FAR_READING_CASES)
def test_far_reading_cases_give_the_results_of_whole_kb_validation(any_kb: Store, name: str) -> None:
    graphs = {NEW_GRAPH: load_case(BASELINE.parent / "invalid" / f"{name}.trig").data}
    incremental = validate_graph_write(any_kb, graphs, replace=True)
    full = validate_graph_write_fully(any_kb, graphs, replace=True)
    assert not full.conforms and results(incremental) == results(full)


BREAKING_CHANGES = {
    "untype-an-actor-others-point-to": f"{PREFIXES} DELETE WHERE {{ GRAPH ?g {{ t:nato a ?class }} }}",
    "drop-the-reference-graph": GraphWrite(TG["test-reference"]),
    "shorten-the-document-under-its-anchors": f"""{PREFIXES}
        DELETE {{ GRAPH ?g {{ t:article skb:characterCount ?n }} }}
        INSERT {{ GRAPH ?g {{ t:article skb:characterCount 100 }} }}
        WHERE {{ GRAPH ?g {{ t:article skb:characterCount ?n }} }}""",
    "unlink-a-selector-from-its-anchor": f"""{PREFIXES}
        DELETE {{ GRAPH ?g {{ t:a-quote-official oa:hasSelector ?s }} }}
        WHERE {{ GRAPH ?g {{ t:a-quote-official oa:hasSelector ?s . ?s a oa:TextPositionSelector }} }}""",
    "change-the-words-under-a-quote": f"""{PREFIXES}
        DELETE {{ GRAPH ?g {{ ?s oa:exact ?e }} }} INSERT {{ GRAPH ?g {{ ?s oa:exact "other words" }} }}
        WHERE {{ GRAPH ?g {{ t:a-quote-official oa:hasSelector ?s . ?s oa:exact ?e }} }}""",
    "remove-the-document-type": f"{PREFIXES} DELETE WHERE {{ GRAPH ?g {{ t:article a skb:SourceDocument }} }}",
}


@pytest.mark.parametrize("name", BREAKING_CHANGES)
def test_changes_that_break_other_nodes_are_caught_as_whole_kb_validation_catches_them(
    scratch: Store, name: str
) -> None:
    change = BREAKING_CHANGES[name]
    outcome = preview(scratch, change if isinstance(change, GraphWrite) else SparqlUpdate(change))
    full = validate_shacl(union_graph(scratch.to_dataset()))
    assert not full.conforms and not outcome.conforms
    assert {(v.focus_node, v.result_path, v.source_shape, v.constraint) for v in outcome.violations} == {
        (v.focus_node, v.result_path, v.source_shape, v.constraint) for v in full.violations
    }


@pytest.mark.parametrize("name", BREAKING_CHANGES)
def test_breaking_changes_written_onto_the_remote_store_give_the_results_of_whole_kb_validation(
    scratch: Store, remote_kb: RemoteStore, name: str
) -> None:
    """Each breaking change, as the new content of the graphs it changes, through the remote store's gate."""
    change = BREAKING_CHANGES[name]
    trial = preview(scratch, change if isinstance(change, GraphWrite) else SparqlUpdate(change))
    graphs = {graph: triples_graph(triples) for graph, triples in trial.graphs.items()}
    before = len(remote_kb)
    report = load_graphs(remote_kb, graphs)
    full = validate_graph_write_fully(remote_kb, graphs, replace=True)
    assert not full.conforms and report.validation is not None and not report.committed
    assert results(report.validation) == results(full)
    assert len(remote_kb) == before


def test_a_graph_store_write_on_the_remote_store_is_validated_against_the_store_itself(
    remote_kb: RemoteStore,
) -> None:
    """No copy: the remote gate reads Virtuoso, refuses dropping the reference graph, and writes nothing."""
    before = set(remote_kb.quads())
    outcome = write(remote_kb, GraphWrite(TG["test-reference"]))
    full = validate_graph_write_fully(remote_kb, {TG["test-reference"]: Graph()}, replace=True)
    assert not outcome.committed and not full.conforms
    assert {(v.focus_node, v.source_shape) for v in outcome.violations} == named(full.violations)
    assert outcome.existed == frozenset({TG["test-reference"]})
    assert set(remote_kb.quads()) == before


def triples_graph(triples: tuple[tuple[object, object, object], ...]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)  # type: ignore[arg-type]
    return graph


def test_dependents_in_other_graphs_are_focus_nodes(any_kb: Store) -> None:
    """Removing NATO's type (reference graph) re-validates the nodes whose shapes check NATO's class, and only those."""
    delta = Delta(frozenset(), frozenset({(T.nato, RDF.type, SKB.Alliance)}))
    focus = affected_nodes(PendingWrite(any_kb, Graph(), delta.removed), shape_reads(shapes_graph()), delta)
    assert {T["office-nato-secretary-general"], T["united-kingdom"], T.nato} <= focus  # org:postIn, org:memberOf
    assert any(g == TG["test-article"] for s in focus for *_, g in any_kb.match(s, None, T.nato))  # other graph
    assert T["prop-alliance-will-not-die"] not in focus  # skb:about NATO: only its node kind is checked


def kb_graph(store: Store, name: URIRef = TG["test-article"]) -> Graph:
    """One graph of a store."""
    graph = Graph()
    for s, p, o, _ in store.quads(name):
        graph.add((s, p, o))
    return graph


def test_replacing_the_reference_graph_with_nothing_is_refused_on_load(kb: OxigraphStore) -> None:
    before = set(kb.quads())
    report = load_graphs(kb, {TG["test-reference"]: Graph()})
    assert not report.committed and report.validation is not None
    in_article = {v.focus_node for v in report.validation.violations if (v.focus_node, None, None) in kb_graph(kb)}
    assert in_article, "the nodes broken are in the article graph, which the load does not touch"
    assert set(kb.quads()) == before


def test_a_valid_write_passes_and_is_committed(scratch: Store) -> None:
    graph = Graph()
    graph.add((T["new-observer"], RDF.type, SKB.Person))
    graph.add((T["new-observer"], RDFS.label, Literal("A new observer", lang="en")))
    graph.add((T["new-observer"], SKB.affiliation, T.nato))
    report = load_graphs(scratch, {NEW_GRAPH: graph})
    assert report.committed and report.validation is not None and report.validation.conforms
    assert list(report.validation.report_graph.objects(None, URIRef("http://www.w3.org/ns/shacl#conforms"))) == [
        Literal(True)
    ]
    assert len(list(scratch.quads(NEW_GRAPH))) == 3


def test_a_valid_removal_passes(scratch: Store) -> None:
    """Removing an optional value (NATO's Wikidata link) leaves the KB valid."""
    sparql = f"{PREFIXES} DELETE WHERE {{ GRAPH ?g {{ t:nato ?p <http://www.wikidata.org/entity/Q7184> }} }}"
    outcome = write(scratch, SparqlUpdate(sparql))
    assert outcome.conforms and outcome.committed


def test_a_new_synthetic_source_reads_only_its_neighbourhood() -> None:
    """On a synthetic KB, a new ~1,000-triple source is validated over a context of its own size, and passes."""
    store = OxigraphStore("oxigraph:")
    store.native.extend(generate(6_000, seed=3))
    sources = len(store.named_graphs()) - 1
    quads = SyntheticKB(6_000, seed=3).source(sources).quads
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    graphs = graphs_of(parse_bytes(data, ox.RdfFormat.N_QUADS), REFERENCE_GRAPH)
    delta = graph_write_delta(store, graphs, replace=True)
    added = Graph()
    for triple in delta.added:
        added.add(triple)
    pending = PendingWrite(store, added, delta.removed)
    reads = shape_reads(shapes_graph())
    context = context_graph(pending, reads, affected_nodes(pending, reads, delta))
    assert len(delta.added) == len(quads) and len(context) < 2 * len(quads) < len(store) / 2
    assert load_graphs(store, graphs).committed
    store.close()


UNBOUNDED_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/sample/> .
ex:PlaceShape a sh:NodeShape ; sh:targetClass ex:Place ;
    sh:property [ sh:path [ sh:oneOrMorePath ex:partOf ] ; sh:class ex:Region ] .
"""


@pytest.mark.parametrize("location", ["memory:", "oxigraph:"])
def test_shapes_without_a_bounded_reach_fall_back_to_whole_kb_validation(location: str) -> None:
    ex = Namespace("https://example.org/sample/")
    store = open_store(location)
    shapes = Graph().parse(data=UNBOUNDED_SHAPES, format="turtle")
    with pytest.raises(Unbounded):
        shape_reads(shapes)
    chain = [(ex.a, RDF.type, ex.Place), (ex.a, ex.partOf, ex.b), (ex.b, ex.partOf, ex.c)]
    first = Graph()
    for triple in [*chain, (ex.c, RDF.type, ex.Region), (ex.b, RDF.type, ex.Region)]:
        first.add(triple)
    assert load_graphs(store, {GRAPH["one"]: first}, shapes=shapes).committed
    untyped = Graph()
    for triple in [*chain, (ex.b, RDF.type, ex.Region)]:
        untyped.add(triple)
    report = load_graphs(store, {GRAPH["one"]: untyped}, shapes=shapes)
    assert not report.committed  # ex:c, two hops away, is no longer a region
    assert {v.focus_node for v in report.validation.violations} == {ex.a}  # type: ignore[union-attr]
    store.close()


def test_a_write_to_the_class_hierarchy_is_validated_whole(scratch: Store) -> None:
    """rdfs:subClassOf is read by every class check: such a write is validated over the whole KB."""
    graph = Graph()
    graph.add((SKB.Alliance, RDFS.subClassOf, SKB.Alliance))
    delta = graph_write_delta(scratch, {NEW_GRAPH: graph}, replace=True)
    with pytest.raises(Unbounded):
        affected_nodes(StoreTriples(scratch), shape_reads(shapes_graph()), delta)
    assert load_graphs(scratch, {NEW_GRAPH: graph}).committed


def test_the_gate_in_worker_processes_catches_a_removal_that_breaks_another_graph(kb: OxigraphStore) -> None:
    store = kb.scratch_copy()
    change: Change = SparqlUpdate(f"{PREFIXES} DELETE WHERE {{ GRAPH ?g {{ t:nato a ?class }} }}")

    async def scenario() -> tuple[bool, set[object]]:
        pool = WorkerPool(store, size=1, timeout=60)
        try:
            outcome = await submit(pool, change)
            return outcome.committed, {v.focus_node for v in outcome.violations}
        finally:
            await pool.close()

    before = set(store.quads())
    committed, focus = asyncio.run(scenario())
    assert not committed and T["office-nato-secretary-general"] in focus
    assert set(store.quads()) == before


def test_a_store_without_pattern_access_is_validated_whole() -> None:
    """A backend without ``match`` (a remote endpoint, say) gets whole-KB validation: same verdict."""

    class Opaque(OxigraphStore):
        def match(self, subject, predicate, obj):  # type: ignore[no-untyped-def]
            raise NotImplementedError

        def match_many(self, patterns):  # type: ignore[no-untyped-def]
            raise NotImplementedError

    store = Opaque("oxigraph:")
    assert load_graphs(store, read_graphs([BASELINE]), validate=False).committed
    case = load_case(BASELINE.parent / "invalid" / "Stance-holder.trig")
    report = load_graphs(store, {NEW_GRAPH: case.data})
    assert not report.committed and named(report.validation.violations) == case.expected  # type: ignore[union-attr]
    with pytest.raises(NotImplementedError):
        graph_write_delta(store, {NEW_GRAPH: case.data}, replace=True)


IMPLICIT_TARGET_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/sample/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:City a sh:NodeShape , rdfs:Class ; sh:property [ sh:path ex:mayor ; sh:class ex:Person ] .
"""


def test_a_shape_that_is_a_class_targets_its_instances_incrementally_too() -> None:
    """Removing the mayor's type (in another graph) breaks the city: an implicit class target's reads count."""
    ex = Namespace("https://example.org/sample/")
    shapes = Graph().parse(data=IMPLICIT_TARGET_SHAPES, format="turtle")
    store = open_store("oxigraph:")
    city, person = Graph(), Graph()
    city.add((ex.ghent, RDF.type, ex.City))
    city.add((ex.ghent, ex.mayor, ex.mathias))
    person.add((ex.mathias, RDF.type, ex.Person))
    assert load_graphs(store, {GRAPH["city"]: city, GRAPH["person"]: person}, shapes=shapes).committed
    report = load_graphs(store, {GRAPH["person"]: Graph()}, shapes=shapes)
    assert not report.committed and {v.focus_node for v in report.validation.violations} == {ex.ghent}  # type: ignore[union-attr]
    assert results(report.validation) == results(  # type: ignore[arg-type]
        validate_graph_write_fully(store, {GRAPH["person"]: Graph()}, replace=True, shapes=shapes)
    )
    store.close()


def test_a_graph_store_write_compares_only_its_own_graph(scratch: Store) -> None:
    """A Graph Store write looks at its own graph; a triple another graph holds too is no change to the union."""
    shared = next((s, p, o) for s, p, o, _ in scratch.quads(TG["test-article"]) if p == SKB.holder)
    delta = Delta.of_quads(scratch, [], [(*shared, NEW_GRAPH)], frozenset({NEW_GRAPH}))
    assert delta == Delta(frozenset(), frozenset())
    outcome = write(scratch, GraphWrite(NEW_GRAPH, (shared,)))
    assert outcome.committed and set(outcome.graphs) == {NEW_GRAPH} and outcome.existed == frozenset()
