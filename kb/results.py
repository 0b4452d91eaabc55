"""Query results as a rich table, or serialised in the standard formats by rdflib's (and Oxigraph's) writers.

``FORMATS`` is the registry: for each format name, the serialisation for each kind of result it applies to.
SELECT and ASK results use the SPARQL 1.1 result formats (JSON https://www.w3.org/TR/sparql11-results-json/,
XML https://www.w3.org/TR/rdf-sparql-XMLres/, CSV and TSV https://www.w3.org/TR/sparql11-results-csv-tsv/);
CONSTRUCT and DESCRIBE results use RDF formats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, Variable
from rdflib.namespace import NamespaceManager
from rdflib.query import Result
from rdflib.term import Identifier, Node
from rich.table import Table
from rich.text import Text

from stancekb.namespaces import PREFIXES
from stancekb.store import QueryResult


class ResultFormatError(ValueError):
    """A format that is unknown, or that does not apply to the kind of result at hand."""


@dataclass(frozen=True)
class Serialisation:
    """How to write one kind of result in one format, and the media type of what is written."""

    media_type: str
    write: Callable[[QueryResult], bytes]


def to_rdflib(result: QueryResult) -> Result:
    """The SELECT or ASK result as an rdflib ``Result``, for rdflib's result serialisers."""
    converted = Result(result.kind.upper())
    if result.kind == "ask":
        converted.askAnswer = bool(result.boolean)
    else:
        converted.vars = [Variable(name) for name in result.variables]
        converted.bindings = [
            {Variable(name): value for name, value in row.items() if isinstance(value, Identifier)}
            for row in result.rows
        ]
    return converted


def prefixed(graph: Graph) -> Graph:
    """The graph with the project's prefixes bound, for readable serialisations."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def _rdflib_results(name: str) -> Callable[[QueryResult], bytes]:
    return lambda result: to_rdflib(result).serialize(format=name, encoding="utf-8") or b""


def _oxigraph_results(fmt: ox.QueryResultsFormat) -> Callable[[QueryResult], bytes]:
    """A writer rdflib lacks (TSV), through Oxigraph's: the result goes over as SPARQL JSON."""

    def write(result: QueryResult) -> bytes:
        as_json = _rdflib_results("json")(result)
        return ox.parse_query_results(as_json, ox.QueryResultsFormat.JSON).serialize(format=fmt) or b""

    return write


def _rdflib_graph(name: str) -> Callable[[QueryResult], bytes]:
    return lambda result: prefixed(result.graph or Graph()).serialize(format=name, encoding="utf-8")


_JSON = Serialisation("application/sparql-results+json", _rdflib_results("json"))
_XML = Serialisation("application/sparql-results+xml", _rdflib_results("xml"))

FORMATS: dict[str, dict[str, Serialisation]] = {
    "json": {"select": _JSON, "ask": _JSON, "graph": Serialisation("application/ld+json", _rdflib_graph("json-ld"))},
    "xml": {"select": _XML, "ask": _XML, "graph": Serialisation("application/rdf+xml", _rdflib_graph("xml"))},
    "csv": {"select": Serialisation("text/csv", _rdflib_results("csv"))},
    "tsv": {"select": Serialisation("text/tab-separated-values", _oxigraph_results(ox.QueryResultsFormat.TSV))},
    "turtle": {"graph": Serialisation("text/turtle", _rdflib_graph("turtle"))},
    "nt": {"graph": Serialisation("application/n-triples", _rdflib_graph("nt"))},
    "jsonld": {"graph": Serialisation("application/ld+json", _rdflib_graph("json-ld"))},
    "trig": {"graph": Serialisation("application/trig", _rdflib_graph("trig"))},
}
"""Format name -> kind of result ("select", "ask", "graph") -> serialisation."""


def serialise(result: QueryResult, format_name: str) -> bytes:
    """Write the result in the named format (a key of ``FORMATS``)."""
    kinds = FORMATS.get(format_name)
    if kinds is None:
        raise ResultFormatError(f"unknown format {format_name!r}: use table or one of {', '.join(FORMATS)}")
    serialisation = kinds.get(result.kind)
    if serialisation is None:
        fitting = ", ".join(name for name, table in FORMATS.items() if result.kind in table)
        raise ResultFormatError(f"format {format_name!r} does not apply to a {result.kind} result: use {fitting}")
    return serialisation.write(result)


def render_table(result: QueryResult, title: str | None = None) -> Table | Text:
    """A rich table of the rows (or of the triples), IRIs shortened with the project's prefixes."""
    if result.kind == "ask":
        return Text(str(bool(result.boolean)).lower())
    names = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        names.bind(prefix, namespace)
    if result.kind == "graph":
        columns = ["subject", "predicate", "object"]
        rows = [dict(zip(columns, triple, strict=True)) for triple in sorted(result.graph or Graph())]
    else:
        columns, rows = result.variables, result.rows
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*(_cell(row[name], names) if name in row else "" for name in columns))
    return table


def _cell(term: Node, names: NamespaceManager) -> str:
    """How a person reads a term: a literal's value (with its language tag), an IRI as a prefixed name."""
    if isinstance(term, Literal):
        return f"{term}@{term.language}" if term.language else str(term)
    return term.n3(names)
