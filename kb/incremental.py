"""Incremental SHACL validation: validate what a write touches, with the rest of the KB as context.

The shapes are read once to find what each shape reads from its focus node (``ShapeReads``): the
predicates it follows, in which direction, and how far (property paths, ``sh:class`` checks on values,
nested shapes, property pairs, and the triple patterns of SPARQL targets and constraints). A write is a set
of triples added to and removed from the union of the graphs (``Delta``). The focus nodes to validate
are the subjects and objects of those triples and every node that reads one of them through a chain of
the shapes (found by walking each chain back from the changed triple, ``affected_nodes``). Their
neighbourhood, as far as the shapes read it, is pulled from the would-be store (``context_graph``) and
validated by the shapes compiled to SPARQL (``stancekb.shacl_sparql.validate_graph``); only results on the
affected focus nodes are kept. Nodes outside that set read nothing that changed, so their results are those
of the store before the write.

This gives the verdict of validating the whole would-be KB provided that the store conformed before the
write (every write through the gate keeps it so). Shapes with features whose reach cannot be bounded
(``sh:zeroOrMorePath``, SPARQL with variable predicates, ...), writes that change ``rdfs:subClassOf``, and
stores without pattern access raise ``Unbounded``: callers then validate the whole store.

The store is read in batches (``TripleSource.triples_many``, ``Store.match_many``): one batch per level of
the walk back from the changed triples and per level of the context's chains, and one for the delta, so that
over a remote store a write costs a few requests, not one per node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Protocol, TypeAlias

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import BNode, Node

from stancekb.resources import ontology_graph, shapes_graph
from stancekb.shacl_sparql import validate_graph
from stancekb.store import Pattern, Quad, Store, fewer_than
from stancekb.validate import SH, ValidationReport

Triple: TypeAlias = tuple[Node, Node, Node]
Step: TypeAlias = tuple[URIRef, bool]
"""One hop a shape takes: a predicate, and whether it is followed backwards (``sh:inversePath``)."""
Chain: TypeAlias = tuple[Step, ...]

ANY = URIRef("urn:x-stancekb:any-predicate")
"""Stands for every predicate in a read: the focus node's own triples are all read (targets, paths)."""

INCOMING_SAMPLE = 256
"""Incoming triples read at once when walking a chain back; a node with more is looked up predicate by predicate."""

_KNOWN_PARAMETERS = (
    "datatype", "nodeKind", "minCount", "maxCount", "minLength", "maxLength", "pattern", "flags", "languageIn",
    "uniqueLang", "in", "hasValue", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "name",
    "description", "message", "severity", "deactivated", "order", "group", "path", "targetClass", "targetNode",
    "targetSubjectsOf", "targetObjectsOf", "target", "property", "node", "or", "and", "xone", "not", "class",
    "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "sparql", "declare", "prefixes",
    "defaultValue", "disjoint", "equals", "lessThan", "lessThanOrEquals", "select",
)  # fmt: skip
SHAPE_PREDICATES_WITHOUT_READS = frozenset(SH[name] for name in _KNOWN_PARAMETERS)
"""SHACL parameters whose reads ``_constraint_reads`` knows (or that read nothing beyond the values)."""

PROPERTY_PAIRS = (SH.disjoint, SH.equals, SH.lessThan, SH.lessThanOrEquals)
NESTED_LISTS = (SH["or"], SH["and"], SH.xone)
NESTED_SHAPES = (SH.node, SH["not"], SH.qualifiedValueShape, SH.property)
ONTOLOGY_PREDICATES = frozenset({RDFS.subClassOf})
"""Predicates the gate reads from the ontology: a write that changes one makes every class check change."""


class Unbounded(Exception):
    """What a shape or a write reaches cannot be bounded: validate the whole store instead."""


