"""The write gate for files and parsed data: parse, validate with SHACL, then commit in one transaction.

The data is validated together with what the store would hold after the write (its current content, less
the graphs being replaced, plus the new graphs): incrementally, the nodes the write touches with the rest of
the store as context (``stancekb.incremental``), which gives the verdict of validating everything. Only data
that conforms is committed; otherwise the store is left exactly as it was and the report says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from stancekb.incremental import PendingWrite, graph_write_delta, validate_delta, validate_or_full
from stancekb.namespaces import GRAPH
from stancekb.rdfio import parse_file
from stancekb.resources import kb_files
from stancekb.shacl_sparql import validate_graph
from stancekb.store import OxigraphStore, Store
from stancekb.validate import ValidationReport


@dataclass
class LoadReport:
    """What a load did: the graphs it brought (triples in each), the SHACL report, and whether it committed.

    ``validation`` is None when the load was told not to validate (the packaged KB, see ``load_packaged_kb``).
    """

    graphs: dict[URIRef, int]
    validation: ValidationReport | None
    committed: bool
    sources: list[str] = field(default_factory=list)


def graphs_of(dataset: Dataset, default_graph: URIRef) -> dict[URIRef, Graph]:
    """Split a Dataset into its named graphs; triples in its default graph go to ``default_graph``."""
    graphs: dict[URIRef, Graph] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = default_graph if g in (None, DATASET_DEFAULT_GRAPH_ID) else g
        graphs.setdefault(name, Graph(identifier=name)).add((s, p, o))  # type: ignore[arg-type]
    return graphs


def stored_graphs(store: Store) -> dict[URIRef, Graph]:
    """Every graph a store holds, as rdflib graphs (the default graph under ``DATASET_DEFAULT_GRAPH_ID``)."""
    return graphs_of(store.to_dataset(), DATASET_DEFAULT_GRAPH_ID)


def read_graphs(sources: Iterable[Path | Traversable], default_graph: URIRef | None = None) -> dict[URIRef, Graph]:
    """Parse files into named graphs, merging a graph that several files contribute to.

    Triples outside a named graph (a Turtle file, say) go to ``default_graph``, or else to the graph named
    after the file as the KB's files are (``graph/{file stem}``, see docs/modelling.md).
    """
    merged: dict[URIRef, Graph] = {}
    for source in sources:
        fallback = default_graph or GRAPH[source.name.split(".", 1)[0]]
        for name, graph in graphs_of(parse_file(source), fallback).items():
            if name in merged:
                merged[name] += graph
            else:
                merged[name] = graph
    return merged


def load_graphs(
    store: Store,
    graphs: Mapping[URIRef, Graph],
    *,
    replace: bool = True,
    shapes: Graph | None = None,
    validate: bool = True,
    sources: Iterable[str] = (),
) -> LoadReport:
    """Validate graphs against the store's would-be content and commit them if they conform.

    With ``replace`` each graph replaces the named graph of the same IRI; otherwise its triples are added.
    ``shapes`` defaults to the project's SHACL shapes; ``validate=False`` commits without SHACL.
    """
    report = validate_graph_write(store, graphs, replace, shapes) if validate else None
    committed = report is None or report.conforms
    if committed:
        if replace:
            store.replace_graphs(graphs)
        else:
            store.add_quads((s, p, o, name) for name, graph in graphs.items() for s, p, o in graph)
    return LoadReport(
        graphs={name: len(graph) for name, graph in graphs.items()},
        validation=report,
        committed=committed,
        sources=list(sources),
    )


def validate_graph_write(
    store: Store, graphs: Mapping[URIRef, Graph], replace: bool, shapes: Graph | None = None
) -> ValidationReport:
    """SHACL on what the store would hold after the write: incrementally (``stancekb.incremental``) when possible.

    Incremental validation assumes that the store conforms before the write (the gate keeps it so); where the
    shapes or the write do not allow it, the whole would-be content is validated.
    """
    return validate_or_full(
        lambda: validate_graph_write_incrementally(store, graphs, replace, shapes),
        lambda: validate_graph_write_fully(store, graphs, replace, shapes),
    )


def validate_graph_write_incrementally(
    store: Store, graphs: Mapping[URIRef, Graph], replace: bool, shapes: Graph | None = None
) -> ValidationReport:
    """The incremental gate on a graph write; raises ``Unbounded`` where the shapes or the write do not allow it."""
    delta = graph_write_delta(store, graphs, replace)
    added = Graph()
    for triple in delta.added:
        added.add(triple)
    return validate_delta(PendingWrite(store, added, delta.removed), delta, shapes)


def validate_graph_write_fully(
    store: Store, graphs: Mapping[URIRef, Graph], replace: bool, shapes: Graph | None = None
) -> ValidationReport:
    """SHACL on the whole of what the store would hold after the write (the baseline incremental must agree with)."""
    kept = Graph()
    for s, p, o, g in store.quads():
        if not (replace and g in graphs):
            kept.add((s, p, o))
    return validate_graph([kept, *graphs.values()], shapes=shapes)


def load_files(
    store: Store,
    sources: Iterable[Path | Traversable],
    *,
    default_graph: URIRef | None = None,
    shapes: Graph | None = None,
    validate: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> LoadReport:
    """Parse files (see ``read_graphs``) and pass their graphs through the gate, replacing graphs of the same IRI.

    On an Oxigraph store the files go through ``stancekb.bulk`` (Oxigraph's parser, no rdflib terms), which
    tells ``progress`` how far it is. Raises ``RdfInputError`` before anything is written if a file cannot be
    read or parsed.
    """
    sources = list(sources)
    if isinstance(store, OxigraphStore):
        from stancekb.bulk import load_files_natively  # here: stancekb.bulk builds on this module

        return load_files_natively(
            store, sources, default_graph=default_graph, shapes=shapes, validate=validate, progress=progress
        )
    graphs = read_graphs(sources, default_graph)
    return load_graphs(store, graphs, shapes=shapes, validate=validate, sources=[str(source) for source in sources])


def load_packaged_kb(store: Store, *, validate: bool = False) -> LoadReport:
    """Load the knowledge base shipped in the package (``stancekb.resources.kb_files()``).

    The shipped files are checked with SHACL by the test suite and by ``stancekb validate``, so by default
    they are not checked again at every start (which takes seconds); ``validate=True`` does check them.
    Their graphs replace graphs of the same IRI; a file that does not parse raises ``RdfInputError``.
    """
    return load_files(store, kb_files(), validate=validate)
