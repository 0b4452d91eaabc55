"""HTML documentation of the ontology and an SVG diagram of its main classes, generated from the ontology graph.

``ontology_docs`` writes one self-contained page (``stancekb docs``, and the server's ``/ontology``): the
ontology's metadata, the diagram inline, then every term the ontology defines (``terms``: each IRI under
https://w3id.org/stancekb/ontology that the ontology types; modules included, as ``ontology_graph`` gives them),
grouped by kind, each with its label, IRI, definition, comments, and the axioms that place it: super- and
equivalent classes, domain, range, inverse, characteristics, chains, and its alignments to the reused
vocabularies. Each term is an element whose ``id`` is its local name, so that the hash IRI
https://w3id.org/stancekb/ontology#Stance lands on its entry.

``diagram_svg`` draws the classes that the ontology's object properties link (domain -> range), the class with
the most links at the centre and the others around it; parallel properties share one arrow. No Graphviz: the
layout is simple enough to compute here, and the server needs nothing outside Python to draw it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from stancekb.namespaces import ONTOLOGY_IRI, SCHEMA
from stancekb.pages import best_label, curie, esc, labels_of, link, literal_html, page
from stancekb.resources import ontology_graph

TERM_SPACE = str(ONTOLOGY_IRI)
"""Terms the documentation lists: IRIs under the ontology's IRI (the core's ``#`` terms and any module's)."""

DOCS_FILE = "ontology.html"
DIAGRAM_FILE = "ontology.svg"


@dataclass(frozen=True)
class Kind:
    """A kind of term: the type that marks it and the section that lists it."""

    type: URIRef | None
    title: str
    anchor: str


KINDS: tuple[Kind, ...] = (
    Kind(OWL.Class, "Classes", "classes"),
    Kind(OWL.ObjectProperty, "Object properties", "object-properties"),
    Kind(OWL.DatatypeProperty, "Datatype properties", "datatype-properties"),
    Kind(OWL.AnnotationProperty, "Annotation properties", "annotation-properties"),
    Kind(None, "Individuals and concepts", "individuals"),
)
"""The sections of the documentation, in order; a term goes in the first whose type it has (else the last)."""

AXIOMS: tuple[tuple[str, URIRef, bool], ...] = (
    ("subclass of", RDFS.subClassOf, False),
    ("equivalent to", OWL.equivalentClass, False),
    ("disjoint with", OWL.disjointWith, False),
    ("subproperty of", RDFS.subPropertyOf, False),
    ("equivalent property", OWL.equivalentProperty, False),
    ("inverse of", OWL.inverseOf, False),
    ("disjoint property", OWL.propertyDisjointWith, False),
    ("domain", RDFS.domain, False),
    ("range", RDFS.range, False),
    ("chain", OWL.propertyChainAxiom, False),
    ("broader", SKOS.broader, False),
    ("in scheme", SKOS.inScheme, False),
    ("notation", SKOS.notation, False),
    ("also known as", SKOS.altLabel, False),
    ("same as", SCHEMA.sameAs, False),
    ("see also", RDFS.seeAlso, False),
    ("superclass of", RDFS.subClassOf, True),
    ("superproperty of", RDFS.subPropertyOf, True),
    ("domain of", RDFS.domain, True),
    ("range of", RDFS.range, True),
)
"""The rows of a term's table: name, property, and whether it is read backwards (``?x property term``)."""

ALIGNMENTS: tuple[URIRef, ...] = (
    RDFS.subClassOf,
    OWL.equivalentClass,
    RDFS.subPropertyOf,
    OWL.equivalentProperty,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
    SCHEMA.sameAs,
)
"""The properties that align a term to another vocabulary's: listed under "alignments" when the object is external."""

CHARACTERISTICS: tuple[URIRef, ...] = (
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
)

RESTRICTIONS: tuple[tuple[URIRef, str], ...] = (
    (OWL.someValuesFrom, "some"),
    (OWL.allValuesFrom, "only"),
    (OWL.hasValue, "value"),
    (OWL.minCardinality, "min"),
    (OWL.maxCardinality, "max"),
    (OWL.cardinality, "exactly"),
    (OWL.minQualifiedCardinality, "min"),
    (OWL.maxQualifiedCardinality, "max"),
    (OWL.qualifiedCardinality, "exactly"),
)
"""Restriction properties and their Manchester syntax keyword (https://www.w3.org/TR/owl2-manchester-syntax/)."""


