"""One store interface over several backends: rdflib in memory, Oxigraph in memory or on disk, a remote endpoint.

A store location is a URL-like string, looked up in ``BACKENDS`` by its scheme:

- ``memory:``           rdflib ``Dataset`` in memory (tests, small scripts)
- ``oxigraph:``         Oxigraph in memory
- ``oxigraph:PATH``     Oxigraph persisted in the folder PATH (the default for the server)
- ``sparql:URL``        a remote SPARQL 1.1 endpoint (Virtuoso, Fuseki, GraphDB...), options in
  ``stancekb.remote``

The library speaks rdflib terms; each backend converts at its edge. Queries see the union of all named
graphs as their default graph unless default graphs are given (SPARQL 1.1 Protocol's dataset parameters)
or the query has its own ``FROM`` clause.

For the server there is a second path: ``Store.run_query`` evaluates a ``QueryRequest`` and returns the
result already serialised (natively by Oxigraph), with SERVICE refused and a result-size cap; and
``WorkerPool`` runs such jobs in forked worker processes so that a query past its deadline is really
stopped (see the class for why).
"""

from __future__ import annotations

import abc
import asyncio
import io
import itertools
import os
import re
import signal
import stat
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar
from typing import Literal as TypingLiteral

import pyoxigraph as ox
import rdflib.plugins.sparql
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.query import Result
from rdflib.term import Node

from stancekb.namespaces import PREFIXES

Quad = tuple[Node, Node, Node, URIRef]
Pattern = tuple[Node | None, Node | None, Node | None]
"""A triple pattern: subject, predicate, object, ``None`` matching anything."""
QueryKind = TypingLiteral["select", "ask", "graph"]
T = TypeVar("T")
P = ParamSpec("P")


class StoreError(Exception):
    """A store could not be opened, read or written; the message names the problem."""


class QuerySyntaxError(StoreError):
    """A SPARQL query or update does not parse."""


class ForbiddenOperation(StoreError):
    """A query or update uses an operation this store was told to refuse (SERVICE, LOAD)."""


class ResultTooLarge(StoreError):
    """A query result has more rows or triples than allowed."""


class FormatUnavailable(StoreError):
    """The query's kind of result has no format the client accepts; ``kind`` says which kind it was."""

    def __init__(self, kind: QueryKind) -> None:
        super().__init__(kind)
        self.kind: QueryKind = kind


class InvalidIri(StoreError):
    """A string that should be an absolute IRI is not one."""


class QueryTimeout(StoreError):
    """A query or update ran past its deadline and was stopped."""


@dataclass
class QueryResult:
    """The outcome of a SPARQL query in rdflib terms: rows for SELECT, a boolean for ASK, a graph otherwise."""

    kind: QueryKind
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Node]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None


@dataclass(frozen=True)
class QueryRequest:
    """A query to evaluate and serialise: picklable, so that a worker process can run it (``self(store)``).

    ``media_types`` gives, for each kind of result, the media type to serialise it in (``None``: the client
    accepts no format for that kind). ``default_graphs`` and ``named_graphs`` are the protocol's dataset
    (https://www.w3.org/TR/sparql11-protocol/#dataset); ``base_iri`` resolves relative IRIs in the query.
    """

    sparql: str
    media_types: Mapping[str, str | None]
    default_graphs: tuple[URIRef, ...] | None = None
    named_graphs: tuple[URIRef, ...] | None = None
    base_iri: str | None = None
    max_results: int | None = None
    allow_service: bool = False

    def __call__(self, store: Store) -> SerializedResult:
        """Run the request on a store."""
        return store.run_query(self)

    def media_type(self, kind: QueryKind) -> str:
        """The media type for this kind of result, or ``FormatUnavailable``."""
        media_type = self.media_types.get(kind)
        if media_type is None:
            raise FormatUnavailable(kind)
        return media_type


@dataclass(frozen=True)
class SerializedResult:
    """A serialised query result: its kind, media type and bytes."""

    kind: QueryKind
    media_type: str
    body: bytes


# ---------------------------------------------------------------------------------------------------------
# Reading SPARQL text for the keywords it uses
# ---------------------------------------------------------------------------------------------------------

_PN_CHARS = r"[\w\u00B7\u0300-\u036F\u203F\u2040-]"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_TERMINALS = re.compile(
    "|".join(
        (
            r"""'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''""",  # STRING_LITERAL_LONG1
            r'''"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""''',  # STRING_LITERAL_LONG2
            r"""'(?:[^'\\\n\r]|\\.)*'""",  # STRING_LITERAL1
            r'''"(?:[^"\\\n\r]|\\.)*"''',  # STRING_LITERAL2
            r"""<[^<>"{}|^`\\\x00-\x20]*>""",  # IRIREF
            r"#[^\n\r]*",  # comment
            r"[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+",  # VAR1, VAR2
            r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*",  # LANGTAG
            rf"_:[\w](?:(?:{_PN_CHARS}|\.)*{_PN_CHARS})?",  # BLANK_NODE_LABEL
            # PNAME_NS / PNAME_LN: a prefix cannot start with a digit or end with '.', nor can a local name
            rf"(?:[^\W\d_](?:(?:{_PN_CHARS}|\.)*{_PN_CHARS})?)?:"
            rf"(?:(?:[\w:]|{_PLX})(?:(?:{_PN_CHARS}|[.:]|{_PLX})*(?:{_PN_CHARS}|:|{_PLX}))?)?",
        )
    ),
    re.DOTALL,
)
_WORD = re.compile(r"[A-Za-z]+")
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def mask_sparql(text: str) -> str:
    """The text with its strings, IRIs, comments, names and labels blanked out, leaving keywords.

    Blanked are strings, IRIs, comments, variables, prefixed names, language tags and blank node labels, each
    by as many spaces, so that positions still match; keywords, numbers and punctuation remain. The patterns
    are the grammar's terminals (https://www.w3.org/TR/sparql11-query/#sparqlGrammar), none greedier than
    the grammar, so no keyword can hide in what is blanked.
    """
    return _TERMINALS.sub(lambda match: " " * len(match.group()), text)


