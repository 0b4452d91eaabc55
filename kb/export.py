"""Dumps of the knowledge base in the standard RDF formats, byte for byte the same for the same content.

``FORMATS`` is the registry: format name -> media type, file extension, whether the format holds named
graphs, its W3C format IRI (https://www.w3.org/ns/formats/) and its writer.

How a dump is made (``export``):

1. The quads: the whole store plus the dataset description (``stancekb.describe``) in its own graph
   ``VOID_GRAPH``; or one named graph (``VOID_GRAPH`` alone gives the description).
2. Formats that cannot hold named graphs (Turtle, N-Triples, RDF/XML) get the union of those graphs: the
   graph SPARQL queries see as their default graph. TriG, N-Quads and JSON-LD keep each graph.
3. Blank nodes are relabelled with RDFC-1.0 (https://www.w3.org/TR/rdf-canon/) and the quads sorted as
   canonical N-Quads, which is the N-Quads and N-Triples dump as it stands.
4. rdflib writes the other formats from those quads, fed in that order, its prefixes taken from the
   project's JSON-LD context (``context.jsonld``). Where rdflib's writers iterate sets (graphs in TriG and
   JSON-LD, subjects in RDF/XML and JSON-LD), the order is fixed here so that the output does not depend on
   ``PYTHONHASHSEED``; where they would change a literal (Turtle shorthand for decimals and doubles, JSON
   numbers), the literal is written in full, so that every format says what the N-Quads dump says.

The JSON-LD dump carries the project's context inline (https://www.w3.org/TR/json-ld11/#the-context), the
same context the server publishes, so that reading a dump never needs a remote context.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import pyoxigraph as ox
from rdflib import XSD, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import NamespaceManager
from rdflib.plugins.serializers.jsonld import Converter
from rdflib.plugins.serializers.trig import TrigSerializer
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.plugins.shared.jsonld.context import Context
from rdflib.term import Node

from stancekb.namespaces import GRAPH
from stancekb.store import Store, from_ox, to_ox

VOID_GRAPH = GRAPH["void"]
"""The named graph that holds the dataset description in the dumps (https://www.w3.org/TR/void/)."""

CONTEXT_FILE = "context.jsonld"
"""The project's JSON-LD context, a data file of the ``stancekb`` package."""

CONTEXT_PATH = "/context.jsonld"
"""Where the server publishes the context (``load_context``), under its base URL."""

DUMPS_PATH = "/dumps"
"""Where the server publishes the dumps: ``/dumps/stancekb.EXT`` and ``/dumps/graph/NAME.EXT``."""

DUMP_STEM = "stancekb"
"""The file name (less extension) of the whole-dataset dump."""

FORMATS_NS = "http://www.w3.org/ns/formats/"


class ExportError(ValueError):
    """An unknown export format, graph or dump file name; the message says what is known."""


@dataclass(frozen=True)
class ExportFormat:
    """One RDF format the knowledge base is dumped in; ``write`` turns canonical N-Quads into the format."""

    name: str
    media_type: str
    extension: str
    holds_graphs: bool
    w3c_format: URIRef
    write: Callable[[bytes], bytes]


@cache
def load_context() -> dict[str, Any]:
    """The project's JSON-LD context document (``{"@context": {...}}``), read from the package; do not modify."""
    return json.loads(files("stancekb").joinpath(CONTEXT_FILE).read_text(encoding="utf-8"))


def canonical_nquads(quads: Iterable[ox.Quad]) -> bytes:
    """Canonical N-Quads: blank nodes labelled by RDFC-1.0, one quad a line, lines in code point order.

    https://www.w3.org/TR/rdf-canon/#canonical-quads ; equal outputs mean isomorphic datasets.
    """
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = (ox.serialize(dataset, format=ox.RdfFormat.N_QUADS) or b"").splitlines(keepends=True)
    return b"".join(sorted(lines))  # UTF-8 byte order is code point order


def _rdflib_quads(canonical: bytes) -> Generator[tuple[Node, Node, Node, Node]]:
    """The quads of canonical N-Quads in rdflib terms, in file order, blank node labels kept."""
    for quad in ox.parse(canonical, ox.RdfFormat.N_QUADS):
        yield (
            from_ox(quad.subject),
            from_ox(quad.predicate),
            from_ox(quad.object),
            from_ox(quad.graph_name),
        )


def _bind_context_prefixes(graph: Graph) -> Graph:
    """Bind the prefixes of the project's context, and no others."""
    graph.namespace_manager = NamespaceManager(graph, bind_namespaces="none")
    for prefix, namespace in load_context()["@context"].items():
        graph.bind(prefix, namespace)
    return graph


class _OrderedDataset(Dataset):
    """A Dataset that lists its graphs in IRI order (rdflib's memory store keeps them in a set)."""

    def contexts(self, triple: tuple[Node, Node, Node] | None = None) -> Generator[Graph]:
        """The graphs, sorted by name."""
        yield from sorted(super().contexts(triple), key=lambda graph: graph.identifier)


def _graph(canonical: bytes) -> Graph:
    """The triples in a graph whose store iterates in insertion order (``SimpleMemory``): RDF/XML keeps it."""
    graph = _bind_context_prefixes(Graph(store="SimpleMemory"))
    for s, p, o, _ in _rdflib_quads(canonical):
        graph.add((s, p, o))
    return graph


def _dataset(canonical: bytes) -> Dataset:
    """The quads in a Dataset whose graphs come out in IRI order."""
    dataset = _OrderedDataset()
    _bind_context_prefixes(dataset)
    quads = list(_rdflib_quads(canonical))
    graphs = {g: dataset.graph(g) for g in {quad[3] for quad in quads}}  # type: ignore[arg-type]
    dataset.addN((s, p, o, graphs[g]) for s, p, o, g in quads)
    return dataset


_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,14}")
"""An xsd:integer in canonical form below 10^15: JSON parsers that read numbers as doubles keep it exact."""

