"""SPARQL Update compiled into explicit quad changes, operation by operation (issue 4: writes at 1M triples).

SPARQL 1.1 Update (https://www.w3.org/TR/sparql11-update/) defines each operation by the quads it removes
and adds: INSERT DATA and DELETE DATA name them; DELETE/INSERT ... WHERE (§3.1.3) evaluates its WHERE
pattern once over the dataset as it is before the operation and instantiates the templates per solution
(fresh blank nodes per solution in INSERT; a template triple left unbound or ill-formed is skipped);
DELETE WHERE is DELETE/INSERT with the pattern as both template and WHERE. The WHERE is evaluated by the
store's own engine, as a ``SELECT *`` over the same pattern and dataset; the templates come from rdflib's
algebra (``translateUpdate``). The changes of an operation are applied before the next is evaluated, so
later operations see earlier ones; what the request changes is the net ``QuadChanges``, so the write gate
validates and commits those quads, and its cost follows what the update touches, not what the store holds.

On the remote store (``stancekb.remote``) the WHERE is evaluated by the server, over the explicit dataset the
store gives it (its graphs, its default graph, never its staging or system graphs), and whether the quads are
held is asked with ``match_many``, a few requests an operation: nothing is downloaded unless an operation must
read what an earlier one changed (the store is then copied, as a shared store is). Changes with a blank node or
a quad of the default graph are not compiled there: the remote store's ``change_quads`` (Store's DELETE DATA /
INSERT DATA) would write the default graph to the server's own, and Virtuoso 7 refuses blank nodes in them.

Not compiled (``NotCompilable``: the gate then compares a whole scratch copy before and after): LOAD,
CLEAR, DROP, CREATE, ADD, MOVE, COPY (graph-level operations, whose error cases differ between backends),
stores with no entry in ``WHERE_DATASETS``, on the rdflib backend a WHERE with GRAPH (its query engine
cannot be given a dataset of named graphs), and blank nodes on a remote server that cannot name them.
Compiled, the rdflib backend follows the specification where its own update does not (rdflib 7.6: DELETE
WHERE on the default graph removes the triples from every graph; its WHERE reads the union of the graphs as
the default graph).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from stancekb.remote import RemoteStore
from stancekb.store import OxigraphStore, Quad, QuerySyntaxError, RdflibStore, Store, mask_sparql, sparql_keywords

Template: TypeAlias = tuple[Node, Node, Node, Node]
"""A template quad: subject, predicate, object, graph (each a term, a variable or a blank node)."""
Solution: TypeAlias = Mapping[str, Node]


class NotCompilable(Exception):
    """The update has an operation this module does not compile; the message says which and why."""


@dataclass
class QuadChanges:
    """The net quads a request removes from and adds to the store (disjoint, each applied at most once)."""

    removed: set[Quad] = field(default_factory=set)
    added: dict[Quad, None] = field(default_factory=dict)
    fresh: set[BNode] = field(default_factory=set)
    """Blank nodes the request created (INSERT DATA, INSERT templates): they are in no graph before it."""

    def record(self, removed: Iterable[Quad], added: Iterable[Quad]) -> None:
        """Add one operation's changes (quads it removes that are held, quads it adds that are not)."""
        for quad in removed:
            if quad in self.added:
                del self.added[quad]
            else:
                self.removed.add(quad)
        for quad in added:
            if quad in self.removed:
                self.removed.discard(quad)
            else:
                self.added[quad] = None

    def commits_as_data(self) -> bool:
        """Whether DELETE DATA / INSERT DATA can commit the changes: no blank node removed, only fresh ones added."""
        if any(isinstance(term, BNode) for quad in self.removed for term in quad):
            return False
        return all(term in self.fresh for quad in self.added for term in quad if isinstance(term, BNode))

    def named_graph_data_only(self) -> bool:
        """Whether the changes name no blank node and no quad of the default graph (what a remote store commits)."""
        quads = [*self.removed, *self.added]
        return not any(quad[3] == DATASET_DEFAULT_GRAPH_ID or any(isinstance(t, BNode) for t in quad) for quad in quads)