@lru_cache(maxsize=256)
def sparql_keywords(text: str) -> frozenset[str]:
    r"""The bare words of a query or update, upper-cased: its keywords (``SELECT``, ``FROM``, ``SERVICE``...).

    A conservative check, not a parser: a word found here is a keyword or a syntax error. Codepoint escapes
    (``\u0053ERVICE``, https://www.w3.org/TR/sparql11-query/#codepointEscape) are read both expanded and
    not, so that neither reading can hide a keyword.
    """
    words = {word.upper() for word in _WORD.findall(mask_sparql(text))}
    if "\\u" in text or "\\U" in text:
        expanded = _CODEPOINT_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
        words |= {word.upper() for word in _WORD.findall(mask_sparql(expanded))}
    return frozenset(words)


def refuse_service(sparql: str) -> None:
    """Raise ``ForbiddenOperation`` if a query or update has a SERVICE clause (federated query connects out)."""
    if "SERVICE" in sparql_keywords(sparql):
        raise ForbiddenOperation("SERVICE is not allowed on this server: it would make the server connect out")


def refuse_network(update: str) -> None:
    """Raise ``ForbiddenOperation`` if an update has a SERVICE clause or a LOAD (either would connect out)."""
    refuse_service(update)
    if "LOAD" in sparql_keywords(update):
        raise ForbiddenOperation("LOAD is not allowed on this server: it would make the server connect out")


MAX_NESTING = 200
"""How deep brackets may nest in a query or update. Oxigraph's parser recurses and overflows its stack (the
process dies of a segmentation fault) at about 3,000 nested braces; real queries nest a handful deep."""

_BRACKETS = re.compile(r"[(){}\[\]]")


def refuse_deep_nesting(sparql: str) -> None:
    """Raise ``QuerySyntaxError`` if brackets nest deeper than ``MAX_NESTING`` outside strings, IRIs and comments."""
    at = _too_deep_at(sparql)
    if at is not None:
        raise QuerySyntaxError(
            f"brackets nest more than {MAX_NESTING} deep (at character {at}): the most this server parses"
        )


@lru_cache(maxsize=256)
def _too_deep_at(sparql: str) -> int | None:
    """Where brackets first nest deeper than ``MAX_NESTING``, or None; cached, as the REST layer's texts repeat."""
    depth = 0
    for match in _BRACKETS.finditer(mask_sparql(sparql)):
        depth += 1 if match.group() in "({[" else -1
        if depth > MAX_NESTING:
            return match.start()
    return None


def valid_iri(value: str) -> URIRef:
    """The value as an IRI, or ``InvalidIri`` if it is not an absolute IRI."""
    try:
        ox.NamedNode(value)
    except ValueError as error:
        raise InvalidIri(f"{value!r} is not a valid IRI: {error}") from None
    return URIRef(value)


# ---------------------------------------------------------------------------------------------------------
# The store interface
# ---------------------------------------------------------------------------------------------------------


