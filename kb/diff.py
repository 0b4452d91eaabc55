"""Compare two versions of the knowledge base: the statements added and removed in each named graph.

A version is an RDF file, a folder of RDF files (read recursively, as ``stancekb.load.read_graphs`` reads
them), or a store location (``oxigraph:PATH``). Triples outside any named graph are compared as the default
graph.

Blank nodes have no names to compare, so each is compared by what it says: its outgoing triples written out
as Turtle, nested blank nodes included, sorted (the trees this KB has: selectors, intervals, attributions,
quantities). This is a canonical form for blank-node trees without RDFC's relabelling, whose labels would
shift whenever a blank node is added elsewhere. A blank node that changes therefore shows as one statement
removed and one added on the named node that holds it, written out in full
(``[ a time:Interval ; time:inside rsa:now ]``), and unchanged ones compare equal whatever their labels in
the files. A *statement* is a triple whose subject is an IRI, its blank-node objects written out; blank
nodes no IRI reaches are statements of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import NamespaceManager
from rdflib.term import BNode, Node

from stancekb.load import read_graphs
from stancekb.namespaces import GRAPH, PREFIXES, RESOURCE
from stancekb.rdfio import EXTENSIONS
from stancekb.store import open_store
from stancekb.validate import union_graph

STORE_SCHEMES = ("memory:", "oxigraph:")
"""Locations read as stores rather than files (``stancekb.store.BACKENDS``)."""

Statement = tuple[Node, Node, str]
"""Subject, predicate and the object as written (blank nodes nested)."""


def read_version(location: str) -> dict[URIRef, Graph]:
    """The named graphs of a version: a file, a folder of RDF files, or a store location."""
    if location.startswith(STORE_SCHEMES):
        store = open_store(location)
        try:
            dataset = store.to_dataset()
        finally:
            store.close()
        graphs: dict[URIRef, Graph] = {}
        for s, p, o, g in dataset.quads((None, None, None, None)):
            graphs.setdefault(g, Graph(identifier=g)).add((s, p, o))  # type: ignore[arg-type]
        return graphs
    path = Path(location)
    files = sorted(f for f in path.rglob("*") if f.suffix.lower() in EXTENSIONS) if path.is_dir() else [path]
    return read_graphs(files, default_graph=DATASET_DEFAULT_GRAPH_ID)


@dataclass
class GraphDiff:
    """The statements only in the old and only in the new version of one graph."""

    graph: URIRef
    removed: set[Statement] = field(default_factory=set)
    added: set[Statement] = field(default_factory=set)


class _Writer:
    """Writes statements of one graph, blank nodes nested, with the project's prefixes and one per source."""

    def __init__(self, graph: Graph, names: NamespaceManager) -> None:
        self.graph, self.names = graph, names

    def term(self, node: Node, seen: frozenset[Node] = frozenset()) -> str:
        """A term as Turtle: a prefixed name, a literal, or a blank node's description in brackets."""
        if isinstance(node, BNode):
            if node in seen:
                return "[ (cycle) ]"
            parts = sorted(
                f"{self.term(p)} {self.term(o, seen | {node})}" for p, o in self.graph.predicate_objects(node)
            )
            return f"[ {' ; '.join(parts)} ]" if parts else "[]"
        if node == RDF.type:
            return "a"
        return node.n3(self.names)

    def statements(self) -> set[Statement]:
        """Every statement: triples with an IRI subject, and those of blank nodes nothing names."""
        reached = {o for s, _, o in self.graph if isinstance(o, BNode)}
        return {(s, p, self.term(o)) for s, p, o in self.graph if not isinstance(s, BNode) or s not in reached}


def namespaces(graphs: Iterable[Graph]) -> NamespaceManager:
    """The project's prefixes, and one per source (``skr:SLUG/`` as ``SLUG:``) found in the graphs."""
    names = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, namespace in {**PREFIXES, "graph": str(GRAPH)}.items():
        names.bind(prefix, namespace)
    slugs = {
        str(term)[len(RESOURCE) :].split("/", 1)[0]
        for graph in graphs
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(str(RESOURCE)) and "/" in str(term)[len(RESOURCE) :]
    }
    for slug in sorted(slugs):
        names.bind(slug, f"{RESOURCE}{slug}/")
    return names


def diff(old: Mapping[URIRef, Graph], new: Mapping[URIRef, Graph]) -> tuple[list[GraphDiff], NamespaceManager]:
    """The graphs that differ, in IRI order, each with its removed and added statements."""
    names = namespaces([*old.values(), *new.values()])
    changes = []
    for name in sorted(set(old) | set(new)):
        before = _Writer(old.get(name, Graph()), names).statements()
        after = _Writer(new.get(name, Graph()), names).statements()
        if before != after:
            changes.append(GraphDiff(name, before - after, after - before))
    return changes, names


def _label(node: Node, graphs: Iterable[Graph]) -> str:
    for graph in graphs:
        label = graph.value(node, RDFS.label)
        if isinstance(label, Literal):
            return f'  # "{label}"'
    return ""


def render(
    changes: list[GraphDiff], old: Mapping[URIRef, Graph], new: Mapping[URIRef, Graph], names: NamespaceManager
) -> str:
    """The changes as text: per graph, per subject (with its label), ``-`` removed and ``+`` added lines."""
    lines = []
    labels = [union_graph(new.values()), union_graph(old.values())]
    for change in changes:
        graph = "(default graph)" if change.graph == DATASET_DEFAULT_GRAPH_ID else change.graph.n3(names)
        state = "new graph" if change.graph not in old else "graph removed" if change.graph not in new else "graph"
        lines.append(f"{state} {graph}: -{len(change.removed)} +{len(change.added)} statements")
        signs = [("-", s) for s in change.removed] + [("+", s) for s in change.added]
        subjects = sorted(
            {statement[0] for _, statement in signs}, key=lambda node: (isinstance(node, BNode), str(node))
        )
        for subject in subjects:
            shown = _Writer(Graph(), names).term(subject) if not isinstance(subject, BNode) else "[]"
            lines.append(f"  {shown}{_label(subject, labels)}")
            rows = sorted(
                (
                    str(statement[1]),
                    sign == "+",
                    f"    {sign} {_Writer(Graph(), names).term(statement[1])} {statement[2]}",
                )
                for sign, statement in signs
                if statement[0] == subject
            )
            lines += [row for _, _, row in rows]
    return "\n".join(lines) + ("\n" if lines else "")