_TURTLE_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+")
"""Turtle's DECIMAL token, https://www.w3.org/TR/turtle/#grammar-production-DECIMAL."""


class _LexicalLiterals(TurtleSerializer):
    """Turtle shorthand for a literal only where it keeps the literal's lexical form.

    rdflib writes ``"2"^^xsd:decimal`` as ``2.0`` and reformats every ``xsd:double`` (``"1.5"`` as ``1.5e+00``):
    each reads back as another RDF term. Those literals are written in full (``"2"^^xsd:decimal``).
    """

    def label(self, node: Node, position: int) -> str:
        """The literal in full where the shorthand would change it; otherwise as rdflib writes it."""
        if isinstance(node, Literal) and (
            node.datatype == XSD.double or (node.datatype == XSD.decimal and not _TURTLE_DECIMAL.fullmatch(node))
        ):
            return node.n3(self.store.namespace_manager)
        return super().label(node, position)


class _TrigLexicalLiterals(_LexicalLiterals, TrigSerializer):
    """rdflib's TriG writer with ``_LexicalLiterals``."""


class _JsonLexicalLiterals(Converter):
    """rdflib's JSON-LD converter, with a JSON number or boolean only where JSON-LD reads it back unchanged.

    JSON-LD reads ``true`` and ``false`` as ``xsd:boolean``, an integer below 10^21 as ``xsd:integer`` in
    canonical form, any other number as an ``xsd:double`` in canonical form
    (https://www.w3.org/TR/json-ld11-api/#data-round-tripping), and many JSON parsers lose integers beyond 2^53;
    other literals keep ``@value`` and ``@type``.
    """

    def to_raw_value(self, graph: Graph, s: Any, o: Any, nodemap: dict[str, Any]) -> Any:
        """A typed value object where a JSON number or boolean would not round-trip."""
        if isinstance(o, Literal) and o.datatype in (XSD.double, XSD.integer, XSD.boolean) and not _json_native(o):
            return {self.context.type_key: self.context.to_symbol(o.datatype), self.context.value_key: str(o)}
        return super().to_raw_value(graph, s, o, nodemap)