class Store(abc.ABC):
    """A quad store the rest of StanceKB reads and writes through.

    ``version`` counts the writes made through this object, so that a snapshot (a worker process) can tell
    that it is out of date.
    """

    location: str
    version: int = 0
    allow_network: bool = False
    """Whether ``query`` and ``update`` may run SERVICE and LOAD, which connect out; refused unless set."""
    cheap_scratch_copy: bool = True
    """Whether ``scratch_copy`` is cheap (a copy in memory); a remote store's downloads all of it, so the write gate
    validates a Graph Store write against the store itself instead (``stancekb.update.preview``)."""

    def _changed(self) -> None:
        self.version += 1

    def check_query(self, sparql: str) -> None:
        """Refuse a query no backend may run: brackets nested too deep, or SERVICE unless ``allow_network``."""
        refuse_deep_nesting(sparql)
        if not self.allow_network:
            refuse_service(sparql)

    def check_update(self, sparql: str) -> None:
        """Refuse an update no backend may run: brackets nested too deep, or SERVICE/LOAD unless ``allow_network``."""
        refuse_deep_nesting(sparql)
        if not self.allow_network:
            refuse_network(sparql)

    @abc.abstractmethod
    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads in one transaction: all of them or none."""

    @abc.abstractmethod
    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace the content of each graph with the given graph, in one transaction.

        ``DATASET_DEFAULT_GRAPH_ID`` names the default graph; an empty graph removes the graph.
        """

    @abc.abstractmethod
    def remove_graph(self, graph_iri: URIRef) -> None:
        """Remove a named graph and its content."""

    def change_quads(self, removed: Iterable[Quad], added: Iterable[Quad]) -> None:
        """Remove quads, then add quads, in one transaction (one DELETE DATA / INSERT DATA request).

        Blank nodes added get new labels (INSERT DATA scopes them to the request); removing one is refused.
        """
        removed, added = list(removed), list(added)
        if any(isinstance(term, BNode) for quad in removed for term in quad):
            raise StoreError("DELETE DATA cannot name a blank node")
        if removed or added:
            self.update(_data_update(removed, added))

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
    def run_query(self, request: QueryRequest) -> SerializedResult:
        """Evaluate a query and serialise its result as the request says (the SPARQL endpoint's path).

        Raises ``ForbiddenOperation`` for SERVICE unless allowed, ``ResultTooLarge`` past
        ``request.max_results`` rows or triples, ``FormatUnavailable`` if no format fits the result's kind.
        """

    @abc.abstractmethod
    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 update in one transaction; ``base_iri`` resolves relative IRIs."""

    @abc.abstractmethod
    def named_graphs(self) -> list[URIRef]:
        """The IRIs of the named graphs, sorted."""

    @abc.abstractmethod
    def quads(self, graph_iri: URIRef | None = None) -> Iterator[Quad]:
        """All quads, or those of one graph (``DATASET_DEFAULT_GRAPH_ID`` for the default graph)."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """The number of quads."""

    @abc.abstractmethod
    def scratch_copy(self) -> Store:
        """An in-memory copy of the store's content, to try a write on."""

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing open
        """Release what the backend holds open."""

    def paused(self) -> AbstractContextManager[None]:
        """A context in which no thread is inside the backend's native code, so that the process can fork."""
        return nullcontext()

    def match(self, subject: Node | None, predicate: Node | None, obj: Node | None) -> Iterator[Quad]:
        """The quads of any graph that match a triple pattern (``None`` matches anything), blank nodes included.

        Backends that cannot look blank nodes up by label raise ``NotImplementedError`` (the incremental SHACL
        gate then validates the whole store instead).
        """
        raise NotImplementedError(f"{type(self).__name__} has no triple pattern access")

    def match_many(self, patterns: Iterable[Pattern]) -> dict[Pattern, list[Quad]]:
        """The quads each of several triple patterns matches (``match`` in one batch).

        In-process this is ``match`` per pattern; a remote store asks for a whole batch in a few requests.
        """
        return {pattern: list(self.match(*pattern)) for pattern in dict.fromkeys(patterns)}

    def match_incoming(self, nodes: Iterable[Node], at_most: int) -> dict[Node, list[Quad] | None]:
        """Each node's incoming quads (the node as object), or ``None`` for a node that has ``at_most`` or more."""
        return {node: fewer_than(at_most, self.match(None, None, node)) for node in dict.fromkeys(nodes)}

    def to_dataset(self, graph_iri: URIRef | None = None) -> Dataset:
        """A copy of the store's content (or of one graph) as an rdflib Dataset."""
        dataset = Dataset()
        dataset.addN(self.quads(graph_iri))  # type: ignore[arg-type]
        return dataset


def fewer_than(limit: int, items: Iterable[T]) -> list[T] | None:
    """The items if there are fewer than ``limit``, else ``None`` (reading at most ``limit`` of them)."""
    first = list(itertools.islice(items, limit))
    return first if len(first) < limit else None


def _written(data: bytes | None) -> bytes:
    """What a serialiser wrote to memory (pyoxigraph and rdflib type it as optional: no file was given)."""
    if data is None:
        raise StoreError("the serialiser returned nothing")
    return data


def _reserialize_results(json_results: bytes | None, media_type: str) -> bytes:
    """SPARQL JSON results (rdflib's) in another results format, with Oxigraph's writers."""
    parsed = ox.parse_query_results(_written(json_results), ox.QueryResultsFormat.JSON)
    return _written(parsed.serialize(format=_results_format(media_type)))


def _results_format(media_type: str) -> ox.QueryResultsFormat:
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    if fmt is None:
        raise StoreError(f"no SPARQL results format for {media_type!r}")
    return fmt