class TripleSource(Protocol):
    """Read access to a (would-be) store's union graph by triple pattern."""

    def triples(self, subject: Node | None, predicate: Node | None, obj: Node | None) -> Iterator[Triple]:
        """The triples matching a pattern (``None`` matches anything)."""
        ...

    def triples_many(self, patterns: Iterable[Pattern]) -> dict[Pattern, list[Triple]]:
        """The triples each pattern matches, in one batch (by default: ``triples`` pattern by pattern)."""
        return {pattern: list(self.triples(*pattern)) for pattern in dict.fromkeys(patterns)}

    def incoming_many(self, nodes: Iterable[Node], at_most: int) -> dict[Node, list[Triple] | None]:
        """Each node's incoming triples, in one batch, or ``None`` for a node whose store holds ``at_most`` or more."""
        return {node: fewer_than(at_most, self.triples(None, None, node)) for node in dict.fromkeys(nodes)}


# ---------------------------------------------------------------------------------------------------------
# What the shapes read
# ---------------------------------------------------------------------------------------------------------


@dataclass
class ReadTrie:
    """The reads at the end of one chain from a focus node, and the chains that go further."""

    forward: set[URIRef] = field(default_factory=set)
    inverse: set[URIRef] = field(default_factory=set)
    children: dict[Step, ReadTrie] = field(default_factory=dict)

    def at(self, chain: Chain) -> ReadTrie:
        """The trie node at the end of a chain, created as needed."""
        node = self
        for step in chain:
            node = node.children.setdefault(step, ReadTrie())
        return node


@dataclass(frozen=True)
class ShapeReads:
    """Every (chain, predicate, direction) the shapes read from a focus node, indexed both ways."""

    reads: frozenset[tuple[Chain, URIRef, bool]]

    @cached_property
    def trie(self) -> ReadTrie:
        """The reads as a trie of chains, for walking forward from focus nodes."""
        root = ReadTrie()
        root.forward.add(ANY)
        for chain, predicate, inverse in self.reads:
            node = root.at(chain)
            (node.inverse if inverse else node.forward).add(predicate)
        return root

    @cached_property
    def _by_predicate(self) -> dict[URIRef, list[tuple[Chain, bool]]]:
        index: dict[URIRef, list[tuple[Chain, bool]]] = {}
        for chain, predicate, inverse in self.reads:
            if chain:
                index.setdefault(predicate, []).append((chain, inverse))
        return index

    def chains_reading(self, predicate: Node) -> list[tuple[Chain, bool]]:
        """The chains at whose end a triple with this predicate is read (subject end, or object end if inverse)."""
        return [*self._by_predicate.get(predicate, ()), *self._by_predicate.get(ANY, ())]  # type: ignore[call-overload]


def _list(shapes: Graph, node: Node) -> list[Node]:
    return list(Collection(shapes, node))  # type: ignore[arg-type]


def _path_chains(shapes: Graph, path: Node) -> list[Chain]:
    """The sequences of steps a SHACL property path can take (https://www.w3.org/TR/shacl/#property-paths)."""
    if isinstance(path, URIRef):
        return [((path, False),)]
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return [((inverse, True),)]
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return [chain for member in _list(shapes, alternatives) for chain in _path_chains(shapes, member)]
    if shapes.value(path, RDF.first) is not None:
        chains: list[Chain] = [()]
        for member in _list(shapes, path):
            chains = [prefix + chain for prefix in chains for chain in _path_chains(shapes, member)]
        return chains
    raise Unbounded(f"the property path {path.n3()} has no bounded length")


def _sparql_prefixes(shapes: Graph) -> dict[str, str]:
    """Every prefix the shapes declare with ``sh:declare``."""
    return {
        str(shapes.value(declared, SH.prefix)): str(shapes.value(declared, SH.namespace))
        for declared in shapes.objects(None, SH.declare)
    }


def _patterns(algebra: object) -> Iterator[tuple[Node, Node, Node]]:
    """The triple patterns of a SPARQL algebra expression, wherever they are (groups, filters, sub-queries)."""
    if isinstance(algebra, CompValue):
        if algebra.name == "BGP":
            yield from algebra["triples"]
        for value in algebra.values():
            yield from _patterns(value)
    elif isinstance(algebra, list | tuple):
        for value in algebra:
            yield from _patterns(value)