def _json_native(literal: Literal) -> bool:
    """Whether JSON-LD reads the literal written as a JSON number or boolean back as the same literal."""
    if literal.datatype == XSD.boolean:
        return str(literal) in ("true", "false")
    if literal.datatype == XSD.integer:
        return _CANONICAL_INTEGER.fullmatch(literal) is not None
    return False


def _turtle_writer(serializer: type[TurtleSerializer], build: Callable[[bytes], Graph]) -> Callable[[bytes], bytes]:
    def write(canonical: bytes) -> bytes:
        stream = io.BytesIO()
        serializer(build(canonical)).serialize(stream, encoding="utf-8")
        return stream.getvalue()

    return write


def _write_rdfxml(canonical: bytes) -> bytes:
    """RDF/XML by rdflib's plain writer: one ``rdf:Description`` per subject, in IRI order."""
    return _graph(canonical).serialize(format="xml", encoding="utf-8")


def _write_jsonld(canonical: bytes) -> bytes:
    """JSON-LD compacted with the project's context by rdflib (https://www.w3.org/TR/json-ld11/).

    rdflib collects each graph's subjects in a set; the nodes of every ``@graph`` are sorted by ``@id`` here.
    """
    context_data = load_context()["@context"]
    context = Context(context_data)
    document = _JsonLexicalLiterals(context, use_native_types=True, use_rdf_type=False).convert(_dataset(canonical))
    if isinstance(document, list):
        document = {context.get_key("@graph"): document}
    document["@context"] = context_data
    _sort_graphs(document)
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _sort_graphs(node: Any) -> None:
    """Sort every ``@graph`` array by the nodes' ``@id``, in place."""
    if isinstance(node, dict):
        if isinstance(node.get("@graph"), list):
            node["@graph"].sort(key=lambda item: item.get("@id", ""))
        for value in node.values():
            _sort_graphs(value)
    elif isinstance(node, list):
        for item in node:
            _sort_graphs(item)


def _as_is(canonical: bytes) -> bytes:
    """Canonical N-Quads are already the N-Quads dump, and the N-Triples dump of a dataset with no graph names."""
    return canonical


FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        ExportFormat(
            "turtle",
            "text/turtle",
            "ttl",
            False,
            URIRef(FORMATS_NS + "Turtle"),
            _turtle_writer(_LexicalLiterals, _graph),
        ),
        ExportFormat(
            "trig",
            "application/trig",
            "trig",
            True,
            URIRef(FORMATS_NS + "TriG"),
            _turtle_writer(_TrigLexicalLiterals, _dataset),
        ),
        ExportFormat("nquads", "application/n-quads", "nq", True, URIRef(FORMATS_NS + "N-Quads"), _as_is),
        ExportFormat("ntriples", "application/n-triples", "nt", False, URIRef(FORMATS_NS + "N-Triples"), _as_is),
        ExportFormat("jsonld", "application/ld+json", "jsonld", True, URIRef(FORMATS_NS + "JSON-LD"), _write_jsonld),
        ExportFormat("rdfxml", "application/rdf+xml", "rdf", False, URIRef(FORMATS_NS + "RDF_XML"), _write_rdfxml),
    )
}
"""Format name -> export format; the names are those of ``stancekb export --format``."""


def export_format(format_name: str) -> ExportFormat:
    """The format of that name (a key of ``FORMATS``)."""
    try:
        return FORMATS[format_name]
    except KeyError:
        raise ExportError(f"unknown export format {format_name!r}: use one of {', '.join(FORMATS)}") from None