def is_term(iri: Node) -> bool:
    """Whether an IRI is one the ontology defines (under ``TERM_SPACE``, not the ontology or a version IRI)."""
    return isinstance(iri, URIRef) and iri.startswith(TERM_SPACE) and "#" in iri[len(TERM_SPACE) :]


def local_name(iri: str) -> str:
    """A term's fragment (``Stance``), the anchor of its entry."""
    return iri.rpartition("#")[2]


def kind_of(graph: Graph, term: URIRef) -> Kind:
    """The section a term is listed in."""
    types = set(graph.objects(term, RDF.type))
    return next((kind for kind in KINDS if kind.type in types), KINDS[-1])


def terms(graph: Graph) -> list[URIRef]:
    """Every term the ontology defines: each IRI in ``TERM_SPACE`` with a type, sorted by local name."""
    found = {s for s in graph.subjects(RDF.type, None) if is_term(s)}
    return sorted(found, key=lambda iri: (local_name(iri).lower(), str(iri)))  # type: ignore[arg-type]


class Docs:
    """Renders the documentation of one ontology graph."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.labels = labels_of(graph)

    def href(self, iri: URIRef) -> str:
        """A term of this ontology links to its entry, anything else to its IRI."""
        return f"#{local_name(iri)}" if is_term(iri) else str(iri)

    def node(self, node: Node) -> str:
        """A node as HTML: a term or class expression, a literal."""
        if isinstance(node, URIRef):
            return link(self.href(node), self.labels.get(node) or curie(str(node)), title=str(node))
        if isinstance(node, Literal):
            return literal_html(node)
        return self.expression(node)

    def expression(self, node: Node) -> str:
        """A blank class expression in Manchester syntax (union, intersection, one of, restriction, list)."""
        graph = self.graph
        for operator, word in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and ")):
            members = graph.value(node, operator)
            if members is not None:
                return "(" + word.join(self.node(m) for m in Collection(graph, members)) + ")"
        for operator in (OWL.oneOf, OWL.members, OWL.distinctMembers):
            members = graph.value(node, operator)
            if members is not None:
                return "{" + ", ".join(self.node(m) for m in Collection(graph, members)) + "}"
        complement = graph.value(node, OWL.complementOf)
        if complement is not None:
            return f"not {self.node(complement)}"
        on = graph.value(node, OWL.onProperty)
        for predicate, word in RESTRICTIONS:
            value = graph.value(node, predicate)
            if on is not None and value is not None:
                qualifier = graph.value(node, OWL.onClass)
                tail = f" {self.node(qualifier)}" if qualifier is not None else ""
                return f"({self.node(on)} {word} {self.node(value)}{tail})"
        if graph.value(node, RDF.first) is not None:
            return " o ".join(self.node(m) for m in Collection(graph, node))
        return '<span class="meta">(an anonymous expression)</span>'

    def rows(self, term: URIRef) -> Iterator[tuple[str, str]]:
        """The rows of a term's table: its axioms, characteristics and alignments."""
        graph = self.graph
        for name, predicate, backwards in AXIOMS:
            values = graph.subjects(predicate, term) if backwards else graph.objects(term, predicate)
            shown = sorted({v for v in values if not backwards or is_term(v)}, key=lambda v: v.n3())
            if shown:
                yield name, ", ".join(self.node(v) for v in shown)
        characteristics = [c for c in CHARACTERISTICS if (term, RDF.type, c) in graph]
        if characteristics:
            yield "characteristics", ", ".join(self.node(c) for c in characteristics)
        types = sorted((t for t in graph.objects(term, RDF.type) if is_term(t)), key=str)
        if types:
            yield "instance of", ", ".join(self.node(t) for t in types)
        aligned = sorted(
            {o for p in ALIGNMENTS for o in graph.objects(term, p) if isinstance(o, URIRef) and not is_term(o)}
        )
        if aligned:
            yield "alignments", ", ".join(link(str(o), curie(str(o)), title=str(o)) for o in aligned)

    def entry(self, term: URIRef) -> str:
        """One term's entry."""
        graph = self.graph
        label = self.labels.get(term) or local_name(term)
        texts = [
            f"<p>{literal_html(text)}</p>"
            for predicate in (SKOS.definition, RDFS.comment, SKOS.scopeNote, SKOS.example, SKOS.note)
            for text in sorted(graph.objects(term, predicate), key=str)
            if isinstance(text, Literal)
        ]
        table = "".join(f"<tr><th>{esc(name)}</th><td>{value}</td></tr>" for name, value in self.rows(term))
        return (
            f'<section class="term" id="{esc(local_name(term))}"><h3>{esc(label)}</h3>'
            f'<p class="meta"><code>{esc(term)}</code></p>{"".join(texts)}'
            f"{f'<table>{table}</table>' if table else ''}</section>"
        )

    def header(self) -> str:
        """The ontology's metadata."""
        graph = self.graph
        ontology = ONTOLOGY_IRI
        title = best_label(o for o in graph.objects(ontology, DCTERMS.title) if isinstance(o, Literal)) or "Ontology"
        rows = [("IRI", f"<code>{esc(ontology)}</code>")]
        for name, predicate in (
            ("version IRI", OWL.versionIRI),
            ("version", OWL.versionInfo),
            ("prior version", OWL.priorVersion),
            ("licence", DCTERMS.license),
            ("creator", DCTERMS.creator),
            ("created", DCTERMS.created),
            ("modified", DCTERMS.modified),
            ("imports", OWL.imports),
        ):
            values = sorted(graph.objects(ontology, predicate), key=str)
            if values:
                shown = ", ".join(link(str(v), str(v)) if isinstance(v, URIRef) else esc(v) for v in values)
                rows.append((name, shown))
        descriptions = "".join(
            f"<p>{literal_html(d)}</p>" for d in graph.objects(ontology, DCTERMS.description) if isinstance(d, Literal)
        )
        table = "".join(f"<tr><th>{esc(name)}</th><td>{value}</td></tr>" for name, value in rows)
        return f"<header><h1>{esc(title)}</h1>{descriptions}<table>{table}</table></header>"