# ---------------------------------------------------------------------------------------------------------
# Where the WHERE clause is evaluated
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhereDataset:
    """The dataset an operation's WHERE is evaluated over, as ``Store.query`` arguments (``None``: the default)."""

    default_graphs: tuple[URIRef, ...] | None
    named_graphs: tuple[URIRef, ...] | None


def _oxigraph_dataset(op: CompValue, query: str) -> WhereDataset:
    """The default graph alone, or the WITH graph, or exactly the USING / USING NAMED graphs (§3.1.3, Oxigraph's)."""
    using = [clause.default for clause in op.using or () if clause.default is not None]
    named = [clause.named for clause in op.using or () if clause.named is not None]
    if using or named:
        return WhereDataset(tuple(using), tuple(named))
    return WhereDataset((op.withClause or DATASET_DEFAULT_GRAPH_ID,), None)


def _rdflib_dataset(op: CompValue, query: str) -> WhereDataset:
    """The same default graph for a WHERE without GRAPH (rdflib's query engine then reads no named graph)."""
    if "GRAPH" in sparql_keywords(query):
        raise NotCompilable("GRAPH in a WHERE on the rdflib backend (its engine has no dataset of named graphs)")
    return WhereDataset(_oxigraph_dataset(op, query).default_graphs, None)


WHERE_DATASETS: dict[type[Store], Callable[[CompValue, str], WhereDataset]] = {
    OxigraphStore: _oxigraph_dataset,
    RdflibStore: _rdflib_dataset,
    RemoteStore: _oxigraph_dataset,  # the server is given the dataset explicitly (``RemoteStore._dataset``)
}
"""For each backend, how to ask its query engine for the WHERE's dataset (SPARQL 1.1 Update §3.1.3)."""


# ---------------------------------------------------------------------------------------------------------
# The text of each WHERE, with the prologue before it
# ---------------------------------------------------------------------------------------------------------

MARK = "stancekb_solution_"
"""A variable bound in every solution of a compiled WHERE."""