def _sparql_reads(text: str, prefixes: Mapping[str, str], chain: Chain) -> set[tuple[Chain, URIRef, bool]]:
    """What a SPARQL target or constraint reads from ``$this``: its patterns, reached from ``$this`` hop by hop."""
    pending = list(_patterns(prepareQuery(text, initNs=prefixes).algebra))
    reached: dict[Node, Chain] = {Variable("this"): chain}
    reads: set[tuple[Chain, URIRef, bool]] = set()
    while pending:
        progress = False
        for pattern in list(pending):
            subject, predicate, obj = pattern
            if not isinstance(predicate, URIRef):
                raise Unbounded(f"a SPARQL pattern with predicate {predicate} reads any predicate")
            for near, far, inverse in ((subject, obj, False), (obj, subject, True)):
                if near in reached:
                    reads.add((reached[near], predicate, inverse))
                    if isinstance(far, Variable):
                        reached.setdefault(far, (*reached[near], (predicate, inverse)))
                    pending.remove(pattern)
                    progress = True
                    break
        if not progress:
            raise Unbounded(f"SPARQL patterns not connected to $this: {pending}")
    return reads


@dataclass
class _ShapeWalker:
    """Collects the reads of shapes, following nested shapes from the chain they are applied at."""

    shapes: Graph
    prefixes: dict[str, str]
    reads: set[tuple[Chain, URIRef, bool]] = field(default_factory=set)
    seen: set[tuple[Node, Chain]] = field(default_factory=set)

    def targets(self, shape: Node) -> None:
        """What finding the shape's focus nodes reads."""
        for _ in self.shapes.objects(shape, SH.targetClass):
            self.reads.add(((), RDF.type, False))
        for predicate in self.shapes.objects(shape, SH.targetObjectsOf):
            self.reads.add(((), predicate, True))  # type: ignore[arg-type]
        for target in self.shapes.objects(shape, SH.target):
            select = self.shapes.value(target, SH.select)
            if select is None:
                raise Unbounded(f"the target {target.n3()} is not a SPARQL target")
            self.reads |= _sparql_reads(str(select), self.prefixes, ())

    def constraints(self, shape: Node, chain: Chain) -> None:
        """What validating a focus node at the end of ``chain`` against the shape reads."""
        if (shape, chain) in self.seen:
            return
        self.seen.add((shape, chain))
        unknown = {p for p in self.shapes.predicates(shape) if str(p).startswith(str(SH))}
        unknown -= SHAPE_PREDICATES_WITHOUT_READS
        if unknown:
            raise Unbounded(f"shape {shape.n3()} uses {', '.join(sorted(map(str, unknown)))}")
        path = self.shapes.value(shape, SH.path)
        values = [chain]
        if path is not None:
            values = []
            for steps in _path_chains(self.shapes, path):
                for index, (predicate, inverse) in enumerate(steps):
                    self.reads.add(((*chain, *steps[:index]), predicate, inverse))
                values.append((*chain, *steps))
        for pair in PROPERTY_PAIRS:
            for other in self.shapes.objects(shape, pair):
                self.reads.add((chain, other, False))  # type: ignore[arg-type]
        for constraint in self.shapes.objects(shape, SH.sparql):
            self.reads |= _sparql_reads(str(self.shapes.value(constraint, SH.select)), self.prefixes, chain)
        nested = [n for p in NESTED_SHAPES for n in self.shapes.objects(shape, p)]
        nested += [
            n for p in NESTED_LISTS for members in self.shapes.objects(shape, p) for n in _list(self.shapes, members)
        ]
        for value_chain in values:
            if self.shapes.value(shape, SH["class"]) is not None:
                self.reads.add((value_chain, RDF.type, False))
            for inner in nested:
                self.constraints(inner, value_chain)