def ontology_docs(graph: Graph | None = None) -> str:
    """The HTML documentation of the ontology (default: ``ontology_graph()``, core and modules)."""
    graph = ontology_graph() if graph is None else graph
    docs = Docs(graph)
    by_kind: dict[Kind, list[URIRef]] = defaultdict(list)
    for term in terms(graph):
        by_kind[kind_of(graph, term)].append(term)
    sections, contents = [], []
    for kind in KINDS:
        listed = by_kind.get(kind, [])
        if not listed:
            continue
        contents.append(
            f'<h3><a href="#{kind.anchor}">{esc(kind.title)}</a> ({len(listed)})</h3><ul>'
            + "".join(f"<li>{docs.node(term)}</li>" for term in listed)
            + "</ul>"
        )
        sections.append(f'<h2 id="{kind.anchor}">{esc(kind.title)}</h2>' + "".join(docs.entry(term) for term in listed))
    diagram = f'<h2 id="diagram">The main classes and their relations</h2>{diagram_svg(graph)}'
    body = docs.header() + diagram + f"<nav><h2>Contents</h2>{''.join(contents)}</nav>" + "".join(sections)
    title = best_label(o for o in graph.objects(ONTOLOGY_IRI, DCTERMS.title) if isinstance(o, Literal))
    return page(title or "Ontology", body)


# ---------------------------------------------------------------------------------------------------------
# The diagram
# ---------------------------------------------------------------------------------------------------------

WIDTH, HEIGHT, RADIUS = 1240, 900, 380
Point = tuple[float, float]
CHAR_WIDTH, BOX_HEIGHT = 7.4, 28


def relations(graph: Graph) -> dict[tuple[URIRef, URIRef], list[str]]:
    """(domain class, range class) -> the labels of the object properties from one to the other, both terms."""
    found: dict[tuple[URIRef, URIRef], list[str]] = defaultdict(list)
    labels = labels_of(graph)
    for prop in sorted(graph.subjects(RDF.type, OWL.ObjectProperty), key=str):
        if not is_term(prop):
            continue
        for domain in graph.objects(prop, RDFS.domain):
            for range_ in graph.objects(prop, RDFS.range):
                if isinstance(domain, URIRef) and isinstance(range_, URIRef) and is_term(domain) and is_term(range_):
                    found[(domain, range_)].append(labels.get(prop) or local_name(str(prop)))
    return dict(sorted(found.items()))