_TOKENS = re.compile(r"[{}]|[A-Za-z]+")
_PROLOGUE = re.compile(r"(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE)


def where_clauses(update: str) -> list[str]:
    """Each top-level WHERE block of the update as a ``SELECT *`` query, with the PREFIX and BASE before it."""
    masked = mask_sparql(update)
    queries: list[str] = []
    prologue: list[str] = []
    depth = 0
    tokens = list(_TOKENS.finditer(masked))
    for token in tokens:
        text = token.group().upper()
        if text == "{":
            depth += 1
        elif text == "}":
            depth -= 1
        elif depth == 0 and text in {"PREFIX", "BASE"}:
            declaration = _PROLOGUE.match(update, token.start())
            if declaration is None:
                raise NotCompilable(f"a {text} declaration the compiler cannot read at character {token.start()}")
            prologue.append(declaration.group())
        elif depth == 0 and text == "WHERE":
            start, end = _block(masked, token.end())
            # The BIND gives every solution a variable: rdflib's engine returns no rows for none (``WHERE {}``).
            queries.append("\n".join([*prologue, f"SELECT * WHERE {{ {update[start:end]} BIND(1 AS ?{MARK}) }}"]))
    return queries


def _block(masked: str, position: int) -> tuple[int, int]:
    """Where the ``{ ... }`` block after ``position`` begins and ends (end exclusive)."""
    start = masked.find("{", position)
    depth = 0
    for index in range(max(start, 0), len(masked)):
        depth += {"{": 1, "}": -1}.get(masked[index], 0)
        if depth == 0 and masked[index] == "}":
            return start, index + 1
    raise NotCompilable("a WHERE without a closed { ... } block")


# ---------------------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------------------


def templates(clause: CompValue | None, default_graph: Node) -> list[Template]:
    """The quads of a template (or data) clause: its triples in ``default_graph``, its GRAPH blocks in theirs."""
    if clause is None:
        return []
    quads: list[Template] = [(s, p, o, default_graph) for s, p, o in clause.triples or ()]
    for graph, triples in (clause.quads or {}).items():
        quads += [(s, p, o, graph) for s, p, o in triples]
    return quads


def instantiate(template: Sequence[Template], solution: Solution, changes: QuadChanges | None) -> Iterator[Quad]:
    """The quads of a template for one solution; unbound or ill-formed ones are skipped (§3.1.3).

    With ``changes`` (an INSERT), each blank node of the template is a fresh one for this solution.
    """
    fresh: dict[BNode, BNode] = {}

    def term(node: Node) -> Node | None:
        if isinstance(node, Variable):
            return solution.get(str(node))
        if isinstance(node, BNode) and changes is not None:
            if node not in fresh:
                fresh[node] = BNode()
                changes.fresh.add(fresh[node])
            return fresh[node]
        return node

    for quad in template:
        s, p, o, g = (term(node) for node in quad)
        if s is None or o is None or isinstance(s, Literal) or not isinstance(p, URIRef):
            continue
        if not isinstance(g, URIRef):
            continue
        yield s, p, o, g


# ---------------------------------------------------------------------------------------------------------
# The workspace: the store as the request has changed it so far
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Workspace:
    """The store a request runs on, and its changes so far.

    ``shared``: ``base`` must not change (the live store, in-process); it is copied only if an operation has
    to read it after an earlier one changed it. Otherwise (a scratch copy, a worker's snapshot) the changes
    are applied to ``base`` as they are made.
    """

    base: Store
    shared: bool
    changes: QuadChanges = field(default_factory=QuadChanges)
    copy: Store | None = None
    existed: frozenset[URIRef] = frozenset()
    """The graphs that held triples before the request."""

    @property
    def current(self) -> Store:
        """A store holding the request's changes so far (a copy of a shared store is made the first time)."""
        if not self.shared:
            return self.base
        if self.copy is None:
            if not self.changes.removed and not self.changes.added:
                return self.base
            self.copy = self.base.scratch_copy()
            self.copy.change_quads(self.changes.removed, self.changes.added)
        return self.copy

    def held(self, quads: Iterable[Quad]) -> dict[Quad, list[Quad]]:
        """The quads the store as changed so far holds, each as it holds them: one ``match_many`` (its own matching).

        A store may hold a literal in another form than the one asked (Virtuoso's canonical ``"01"`` for ``"1"``).
        """
        asked = [quad for quad in dict.fromkeys(quads) if quad not in self.changes.removed]
        unknown = [quad for quad in asked if quad not in self.changes.added]
        store = self.copy if self.copy is not None else self.base
        try:
            found = store.match_many(quad[:3] for quad in unknown)
        except NotImplementedError as error:  # a remote server that cannot name blank nodes
            raise NotCompilable(str(error)) from error
        held = {quad: [quad] for quad in asked if quad in self.changes.added}
        for quad in unknown:
            if stored := [
                match for match in found[quad[:3]] if match[3] == quad[3] and match not in self.changes.removed
            ]:
                held[quad] = stored
        return held

    def apply(self, removed: Iterable[Quad], added: Iterable[Quad]) -> None:
        """Make one operation's changes: remove the quads that are held, then add those that are not (any more)."""
        removed, added = list(dict.fromkeys(removed)), list(dict.fromkeys(added))
        held = self.held([*removed, *added])
        gone = {stored: None for quad in removed for stored in held.get(quad, ())}
        self._change(list(gone), [])
        self._change([], [quad for quad in added if all(stored in gone for stored in held.get(quad, ()))])

    def content(self, name: URIRef, *, reuse: bool) -> Iterator[tuple[Node, Node, Node]]:
        """The triples a graph holds once the request is done; with ``reuse``, read without copying a shared store."""
        if not reuse or not self.shared or self.copy is not None:
            yield from ((s, p, o) for s, p, o, _ in self.current.quads(name))
            return
        removed = {quad for quad in self.changes.removed if quad[3] == name}
        yield from ((s, p, o) for s, p, o, g in self.base.quads(name) if (s, p, o, g) not in removed)
        yield from ((s, p, o) for s, p, o, g in self.changes.added if g == name)

    def undo(self) -> None:
        """Take the changes back out of a store that is not shared (blank nodes keep their labels)."""
        if not self.shared:
            self.base.change_quads(list(self.changes.added), [])
            self.base.change_quads([], list(self.changes.removed))
        self.changes = QuadChanges()
        self.copy = None

    def _change(self, removed: list[Quad], added: list[Quad]) -> None:
        target = self.copy if self.copy is not None else None if self.shared else self.base
        if target is not None:
            target.change_quads(removed, added)
        self.changes.record(removed, added)


# ---------------------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------------------


def _solutions(space: Workspace, op: CompValue, query: str, base_iri: str | None) -> Sequence[Solution]:
    """The WHERE's solutions over the store as it is before the operation, by the store's own engine."""
    store = space.current
    where = WHERE_DATASETS[type(store)](op, query)
    if base_iri is not None:
        query = f"BASE <{base_iri}>\n{query}"
    try:
        result = store.query(query, default_graphs=where.default_graphs, named_graphs=where.named_graphs)
    except QuerySyntaxError as error:
        raise NotCompilable(f"the store cannot read the WHERE as a query ({error}): the update decides") from error
    return result.rows


def _insert_data(space: Workspace, op: CompValue, where: Iterator[str], base_iri: str | None) -> None:
    data = templates(op, DATASET_DEFAULT_GRAPH_ID)
    space.apply([], instantiate(data, {}, space.changes))


def _delete_data(space: Workspace, op: CompValue, where: Iterator[str], base_iri: str | None) -> None:
    space.apply(instantiate(templates(op, DATASET_DEFAULT_GRAPH_ID), {}, None), [])


def _delete_where(space: Workspace, op: CompValue, where: Iterator[str], base_iri: str | None) -> None:
    template = templates(op, DATASET_DEFAULT_GRAPH_ID)
    solutions = _solutions(space, op, next(where), base_iri)
    space.apply([quad for solution in solutions for quad in instantiate(template, solution, None)], [])


def _modify(space: Workspace, op: CompValue, where: Iterator[str], base_iri: str | None) -> None:
    graph = op.withClause or DATASET_DEFAULT_GRAPH_ID
    deleted, inserted = templates(op.delete, graph), templates(op.insert, graph)
    solutions = _solutions(space, op, next(where), base_iri)
    removed = [quad for solution in solutions for quad in instantiate(deleted, solution, None)]
    added = [quad for solution in solutions for quad in instantiate(inserted, solution, space.changes)]
    space.apply(removed, added)


Operation: TypeAlias = Callable[[Workspace, CompValue, Iterator[str], str | None], None]

OPERATIONS: dict[str, Operation] = {
    "InsertData": _insert_data,
    "DeleteData": _delete_data,
    "DeleteWhere": _delete_where,
    "Modify": _modify,
}
"""The operations compiled, by rdflib algebra name; the others raise ``NotCompilable``."""


def compile_update(store: Store, text: str, base_iri: str | None = None, *, shared: bool = False) -> Workspace:
    """Run an update as explicit quad changes on ``store`` (left unchanged if ``shared``); the workspace says what.

    ``text`` has the protocol dataset written in already (``with_protocol_dataset``). Raises
    ``NotCompilable`` before changing anything if an operation is not compiled here.
    """
    if type(store) not in WHERE_DATASETS:
        raise NotCompilable(f"{type(store).__name__} is not compiled for (no WHERE dataset, no cheap quad lookups)")
    try:
        operations = list(translateUpdate(parseUpdate(text), base=base_iri).algebra)
    except Exception as error:  # rdflib's parser raises pyparsing errors and plain Exceptions
        raise NotCompilable(f"rdflib cannot read the update ({type(error).__name__}): Oxigraph decides") from error
    unknown = sorted({op.name for op in operations} - OPERATIONS.keys())
    if unknown:
        raise NotCompilable(f"operations not compiled: {', '.join(unknown)}")
    queries = where_clauses(text)
    if len(queries) != sum(op.name in {"Modify", "DeleteWhere"} for op in operations):
        raise NotCompilable("the WHERE clauses of the text do not line up with the operations")
    default = [DATASET_DEFAULT_GRAPH_ID] if next(iter(store.quads(DATASET_DEFAULT_GRAPH_ID)), None) else []
    space = Workspace(store, shared, existed=frozenset([*store.named_graphs(), *default]))
    where = iter(queries)
    try:
        for op in operations:
            OPERATIONS[op.name](space, op, where, base_iri)
        if not store.cheap_scratch_copy and not space.changes.named_graph_data_only():
            raise NotCompilable("a remote store commits compiled changes only as named-graph data without blank nodes")
    except BaseException:
        space.undo()
        raise
    return space