@lru_cache(maxsize=8)
def shape_reads(shapes: Graph) -> ShapeReads:
    """What the shapes read from a focus node; raises ``Unbounded`` if a shape's reach has no bound."""
    walker = _ShapeWalker(shapes, _sparql_prefixes(shapes))
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
    targeted = {shape for target in targets for shape in shapes.subjects(target, None)}
    # A shape that is also a class targets its instances (https://www.w3.org/TR/shacl/#implicit-targetClass).
    implicit = {shape for cls in (RDFS.Class, OWL.Class) for shape in shapes.subjects(RDF.type, cls)}
    implicit &= {shape for kind in (SH.NodeShape, SH.PropertyShape) for shape in shapes.subjects(RDF.type, kind)}
    if implicit:
        walker.reads.add(((), RDF.type, False))
    for shape in targeted | implicit:
        walker.targets(shape)
        walker.constraints(shape, ())
    return ShapeReads(frozenset(walker.reads))


# ---------------------------------------------------------------------------------------------------------
# The would-be store, and what a write changes
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreTriples(TripleSource):
    """A store's union graph as a ``TripleSource``."""

    store: Store

    def triples(self, subject: Node | None, predicate: Node | None, obj: Node | None) -> Iterator[Triple]:
        """Matching triples of any graph (a triple in several graphs comes once per graph)."""
        for s, p, o, _ in self.store.match(subject, predicate, obj):
            yield s, p, o

    def triples_many(self, patterns: Iterable[Pattern]) -> dict[Pattern, list[Triple]]:
        """Matching triples of any graph, for each pattern: one ``Store.match_many``."""
        return {
            pattern: [(s, p, o) for s, p, o, _ in quads] for pattern, quads in self.store.match_many(patterns).items()
        }

    def incoming_many(self, nodes: Iterable[Node], at_most: int) -> dict[Node, list[Triple] | None]:
        """Each node's incoming triples, or ``None`` past ``at_most``: one ``Store.match_incoming``."""
        return {
            node: None if quads is None else [(s, p, o) for s, p, o, _ in quads]
            for node, quads in self.store.match_incoming(nodes, at_most).items()
        }


def _graph_triples(graph: Graph, pattern: Pattern) -> Iterator[Triple]:
    return graph.triples(pattern)  # type: ignore[arg-type,return-value]


@dataclass(frozen=True)
class WithOntology(TripleSource):
    """A would-be store together with the ontology, as the gate's data graph merges them (``validate_graph``)."""

    source: TripleSource
    ontology: Graph

    def triples(self, subject: Node | None, predicate: Node | None, obj: Node | None) -> Iterator[Triple]:
        """Matching triples of the store, then of the ontology."""
        yield from self.source.triples(subject, predicate, obj)
        yield from _graph_triples(self.ontology, (subject, predicate, obj))

    def triples_many(self, patterns: Iterable[Pattern]) -> dict[Pattern, list[Triple]]:
        """The store's batch, each pattern's list followed by the ontology's triples."""
        found = self.source.triples_many(patterns)
        for pattern, triples in found.items():
            triples.extend(_graph_triples(self.ontology, pattern))
        return found

    def incoming_many(self, nodes: Iterable[Node], at_most: int) -> dict[Node, list[Triple] | None]:
        """The store's batch, each node's list followed by the ontology's triples."""
        found = self.source.incoming_many(nodes, at_most)
        for node, triples in found.items():
            if triples is not None:
                triples.extend(_graph_triples(self.ontology, (None, None, node)))
        return found


@dataclass(frozen=True)
class PendingWrite(TripleSource):
    """A store as it will be once a write is committed: its triples less those removed, plus those added."""

    store: Store
    added: Graph
    removed: frozenset[Triple]

    def triples(self, subject: Node | None, predicate: Node | None, obj: Node | None) -> Iterator[Triple]:
        """Matching triples of the would-be union graph."""
        pattern = (subject, predicate, obj)
        return iter(self._would_be(pattern, self.store.match(*pattern)))

    def triples_many(self, patterns: Iterable[Pattern]) -> dict[Pattern, list[Triple]]:
        """Matching triples of the would-be union graph, the store read in one ``Store.match_many``."""
        return {pattern: self._would_be(pattern, quads) for pattern, quads in self.store.match_many(patterns).items()}

    def incoming_many(self, nodes: Iterable[Node], at_most: int) -> dict[Node, list[Triple] | None]:
        """Each node's incoming triples in the would-be store, or ``None`` where the store holds ``at_most`` or more."""
        return {
            node: None if quads is None else self._would_be((None, None, node), quads)
            for node, quads in self.store.match_incoming(nodes, at_most).items()
        }

    def _would_be(self, pattern: Pattern, stored: Iterable[Quad]) -> list[Triple]:
        """The store's matches less those removed, plus the added triples that match."""
        kept = [(s, p, o) for s, p, o, _ in stored if (s, p, o) not in self.removed]
        return [*kept, *_graph_triples(self.added, pattern)]


