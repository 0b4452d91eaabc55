"""The write gate for SPARQL Update and Graph Store writes: try the write on a copy, validate, then commit.

A SPARQL update is compiled into explicit quad changes, operation by operation (``stancekb.update_compile``),
which are validated and committed as they are: the cost follows what the update touches, and in-process the
store is not copied unless a later operation must read what an earlier one changed. A Graph Store write on a
store whose copies are not cheap (the remote store) is validated against the store itself, as a file load is
(``stancekb.load.validate_graph_write``). Otherwise (graph-level operations, LOAD, SPARQL Update on the remote
store: see that module) and for other Graph Store writes, the write is applied to a scratch copy of the
store; the graphs it changed are found by comparing the copy before and after, and the resulting knowledge
base is validated with SHACL. Validation is incremental, the nodes the change touches with the rest of the
would-be store as context (``stancekb.incremental``), which gives the verdict of validating all of it.
Only if it conforms is the change committed to the store, in one transaction (the quads as data, or the
changed graphs replaced); otherwise the store is left exactly as it was and the outcome carries the report.
What is committed is what was validated, so an update with ``UUID()`` or ``NOW()`` is not evaluated twice.

``write`` does this in-process; ``submit`` does it through a ``WorkerPool``, where the copy is a forked
worker's snapshot (so the trial can be stopped at the deadline) and writes are serialised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TypeAlias

from rdflib import Graph, URIRef
from rdflib.term import Node

from stancekb.incremental import Delta, PendingWrite, StoreTriples, TripleSource, validate_delta, validate_or_full
from stancekb.load import validate_graph_write
from stancekb.store import (
    Quad,
    QuerySyntaxError,
    Store,
    StoreError,
    WorkerPool,
    mask_sparql,
    refuse_deep_nesting,
    refuse_network,
    sparql_keywords,
    valid_iri,
)
from stancekb.update_compile import NotCompilable, Workspace, compile_update
from stancekb.validate import ValidationReport, Violation, union_graph, validate_shacl

Triple: TypeAlias = tuple[Node, Node, Node]


class DatasetConflict(StoreError):
    """Protocol dataset parameters given for an update that sets its own dataset (USING, WITH)."""


@dataclass(frozen=True)
class SparqlUpdate:
    """A SPARQL 1.1 Update request (https://www.w3.org/TR/sparql11-protocol/#update-operation).

    ``using_graphs`` and ``using_named_graphs`` are the protocol's ``using-graph-uri`` and
    ``using-named-graph-uri``; ``base_iri`` resolves relative IRIs. LOAD and SERVICE are refused unless
    ``allow_network``: either would make the server connect out.
    """

    text: str
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    allow_network: bool = False
    touches: frozenset[URIRef] | None = None
    """The graphs an update may change: any (it is known only once it has run)."""

    def apply(self, store: Store) -> None:
        """Apply the update to a store (the scratch copy), which is allowed SERVICE and LOAD only if this is."""
        with self._network(store):
            store.update(with_protocol_dataset(self.text, self.using_graphs, self.using_named_graphs), self.base_iri)

    def compile(self, store: Store, *, shared: bool) -> Workspace:
        """Run the update on a store as explicit quad changes (``stancekb.update_compile``), or ``NotCompilable``."""
        with self._network(store):
            text = with_protocol_dataset(self.text, self.using_graphs, self.using_named_graphs)
            refuse_deep_nesting(text)
            return compile_update(store, text, self.base_iri, shared=shared)

    @contextmanager
    def _network(self, store: Store) -> Iterator[None]:
        """A context in which the store may run SERVICE and LOAD only if this update may (refused up front else)."""
        if not self.allow_network:
            refuse_network(self.text)
        previous, store.allow_network = store.allow_network, self.allow_network
        try:
            yield
        finally:
            store.allow_network = previous


@dataclass(frozen=True)
class GraphWrite:
    """A Graph Store write (https://www.w3.org/TR/sparql11-http-rdf-update/): replace or add to a graph.

    PUT replaces the graph's content, DELETE replaces it with no triples, POST adds to it (``merge``).

    ``graph`` is a graph IRI, or ``DATASET_DEFAULT_GRAPH_ID`` for the default graph.
    """

    graph: URIRef
    triples: tuple[Triple, ...] = ()
    merge: bool = False

    @property
    def touches(self) -> frozenset[URIRef] | None:
        """The graphs the write may change: its own."""
        return frozenset({self.graph})

    def content(self, current: Iterable[Quad]) -> Graph:
        """The graph's content after the write, given its current quads (kept only by a POST)."""
        content = Graph()
        if self.merge:
            for s, p, o, _ in current:
                content.add((s, p, o))
        for triple in self.triples:
            content.add(triple)
        return content

    def apply(self, store: Store) -> None:
        """Apply the write to a store (the scratch copy)."""
        store.replace_graphs({self.graph: self.content(store.quads(self.graph))})


Change: TypeAlias = SparqlUpdate | GraphWrite


@dataclass(frozen=True)
class WriteOutcome:
    """What the gate found: whether the result conforms, the report, and the new content of changed graphs.

    ``existed`` lists the graphs that held triples before the write; ``committed`` says whether the store now
    holds the change.
    """

    conforms: bool
    report: str
    violations: tuple[Violation, ...]
    report_turtle: str
    graphs: dict[URIRef, tuple[Triple, ...]] = field(default_factory=dict)
    existed: frozenset[URIRef] = frozenset()
    committed: bool = False
    changes: tuple[tuple[Quad, ...], tuple[Quad, ...]] | None = None
    """A compiled update's quads (removed, added), committed as data instead of ``graphs`` when set."""

    @classmethod
    def of(
        cls,
        report: ValidationReport,
        graphs: dict[URIRef, tuple[Triple, ...]],
        existed: frozenset[URIRef],
        changes: tuple[tuple[Quad, ...], tuple[Quad, ...]] | None = None,
    ) -> WriteOutcome:
        """The outcome of a validated write (not committed yet)."""
        return cls(
            conforms=report.conforms,
            report=report.text(),
            violations=tuple(report.violations),
            report_turtle=report.report_graph.serialize(format="turtle"),
            graphs=graphs,
            existed=existed,
            changes=changes,
        )


def preview(scratch: Store, change: Change, *, shared: bool = False) -> WriteOutcome:
    """Apply a change to ``scratch`` (which it modifies unless ``shared``) and validate the resulting knowledge base.

    A SPARQL update is compiled into explicit quad changes where it can be (``stancekb.update_compile``), at
    the cost of what it touches. Otherwise what the change did is found by comparing the graphs it may touch
    (``touches``: a Graph Store write's own graph; every graph for a SPARQL update) before and after, on a
    copy of ``scratch`` if ``shared``; ``existed`` lists the graphs that held triples.

    Validation is incremental (``stancekb.incremental``: the nodes the change touches, with the rest of the
    scratch copy as context), or of the whole result where the shapes or the change do not allow it. On a store
    whose copies are not cheap (``Store.cheap_scratch_copy``: a remote store), a Graph Store write is not tried
    on a copy but validated against the store itself (``graph_write_outcome``).
    """
    if isinstance(change, SparqlUpdate):
        try:
            return compiled_outcome(change.compile(scratch, shared=shared))
        except NotCompilable:
            pass
    elif not scratch.cheap_scratch_copy:
        return graph_write_outcome(scratch, change)
    if shared:
        scratch = scratch.scratch_copy()
    scope = change.touches
    before = set(quads_of(scratch, scope))
    change.apply(scratch)
    after = set(quads_of(scratch, scope))
    changed = {quad[3] for quad in before ^ after}
    graphs: dict[URIRef, list[Triple]] = {name: [] for name in changed}
    for s, p, o, g in after:
        if g in graphs:
            graphs[g].append((s, p, o))
    report = validate_or_full(
        lambda: validate_delta(StoreTriples(scratch), Delta.of_quads(scratch, before, after, scope)),
        lambda: validate_shacl(union_graph(scratch.to_dataset())),
    )
    return WriteOutcome.of(
        report,
        graphs={name: tuple(triples) for name, triples in graphs.items()},
        existed=frozenset(quad[3] for quad in before),
    )


def graph_write_outcome(store: Store, change: GraphWrite) -> WriteOutcome:
    """A Graph Store write validated against the store as it is, nothing written (``validate_graph_write``)."""
    current = list(store.quads(change.graph))
    content = change.content(current)
    report = validate_graph_write(store, {change.graph: content}, replace=True)
    return WriteOutcome.of(
        report, graphs={change.graph: tuple(content)}, existed=frozenset({change.graph}) if current else frozenset()
    )


def compiled_outcome(space: Workspace) -> WriteOutcome:
    """Validate a compiled update's changes; the outcome carries them for the commit, and the changed graphs.

    The changes are committed as data unless an existing blank node is removed or reused (DELETE DATA and
    INSERT DATA cannot name one): then the changed graphs are replaced with their new content.
    """
    changes = space.changes
    applied = not space.shared or space.copy is not None
    delta = Delta.of_changes(space.current if applied else space.base, changes.removed, changes.added, applied=applied)
    if applied:
        source: TripleSource = StoreTriples(space.current)
    else:
        added = Graph()
        for triple in delta.added:
            added.add(triple)
        source = PendingWrite(space.base, added, delta.removed)
    report = validate_or_full(
        lambda: validate_delta(source, delta),
        lambda: validate_shacl(union_graph(space.current.to_dataset())),
    )
    changed = {quad[3] for quad in (*changes.removed, *changes.added)}
    as_data = changes.commits_as_data()
    graphs = {name: tuple(space.content(name, reuse=as_data)) for name in changed}
    return WriteOutcome.of(
        report,
        graphs=graphs,
        existed=space.existed,
        changes=(tuple(changes.removed), tuple(changes.added)) if as_data else None,
    )


def quads_of(store: Store, graphs: frozenset[URIRef] | None) -> Iterator[Quad]:
    """The quads of some graphs of a store (``None``: of all of them)."""
    if graphs is None:
        yield from store.quads()
    else:
        for name in graphs:
            yield from store.quads(name)


def commit(store: Store, outcome: WriteOutcome) -> None:
    """Write the changed graphs of a conforming outcome to the store, in one transaction."""
    if not outcome.conforms:
        raise StoreError("refusing to commit a write that does not conform")
    if outcome.changes is not None:
        store.change_quads(*outcome.changes)
        return
    replacements = {}
    for name, triples in outcome.graphs.items():
        graph = Graph()
        for triple in triples:
            graph.add(triple)
        replacements[name] = graph
    store.replace_graphs(replacements)


def write(store: Store, change: Change) -> WriteOutcome:
    """Pass a change through the gate in-process: try it on a scratch copy, commit it if the result conforms."""
    outcome = preview(store, change, shared=True)
    if not outcome.conforms:
        return outcome
    commit(store, outcome)
    return replace(outcome, committed=True)


async def submit(pool: WorkerPool, change: Change) -> WriteOutcome:
    """Pass a change through the gate on a worker's snapshot, then commit it; writes are serialised.

    A remote store's worker holds no snapshot until it writes (``stancekb.remote``), so there the trial is made
    as on a shared store: the worker reads the server and writes nothing to it.
    """
    shared = not pool.store.cheap_scratch_copy
    async with pool.writer:
        outcome = await pool.run(partial(preview, change=change, shared=shared), scratch=True)
        if not outcome.conforms:
            return outcome
        await pool.commit(partial(commit, outcome=outcome))
        return replace(outcome, committed=True)


_TOKENS = re.compile(r"[{}]|[A-Za-z]+")


def with_protocol_dataset(update: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """The update with the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` written in as USING clauses.

    SPARQL 1.1 Protocol §2.2.3 (https://www.w3.org/TR/sparql11-protocol/#update-dataset): the parameters set
    the dataset of every operation's WHERE clause, and an update that has USING, USING NAMED or WITH of its
    own is an error. The clauses go before each top-level WHERE; ``DELETE WHERE { P }`` (which cannot carry
    USING) is spelled out as ``DELETE { P } USING ... WHERE { P }``, its definition in SPARQL 1.1 Update.
    """
    if not using and not using_named:
        return update
    if {"USING", "WITH"} & sparql_keywords(update):
        raise DatasetConflict(
            "the update sets its own dataset with USING or WITH, and using-graph-uri or using-named-graph-uri "
            "was given too: use one or the other"
        )
    clause = " ".join(
        [f"USING <{valid_iri(iri)}>" for iri in using] + [f"USING NAMED <{valid_iri(iri)}>" for iri in using_named]
    )
    masked = mask_sparql(update)
    parts: list[str] = []
    done = depth = 0
    previous = ""
    for token in _TOKENS.finditer(masked):
        text = token.group().upper()
        if text == "{":
            depth += 1
        elif text == "}":
            depth -= 1
        elif depth == 0 and text == "WHERE":
            parts.append(update[done : token.start()])
            if previous == "DELETE":
                start, end = _block_after(masked, token.end())
                pattern = update[start:end]
                parts.append(f"{pattern} {clause} WHERE {pattern}")
                done = end
            else:
                parts.append(f"{clause} ")
                done = token.start()
        previous = text
    parts.append(update[done:])
    return "".join(parts)


def _block_after(masked: str, position: int) -> tuple[int, int]:
    """Where the ``{ ... }`` block that starts after ``position`` begins and ends (end exclusive)."""
    start = masked.find("{", position)
    depth = 0
    for index in range(max(start, 0), len(masked)):
        if masked[index] == "{":
            depth += 1
        elif masked[index] == "}":
            depth -= 1
            if depth == 0:
                return start, index + 1
    raise QuerySyntaxError("DELETE WHERE must be followed by a { ... } block")