def _layout(classes: list[URIRef], links: Iterable[tuple[URIRef, URIRef]]) -> dict[URIRef, Point]:
    """The most linked class at the centre; the others on an ellipse, linked ones next to each other."""
    neighbours: dict[URIRef, set[URIRef]] = defaultdict(set)
    for a, b in links:
        neighbours[a].add(b)
        neighbours[b].add(a)
    centre = max(classes, key=lambda c: (len(neighbours[c]), -classes.index(c)))
    around: list[URIRef] = []
    for first in classes:  # depth first over the links that do not go through the centre
        pending = [first]
        while pending:
            cls = pending.pop()
            if cls == centre or cls in around:
                continue
            around.append(cls)
            pending.extend(sorted(neighbours[cls] - {centre}, key=classes.index, reverse=True))
    positions = {centre: (WIDTH / 2, HEIGHT / 2)}
    for index, cls in enumerate(around):
        angle = 2 * math.pi * index / max(1, len(around)) - math.pi / 2
        positions[cls] = (WIDTH / 2 + RADIUS * 1.4 * math.cos(angle), HEIGHT / 2 + RADIUS * math.sin(angle))
    return positions


def _half(label: str) -> tuple[float, float]:
    return (len(label) * CHAR_WIDTH + 20) / 2, BOX_HEIGHT / 2


def _border(
    centre: tuple[float, float], towards: tuple[float, float], half: tuple[float, float]
) -> tuple[float, float]:
    """Where the segment from a box's centre towards a point leaves the box."""
    dx, dy = towards[0] - centre[0], towards[1] - centre[1]
    scale = min(half[0] / abs(dx) if dx else math.inf, half[1] / abs(dy) if dy else math.inf)
    return centre[0] + dx * scale, centre[1] + dy * scale


def diagram_svg(graph: Graph | None = None) -> str:
    """An SVG drawing of the classes the object properties link, each arrow labelled with its properties."""
    graph = ontology_graph() if graph is None else graph
    links = relations(graph)
    labels = labels_of(graph)
    classes = sorted({c for pair in links for c in pair}, key=lambda c: local_name(c).lower())
    if not classes:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
    name = {c: labels.get(c) or local_name(c) for c in classes}
    where = _layout(classes, links)
    centre = next(c for c, xy in where.items() if xy == (WIDTH / 2, HEIGHT / 2))
    edges, texts = [], []
    for (a, b), props in links.items():
        text = ", ".join(props)
        if a == b:
            x, y = where[a]
            top = y - BOX_HEIGHT / 2
            edges.append(
                f'<path d="M {x - 12:.1f} {top:.1f} C {x - 40:.1f} {top - 45:.1f} {x + 40:.1f} {top - 45:.1f} '
                f'{x + 12:.1f} {top:.1f}" class="edge" marker-end="url(#arrow)"/>'
            )
            texts.append(f'<text x="{x:.1f}" y="{top - 38:.1f}" class="label">{esc(text)}</text>')
            continue
        start = _border(where[a], where[b], _half(name[a]))
        end = _border(where[b], where[a], _half(name[b]))
        edges.append(
            f'<line x1="{start[0]:.1f}" y1="{start[1]:.1f}" x2="{end[0]:.1f}" y2="{end[1]:.1f}" class="edge" '
            'marker-end="url(#arrow)"/>'
        )
        t = 0.62 if a == centre else 0.38 if b == centre else 0.5  # labels away from the crowded centre
        mx, my = start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])
        texts.append(f'<text x="{mx:.1f}" y="{my:.1f}" class="label">{esc(text)}</text>')
    boxes = []
    for cls in classes:
        (x, y), (hw, hh) = where[cls], _half(name[cls])
        boxes.append(
            f'<a href="#{esc(local_name(cls))}"><title>{esc(cls)}</title>'
            f'<rect x="{x - hw:.1f}" y="{y - hh:.1f}" width="{2 * hw:.1f}" height="{2 * hh:.1f}" rx="6" class="class"/>'
            f'<text x="{x:.1f}" y="{y + 5:.1f}" class="name">{esc(name[cls])}</text></a>'
        )
    style = (
        ".edge{stroke:#6b7280;stroke-width:1.2;fill:none}.class{fill:#dbeafe;stroke:#1d4ed8}"
        ".name{font:600 13px sans-serif;text-anchor:middle;fill:#1e3a8a}"
        ".label{font:11px sans-serif;text-anchor:middle;fill:#374151;paint-order:stroke;stroke:#fff;stroke-width:3px}"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="The main classes of the ontology and the properties that link them">'
        f'<style>{style}</style><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7280"/>'
        f"</marker></defs>{''.join(edges)}{''.join(boxes)}{''.join(texts)}</svg>"
    )


def write_docs(folder: Path, graph: Graph | None = None) -> list[Path]:
    """Write ``ontology.html`` and ``ontology.svg`` into a folder (created if missing); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, content in ((DOCS_FILE, ontology_docs(graph)), (DIAGRAM_FILE, diagram_svg(graph))):
        path = folder / file_name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