def serialise(quads: Iterable[ox.Quad], format_name: str) -> bytes:
    """Write quads in a format, deterministically; for a format without named graphs, their union."""
    fmt = export_format(format_name)
    if not fmt.holds_graphs:
        quads = (ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    return fmt.write(canonical_nquads(quads))


def export(
    store: Store, format_name: str, graph_iri: URIRef | None = None, *, base_url: str, version: str | None = None
) -> bytes:
    """A dump of the whole dataset with its description, or of one graph (``VOID_GRAPH``: the description).

    ``base_url`` is the server's public URL, for the description's links to the SPARQL endpoint and dumps;
    ``version`` the description's ``dcat:version`` (default: the ontology's version).
    Raises ``ExportError`` for an unknown format or a graph the store does not hold.
    """
    export_format(format_name)
    return serialise(dump_quads(store, graph_iri, base_url=base_url, version=version), format_name)


def dump_quads(
    store: Store, graph_iri: URIRef | None = None, *, base_url: str, version: str | None = None
) -> list[ox.Quad]:
    """The quads of a dump (``export``), to write in several formats without reading the store again."""
    from stancekb.describe import describe  # describe.py links to the dumps of this module's formats

    graphs = store.named_graphs()
    if graph_iri is not None and graph_iri != VOID_GRAPH and graph_iri not in graphs:
        raise ExportError(f"the store holds no graph <{graph_iri}>: it holds {' '.join(f'<{g}>' for g in graphs)}")
    quads = [] if graph_iri == VOID_GRAPH else [ox_quad(quad) for quad in store.quads(graph_iri)]
    if graph_iri in (None, VOID_GRAPH):
        quads.extend(ox_quad((s, p, o, VOID_GRAPH)) for s, p, o in describe(store, base_url, version))
    return quads


def ox_quad(quad: tuple[Node, Node, Node, Node | None]) -> ox.Quad:
    """An rdflib quad as a pyoxigraph quad (``DATASET_DEFAULT_GRAPH_ID`` or None: the default graph)."""
    s, p, o, g = quad
    graph_name = ox.DefaultGraph() if g is None or g == DATASET_DEFAULT_GRAPH_ID else ox.NamedNode(str(g))
    return ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph_name)  # type: ignore[arg-type]


_GRAPH_NAME = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~/-]*")
"""A graph name (the IRI less ``GRAPH``) that can stand in a URL path as it is."""


def has_dump_path(graph_iri: URIRef) -> bool:
    """Whether a graph has a dump of its own: its IRI is ``GRAPH`` + a name that fits in a path."""
    name = str(graph_iri).removeprefix(str(GRAPH))
    return name != str(graph_iri) and _GRAPH_NAME.fullmatch(name) is not None


def dump_path(format_name: str, graph_iri: URIRef | None = None) -> str:
    """The server path of a dump: ``/dumps/stancekb.EXT`` for the dataset, ``/dumps/graph/NAME.EXT`` for a graph."""
    extension = export_format(format_name).extension
    if graph_iri is None:
        return f"{DUMPS_PATH}/{DUMP_STEM}.{extension}"
    if not has_dump_path(graph_iri):
        raise ExportError(f"the graph <{graph_iri}> has no dump path: only graphs named {GRAPH}NAME have one")
    return f"{DUMPS_PATH}/graph/{str(graph_iri).removeprefix(str(GRAPH))}.{extension}"


def dump_target(path: str) -> tuple[ExportFormat, URIRef | None]:
    """The format and graph (None: the whole dataset) of a dump path made by ``dump_path``."""
    stem, _, extension = path.rpartition(".")
    fmt = next((fmt for fmt in FORMATS.values() if fmt.extension == extension), None)
    if fmt is not None and stem == f"{DUMPS_PATH}/{DUMP_STEM}":
        return fmt, None
    name = stem.removeprefix(f"{DUMPS_PATH}/graph/")
    if fmt is None or name == stem or not _GRAPH_NAME.fullmatch(name):
        known = " ".join(fmt.extension for fmt in FORMATS.values())
        layout = f"{DUMPS_PATH}/{DUMP_STEM}.EXT and {DUMPS_PATH}/graph/NAME.EXT"
        raise ExportError(f"no dump at {path!r}: dumps are {layout}, EXT one of {known}")
    return fmt, GRAPH[name]
