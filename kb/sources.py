"""New sources: the IRIs of a source, its scaffolded named graph, text anchors, and actors matched by label.

A source named ``SLUG`` (see docs/modelling.md and docs/adding-a-source.md) has its document at
``skr:SLUG``, its named graph at ``graph/SLUG``, its own nodes under ``skr:SLUG/`` and its present
(``skb:reportingTime``) at ``skr:SLUG/now``. Actors are shared: a person first named in one source is
``skr:person-slug`` there, and a later source reuses that IRI, found by ``ActorIndex`` from the labels in
the store (or made by the same convention, ``actor_iri``, so that two drafts of one name agree).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from rdflib import RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS, TIME

from stancekb.anchors import sha256_hex
from stancekb.export import export
from stancekb.namespaces import GRAPH, OA, RESOURCE, SCHEMA, SKB
from stancekb.resources import ontology_graph
from stancekb.store import Store, open_store
from stancekb.validate import union_graph

RIGHT_QUOTE = "\u2019"
"""The typographic apostrophe (and closing single quotation mark)."""

CONTEXT_CHARS = 32
"""Characters of prefix and suffix in a ``oa:TextQuoteSelector`` (docs/modelling.md)."""

LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, FOAF.name, SCHEMA.name)
"""The properties whose values name an actor, for matching names in a text to resources."""

BIBO_STATUS = URIRef("http://purl.org/ontology/bibo/status")
DRAFT = URIRef("http://purl.org/ontology/bibo/status/draft")
"""``GRAPH bibo:status bibo-status:draft`` marks an unreviewed draft; shapes/draft.shacl.ttl refuses it."""


class SourceError(ValueError):
    """Bad input for a new source (an unreadable text, a bad slug); the message names the problem."""


def slugify(text: str) -> str:
    """A readable IRI slug: ASCII letters and digits, lower case, words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")


def read_text(path: Path) -> str:
    """A source text, read as UTF-8 exactly as it is (no newline translation: offsets count every character)."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as error:
        raise SourceError(f"{path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise SourceError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None


@dataclass(frozen=True)
class SourceIris:
    """The IRIs of one source, from its slug."""

    slug: str

    def __post_init__(self) -> None:
        """Refuse a slug that would not make the IRIs of docs/modelling.md."""
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", self.slug):
            raise SourceError(f"bad slug {self.slug!r}: use lower-case letters, digits and single hyphens")

    @property
    def document(self) -> URIRef:
        """The source document, ``skr:SLUG``."""
        return RESOURCE[self.slug]

    @property
    def graph(self) -> URIRef:
        """The source's named graph, ``graph/SLUG``."""
        return GRAPH[self.slug]

    @property
    def ns(self) -> Namespace:
        """The namespace of the source's own nodes, ``skr:SLUG/``."""
        return Namespace(f"{RESOURCE}{self.slug}/")

    @property
    def now(self) -> URIRef:
        """The source's present: its ``skb:reportingTime``."""
        return self.ns["now"]