@dataclass(frozen=True)
class Delta:
    """What a write changes in the union of the graphs: triples that appear, triples that disappear."""

    added: frozenset[Triple]
    removed: frozenset[Triple]

    @classmethod
    def of_quads(
        cls, store: Store, before: Iterable[Quad], after: Iterable[Quad], graphs: frozenset[URIRef] | None
    ) -> Delta:
        """What a write did to the union graph, from the quads of the graphs it touched before and after it.

        ``store`` holds the result; ``graphs`` are the graphs whose quads are given (``None``: all of them). A
        triple that another graph also holds is no change to the union.
        """
        old, new = {(s, p, o) for s, p, o, _ in before}, {(s, p, o) for s, p, o, _ in after}
        if graphs is None:
            return cls(frozenset(new - old), frozenset(old - new))
        held = store.match_many((new - old) | (old - new))
        added = {t for t in new - old if all(g in graphs for *_, g in held[t])}
        removed = {t for t in old - new if not held[t]}
        return cls(frozenset(added), frozenset(removed))

    @classmethod
    def of_changes(cls, store: Store, removed: Iterable[Quad], added: Iterable[Quad], *, applied: bool) -> Delta:
        """What removing and adding explicit quads does to the union graph (a SPARQL update, compiled).

        ``store`` holds the result if ``applied``, else the state before. A triple counts as added only if no
        graph held it before, as removed only if no graph holds it after; graphs are read through the store's
        own matching (Oxigraph finds its canonical ``xsd:integer`` for an ``xsd:nonNegativeInteger``).
        """
        gone: dict[Triple, set[Node]] = {}
        new: dict[Triple, set[Node]] = {}
        for quads, into in ((removed, gone), (added, new)):
            for s, p, o, g in quads:
                into.setdefault((s, p, o), set()).add(g)

        stored = store.match_many([*new, *gone])

        def holding(triple: Triple, later: bool) -> set[Node]:
            held: set[Node] = {g for *_, g in stored[triple]}
            if applied == later:
                return held
            if applied:  # the state before, from the store after
                return (held - new.get(triple, set())) | gone.get(triple, set())
            return (held - gone.get(triple, set())) | new.get(triple, set())

        return cls(
            frozenset(t for t in new if not holding(t, later=False)),
            frozenset(t for t in gone if not holding(t, later=True)),
        )


def graph_write_delta(store: Store, graphs: Mapping[URIRef, Graph], replace: bool) -> Delta:
    """What writing ``graphs`` (replacing each named graph, or adding to it) changes in the store's union graph."""
    new = {triple for graph in graphs.values() for triple in graph}
    old: set[Triple] = set()
    if replace:
        for name in graphs:
            old.update((s, p, o) for s, p, o, _ in store.quads(name))
    held = store.match_many(new ^ old)

    def present_elsewhere(triple: Triple) -> bool:
        """Whether the union keeps the triple through a graph this write leaves alone.

        Matching is the store's: Oxigraph matches ``"1"^^xsd:nonNegativeInteger`` to the ``"1"^^xsd:integer``
        it stored, so a triple of a replaced graph found only in that graph is an addition all the same.
        """
        return any(not (replace and g in graphs) for *_, g in held[triple])

    added = {triple for triple in new - old if not present_elsewhere(triple)}
    removed = {triple for triple in old - new if not present_elsewhere(triple)}
    return Delta(frozenset(added), frozenset(removed))


