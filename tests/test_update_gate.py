"""The write gate (kb/update.py): try on a copy, validate with SHACL, commit only what conforms."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import pytest
from rdflib import Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node
from virtuoso import Traffic, Virtuoso, empty

from stancekb.generate import generate
from stancekb.remote import RemoteStore
from stancekb.store import (
    ForbiddenOperation,
    OxigraphStore,
    Quad,
    QuerySyntaxError,
    Store,
    WorkerPool,
    from_ox,
    open_store,
)
from stancekb.update import DatasetConflict, GraphWrite, SparqlUpdate, submit, with_protocol_dataset, write
from stancekb.update_compile import compile_update
from stancekb.validate import union_graph, validate_shacl

EX = Namespace("https://example.org/gate/")
SKB = Namespace("https://w3id.org/stancekb/ontology#")
NAME = URIRef("http://xmlns.com/foaf/0.1/name")
VALID = f'INSERT DATA {{ GRAPH <{EX.g}> {{ <{EX.alice}> <{NAME}> "Alice" }} }}'
INVALID = f"INSERT DATA {{ GRAPH <{EX.g}> {{ <{EX.s1}> a <{SKB.Stance}> }} }}"


def test_a_conforming_update_is_committed(store: Store):
    outcome = write(store, SparqlUpdate(VALID))
    assert outcome.conforms and outcome.committed
    assert {(s, p, str(o), g) for s, p, o, g in store.quads()} == {(EX.alice, NAME, "Alice", EX.g)}


def test_an_update_that_breaks_the_shapes_changes_nothing(store: Store, snapshot):
    write(store, SparqlUpdate(VALID))
    before = snapshot(store)
    outcome = write(
        store, SparqlUpdate(f"DELETE DATA {{ GRAPH <{EX.g}> {{ <{EX.alice}> <{NAME}> 'Alice' }} }} ; {INVALID}")
    )
    assert not outcome.conforms and not outcome.committed
    assert snapshot(store) == before
    assert {violation.focus_node for violation in outcome.violations} == {EX.s1}
    assert "Stance-holder" in outcome.report


def test_only_the_changed_graphs_are_rewritten(store: Store):
    store.update(f'INSERT DATA {{ GRAPH <{EX.other}> {{ <{EX.bob}> <{NAME}> "Bob" }} }}')
    outcome = write(store, SparqlUpdate(VALID))
    assert set(outcome.graphs) == {EX.g}
    assert outcome.existed == frozenset({EX.other})
    assert write(store, SparqlUpdate(VALID)).existed == frozenset({EX.other, EX.g})


def test_what_is_committed_is_what_was_validated(store: Store):
    outcome = write(
        store, SparqlUpdate(f"INSERT {{ GRAPH <{EX.g}> {{ <{EX.x}> <{EX.id}> ?u }} }} WHERE {{ BIND(UUID() AS ?u) }}")
    )
    [(_, _, validated)] = outcome.graphs[EX.g]
    [(_, _, committed, _)] = store.quads(EX.g)
    assert committed == validated


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (GraphWrite(EX.g, ((EX.bob, NAME, Literal("Bob")),)), {(EX.bob, NAME, Literal("Bob"))}),
        (
            GraphWrite(EX.g, ((EX.bob, NAME, Literal("Bob")),), merge=True),
            {(EX.bob, NAME, Literal("Bob")), (EX.alice, NAME, Literal("Alice"))},
        ),
        (GraphWrite(EX.g), set()),
    ],
    ids=["replace", "merge", "delete"],
)
def test_graph_writes(store: Store, change, expected):
    write(store, SparqlUpdate(VALID))
    write(store, change)
    assert {(s, p, Literal(str(o))) for s, p, o, _ in store.quads(EX.g)} == expected


def test_graph_write_to_the_default_graph(store: Store):
    write(store, GraphWrite(DATASET_DEFAULT_GRAPH_ID, ((EX.bob, NAME, Literal("Bob")),)))
    assert [(s, p) for s, p, _, _ in store.quads(DATASET_DEFAULT_GRAPH_ID)] == [(EX.bob, NAME)]
    assert store.named_graphs() == []


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "load <http://127.0.0.1:9/d> INTO GRAPH <http://x/g>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
)
def test_network_operations_are_refused(store: Store, update):
    with pytest.raises(ForbiddenOperation):
        write(store, SparqlUpdate(update))


def test_a_keyword_inside_a_literal_is_only_text(store: Store):
    outcome = write(store, SparqlUpdate(f'INSERT DATA {{ GRAPH <{EX.g}> {{ <{EX.a}> <{NAME}> "LOAD <x> SERVICE" }} }}'))
    assert outcome.committed


def test_a_syntax_error_is_reported(store: Store):
    with pytest.raises(QuerySyntaxError):
        write(store, SparqlUpdate("CLEAR XYZ"))


REWRITES = [
    (
        "INSERT { GRAPH <g:t> { ?s a <c:B> } } WHERE { ?s a <c:D> }",
        "INSERT { GRAPH <g:t> { ?s a <c:B> } } USING <u:1> USING NAMED <n:1> WHERE { ?s a <c:D> }",
    ),
    (
        "CLEAR ALL ; INSERT DATA { <a:s> <a:p> 'WHERE {' } ; DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL ; INSERT DATA { <a:s> <a:p> 'WHERE {' } ; DELETE { ?s ?p ?o } USING <u:1> USING NAMED <n:1> "
        "WHERE { ?s ?p ?o }",
    ),
    (
        "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { { SELECT ?s WHERE { ?s ?p ?o } } ?s ?p ?o }",
        "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } USING <u:1> USING NAMED <n:1> WHERE { { SELECT ?s WHERE "
        "{ ?s ?p ?o } } ?s ?p ?o }",
    ),
    ("INSERT DATA { <a:s> <a:p> <a:o> }", "INSERT DATA { <a:s> <a:p> <a:o> }"),
]


@pytest.mark.parametrize(("update", "expected"), REWRITES)
def test_protocol_dataset_becomes_using_clauses(update, expected):
    assert with_protocol_dataset(update, ["u:1"], ["n:1"]) == expected


@pytest.mark.parametrize(
    "update",
    ["WITH <g:1> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "DELETE { ?s ?p ?o } USING <g:1> WHERE { ?s ?p ?o }"],
)
def test_protocol_dataset_and_using_or_with_conflict(update):
    with pytest.raises(DatasetConflict):
        with_protocol_dataset(update, [], ["n:1"])
    assert with_protocol_dataset(update, [], []) == update


def test_using_graphs_set_the_where_clause_dataset(store: Store):
    store.update(
        f"INSERT DATA {{ GRAPH <{EX.a}> {{ <{EX.x}> a <{EX.Doc}> }} GRAPH <{EX.b}> {{ <{EX.y}> a <{EX.Doc}> }} }}"
    )
    copy = f"INSERT {{ GRAPH <{EX.out}> {{ ?s a <{EX.Copy}> }} }} WHERE {{ ?s a <{EX.Doc}> }}"
    write(store, SparqlUpdate(copy, using_graphs=(str(EX.b),)))
    assert [s for s, _, _, _ in store.quads(EX.out)] == [EX.y]


def test_submit_through_worker_processes():
    store = open_store("oxigraph:")

    async def scenario() -> tuple[bool, bool]:
        pool = WorkerPool(store, size=2, timeout=30)
        try:
            refused = await submit(pool, SparqlUpdate(INVALID))
            accepted = await submit(pool, SparqlUpdate(VALID))
            return refused.committed, accepted.committed
        finally:
            await pool.close()

    assert asyncio.run(scenario()) == (False, True)
    assert [s for s, _, _, _ in store.quads(EX.g)] == [EX.alice]


# --- SPARQL Update through the gate over a large remote KB ------------------------------------------------


@pytest.fixture(scope="module")
def large_remote_kb(virtuoso: Virtuoso) -> Iterator[tuple[RemoteStore, OxigraphStore]]:
    """A 50k-triple synthetic KB in Virtuoso (200 graphs a write) and the same in Oxigraph."""
    store, local = empty(RemoteStore(virtuoso.location)), OxigraphStore()
    quads = [
        (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(q.graph_name))
        for q in generate(50_000, seed=1)
    ]
    local.add_quads(quads)  # type: ignore[arg-type]
    by_graph: dict[Node, list[Quad]] = {}
    for quad in quads:
        by_graph.setdefault(quad[3], []).append(quad)  # type: ignore[arg-type]
    graphs = list(by_graph.values())
    for start in range(0, len(graphs), 200):  # Virtuoso 7 refuses one write switching 1,000 graphs in
        store.add_quads(quad for batch in graphs[start : start + 200] for quad in batch)
    yield store, local
    empty(store).close()


def test_a_small_update_on_a_large_remote_kb_reads_a_small_part_of_it(
    large_remote_kb: tuple[RemoteStore, OxigraphStore],
) -> None:
    """INSERT DATA of 100 triples, then DELETE WHERE of them, over 50k triples: compiled, a few small requests."""
    store, _ = large_remote_kb
    traffic = Traffic(store)
    whole = list(store.quads())  # what the whole-copy fallback downloads first
    whole_bytes = traffic.received
    assert len(whole) > 50_000
    triples = " ".join(f'<{EX}n{index}> <{NAME}> "note {index}" .' for index in range(100))
    for text in (
        f"INSERT DATA {{ GRAPH <{EX.notes}> {{ {triples} }} }}",
        f"DELETE WHERE {{ GRAPH <{EX.notes}> {{ ?s <{NAME}> ?o }} }}",
    ):
        requests, sent, received = traffic.requests, traffic.sent, traffic.received
        outcome = write(store, SparqlUpdate(text))
        assert outcome.committed and outcome.changes is not None  # compiled, committed as data
        assert traffic.requests - requests <= 30, traffic.requests - requests
        assert traffic.received - received < whole_bytes / 20, (traffic.received - received, whole_bytes)
        # Sent: the 100 triples, asked about a few times (match_many, the validation), whatever the KB size.
        assert traffic.sent - sent < whole_bytes / 20, (traffic.sent - sent, whole_bytes)
    assert set(store.quads()) == set(whole)


@pytest.mark.parametrize("breaks", ["cross-graph holder", "actor untyped"])
def test_an_update_breaking_another_graphs_shape_is_refused_over_virtuoso(
    large_remote_kb: tuple[RemoteStore, OxigraphStore], breaks: str
) -> None:
    """The change is in one graph, the violations on nodes of others: the verdict of validating the whole KB."""
    store, local = large_remote_kb
    [row] = local.query(
        f"SELECT ?stance ?holder ?other WHERE {{ ?stance <{SKB.holder}> ?holder . ?x <{SKB.holder}> ?other "
        "FILTER(?other != ?holder) } ORDER BY ?stance ?other LIMIT 1"
    ).rows
    text = {
        "cross-graph holder": f"INSERT DATA {{ GRAPH <{EX.extra}> {{ <{row['stance']}> <{SKB.holder}> "
        f"<{row['other']}> }} }}",
        "actor untyped": f"DELETE WHERE {{ GRAPH ?g {{ <{row['holder']}> a ?type }} }}",
    }[breaks]
    assert compile_update(store, text, shared=True).changes.named_graph_data_only()  # the compiled path
    before = len(store)
    outcome = write(store, SparqlUpdate(text))
    assert not outcome.conforms and not outcome.committed and len(store) == before
    whole = OxigraphStore()
    whole.add_quads(local.quads())
    whole.update(text)
    expected = validate_shacl(union_graph(whole.to_dataset()))
    assert not expected.conforms
    found, validated = (
        Counter((v.focus_node, v.source_shape, v.result_path, v.value) for v in violations)
        for violations in (outcome.violations, expected.violations)
    )
    assert found == validated
    # Each violation is on a node the KB's own graphs describe, not one the update wrote about alone.
    assert all(any(g != EX.extra for *_, g in local.match(v.focus_node, None, None)) for v in outcome.violations)
