"""One store interface over several backends: rdflib in memory, and Oxigraph in memory or on disk.

A store location is a URL-like string, looked up in ``BACKENDS`` by its scheme:

- ``memory:``           rdflib ``Dataset`` in memory (tests, small scripts)
- ``oxigraph:``         Oxigraph in memory
- ``oxigraph:PATH``     Oxigraph persisted in the folder PATH (the default for the server)

The library speaks rdflib terms; each backend converts at its edge. Queries see the union of all named
graphs as their default graph unless default graphs are given (SPARQL 1.1 Protocol's dataset parameters).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

Quad = tuple[Node, Node, Node, URIRef]


class StoreError(Exception):
    """A store could not be opened, read or written; the message names the problem."""


class QuerySyntaxError(StoreError):
    """A SPARQL query or update does not parse."""


@dataclass
class QueryResult:
    """The outcome of a SPARQL query in rdflib terms: rows for SELECT, a boolean for ASK, a graph otherwise."""

    kind: TypingLiteral["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Node]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None


class Store(abc.ABC):
    """A quad store the rest of StanceKB reads and writes through."""

    location: str

    @abc.abstractmethod
    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads in one transaction: all of them or none."""

    @abc.abstractmethod
    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace the content of each named graph with the given graph, in one transaction."""

    @abc.abstractmethod
    def remove_graph(self, graph_iri: URIRef) -> None:
        """Remove a named graph and its content."""

    @abc.abstractmethod
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        default_graphs: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query; ``bindings`` pre-bind variables by name (values never enter the text)."""

    @abc.abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update in one transaction."""

    @abc.abstractmethod
    def named_graphs(self) -> list[URIRef]:
        """The IRIs of the named graphs, sorted."""

    @abc.abstractmethod
    def quads(self, graph_iri: URIRef | None = None) -> Iterator[Quad]:
        """All quads, or those of one named graph."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """The number of quads."""

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing open
        """Release what the backend holds open."""

    def to_dataset(self, graph_iri: URIRef | None = None) -> Dataset:
        """A copy of the store's content (or of one graph) as an rdflib Dataset."""
        dataset = Dataset()
        dataset.addN(self.quads(graph_iri))
        return dataset


# ---------------------------------------------------------------------------------------------------------
# rdflib in memory
# ---------------------------------------------------------------------------------------------------------


class RdflibStore(Store):
    """rdflib's in-memory Dataset."""

    def __init__(self, location: str = "memory:") -> None:
        self.location = location
        self._dataset = Dataset(default_union=True)

    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads; rdflib's memory store cannot fail half-way through a list it already holds."""
        self._dataset.addN(list(quads))

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace each graph's content."""
        for iri, graph in graphs.items():
            self._dataset.remove_graph(iri)
            target = self._dataset.graph(iri)
            for triple in graph:
                target.add(triple)

    def remove_graph(self, graph_iri: URIRef) -> None:
        """Remove a named graph."""
        self._dataset.remove_graph(graph_iri)

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        default_graphs: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        """Evaluate with rdflib's engine over the dataset (or over the given default graphs)."""
        target: Graph | Dataset = self._dataset
        if default_graphs is not None:
            target = Graph()
            for iri in default_graphs:
                for triple in self._dataset.graph(iri):
                    target.add(triple)
        try:
            result = target.query(sparql, initBindings=dict(bindings or {}))
        except Exception as error:  # rdflib raises pyparsing's ParseException and others
            if type(error).__name__ in {"ParseException", "ParseSyntaxException"}:
                raise QuerySyntaxError(str(error)) from error
            raise
        if result.type == "ASK":
            return QueryResult(kind="ask", boolean=bool(result.askAnswer))
        if result.type in {"CONSTRUCT", "DESCRIBE"}:
            graph = Graph()
            for triple in result:
                graph.add(triple)  # type: ignore[arg-type]
            return QueryResult(kind="graph", graph=graph)
        variables = [str(v) for v in result.vars or []]
        rows = [
            {name: value for name, value in zip(variables, row, strict=True) if value is not None}  # type: ignore[arg-type]
            for row in result
        ]
        return QueryResult(kind="select", variables=variables, rows=rows)

    def update(self, sparql: str) -> None:
        """Apply an update."""
        try:
            self._dataset.update(sparql)
        except Exception as error:
            if type(error).__name__ in {"ParseException", "ParseSyntaxException"}:
                raise QuerySyntaxError(str(error)) from error
            raise

    def named_graphs(self) -> list[URIRef]:
        """Named graphs with at least one triple."""
        return sorted(
            g.identifier
            for g in self._dataset.graphs()
            if isinstance(g.identifier, URIRef) and g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)
        )

    def quads(self, graph_iri: URIRef | None = None) -> Iterator[Quad]:
        """Quads of every named graph, or of one."""
        for s, p, o, g in self._dataset.quads((None, None, None, graph_iri)):
            yield s, p, o, g if isinstance(g, URIRef) else DATASET_DEFAULT_GRAPH_ID  # type: ignore[misc]

    def __len__(self) -> int:
        """Count quads."""
        return sum(1 for _ in self._dataset.quads((None, None, None, None)))