# ---------------------------------------------------------------------------------------------------------
# Focus nodes and their context
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Neighbourhoods:
    """A ``TripleSource`` read node by node, in batches (``read``), each node's triples fetched once."""

    source: TripleSource
    _outgoing: dict[Node, list[Triple]] = field(default_factory=dict)
    _incoming: dict[tuple[Node, URIRef], list[Triple]] = field(default_factory=dict)
    _sampled: dict[Node, list[Triple] | None] = field(default_factory=dict)
    """Nodes whose incoming triples were all read (``None``: they have too many, ``INCOMING_SAMPLE`` or more)."""

    def read(self, outgoing: Iterable[Node] = (), incoming: Iterable[tuple[Node, URIRef]] = ()) -> None:
        """Fetch, in one batch, the triples of these subjects and of these (object, predicate) pairs not read yet."""
        subjects = [node for node in dict.fromkeys(outgoing) if node not in self._outgoing]
        pairs = [pair for pair in dict.fromkeys(incoming) if pair not in self._incoming]
        if not subjects and not pairs:
            return
        found = self.source.triples_many(
            [*((node, None, None) for node in subjects), *((None, predicate, node) for node, predicate in pairs)]
        )
        for node in subjects:
            self._outgoing[node] = found[node, None, None]
        for node, predicate in pairs:
            self._incoming[node, predicate] = found[None, predicate, node]

    def outgoing(self, node: Node) -> list[Triple]:
        """The triples whose subject is the node."""
        if node not in self._outgoing:
            self.read(outgoing=[node])
        return self._outgoing[node]

    def incoming(self, node: Node, predicate: URIRef) -> list[Triple]:
        """The triples with this predicate whose object is the node."""
        known = self._sampled.get(node)
        if known is not None:
            return [triple for triple in known if triple[1] == predicate]
        if (node, predicate) not in self._incoming:
            self.read(incoming=[(node, predicate)])
        return self._incoming[node, predicate]

    def read_steps_back(self, steps: Iterable[tuple[Node, Step]]) -> None:
        """Fetch what ``step_back`` reads for each (node, step): two batches.

        Many chains may be walked back through one node, so its incoming triples are read whole (one batch for
        all such nodes), unless it has ``INCOMING_SAMPLE`` or more: those are read predicate by predicate.
        """
        steps = list(steps)
        backward = {node for node, (_, inverse) in steps if not inverse and node not in self._sampled}
        if backward:
            self._sampled.update(self.source.incoming_many(backward, INCOMING_SAMPLE))
        self.read(
            outgoing=[node for node, (_, inverse) in steps if inverse],
            incoming=[
                (node, predicate)
                for node, (predicate, inverse) in steps
                if not inverse and self._sampled.get(node) is None
            ],
        )

    def step_back(self, node: Node, step: Step) -> list[Node]:
        """The nodes from which ``step`` leads to this node."""
        predicate, inverse = step
        if inverse:
            return [o for _, p, o in self.outgoing(node) if p == predicate and not isinstance(o, Literal)]
        return [s for s, _, _ in self.incoming(node, predicate)]


def affected_nodes(source: TripleSource, reads: ShapeReads, delta: Delta) -> set[Node]:
    """The focus nodes whose validation can differ after the write: each reads a changed triple.

    Every chain is walked back from the changed triples a step at a time, all chains together, one batch a step.
    """
    if {p for _, p, _ in delta.added | delta.removed} & ONTOLOGY_PREDICATES:
        raise Unbounded("the write changes the class hierarchy (rdfs:subClassOf), which every class check reads")
    affected: set[Node] = set()
    starts: dict[Chain, set[Node]] = {}
    for subject, predicate, obj in delta.added | delta.removed:
        affected.add(subject)
        if not isinstance(obj, Literal):
            affected.add(obj)
        for chain, inverse in reads.chains_reading(predicate):
            if not (inverse and isinstance(obj, Literal)):
                starts.setdefault(chain, set()).add(obj if inverse else subject)
    nodes = Neighbourhoods(source)
    walking = list(starts.items())
    while walking:
        nodes.read_steps_back((node, chain[-1]) for chain, found in walking for node in found)
        stepped = [
            (chain[:-1], {previous for node in found for previous in nodes.step_back(node, chain[-1])})
            for chain, found in walking
        ]
        affected.update(node for chain, found in stepped if not chain for node in found)
        walking = [(chain, found) for chain, found in stepped if chain and found]
    return {node for node in affected if not isinstance(node, Literal)}