def _rdf_format(media_type: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise StoreError(f"no RDF format for {media_type!r}")
    return fmt


def _serialize_triples(triples: Iterable[ox.Triple], media_type: str) -> bytes:
    return _written(ox.serialize(triples, format=_rdf_format(media_type), prefixes=PREFIXES))


# ---------------------------------------------------------------------------------------------------------
# rdflib in memory
# ---------------------------------------------------------------------------------------------------------


_RDFLIB_SYNTAX_ERRORS = {"ParseException", "ParseSyntaxException", "RecursionError"}
"""pyparsing's errors, and Python's when pyparsing recurses too deep (a few dozen nested brackets)."""


def _is_rdflib_syntax_error(error: Exception) -> bool:
    """Whether rdflib raised this for a query it cannot parse (pyparsing's exceptions, or an unknown prefix)."""
    return type(error).__name__ in _RDFLIB_SYNTAX_ERRORS or str(error).startswith("Unknown namespace prefix")


class RdflibStore(Store):
    """rdflib's in-memory Dataset.

    rdflib's engine fetches the IRI of a ``FROM`` or ``USING`` graph from the web unless
    ``rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS`` is off; opening this store turns it off for the process,
    so that a query never makes it connect out.
    """

    def __init__(self, location: str = "memory:") -> None:
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
        self.location = location
        self._dataset = Dataset(default_union=True)

    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads; rdflib's memory store cannot fail half-way through a list it already holds."""
        self._dataset.addN(list(quads))  # type: ignore[arg-type]
        self._changed()

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace each graph's content."""
        for iri, graph in graphs.items():
            self._dataset.remove_graph(iri)
            target = self._dataset.graph(iri)
            for triple in graph:
                target.add(triple)
        self._changed()

    def remove_graph(self, graph_iri: URIRef) -> None:
        """Remove a named graph."""
        self._dataset.remove_graph(graph_iri)
        self._changed()

    def change_quads(self, removed: Iterable[Quad], added: Iterable[Quad]) -> None:
        """Remove and add quads in the dataset (blank nodes keep their identity)."""
        for quad in removed:
            self._dataset.remove(quad)  # type: ignore[arg-type]
        self._dataset.addN(list(added))  # type: ignore[arg-type]
        self._changed()

    def _evaluate(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None,
        default_graphs: Sequence[URIRef] | None,
        base_iri: str | None = None,
    ) -> Result:
        refuse_deep_nesting(sparql)
        target: Graph | Dataset = self._dataset
        if default_graphs is not None:
            target = Graph()
            for iri in default_graphs:
                for triple in self._dataset.graph(iri):
                    target.add(triple)
        try:
            return target.query(sparql, initBindings=dict(bindings or {}), base=base_iri)  # type: ignore[arg-type]
        except Exception as error:  # rdflib raises pyparsing's ParseException and plain Exceptions
            if _is_rdflib_syntax_error(error):
                raise QuerySyntaxError(str(error)) from error
            raise

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        default_graphs: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        """Evaluate with rdflib's engine over the dataset (or over the given default graphs)."""
        if not self.allow_network:
            refuse_service(sparql)
        result = self._evaluate(sparql, bindings, default_graphs)
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

    def run_query(self, request: QueryRequest) -> SerializedResult:
        """Evaluate with rdflib, then serialise through Oxigraph's writers (rdflib has no TSV writer).

        rdflib's engine evaluates the protocol's named graphs as all named graphs: this backend is for tests
        and small scripts, the server runs on Oxigraph.
        """
        if not request.allow_service:
            refuse_service(request.sparql)
        result = self._evaluate(request.sparql, None, request.default_graphs, request.base_iri)
        if result.type == "ASK":
            body = _reserialize_results(result.serialize(format="json"), request.media_type("ask"))
            return SerializedResult("ask", request.media_type("ask"), body)
        if result.type in {"CONSTRUCT", "DESCRIBE"}:
            media_type = request.media_type("graph")
            triples = list(itertools.islice(result, _cap(request)))
            _check_cap(len(triples), request)
            graph = Graph()
            for triple in triples:
                graph.add(triple)  # type: ignore[arg-type]
            parsed = ox.parse(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
            return SerializedResult("graph", media_type, _serialize_triples((q.triple for q in parsed), media_type))
        media_type = request.media_type("select")
        _check_cap(len(result), request)
        return SerializedResult("select", media_type, _reserialize_results(result.serialize(format="json"), media_type))

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Apply an update."""
        self.check_update(sparql)
        try:
            self._dataset.update(translateUpdate(parseUpdate(sparql), base=base_iri))
        except Exception as error:
            if _is_rdflib_syntax_error(error):
                raise QuerySyntaxError(str(error)) from error
            raise
        self._changed()

    def named_graphs(self) -> list[URIRef]:
        """Named graphs with at least one triple."""
        return sorted(
            g.identifier
            for g in self._dataset.graphs()
            if isinstance(g.identifier, URIRef) and g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)
        )

    def quads(self, graph_iri: URIRef | None = None) -> Iterator[Quad]:
        """Quads of every named graph, or of one."""
        for s, p, o, g in self._dataset.quads((None, None, None, graph_iri)):  # type: ignore[arg-type]
            yield s, p, o, g if isinstance(g, URIRef) else DATASET_DEFAULT_GRAPH_ID  # type: ignore[misc]

    def __len__(self) -> int:
        """Count quads."""
        return sum(1 for _ in self._dataset.quads((None, None, None, None)))

    def match(self, subject: Node | None, predicate: Node | None, obj: Node | None) -> Iterator[Quad]:
        """Quads matching a pattern, from rdflib's indexes."""
        for s, p, o, g in self._dataset.quads((subject, predicate, obj, None)):  # type: ignore[arg-type]
            yield s, p, o, g if isinstance(g, URIRef) else DATASET_DEFAULT_GRAPH_ID  # type: ignore[misc]

    def scratch_copy(self) -> RdflibStore:
        """A copy in a new rdflib Dataset."""
        copy = RdflibStore(self.location)
        copy.add_quads(self.quads())
        return copy


def _cap(request: QueryRequest) -> int | None:
    """How many items to read at most: one past the cap, to tell that it was passed."""
    return None if request.max_results is None else request.max_results + 1


def _too_large(max_results: int) -> ResultTooLarge:
    return ResultTooLarge(
        f"the result has more than {max_results} rows or triples, the most this server returns; "
        "narrow the query or page through it with LIMIT and OFFSET"
    )


def _check_cap(count: int, request: QueryRequest) -> None:
    if request.max_results is not None and count > request.max_results:
        raise _too_large(request.max_results)


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


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def from_ox(term: object) -> Node:
    """Convert a pyoxigraph term to an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        # The lexical form is kept as it is (rdflib would turn "1000"^^xsd:double into "1000.0"), and a simple
        # literal (RDF 1.1 xsd:string) has no datatype in rdflib.
        datatype = term.datatype.value
        plain = term.language or datatype == _XSD_STRING
        return Literal(term.value, lang=term.language, datatype=None if plain else URIRef(datatype), normalize=False)
    if isinstance(term, ox.DefaultGraph):
        return DATASET_DEFAULT_GRAPH_ID
    raise StoreError(f"unexpected term from Oxigraph: {term!r}")


def _graph_name(graph_iri: URIRef) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph_iri == DATASET_DEFAULT_GRAPH_ID else ox.NamedNode(str(graph_iri))


class _LineCap(io.RawIOBase):
    """A binary sink that keeps what is written and stops the writer once it holds more than ``limit`` lines.

    Oxigraph writes TSV results one solution a line after one header line, so lines count rows; raising
    from ``write`` stops the serialisation, and with it the lazy evaluation, early.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines = 0
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        """Yes."""
        return True

    def write(self, data: Any) -> int:
        """Keep a chunk, counting its lines."""
        chunk = bytes(data)
        self.lines += chunk.count(b"\n")
        if self.lines > self.limit:
            raise ResultTooLarge(f"more than {self.limit} lines")
        self.chunks.append(chunk)
        return len(chunk)


class _ForkGuard:
    """Shared by threads calling into the native store, exclusive while the process forks.

    A thread inside pyoxigraph can hold one of the store's locks; a child forked at that moment inherits the
    lock held by a thread it does not have, and its first query waits for ever (measured: a worker forked
    while another thread ran queries hung). The fork holds the guard's own lock, once no call is in
    progress, so that the child inherits neither a store lock nor the guard's lock held by another thread.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._inside = 0
        self._pausing = False

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Held while a thread is inside the native store."""
        with self._condition:
            self._condition.wait_for(lambda: not self._pausing)
            self._inside += 1
        try:
            yield
        finally:
            with self._condition:
                self._inside -= 1
                self._condition.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Held while the process forks: no call in progress, none starting."""
        with self._condition:
            self._pausing = True  # calls that have not started wait, so that the fork is not starved
            try:
                self._condition.wait_for(lambda: not self._inside)
                yield
            finally:
                self._pausing = False
                self._condition.notify_all()


def _guarded(method: Callable[Concatenate[OxigraphStore, P], T]) -> Callable[Concatenate[OxigraphStore, P], T]:
    """Run a method of ``OxigraphStore`` under its fork guard's shared side."""

    @wraps(method)
    def guarded(self: OxigraphStore, *args: P.args, **kwargs: P.kwargs) -> T:
        with self._guard.shared():
            return method(self, *args, **kwargs)

    return guarded


class OxigraphStore(Store):
    """Oxigraph through pyoxigraph: in memory (``oxigraph:``) or in a folder (``oxigraph:PATH``).

    Every method that calls into pyoxigraph holds the fork guard (see ``paused``); ``native`` does not.
    """

    def __init__(self, location: str = "oxigraph:") -> None:
        self.location = location
        self._guard = _ForkGuard()
        path = location.removeprefix("oxigraph:")
        try:
            if path:
                Path(path).mkdir(parents=True, exist_ok=True)
                self._opened: ox.Store | None = ox.Store(path)
            else:
                self._opened = ox.Store()
        except OSError as error:
            raise StoreError(f"cannot open the Oxigraph store at {path!r}: {error}") from error

    @property
    def _store(self) -> ox.Store:
        """The pyoxigraph store, or ``StoreError`` once ``close`` has released it."""
        if self._opened is None:
            raise StoreError(f"the store {self.location} is closed")
        return self._opened

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store, for code that serialises results natively (the SPARQL endpoint)."""
        return self._store

    @_guarded
    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads in one Oxigraph transaction."""
        converted = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), _graph_name(g)) for s, p, o, g in quads]  # type: ignore[arg-type]
        self._store.extend(converted)
        self._changed()

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace graphs in one transaction: all of the new content is committed, or none of it.

        Graphs that hold nothing yet (a new source, a first load) are added with ``Store.extend``, one
        transaction that keeps blank node labels. Otherwise the drops and the new content go in one SPARQL
        update (one transaction too); there blank nodes get new labels (INSERT DATA scopes labels to the
        request), so a blank node shared with a graph that is not replaced is no longer shared.
        ``bulk_load`` is never used for writes: it is not transactional (a crash leaves part of the data).
        """
        if not any(self._holds(iri) for iri in graphs):
            self.add_quads((s, p, o, iri) for iri, graph in graphs.items() for s, p, o in graph)
            return
        self._transaction(
            [
                "DROP SILENT DEFAULT" if iri == DATASET_DEFAULT_GRAPH_ID else f"DROP SILENT GRAPH <{iri}>"
                for iri in graphs
            ],
            [(s, p, o, iri) for iri, graph in graphs.items() for s, p, o in graph],
        )

    @_guarded
    def _holds(self, graph_iri: URIRef) -> bool:
        """Whether a graph has at least one quad."""
        return next(iter(self._store.quads_for_pattern(None, None, None, _graph_name(graph_iri))), None) is not None

    @_guarded
    def _transaction(self, drops: list[str], inserts: list[Quad]) -> None:
        """Run drops and an INSERT DATA of the quads as one update request (one transaction in Oxigraph)."""
        parts = list(drops)
        if inserts:
            parts.append(f"INSERT DATA {{ {' '.join(_quad_data(quad) for quad in inserts)} }}")
        if parts:
            self._store.update(" ;\n".join(parts))
            self._changed()

    @_guarded
    def remove_graph(self, graph_iri: URIRef) -> None:
        """Remove a named graph."""
        self._store.update(f"DROP SILENT GRAPH <{graph_iri}>")
        self._changed()

    @_guarded
    def change_quads(self, removed: Iterable[Quad], added: Iterable[Quad]) -> None:
        """Remove, then add quads: one transaction, except that removing blank nodes takes one per quad.

        Added quads alone go in with ``extend`` (blank nodes keep their labels); removals without blank nodes go
        with the additions in one DELETE DATA / INSERT DATA update (added blank nodes then get new labels).
        Removing a quad with a blank node is done quad by quad (``remove``): for scratch copies; the write gate
        commits such a change by replacing its graphs.
        """
        removed = list(removed)
        if any(isinstance(term, BNode) for quad in removed for term in quad):
            for s, p, o, g in removed:
                self._store.remove(ox.Quad(to_ox(s), to_ox(p), to_ox(o), _graph_name(g)))  # type: ignore[arg-type]
            removed = []
        if removed:
            self._store.update(_data_update(removed, list(added)))
            self._changed()
            return
        self._store.extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o), _graph_name(g)) for s, p, o, g in added])  # type: ignore[arg-type]
        self._changed()

    def _evaluate(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        default_graphs: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Evaluate lazily; the default graph is the union of all graphs unless given or set by FROM."""
        refuse_deep_nesting(sparql)
        kwargs: dict[str, object] = {}
        if default_graphs is not None:
            kwargs["default_graph"] = [_graph_name(iri) for iri in default_graphs]
        elif "FROM" not in sparql_keywords(sparql):
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(str(iri)) for iri in named_graphs]
        if bindings:
            kwargs["substitutions"] = {ox.Variable(name): to_ox(value) for name, value in bindings.items()}
        if base_iri is not None:
            kwargs["base_iri"] = base_iri
        try:
            return self._store.query(sparql, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from error
        except RuntimeError as error:
            if not bindings or "SELECT projection" not in str(error):
                raise
        # pyoxigraph 0.5 substitutes only projected variables: bind the others with a trailing VALUES clause
        # (SPARQL 1.1 §10.2.2) of terms Oxigraph itself serialises, so no caller's text enters the query.
        del kwargs["substitutions"]
        names = " ".join(f"?{name}" for name in bindings)
        values = " ".join(str(to_ox(value)) for value in bindings.values())
        try:
            return self._store.query(f"{sparql}\nVALUES ({names}) {{ ({values}) }}", **kwargs)  # type: ignore[arg-type]
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from error

    @_guarded
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        default_graphs: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        """Evaluate with Oxigraph; the default graph is the union of the named graphs unless given."""
        if not self.allow_network:
            refuse_service(sparql)
        result = self._evaluate(sparql, bindings, default_graphs, named_graphs)
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

    @_guarded
    def run_query(self, request: QueryRequest) -> SerializedResult:
        """Evaluate and serialise natively; the row cap counts TSV lines as Oxigraph writes them.

        With a cap, SELECT results are written as TSV first (one line a row), stopped as soon as there are
        too many, then converted to the requested format; CONSTRUCT triples are read one past the cap.
        """
        if not request.allow_service:
            refuse_service(request.sparql)
        result = self._evaluate(
            request.sparql,
            default_graphs=request.default_graphs,
            named_graphs=request.named_graphs,
            base_iri=request.base_iri,
        )
        try:
            if isinstance(result, ox.QueryBoolean):
                media_type = request.media_type("ask")
                return SerializedResult(
                    "ask", media_type, _written(result.serialize(format=_results_format(media_type)))
                )
            if isinstance(result, ox.QueryTriples):
                media_type = request.media_type("graph")
                triples = list(itertools.islice(result, _cap(request)))
                _check_cap(len(triples), request)
                return SerializedResult("graph", media_type, _serialize_triples(triples, media_type))
            media_type = request.media_type("select")
            fmt = _results_format(media_type)
            if request.max_results is None:
                return SerializedResult("select", media_type, _written(result.serialize(format=fmt)))
            sink = _LineCap(request.max_results + 1)  # the header line, then the rows
            try:
                result.serialize(sink, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
            except ResultTooLarge:
                raise _too_large(request.max_results) from None
            tsv = b"".join(sink.chunks)
            if fmt != ox.QueryResultsFormat.TSV:
                tsv = _written(ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(format=fmt))
            return SerializedResult("select", media_type, tsv)
        except OSError as error:  # Oxigraph reports evaluation failures (a SERVICE call, I/O) as OSError
            raise StoreError(f"the query failed: {error}") from error

    @_guarded
    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Apply an update in one transaction."""
        self.check_update(sparql)
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from error
        self._changed()

    @_guarded
    def named_graphs(self) -> list[URIRef]:
        """Named graphs, sorted."""
        return sorted(URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graph_iri: URIRef | None = None) -> Iterator[Quad]:
        """Quads of every graph, or of one."""
        graph = None if graph_iri is None else _graph_name(graph_iri)
        with self._guard.shared():
            yield from self._quads(graph)

    def _quads(self, graph: ox.NamedNode | ox.DefaultGraph | None, *pattern: object) -> Iterator[Quad]:
        """Quads of a graph (``None``: any) matching a subject, predicate, object pattern (default: any)."""
        subject, predicate, obj = (*pattern, None, None, None)[:3]
        for quad in self._store.quads_for_pattern(subject, predicate, obj, graph):  # type: ignore[arg-type]
            yield (
                from_ox(quad.subject),
                from_ox(quad.predicate),
                from_ox(quad.object),
                from_ox(quad.graph_name),  # type: ignore[misc]
            )

    @_guarded
    def __len__(self) -> int:
        """Count quads."""
        return len(self._store)

    def match(self, subject: Node | None, predicate: Node | None, obj: Node | None) -> Iterator[Quad]:
        """Quads matching a pattern, from Oxigraph's indexes."""
        pattern = [None if term is None else to_ox(term) for term in (subject, predicate, obj)]
        with self._guard.shared():
            yield from self._quads(None, *pattern)

    @_guarded
    def match_many(self, patterns: Iterable[Pattern]) -> dict[Pattern, list[Quad]]:
        """Quads matching each pattern, from Oxigraph's indexes (the fork guard taken once for the batch)."""
        return {
            pattern: list(self._quads(None, *(None if term is None else to_ox(term) for term in pattern)))
            for pattern in dict.fromkeys(patterns)
        }

    @_guarded
    def match_incoming(self, nodes: Iterable[Node], at_most: int) -> dict[Node, list[Quad] | None]:
        """Each node's incoming quads, or ``None`` past ``at_most``, from Oxigraph's indexes (one fork guard)."""
        return {node: fewer_than(at_most, self._quads(None, None, None, to_ox(node))) for node in dict.fromkeys(nodes)}

    @_guarded
    def scratch_copy(self) -> OxigraphStore:
        """A copy in a new in-memory Oxigraph store (blank nodes keep their labels)."""
        copy = OxigraphStore()
        copy.native.extend(self._store)
        return copy

    @_guarded
    def close(self) -> None:
        """Flush writes to disk and release the native store (on disk: RocksDB's lock, so the folder can be reopened).

        Later calls raise ``StoreError``; closing again does nothing.
        """
        if self._opened is not None and self.location != "oxigraph:":
            self._opened.flush()
        self._opened = None

    def paused(self) -> AbstractContextManager[None]:
        """Wait until no thread is inside pyoxigraph and keep new calls out (for forking)."""
        return self._guard.exclusive()


def _quad_data(quad: Quad) -> str:
    """A quad as INSERT DATA content: a bare triple for the default graph, ``GRAPH <g> { ... }`` otherwise."""
    s, p, o, g = quad
    triple = f"{to_ox(s)} {to_ox(p)} {to_ox(o)} ."
    return triple if g == DATASET_DEFAULT_GRAPH_ID else f"GRAPH {to_ox(g)} {{ {triple} }}"


def _data_update(removed: list[Quad], added: list[Quad]) -> str:
    """One update request that removes (DELETE DATA) and then adds (INSERT DATA) quads."""
    parts = [
        f"{verb} DATA {{ {' '.join(map(_quad_data, quads))} }}"
        for verb, quads in (("DELETE", removed), ("INSERT", added))
        if quads
    ]
    return " ;\n".join(parts)


def _remote_store(location: str) -> Store:
    """A ``stancekb.remote.RemoteStore`` (imported here: that module builds on this one)."""
    from stancekb.remote import RemoteStore

    return RemoteStore(location)


BACKENDS: dict[str, Callable[[str], Store]] = {
    "memory": RdflibStore,
    "oxigraph": OxigraphStore,
    "sparql": _remote_store,
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


# ---------------------------------------------------------------------------------------------------------
# Worker processes: queries that can really be stopped
# ---------------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    pid: int
    conn: Connection
    version: int


class WorkerPool:
    """Runs jobs on snapshots of a store in forked worker processes, so that a job can be stopped at its deadline.

    A job is a picklable callable, ``job(store) -> result``, run on a copy-on-write snapshot of the store in
    a worker process forked from the server; past its deadline the worker is killed.

    Why processes: pyoxigraph evaluates a query inside one call that releases the GIL but never checks for
    cancellation (a long join runs inside a single ``next()``), so a thread can answer "timed out" but cannot
    stop the evaluation, which would go on using a core. A forked worker holds a snapshot of the store (the
    in-memory store's pages are shared copy-on-write with the server) and is killed with SIGKILL at the
    deadline; the next job gets a fresh fork. Forking per job costs about 10 ms, so workers are kept and
    reused while the store's ``version`` is unchanged; a write through the store makes them out of date, and
    each is replaced after its current job. A job that changes its snapshot (``scratch=True``, such as
    trying a write) gets a worker of its own, discarded afterwards.

    Forking a process that runs threads is safe here because the fork waits, through ``Store.paused``, until
    no thread is inside the store's native code (a thread holding one of Oxigraph's locks at the fork would
    leave the child waiting for ever), and the child only runs this module's loop: it closes the sockets and
    pipes it inherited (so that a client connection or another worker's pipe is not held open) and ignores
    SIGINT. Forks and writes made through ``commit`` are also serialised by one lock. Forks run in a thread,
    so that waiting for the store does not block the event loop. On-disk (RocksDB) stores work the same way,
    with the caveat that RocksDB is not designed to be forked: a worker whose files were compacted away by a
    later write fails its job, which is then answered as an error.
    POSIX only (``os.fork``).
    """

    def __init__(self, store: Store, *, size: int, timeout: float) -> None:
        self.store = store
        self.size = size
        self.timeout = timeout
        self._idle: list[_Worker] = []
        self._workers: set[_Worker] = set()
        self._slots = asyncio.Semaphore(size)
        self._fork_lock = asyncio.Lock()
        self.writer = asyncio.Lock()
        """Held across a whole gated write (try on a snapshot, then commit), so that writes are serial."""

    async def start(self) -> None:
        """Fork the workers ahead of the first request."""
        async with self._fork_lock:
            for _ in range(self.size - len(self._workers)):
                self._idle.append(await asyncio.to_thread(self._fork))

    async def run(self, job: Callable[[Store], T], *, scratch: bool = False, timeout: float | None = None) -> T:
        """Run a job in a worker; raise ``QueryTimeout`` (after killing the worker) past the deadline."""
        async with self._slots:
            worker = await self._checkout(scratch)
            try:
                result: T = await self._call(worker, job, scratch, self.timeout if timeout is None else timeout)
            except BaseException:
                self._discard(worker)
                raise
            if scratch or worker.version != self.store.version:
                self._discard(worker)
            else:
                self._idle.append(worker)
            return result

    async def commit(self, write: Callable[[Store], T]) -> T:
        """Apply a write to the store itself, in a thread, with no fork happening meanwhile."""
        async with self._fork_lock:
            result = await asyncio.to_thread(write, self.store)
        for worker in [w for w in self._idle if w.version != self.store.version]:
            self._idle.remove(worker)
            self._discard(worker)
        return result

    async def close(self) -> None:
        """Stop every worker."""
        for worker in list(self._workers):
            self._discard(worker)
        self._idle.clear()

    async def _checkout(self, scratch: bool) -> _Worker:
        while self._idle and not scratch:
            worker = self._idle.pop()
            if worker.version == self.store.version:
                return worker
            self._discard(worker)
        async with self._fork_lock:
            return await asyncio.to_thread(self._fork)

    def _fork(self) -> _Worker:
        """Fork a worker (in a thread: waiting for the store to pause must not block the event loop)."""
        parent_end, child_end = Pipe()
        with self.store.paused(), warnings.catch_warnings():  # 3.12+ warns of fork in a threaded process
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            try:
                _serve(self.store, child_end)
            finally:
                os._exit(1)
        child_end.close()
        worker = _Worker(pid, parent_end, self.store.version)
        self._workers.add(worker)
        return worker

    async def _call(self, worker: _Worker, job: Callable[[Store], T], scratch: bool, timeout: float) -> T:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = worker.conn.fileno()

        def on_readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, on_readable)
        try:
            worker.conn.send((job, scratch))
            await asyncio.wait_for(ready, timeout)
            status, value = worker.conn.recv()
        except TimeoutError:
            raise QueryTimeout(f"stopped after {timeout:g} s, the most this server allows") from None
        except (EOFError, OSError) as error:
            raise StoreError(f"the worker process ended unexpectedly ({error or 'no reply'})") from None
        finally:
            loop.remove_reader(fd)
        if status == "error":
            raise value
        return value  # type: ignore[no-any-return]

    def _discard(self, worker: _Worker) -> None:
        if worker not in self._workers:
            return
        self._workers.discard(worker)
        worker.conn.close()
        try:
            os.kill(worker.pid, signal.SIGKILL)
            os.waitpid(worker.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _serve(store: Store, conn: Connection) -> None:  # pragma: no cover - runs in the worker process
    """The worker's loop: run each job received on the snapshot and send back its result or its error."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _close_inherited_channels(keep=conn.fileno())
    while True:
        try:
            job, scratch = conn.recv()
        except EOFError:
            os._exit(0)
        try:
            reply: tuple[str, object] = ("ok", job(store))
        except Exception as error:
            reply = ("error", error)
        try:
            conn.send(reply)
        except Exception as error:  # an unpicklable result or error
            conn.send(("error", StoreError(f"{type(error).__name__}: {error}")))
        if scratch:
            os._exit(0)


def _close_inherited_channels(keep: int) -> None:  # pragma: no cover - runs in the worker process
    """Close the sockets and pipes a forked worker inherited (client connections, other workers' pipes)."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd == keep:
            continue
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode):
                os.close(fd)
        except OSError:
            pass