# ---------------------------------------------------------------------------------------------------------
# Oxigraph, in memory or on disk
# ---------------------------------------------------------------------------------------------------------


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"cannot store the term {term!r}: it is not an IRI, a blank node or a literal")


def from_ox(term: object) -> Node:
    """Convert a pyoxigraph term to an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, ox.DefaultGraph):
        return DATASET_DEFAULT_GRAPH_ID
    raise StoreError(f"unexpected term from Oxigraph: {term!r}")


def _graph_name(graph_iri: URIRef) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph_iri == DATASET_DEFAULT_GRAPH_ID else ox.NamedNode(str(graph_iri))


class OxigraphStore(Store):
    """Oxigraph through pyoxigraph: in memory (``oxigraph:``) or in a folder (``oxigraph:PATH``)."""

    def __init__(self, location: str = "oxigraph:") -> None:
        self.location = location
        path = location.removeprefix("oxigraph:")
        try:
            if path:
                Path(path).mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(path)
            else:
                self._store = ox.Store()
        except OSError as error:
            raise StoreError(f"cannot open the Oxigraph store at {path!r}: {error}") from error

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store, for code that serialises results natively (the SPARQL endpoint)."""
        return self._store

    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads in one Oxigraph transaction."""
        converted = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), _graph_name(g)) for s, p, o, g in quads]  # type: ignore[arg-type]
        self._store.extend(converted)

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace graphs with one SPARQL update, so that the whole replacement is one transaction."""
        self._transaction(
            [f"DROP SILENT GRAPH <{iri}>" for iri in graphs],
            [(s, p, o, iri) for iri, graph in graphs.items() for s, p, o in graph],
        )

    def _transaction(self, drops: list[str], inserts: list[Quad]) -> None:
        """Run drops and an INSERT DATA of the quads as one update request (one transaction in Oxigraph)."""
        parts = list(drops)
        if inserts:
            body = "\n".join(
                f"GRAPH {to_ox(g)} {{ {to_ox(s)} {to_ox(p)} {to_ox(o)} }}"  # type: ignore[arg-type]
                for s, p, o, g in inserts
            )
            parts.append(f"INSERT DATA {{ {body} }}")
        if parts:
            self._store.update(" ;\n".join(parts))

    def remove_graph(self, graph_iri: URIRef) -> None:
        """Remove a named graph."""
        self._store.update(f"DROP SILENT GRAPH <{graph_iri}>")

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        default_graphs: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        """Evaluate with Oxigraph; the default graph is the union of the named graphs unless given."""
        kwargs: dict[str, object] = {}
        if default_graphs is not None:
            kwargs["default_graph"] = [_graph_name(iri) for iri in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(str(iri)) for iri in named_graphs]
        if bindings:
            kwargs["substitutions"] = {ox.Variable(name): to_ox(value) for name, value in bindings.items()}
        try:
            result = self._store.query(sparql, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from error
        if isinstance(result, ox.QueryBoolean):
            return QueryResult(kind="ask", boolean=bool(result))
        if isinstance(result, ox.QueryTriples):
            graph = Graph()
            for triple in result:
                graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
            return QueryResult(kind="graph", graph=graph)
        variables = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row = {}
            for name in variables:
                value = solution[name]
                if value is not None:
                    row[name] = from_ox(value)
            rows.append(row)
        return QueryResult(kind="select", variables=variables, rows=rows)

    def update(self, sparql: str) -> None:
        """Apply an update in one transaction."""
        try:
            self._store.update(sparql)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from error

    def named_graphs(self) -> list[URIRef]:
        """Named graphs, sorted."""
        return sorted(URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graph_iri: URIRef | None = None) -> Iterator[Quad]:
        """Quads of every graph, or of one."""
        graph = None if graph_iri is None else _graph_name(graph_iri)
        for quad in self._store.quads_for_pattern(None, None, None, graph):
            yield (
                from_ox(quad.subject),
                from_ox(quad.predicate),
                from_ox(quad.object),
                from_ox(quad.graph_name),  # type: ignore[misc]
            )

    def __len__(self) -> int:
        """Count quads."""
        return len(self._store)

    def close(self) -> None:
        """Flush writes to disk."""
        if self.location != "oxigraph:":
            self._store.flush()


BACKENDS: dict[str, Callable[[str], Store]] = {
    "memory": RdflibStore,
    "oxigraph": OxigraphStore,
}


def open_store(location: str = "oxigraph:") -> Store:
    """Open the store a location names, by its scheme (see ``BACKENDS``)."""
    scheme, _, _ = location.partition(":")
    try:
        backend = BACKENDS[scheme]
    except KeyError:
        known = ", ".join(f"{name}:" for name in BACKENDS)
        raise StoreError(f"unknown store location {location!r}: it must start with one of {known}") from None
    return backend(location)