def context_graph(source: TripleSource, reads: ShapeReads, focus: Iterable[Node]) -> Graph:
    """The triples the shapes read from the focus nodes, following every chain of ``reads`` forward.

    The chains are followed a level at a time, one batch a level: the outgoing triples of every node reached,
    and its incoming triples for the inverse reads.
    """
    graph = Graph()
    nodes = Neighbourhoods(source)
    visited: set[tuple[int, Node]] = set()
    level = [(reads.trie, {node for node in focus if not isinstance(node, Literal)})]
    while level:
        level = [(trie, {node for node in at if (id(trie), node) not in visited}) for trie, at in level]
        visited.update((id(trie), node) for trie, at in level for node in at)
        nodes.read(
            outgoing=[node for _, at in level for node in at],
            incoming=[(node, predicate) for trie, at in level for node in at for predicate in trie.inverse],
        )
        following: list[tuple[ReadTrie, set[Node]]] = []
        for trie, at in level:
            reached: dict[Step, set[Node]] = {step: set() for step in trie.children}
            for node in at:
                for triple in nodes.outgoing(node):
                    if ANY in trie.forward or triple[1] in trie.forward:
                        graph.add(triple)
                    if (triple[1], False) in reached and not isinstance(triple[2], Literal):
                        reached[triple[1], False].add(triple[2])  # type: ignore[index]
                for predicate in trie.inverse:
                    for triple in nodes.incoming(node, predicate):
                        graph.add(triple)
                        if (predicate, True) in reached:
                            reached[predicate, True].add(triple[0])
            following += [(child, reached[step]) for step, child in trie.children.items() if reached[step]]
        level = following
    return graph


def _kept_report(report: ValidationReport, focus: set[Node]) -> ValidationReport:
    """The report restricted to results on the focus nodes, its report graph rebuilt from those results."""
    kept = [violation for violation in report.violations if violation.focus_node in focus]
    graph = Graph(namespace_manager=report.report_graph.namespace_manager)
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(not kept)))
    pending = [
        result
        for result in report.report_graph.objects(None, SH.result)
        if report.report_graph.value(result, SH.focusNode) in focus
    ]
    for result in pending:
        graph.add((node, SH.result, result))
    done: set[Node] = set()
    while pending:
        subject = pending.pop()
        if subject in done:
            continue
        done.add(subject)
        for _, p, o in report.report_graph.triples((subject, None, None)):
            graph.add((subject, p, o))
            if isinstance(o, BNode):
                pending.append(o)
    return ValidationReport(conforms=not kept, violations=kept, report_graph=graph)


def validate_delta(
    source: TripleSource, delta: Delta, shapes: Graph | None = None, ontology: Graph | None = None
) -> ValidationReport:
    """SHACL on the focus nodes a write affects, over their context in the would-be store ``source``.

    Raises ``Unbounded`` when the shapes or the write cannot be validated incrementally.
    """
    reads = shape_reads(shapes if shapes is not None else shapes_graph())
    merged = WithOntology(source, ontology if ontology is not None else ontology_graph())
    focus = affected_nodes(merged, reads, delta)
    context = context_graph(merged, reads, focus)
    # The class hierarchy is read by every class check; the rest of the ontology only where the reads reach it.
    hierarchy = Graph()
    for triple in merged.triples(None, RDFS.subClassOf, None):
        hierarchy.add(triple)
    return _kept_report(validate_graph(context, shapes=shapes, ontology=hierarchy), focus)


def validate_or_full(
    incremental: Callable[[], ValidationReport], full: Callable[[], ValidationReport]
) -> ValidationReport:
    """The incremental validation, or the whole-store one when the shapes, the write or the store do not allow it."""
    try:
        return incremental()
    except (Unbounded, NotImplementedError):
        return full()
