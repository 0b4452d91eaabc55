"""Loading files into an Oxigraph store with Oxigraph's own parser, validator input and transactions.

``load_files_natively`` means what ``stancekb.load.load_files`` means (the same graphs, the same verdict, one
transaction), without rdflib in front of the store:

1. Parse: each file is loaded by Oxigraph into an in-memory staging store (``Store.load``, blank nodes
   renamed apart), triples outside a named graph into ``default_graph`` or ``graph/{file stem}``. The checks
   of ``stancekb.rdfio`` come first: RDF/XML entity bombs are refused, and so is JSON nested deeper than
   ``MAX_NESTING`` (Oxigraph's JSON-LD parser overflows the stack and kills the process on objects nested a
   few thousand deep). JSON-LD contexts are never fetched (Oxigraph has no document loader here). RDF 1.2
   triple terms, which rdflib cannot hold, are refused as the rdflib path refuses them.
2. Validate the would-be store (the store less the replaced graphs, plus the new ones): with the incremental
   gate (``stancekb.incremental``) when the new data is small against the store (at most
   ``INCREMENTAL_SHARE`` of its quads), else in full on the staging store, to which the kept quads are copied.
3. Commit with Oxigraph's terms: graphs the store does not hold yet with ``Store.extend`` (one transaction),
   otherwise the drops and the new content in one SPARQL update (one transaction too).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from importlib.resources.abc import Traversable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from stancekb.incremental import validate_or_full
from stancekb.load import LoadReport, validate_graph_write_incrementally
from stancekb.namespaces import GRAPH
from stancekb.rdfio import RdfInputError, rdf_format, refuse_hostile_input, syntax_error
from stancekb.shacl_sparql import validate_store
from stancekb.store import OxigraphStore, from_ox
from stancekb.validate import ValidationReport

Progress = Callable[[str, int, int], None]
"""Told how far a load is: the stage (``parse``, ``validate``, ``commit``), the steps done, the steps in all."""

INCREMENTAL_SHARE = 0.02
"""The largest write, as a share of the store's quads, that the incremental gate validates.