def add_anchor(graph: Graph, iris: SourceIris, name: str, text: str, start: int, end: int) -> URIRef:
    """Add a ``skb:TextAnchor`` on ``text[start:end]`` with quote and position selectors; return it."""
    anchor, quote, position = iris.ns[name], BNode(), BNode()
    graph.add((anchor, RDF.type, SKB.TextAnchor))
    graph.add((anchor, OA.hasSource, iris.document))
    graph.add((anchor, OA.hasSelector, quote))
    graph.add((anchor, OA.hasSelector, position))
    graph.add((quote, RDF.type, OA.TextQuoteSelector))
    graph.add((quote, OA.exact, Literal(text[start:end])))
    graph.add((quote, OA.prefix, Literal(text[max(0, start - CONTEXT_CHARS) : start])))
    graph.add((quote, OA.suffix, Literal(text[end : end + CONTEXT_CHARS])))
    graph.add((position, RDF.type, OA.TextPositionSelector))
    graph.add((position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    graph.add((position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
    return anchor


def _normal(label: str) -> str:
    """A label as compared: case folded, curly apostrophes straightened, a leading "the" and spaces dropped."""
    folded = " ".join(label.replace(RIGHT_QUOTE, "'").casefold().split())
    return folded.removeprefix("the ")


def is_shared(iri: URIRef) -> bool:
    """Whether an IRI names a shared resource (``skr:slug``) rather than a node of one source (``skr:SLUG/x``)."""
    local = str(iri).removeprefix(str(RESOURCE))
    return local != str(iri) and "/" not in local


@dataclass(frozen=True)
class Mention:
    """Where an actor's label occurs in a text."""

    actor: URIRef
    start: int
    end: int


@dataclass
class ActorIndex:
    """The shared actors of a graph by their labels, and persons by their surnames, for matching names."""

    labels: dict[str, set[URIRef]] = field(default_factory=dict)
    surnames: dict[str, set[URIRef]] = field(default_factory=dict)
    written: dict[str, set[URIRef]] = field(default_factory=dict)
    roles: dict[str, URIRef] = field(default_factory=dict)

    @classmethod
    def from_graph(cls, data: Graph, ontology: Graph) -> ActorIndex:
        """Index the shared actors of the data: instances of ``skb:Actor`` or a subclass in the ontology."""
        classes = set(ontology.transitive_subjects(RDFS.subClassOf, SKB.Actor))
        persons = set(ontology.transitive_subjects(RDFS.subClassOf, SKB.Person))
        index = cls()
        for cls_ in classes:
            for actor in data.subjects(RDF.type, cls_):
                if not isinstance(actor, URIRef) or not is_shared(actor):
                    continue
                for prop in LABEL_PROPERTIES:
                    for label in data.objects(actor, prop):
                        index.add(actor, str(label), person=cls_ in persons)
        for role in data.subjects(RDF.type, URIRef("http://www.w3.org/ns/org#Role")):
            for label in data.objects(role, RDFS.label):
                if isinstance(role, URIRef):
                    index.roles[_normal(str(label))] = role
        return index

    def add(self, actor: URIRef, label: str, *, person: bool) -> None:
        """Index one label of an actor (its last word as a surname too, for a person)."""
        label = re.sub(r"\s*\([^)]*\)$", "", label)  # "committee (Lithuania)": the words before the gloss
        self.labels.setdefault(_normal(label), set()).add(actor)
        self.written.setdefault(label.removeprefix("the "), set()).add(actor)
        if person and " " in label:
            self.surnames.setdefault(_normal(label.split()[-1]), set()).add(actor)

    def match(self, name: str) -> URIRef | None:
        """The one actor a name denotes: by a label, else (a single word) by a person's surname; None if unsure."""
        for table in (self.labels, self.surnames):
            found = table.get(_normal(name), set())
            if len(found) == 1:
                return next(iter(found))
            if found:
                return None
        return None

    def role(self, words: str) -> URIRef | None:
        """The role whose label's words all occur in a description ("chair of the ... Committee"): the longest."""
        said = set(re.findall(r"\w+", _normal(words).replace("defense", "defence")))
        fits = [(len(label), label) for label in self.roles if set(re.findall(r"\w+", label)) <= said]
        return self.roles[max(fits)[1]] if fits else None

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        """Every written label and surname, longest first, as whole words."""
        names = sorted({*self.written, *(s.title() for s in self.surnames)}, key=len, reverse=True)
        return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])")

    def mentions(self, text: str) -> Iterator[Mention]:
        """The occurrences of actors' labels (as written) and persons' surnames in a text, longest match first."""
        if not self.written:
            return
        for found in self._pattern.finditer(text):
            actor = self.match(found.group())
            if actor is not None:
                yield Mention(actor, found.start(), found.end())


def store_actors(store: Store) -> ActorIndex:
    """The actor index of everything a store holds."""
    return ActorIndex.from_graph(union_graph(store.to_dataset()), ontology_graph())


def actor_iri(name: str) -> URIRef:
    """The IRI convention for a shared actor first named in a source: ``skr:`` + the slug of its name."""
    return RESOURCE[slugify(name)]


@dataclass
class NewSource:
    """What ``source new`` needs to scaffold a source's graph."""

    text: str
    title: str
    publisher: str
    slug: str | None = None
    contributors: list[str] = field(default_factory=list)
    issued: date | None = None
    language: str = "en"

    @property
    def iris(self) -> SourceIris:
        """The source's IRIs (its slug given, or made from the title)."""
        return SourceIris(self.slug or slugify(self.title))


def scaffold(source: NewSource, actors: ActorIndex, *, created: date | None = None) -> Dataset:
    """The named graph of a new source: graph metadata, the document (SHA-256, length, title, publisher), its now.

    The publisher and contributors are matched to existing actors by label; others are added as a
    ``skb:MediaOutlet`` and ``skb:Person`` under ``skr:`` by the IRI convention. The title, where the text
    holds it, gets an anchor (the document's ``skb:evidence``).
    """
    iris = source.iris
    dataset = Dataset()
    graph = dataset.graph(iris.graph)
    doc = iris.document
    graph.add((iris.graph, DCTERMS.title, Literal(f"Statements of '{source.title}'", lang=source.language)))
    graph.add((iris.graph, PROV.wasDerivedFrom, doc))
    graph.add((iris.graph, DCTERMS.created, Literal((created or date.today()).isoformat(), datatype=XSD.date)))
    graph.add((doc, RDF.type, SKB.SourceDocument))
    graph.add((doc, DCTERMS.title, Literal(source.title, lang=source.language)))
    graph.add((doc, DCTERMS.language, Literal(source.language)))
    graph.add((doc, SKB.sha256, Literal(sha256_hex(source.text), datatype=XSD.hexBinary)))
    graph.add((doc, SKB.characterCount, Literal(len(source.text), datatype=XSD.nonNegativeInteger)))
    graph.add((doc, SKB.reportingTime, iris.now))
    graph.add((iris.now, RDF.type, TIME.Instant))
    graph.add((iris.now, RDFS.label, Literal("the article's present", lang="en")))
    if source.issued is not None:
        graph.add((doc, DCTERMS.issued, Literal(source.issued.isoformat(), datatype=XSD.date)))
    if source.publisher:  # without one, the shapes say that a source document needs one
        graph.add((doc, DCTERMS.publisher, _actor(graph, actors, source.publisher, SKB.MediaOutlet)))
    for contributor in source.contributors:
        graph.add((doc, DCTERMS.contributor, _actor(graph, actors, contributor, SKB.Person)))
    start = source.text.find(source.title)
    if start != -1 and source.title:
        graph.add(
            (doc, SKB.evidence, add_anchor(graph, iris, "a-title", source.text, start, start + len(source.title)))
        )
    return dataset


def _actor(graph: Graph, actors: ActorIndex, name: str, kind: URIRef) -> URIRef:
    """An existing actor of that name or IRI, or a new one of the kind, labelled, by the IRI convention."""
    if name.startswith(("http://", "https://")):
        return URIRef(name)
    found = actors.match(name)
    if found is not None:
        return found
    actor = actor_iri(name)
    graph.add((actor, RDF.type, kind))
    graph.add((actor, RDFS.label, Literal(name, lang="en")))
    return actor


def to_trig(dataset: Dataset, graph_iri: URIRef) -> bytes:
    """One graph of a dataset as TriG, written deterministically by ``stancekb.export``."""
    store = open_store("memory:")
    try:
        store.add_quads((s, p, o, graph_iri) for s, p, o in dataset.graph(graph_iri))
        return export(store, "trig", graph_iri, base_url="http://127.0.0.1")
    finally:
        store.close()
