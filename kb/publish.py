"""Dereferenceable IRIs: where the server answers for each persistent IRI, and what a resource's description holds.

The KB's IRIs live under https://w3id.org/stancekb/ whatever host serves them; ``SERVED`` maps each namespace
onto a path of the server, so ``{base_url}/id/mark-rutte`` answers for https://w3id.org/stancekb/id/mark-rutte
(``server_url`` and ``kb_iri`` go each way). The same data thus serves from localhost or a public host: only the
setting ``base_url`` changes, never an IRI in the data.

A resource's description (``describe_resource``) is what a client needs to read it without a second request:

- every triple with the resource as subject, in every graph (quads keep their graph), and the triples of the
  blank nodes it points to, two levels deep (intervals, quantities, attributions);
- every triple with the resource as object (incoming links);
- the types, labels and texts of its neighbours (what it links to, what links to it);
- the quotes that support it (a stance's), with their own triples;
- the evidence of the resource and of those quotes: each text anchor with its selectors (the exact words,
  their context and position) and the source document's title;
- the labels of the graphs its triples are stated in.

It is served as HTML (``resource_page``) or in each RDF format of ``stancekb.export`` (``REPRESENTATIONS``):
the RDF is written by ``stancekb.export.serialise``, deterministic like the dumps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

from stancekb.describe import DATASET
from stancekb.export import FORMATS, dump_path, has_dump_path, ox_quad, serialise
from stancekb.namespaces import GRAPH, OA, ONTOLOGY_IRI, RESOURCE, SCHEMA, SKB, SPARQL_PREFIXES
from stancekb.pages import curie, esc, labels_of, link, node_html, page
from stancekb.resources import ontology_graph
from stancekb.store import Store, to_ox, valid_iri

Quad = tuple[Node, Node, Node, Node]

SERVED: tuple[tuple[str, str], ...] = (
    (str(SKB._NS), "/ontology#"),
    (str(ONTOLOGY_IRI) + "/", "/ontology/"),
    (str(ONTOLOGY_IRI), "/ontology"),
    (str(RESOURCE), "/id/"),
    (str(GRAPH), "/graph/"),
    (str(DATASET), "/dataset"),
)
"""Persistent namespace -> server path. A namespace ending in ``/`` or ``#`` maps every IRI under it;
any other entry maps that one IRI."""


def _maps(namespace: str, value: str) -> bool:
    return value == namespace or (namespace[-1] in "/#" and value.startswith(namespace))


def server_path(iri: str) -> str | None:
    """The server path that answers for a KB IRI (``/id/mark-rutte``), None for an IRI from elsewhere."""
    for namespace, path in SERVED:
        if _maps(namespace, iri):
            return path + iri[len(namespace) :]
    return None


def server_url(iri: str, base_url: str) -> str | None:
    """The URL on the server at ``base_url`` that answers for a KB IRI, None for an IRI from elsewhere."""
    path = server_path(iri)
    return None if path is None else base_url.rstrip("/") + path


def kb_iri(path: str) -> URIRef | None:
    """The KB IRI a server path answers for (the inverse of ``server_path``), None if it answers for none.

    Raises ``InvalidIri`` if the path makes no valid IRI (a space in it, say).
    """
    for namespace, prefix in SERVED:
        if _maps(prefix, path):
            return valid_iri(namespace + path[len(prefix) :])
    return None


_LABELS = "FILTER(?p IN (rdf:type, rdfs:label, skos:prefLabel, dct:title, schema:name, schema:text))"

DESCRIPTION: tuple[str, ...] = (
    "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?resource ?p ?o } BIND(?resource AS ?s) }",
    "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?resource } BIND(?resource AS ?o) }",
    "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?resource ?link ?s . FILTER(isBlank(?s)) ?s ?p ?o } }",
    """SELECT ?s ?p ?o ?g WHERE {
      GRAPH ?g { ?resource ?link ?b . FILTER(isBlank(?b)) ?b ?link2 ?s . FILTER(isBlank(?s)) ?s ?p ?o } }""",
    """SELECT ?s ?p ?o ?g WHERE { GRAPH ?h { ?resource skb:supportedBy? ?focus . ?focus skb:evidence ?anchor }
      { GRAPH ?g { ?anchor ?p ?o } BIND(?anchor AS ?s) }
      UNION { GRAPH ?g { ?anchor oa:hasSelector ?s . ?s ?p ?o } } }""",
    f"""SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?h {{ ?resource ?link ?s }} FILTER(isIRI(?s))
      GRAPH ?g {{ ?s ?p ?o }} {_LABELS} }}""",
    f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?h {{ ?s ?link ?resource }} GRAPH ?g {{ ?s ?p ?o }} {_LABELS} }}",
    f"""SELECT ?s ?p ?o ?g WHERE {{
      GRAPH ?h {{ ?resource ?link ?b . FILTER(isBlank(?b)) ?b ?link2 ?s . FILTER(isIRI(?s)) }}
      GRAPH ?g {{ ?s ?p ?o }} {_LABELS} }}""",
    f"""SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?h {{ ?resource skb:supportedBy ?quote . ?quote ?link ?s }} FILTER(isIRI(?s))
      GRAPH ?g {{ ?s ?p ?o }} {_LABELS} }}""",
    "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?resource skb:supportedBy ?s . ?s ?p ?o } }",
    f"""SELECT ?s ?p ?o ?g WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ {{ GRAPH ?s {{ ?resource ?x ?y }} }}
      UNION {{ GRAPH ?s {{ ?y ?x ?resource }} }} }} }} GRAPH ?g {{ ?s ?p ?o }} {_LABELS} }}""",
    f"""SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?h {{ ?resource skb:supportedBy?/skb:evidence/oa:hasSource ?s }}
      GRAPH ?g {{ ?s ?p ?o }} {_LABELS} }}""",
)
"""The queries whose quads make up the description of ``?resource``, part by part (see the module's docstring).

``?resource`` is replaced by the IRI, checked by ``valid_iri`` and written by Oxigraph, so that each pattern
starts from it: bound by ``bindings`` (a VALUES clause joined last on Oxigraph) or by a VALUES clause joined
with UNIONs, every node would be described before one was kept (on the first source: 0.15-0.3 s on Oxigraph and
12-20 s on rdflib that way, 20-40 ms and 0.7 s part by part).
"""


def describe_resource(store: Store, iri: URIRef) -> list[Quad]:
    """The quads of a resource's description, sorted; empty if the store says nothing of it."""
    term = str(to_ox(valid_iri(str(iri))))
    found = {
        (row["s"], row["p"], row["o"], row["g"])
        for part in DESCRIPTION
        for row in store.query(SPARQL_PREFIXES + part.replace("?resource", term)).rows
    }
    return sorted(found, key=lambda quad: [t.n3() for t in quad])


@cache
def _ontology_labels() -> dict[Node, str]:
    """The labels of the ontology's terms, for the names of properties and classes on the pages."""
    return labels_of(ontology_graph())


class Description:
    """A resource's description (``describe_resource``), indexed for its HTML page."""

    def __init__(self, iri: URIRef, quads: list[Quad], base_url: str) -> None:
        self.iri = iri
        self.quads = quads
        self.base_url = base_url
        self.properties: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        for s, p, o, _ in quads:
            self.properties[s][p].add(o)
        texts = labels_of((s, RDFS.label, _shortened(o)) for s, p, o, _ in quads if p == SCHEMA.text)
        self.labels = {**_ontology_labels(), **texts, **labels_of((s, p, o) for s, p, o, _ in quads)}

    def values(self, subject: Node, predicate: Node) -> list[Node]:
        """The objects of a subject's property in the description, sorted."""
        return sorted(self.properties.get(subject, {}).get(predicate, ()), key=lambda node: node.n3())

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """One object of a subject's property (the first in order), if any."""
        found = self.values(subject, predicate)
        return found[0] if found else None

    def href(self, iri: URIRef) -> str | None:
        """Where a link to an IRI points: the server's own page for a KB IRI, else the IRI itself."""
        return server_url(str(iri), self.base_url)

    def node(self, node: Node) -> str:
        """A node as HTML; a blank node as the list of its own properties."""
        return node_html(node, self.labels, self.href, self.blank)

    def blank(self, node: BNode) -> str:
        """A blank node as a nested list of its properties."""
        items = [
            f"<li>{self.node(p)}: {', '.join(self.node(o) for o in self.values(node, p))}</li>"
            for p in sorted(self.properties.get(node, {}), key=lambda p: curie(str(p)))
        ]
        return f"<ul>{''.join(items)}</ul>" if items else '<span class="meta">(a blank node)</span>'


def _shortened(text: Node) -> Literal:
    """A quote's text as a label: its first 100 characters."""
    value = str(text)
    return Literal(value if len(value) <= 100 else value[:99] + "…")


def _anchor(d: Description, anchor: Node, *, words: bool = True) -> str:
    """A text anchor: the exact words (unless ``words`` is false) and where they stand in which document."""
    selectors = d.values(anchor, OA.hasSelector)
    exact = next((d.value(s, OA.exact) for s in selectors if d.value(s, OA.exact) is not None), None)
    start = next((d.value(s, OA.start) for s in selectors if d.value(s, OA.start) is not None), None)
    end = next((d.value(s, OA.end) for s in selectors if d.value(s, OA.end) is not None), None)
    source = d.value(anchor, OA.hasSource)
    where = [f"in {d.node(source)}"] if source is not None else []
    if start is not None and end is not None:
        where.append(f"characters {esc(start)} to {esc(end)}")
    where.append(f"anchor {d.node(anchor)}")
    quoted = f"<blockquote>{esc(exact)}</blockquote>" if words and exact is not None else ""
    return f'{quoted}<p class="meta">{", ".join(where)}</p>'


def _quotes(d: Description) -> str:
    """The quotes that support the resource (a stance): the exact words, who said them, their source."""
    blocks = []
    for quote in d.values(d.iri, SKB.supportedBy):
        text = d.value(quote, SCHEMA.text)
        said_by = ", ".join(d.node(agent) for agent in d.values(quote, PROV.wasAttributedTo))
        sources = "".join(_anchor(d, anchor, words=False) for anchor in d.values(quote, SKB.evidence))
        blocks.append(
            f'<div class="term"><blockquote>{esc(text) if text is not None else d.node(quote)}</blockquote>'
            f'<p class="meta">{"said by " + said_by + " · " if said_by else ""}quote {d.node(quote)}</p>{sources}</div>'
        )
    return f"<h2>Quotes</h2>{''.join(blocks)}" if blocks else ""


def _evidence(d: Description) -> str:
    """The exact words of the source that attest the resource."""
    quoted = {str(d.value(quote, SCHEMA.text)) for quote in d.values(d.iri, SKB.supportedBy)}
    blocks = "".join(
        f'<div class="term">{_anchor(d, anchor)}</div>'
        for anchor in d.values(d.iri, SKB.evidence)
        if not {str(d.value(s, OA.exact)) for s in d.values(anchor, OA.hasSelector)} & quoted  # shown as a quote
    )
    return f"<h2>In the source's words</h2>{blocks}" if blocks else ""


def _statements(d: Description) -> str:
    """The resource's own properties, one row per property."""
    rows = [
        f"<tr><th>{d.node(p)}</th><td>{'<br>'.join(d.node(o) for o in d.values(d.iri, p))}</td></tr>"
        for p in sorted(d.properties.get(d.iri, {}), key=lambda p: curie(str(p)))
    ]
    return f"<h2>Statements</h2><table>{''.join(rows)}</table>" if rows else ""


def _incoming(d: Description) -> str:
    """What links to the resource, by which property."""
    links = sorted({(s, p) for s, p, o, _ in d.quads if o == d.iri and s != d.iri}, key=lambda sp: (sp[1], sp[0]))
    rows = [f"<tr><th>{d.node(p)} of</th><td>{d.node(s)}</td></tr>" for s, p in links]
    return f"<h2>Linked from</h2><table>{''.join(rows)}</table>" if rows else ""


def _provenance(d: Description) -> str:
    """The graphs the description comes from, the other representations, and a graph's own dumps."""
    graphs = sorted({g for *_, g in d.quads if isinstance(g, URIRef)})
    parts = [f"<p>Statements from: {', '.join(d.node(g) for g in graphs)}.</p>"]
    own = d.href(d.iri)
    if own is not None:
        formats = [link(f"{own}.{ext}", ext) for ext in REPRESENTATIONS if ext != HTML]
        parts.append(f"<p>This description as data: {' · '.join(formats)}.</p>")
    if has_dump_path(d.iri) and d.iri in graphs:
        dumps = [link(d.base_url.rstrip("/") + dump_path(name, d.iri), fmt.extension) for name, fmt in FORMATS.items()]
        parts.append(f"<p>The whole graph: {' · '.join(dumps)}.</p>")
    return f"<h2>About this page</h2>{''.join(parts)}"


def _relation_title(*roles: tuple[str, URIRef]) -> Callable[[Description], str | None]:
    """A title made of the labels of the nodes a relation links, each after its word (an n-ary relation's)."""

    def title(d: Description) -> str | None:
        parts = [
            f"{word}{' ' if word else ''}{d.labels.get(node) or curie(str(node))}"
            for word, predicate in roles
            for node in d.values(d.iri, predicate)[:1]
        ]
        return " ".join(parts) if parts else None

    return title


TITLES: dict[URIRef, Callable[[Description], str | None]] = {
    SKB.Stance: _relation_title(("Stance of", SKB.holder), ("on", SKB.target)),
    SKB.Dependency: _relation_title(("", SKB.depender), ("depends on", SKB.dependee), ("for", SKB.dependum)),
}
"""Type -> the title of a resource of that type with no label of its own (n-ary relations have none)."""


def title_of(d: Description) -> str:
    """A resource's label, else the title its type gives it, else its CURIE."""
    if d.iri in d.labels:
        return d.labels[d.iri]
    made = (TITLES[t](d) for t in d.values(d.iri, RDF.type) if isinstance(t, URIRef) and t in TITLES)
    return next((title for title in made if title), None) or curie(str(d.iri))


def resource_page(d: Description) -> str:
    """The HTML page of a resource: label, types, quotes and evidence, statements, incoming links."""
    title = title_of(d)
    types = ", ".join(d.node(t) for t in d.values(d.iri, RDF.type))
    header = (
        f'<header><h1>{esc(title)}</h1><p class="meta"><code>{esc(d.iri)}</code>'
        f"{' · ' + types if types else ''}</p></header>"
    )
    sections = (_quotes(d), _evidence(d), _statements(d), _incoming(d), _provenance(d))
    return page(f"{title} · StanceKB", header + "".join(sections))


@dataclass(frozen=True)
class Representation:
    """A representation of a description: its media type and how it is written."""

    media_type: str
    write: Callable[[Description], bytes]


def _rdf_writer(format_name: str) -> Callable[[Description], bytes]:
    return lambda d: serialise((ox_quad(quad) for quad in d.quads), format_name)


HTML = "html"
REPRESENTATIONS: dict[str, Representation] = {
    HTML: Representation("text/html", lambda d: resource_page(d).encode("utf-8")),
    **{fmt.extension: Representation(fmt.media_type, _rdf_writer(name)) for name, fmt in FORMATS.items()},
}
"""File extension -> representation of a resource's description: HTML, and every format of ``stancekb.export``."""


def render_resource(store: Store, iri: URIRef, extension: str, base_url: str) -> bytes | None:
    """A resource's description in the representation of that extension; None if the store says nothing of it."""
    quads = describe_resource(store, iri)
    return REPRESENTATIONS[extension].write(Description(iri, quads, base_url)) if quads else None


def resource_known(store: Store, iri: URIRef) -> bool:
    """Whether the store says anything of a resource: a triple with it as subject or object, in any graph."""
    term = str(to_ox(valid_iri(str(iri))))
    return bool(store.query(f"ASK {{ GRAPH ?g {{ {{ {term} ?p ?o }} UNION {{ ?s ?p {term} }} }} }}").boolean)