Measured at 1M quads on disk (bench/bench_bulk_load.py, docs/performance.md): the incremental gate costs about
1.3 ms of CPU a new triple (pySHACL over every focus node), the staged full validation about 40 s whatever
the write's size (20-25 s to copy the store into the staging store, 16 s for the compiled shapes): they
break even at about 30,000 new triples, 3 % of the store (in memory, where copying is cheaper, about 1.6 %)."""


def load_files_natively(
    store: OxigraphStore,
    sources: Iterable[Path | Traversable],
    *,
    default_graph: URIRef | None = None,
    shapes: Graph | None = None,
    validate: bool = True,
    progress: Progress | None = None,
) -> LoadReport:
    """Parse files, validate the would-be store and commit in one transaction, as ``load_files`` does.

    Raises ``RdfInputError`` before anything is written if a file cannot be read or parsed.
    """
    sources = list(sources)
    tell = progress or _silent
    staging = parse_into_staging(sources, default_graph, tell)
    sizes = graph_sizes(staging)
    report = validate_staged(store, staging, sizes, shapes, tell) if validate else None
    committed = report is None or report.conforms
    if committed:
        commit_staged(store, staging, list(sizes), tell)
    return LoadReport(graphs=sizes, validation=report, committed=committed, sources=[str(source) for source in sources])


def _silent(stage: str, done: int, total: int) -> None:
    """Progress nobody watches."""


def parse_into_staging(
    sources: list[Path | Traversable], default_graph: URIRef | None, progress: Progress
) -> OxigraphStore:
    """Every file parsed by Oxigraph into a new in-memory store (see the module for the checks made first)."""
    staging = OxigraphStore()
    for done, source in enumerate(sources):
        progress("parse", done, len(sources))
        name = str(source)
        fmt = rdf_format(source.name, name)
        try:
            data = source.read_bytes()
        except OSError as error:
            raise RdfInputError(name, f"cannot read the file: {error.strerror or error}") from None
        refuse_hostile_input(data, fmt, name)
        fallback = default_graph or GRAPH[source.name.split(".", 1)[0]]
        try:
            staging.native.load(data, fmt, to_graph=ox.NamedNode(str(fallback)))
        except SyntaxError as error:
            raise syntax_error(name, error) from None
    progress("parse", len(sources), len(sources))
    if staging.native.query("ASK { GRAPH ?g { ?s ?p ?o FILTER(isTRIPLE(?o)) } }"):
        raise _triple_term_error(sources)
    return staging


def _triple_term_error(sources: list[Path | Traversable]) -> RdfInputError:
    """The error naming the first file with an RDF 1.2 triple term (rdflib, and so the KB, cannot hold one)."""
    for source in sources:
        for quad in ox.parse(source.read_bytes(), rdf_format(source.name, str(source))):
            if isinstance(quad.object, ox.Triple):
                return RdfInputError(str(source), f"unexpected term from Oxigraph: {quad.object!r}")
    return RdfInputError(", ".join(map(str, sources)), "unexpected RDF 1.2 triple term")


def graph_sizes(staging: OxigraphStore) -> dict[URIRef, int]:
    """The triples in each graph of the staging store."""
    rows = staging.native.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {URIRef(row["g"].value): int(row["n"].value) for row in rows}  # type: ignore[union-attr]


def validate_staged(
    store: OxigraphStore,
    staging: OxigraphStore,
    sizes: dict[URIRef, int],
    shapes: Graph | None,
    progress: Progress,
) -> ValidationReport:
    """SHACL on the would-be store: incrementally for a write small against the store, else in full on staging.

    The full validation copies the store's kept quads (those of graphs not replaced) into the staging store and
    validates it with the shapes compiled to SPARQL (``stancekb.shacl_sparql.validate_store``), shape by shape.
    """

    def full() -> ValidationReport:
        _copy_kept(store, staging, set(sizes))
        return validate_store(staging, shapes, progress=lambda done, total: progress("validate", done, total))

    def incremental() -> ValidationReport:
        progress("validate", 0, 1)
        graphs = {name: _rdflib_graph(staging, name) for name in sizes}
        report = validate_graph_write_incrementally(store, graphs, True, shapes)
        progress("validate", 1, 1)
        return report

    small = sum(sizes.values()) <= INCREMENTAL_SHARE * len(store)
    return validate_or_full(incremental, full) if small else full()


def _rdflib_graph(staging: OxigraphStore, name: URIRef) -> Graph:
    """One graph of the staging store in rdflib terms (the incremental gate reads rdflib graphs)."""
    graph = Graph(identifier=name)
    for quad in staging.native.quads_for_pattern(None, None, None, ox.NamedNode(str(name))):
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return graph


def _copy_kept(store: OxigraphStore, staging: OxigraphStore, replaced: set[URIRef]) -> None:
    """Copy into the staging store every quad of the store outside the graphs the load replaces.

    One pass over the store (reading an on-disk store costs about 20 µs of CPU a quad, graph by graph more).
    """
    names = {ox.NamedNode(str(name)) for name in replaced}
    staging.native.extend(quad for quad in store.native if quad.graph_name not in names)


def commit_staged(store: OxigraphStore, staging: OxigraphStore, names: list[URIRef], progress: Progress) -> None:
    """Write the staged graphs into the store in one transaction, replacing graphs of the same IRI.

    Graphs the store does not hold go in with ``Store.extend`` (blank node labels kept); if any is held, its
    drop and every new graph's content go in one SPARQL update, its text written by Oxigraph.
    """
    progress("commit", 0, 1)
    graphs = [ox.NamedNode(str(name)) for name in names]
    held = set(store.named_graphs()).intersection(names)
    with store.paused():
        if held:
            store.native.update(_replacement(staging.native, graphs, held))
        else:
            store.native.extend(
                itertools.chain.from_iterable(
                    staging.native.quads_for_pattern(None, None, None, graph) for graph in graphs
                )
            )
        store._changed()
    progress("commit", 1, 1)


def _replacement(staging: ox.Store, graphs: list[ox.NamedNode], held: set[URIRef]) -> str:
    """One update that drops the held graphs and inserts every staged graph (N-Triples written by Oxigraph)."""
    drops = [f"DROP SILENT GRAPH <{name}>" for name in sorted(held)]
    content = " ".join(
        f"GRAPH {graph} {{ {_written(staging.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph))} }}"
        for graph in graphs
    )
    return " ;\n".join([*drops, f"INSERT DATA {{ {content} }}"])


def _written(data: bytes | None) -> str:
    """What Oxigraph's serialiser wrote to memory, as text."""
    return (data or b"").decode("utf-8")
