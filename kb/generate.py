"""A synthetic knowledge base of any size, for benchmarks and tests: ``stancekb generate``.

The synthetic KB follows docs/modelling.md and passes the SHACL shapes. It is laid out like the real one:

- ``graph/reference``: the packaged reference graph (states, places, NATO, roles, topics) plus a synthetic
  cast: people (the real KB's people first, then invented ones), states, places, media outlets, research
  institutes, government bodies, military commands, offices and topics. Unlike in the real KB, where an
  actor is typed in the source that first names it, every actor shared between sources lives here, so that
  one source graph together with the reference graph is closed under the shapes: that pair is what an
  incremental gate would validate.
- ``graph/synthetic-NNNNNN``: one graph per synthetic source document (about 1,000 triples each) with its
  own invented text, held nowhere but whose SHA-256, length and selectors are exact: quotes, stances,
  propositions, meetings, blocs, dependencies, memberships, historical events, anonymous sources and the
  text anchors of every statement.

Who appears in statements is skewed like news: actors are drawn from a Zipf distribution over a ranked cast
(rank r with weight 1/r**1.2), so a few actors (Mark Rutte, the United States, Donald Trump, France, ...) are
in most statements and most actors in few. Everything is drawn from ``random.Random`` seeded by the seed and
the source's number: the same seed and size give byte-identical output, and any source can be made alone.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import DCTERMS, PROV, RDF, RDFS, SKOS, TIME, XSD, URIRef

from stancekb.namespaces import GRAPH, OA, ORG, PREFIXES, REFERENCE_GRAPH, RESOURCE, SCHEMA, SKB
from stancekb.rdfio import RdfInputError, rdf_format
from stancekb.resources import kb_files

ZIPF_EXPONENT = 1.2
"""Weight 1/rank**s: with s = 1.2 the five most frequent actors are in about half of all statements."""

PROGRESS_STEP = 10_000
"""How many triples ``write_synthetic_kb`` writes between two progress reports."""

MEAN_SOURCE_TRIPLES = 1_000
"""About how many triples one synthetic source has; used to size the cast for a requested size."""

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FIRST_NAMES = (
    "Anna", "Lars", "Sofia", "Marek", "Elena", "Tomas", "Ingrid", "Pieter", "Camille", "Jonas", "Marta", "Luca",
    "Freya", "Andrzej", "Clara", "Mikkel", "Ines", "Dmitri", "Hanna", "Olivier", "Greta", "Rui", "Nora", "Emil",
    "Zofia", "Henrik", "Alba", "Viktor", "Leila", "Stefan",
)  # fmt: skip
LAST_NAMES = (
    "Novak", "Jensen", "Moreau", "Kowalski", "Rossi", "Berg", "Dubois", "Horvat", "Schmidt", "Lindqvist", "Petrov",
    "Costa", "Visser", "Nagy", "Fischer", "Ramos", "Olsen", "Weber", "Kask", "Marin", "Baker", "Ozols", "Laine",
    "Brennan", "Szabo", "Meyer", "Popescu", "Hansen", "Silva", "Varga",
)  # fmt: skip
REGIONS = ("the Baltic", "the Black Sea region", "the Arctic", "the Balkans", "the Mediterranean", "Central Europe")
SYLLABLES = ("val", "dor", "ka", "mir", "ost", "lan", "bre", "tia", "nor", "vel", "sar", "ru", "gal", "esh", "mon")
CLAIMS = (
    "should lead on", "is undermining", "must rethink its approach to", "is essential to", "will shape",
    "cannot ignore", "should invest more in", "is losing ground on", "has been sidelined on", "is decisive for",
)  # fmt: skip
QUOTES = (
    "We cannot afford to ignore {topic} any longer",
    "Our position on {topic} has not changed",
    "This is a turning point for {topic}",
    "We are working closely with {actor} on {topic}",
    "Nobody expected {actor} to move this fast on {topic}",
    "{actor} knows exactly where we stand",
    "There is no alternative to a serious debate on {topic}",
    "It would be a mistake to leave {topic} to others",
)
PURPOSES = ("to coordinate on {topic}", "to act on {topic} without waiting for others", "to pool resources for {topic}")
UNITS = ("troops", "million euros", "aircraft", "percent of GDP", "battalions")
DESCRIPTIONS = ("an official of {org}", "a senior diplomat from {org}", "a person familiar with the talks at {org}")
REASONS = ("to discuss sensitive matters", "because the talks are confidential", "as they were not authorised to speak")
REAL_PEOPLE = (
    ("mark-rutte", "Mark Rutte"),
    ("donald-trump", "Donald Trump"),
    ("friedrich-merz", "Friedrich Merz"),
    ("jean-noel-barrot", "Jean-Noël Barrot"),
    ("giuseppe-spatafora", "Giuseppe Spatafora"),
)
"""People of the real KB, at the top of the synthetic cast, so that the competency questions find them."""
POLARITY_VERBS = {SKB.Favour: "supports", SKB.Against: "opposes", SKB.Neutral: "weighs", SKB.Mixed: "is divided on"}
POLARITY_ADVERBS = {
    SKB.Favour: "warmly",
    SKB.Against: "critically",
    SKB.Neutral: "cautiously",
    SKB.Mixed: "ambivalently",
}
REPORTING_MODES = (SKB.DirectQuotation, SKB.PartialQuotation, SKB.Paraphrase, SKB.OutletReporting)
STRENGTHS = (SKB.Weak, SKB.Moderate, SKB.Strong)
TRENDS = (SKB.Increasing, SKB.Decreasing)
EVENT_TYPES = (SKB.Consult, SKB.MakeVisit, SKB.HostVisit, SKB.MeetAtThirdLocation, SKB.Negotiate)
RESOURCES = (
    SKB.Troops, SKB.Funding, SKB.MilitarySupport, SKB.CommandStructures, SKB.Logistics, SKB.Communications,
    SKB.NuclearDeterrence, SKB.Defence, SKB.PoliticalSupport,
)  # fmt: skip


@cache
def _iri(term: URIRef) -> ox.NamedNode:
    """A vocabulary or cast IRI as a pyoxigraph term, made once (per-source nodes are not cached)."""
    return ox.NamedNode(str(term))


def _text(value: str, language: str | None = "en") -> ox.Literal:
    return ox.Literal(value, language=language) if language else ox.Literal(value)


def _typed(value: object, datatype: URIRef) -> ox.Literal:
    return ox.Literal(str(value), datatype=_iri(datatype))


def _listed(names: Iterable[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    *most, last = names
    return f"{', '.join(most)} and {last}" if most else last


@dataclass(frozen=True)
class Actor:
    """A member of the cast: its IRI, label, kind, and the office it holds (people only)."""

    iri: ox.NamedNode
    label: str
    kind: str  # "person", "state" or "organisation"
    office: Office | None = None


@dataclass(frozen=True)
class Office:
    """An office of the cast: held in an organisation in a role."""

    iri: ox.NamedNode
    organisation: ox.NamedNode
    role: ox.NamedNode
    label: str


@dataclass(frozen=True)
class Named:
    """A thing of the cast that statements point to (topic, place, role, command), with its label."""

    iri: ox.NamedNode
    label: str


@dataclass(frozen=True)
class Proposition:
    """A proposition of a source, with its label and topics."""

    node: ox.NamedNode
    label: str
    topics: list[Named]


Subject = ox.NamedNode | ox.BlankNode
Span = tuple[int, int]
"""Where words lie in a source's text: start and end (exclusive), in code points."""


class Zipf:
    """Draws items from a ranked list, the item of rank r (from 1) with weight 1/r**exponent."""

    def __init__(self, items: Sequence[Actor], exponent: float = ZIPF_EXPONENT) -> None:
        self.items = list(items)
        self.cum_weights = list(itertools.accumulate(1 / rank**exponent for rank in range(1, len(items) + 1)))

    def pick(self, rng: random.Random) -> Actor:
        """One item."""
        return rng.choices(self.items, cum_weights=self.cum_weights)[0]

    def distinct(self, rng: random.Random, count: int, exclude: Sequence[Actor] = ()) -> list[Actor]:
        """``count`` different items, none of them in ``exclude`` (there must be enough items)."""
        chosen: list[Actor] = []
        while len(chosen) < count:
            item = self.pick(rng)
            if item not in chosen and item not in exclude:
                chosen.append(item)
        return chosen


@dataclass(frozen=True)
class SyntheticSource:
    """One synthetic source: its graph's name, its invented text and its quads."""

    graph: ox.NamedNode
    text: str
    quads: list[ox.Quad]


class SyntheticKB:
    """The synthetic KB for a requested size and seed: its reference graph and any of its sources.

    The cast grows like the vocabulary of a corpus, with the square root of the number of sources, so the
    reference graph stays small beside the sources at every size (about 1,000 triples at 10k, 3,000 at 1M).
    """

    def __init__(self, triples: int, seed: int = 0) -> None:
        self.triples = triples
        self.seed = seed
        self._quads: list[ox.Quad] = []
        self._read_packaged_reference()
        growth = math.sqrt(max(1, triples // MEAN_SOURCE_TRIPLES))
        rng = random.Random(f"stancekb-synthetic:{seed}:cast")
        self._cast(rng, people=30 + int(15 * growth), states=30, outlets=5 + int(growth), bodies=10 + int(2 * growth))

    def reference(self) -> list[ox.Quad]:
        """The quads of graph/reference: the packaged reference graph and the synthetic cast."""
        return list(self._quads)

    def source(self, number: int) -> SyntheticSource:
        """Synthetic source number ``number`` (from 0): the same for the same seed and size, whatever else is made."""
        return _SourceWriter(self, number).write()

    def quads(self) -> Iterator[ox.Quad]:
        """The reference graph, then whole sources until there are at least the requested number of triples."""
        written = len(self._quads)
        yield from self._quads
        for number in itertools.count():
            source = self.source(number)
            yield from source.quads
            written += len(source.quads)
            if written >= self.triples:
                return

    # ---- the cast, in graph/reference -----------------------------------------------------------------

    def _add(self, subject: ox.NamedNode, predicate: URIRef, obj: ox.NamedNode | ox.Literal) -> None:
        self._quads.append(ox.Quad(subject, _iri(predicate), obj, _iri(REFERENCE_GRAPH)))

    def _node(self, kind: URIRef, slug: str, label: str) -> ox.NamedNode:
        node = _iri(RESOURCE[slug])
        self._add(node, RDF.type, _iri(kind))
        self._add(node, RDFS.label, _text(label))
        return node

    def _read_packaged_reference(self) -> None:
        """Start from the packaged reference graph, and take its states, places, roles and topics."""
        (entry,) = (entry for entry in kb_files() if entry.name == "reference.trig")
        self._quads = list(ox.parse(entry.read_bytes(), ox.RdfFormat.TRIG))
        labels = {
            quad.subject: quad.object.value
            for quad in self._quads
            if quad.predicate == _iri(RDFS.label) and isinstance(quad.object, ox.Literal)
        }

        def labelled(kind: URIRef) -> list[Named]:
            found = {
                quad.subject for quad in self._quads if quad.predicate == _iri(RDF.type) and quad.object == _iri(kind)
            }
            return [Named(node, labels[node]) for node in sorted(found, key=str) if isinstance(node, ox.NamedNode)]

        self.states = [Actor(named.iri, named.label, "state") for named in labelled(SKB.State)]
        self.places = labelled(SKB.Place)
        self.roles = labelled(ORG.Role)
        self.topics = labelled(SKB.Topic)
        self.nato = Actor(_iri(RESOURCE["nato"]), "NATO", "organisation")

    def _cast(self, rng: random.Random, *, people: int, states: int, outlets: int, bodies: int) -> None:
        """Invent the shared topics, states, places, organisations, commands, people and offices."""
        narrower = [(broader, region) for broader in self.topics for region in rng.sample(REGIONS, 2)]
        for number, (broader, region) in enumerate(narrower):
            label = f"{broader.label} in {region}"
            topic = self._node(SKB.Topic, f"topic-synthetic-{number:03d}", label)
            self._add(topic, SKOS.prefLabel, _text(label))
            self._add(topic, SKOS.inScheme, _iri(RESOURCE["topics"]))
            self._add(topic, SKOS.broader, broader.iri)
            self.topics.append(Named(topic, label))
        real_states = list(self.states)
        for number in range(states):
            name = "".join(rng.sample(SYLLABLES, 3)).capitalize()
            country = self._node(SKB.State, f"state-{number:03d}", name)
            capital = self._node(SKB.Place, f"place-{number:03d}", f"{name} City")
            self._add(country, SKB.capital, capital)
            self._add(capital, SKB.locatedIn, country)
            if rng.random() < 0.6:
                self._add(country, ORG.memberOf, self.nato.iri)
            self.states.append(Actor(country, name, "state"))
            self.places.append(Named(capital, f"{name} City"))
        self.outlets = []
        for number in range(outlets):
            name = f"The {rng.choice(SYLLABLES).capitalize()} {rng.choice(('Courier', 'Times', 'Herald', 'Review'))}"
            self.outlets.append(Actor(self._node(SKB.MediaOutlet, f"outlet-{number:03d}", name), name, "organisation"))
        organisations = [self.nato, *self.outlets]
        for number in range(bodies):
            state = rng.choice(self.states)
            if rng.random() < 0.5:
                name = f"the Defence Ministry of {state.label}"
                body = self._node(SKB.GovernmentBody, f"organisation-{number:03d}", name)
                self._add(body, ORG.subOrganizationOf, state.iri)
            else:
                name = f"the {state.label} Security Institute"
                body = self._node(SKB.ResearchInstitute, f"organisation-{number:03d}", name)
            organisations.append(Actor(body, name, "organisation"))
        self.commands = []
        for number, place in enumerate(rng.sample(self.places, 4)):
            name = f"U.S.-led command in {place.label}"
            command = self._node(SKB.MilitaryCommand, f"command-synthetic-{number}", name)
            self._add(command, SKB.ledBy, _iri(RESOURCE["united-states"]))
            self._add(command, SKB.basedIn, place.iri)
            self.commands.append(command)
        self.journalists = [
            self._person(f"journalist-{number:03d}", self._name(rng, number), rng, affiliation=outlet)
            for number, outlet in enumerate(self.outlets)
        ]
        persons = [self._person(slug, name, rng) for slug, name in REAL_PEOPLE]
        persons += [self._person(f"person-{number:05d}", self._name(rng, number), rng) for number in range(people)]
        # The ranked cast: people and organisations take turns, so that both are at the top.
        (self.united_states,) = (state for state in real_states if state.iri == _iri(RESOURCE["united-states"]))
        first = [self.united_states, *(state for state in real_states if state.label == "France")]
        others = [*first, self.nato, *(state for state in self.states if state not in first), *organisations[1:]]
        ranked = [actor for pair in itertools.zip_longest(persons, others) for actor in pair if actor is not None]
        self.actors = Zipf(ranked)
        self.people = Zipf(persons)
        self.organisations = Zipf([actor for actor in ranked if actor.kind != "person"])
        self.state_picker = Zipf(self.states)
        self.publishers = Zipf(self.outlets)

    @staticmethod
    def _name(rng: random.Random, number: int) -> str:
        return f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {rng.choice(LAST_NAMES)}"

    def _person(self, slug: str, name: str, rng: random.Random, affiliation: Actor | None = None) -> Actor:
        """A person of the cast; two in five (journalists aside) hold an office in a state."""
        person = self._node(SKB.Person, slug, name)
        if affiliation is not None:
            self._add(person, SKB.affiliation, affiliation.iri)
            return Actor(person, name, "person")
        if rng.random() >= 0.4:
            return Actor(person, name, "person")
        state = rng.choice(self.states)
        role = rng.choice(self.roles)
        label = f"{role.label} of {state.label}"
        office = self._node(SKB.Office, f"office-{slug}", f"{label} (held by {name})")
        self._add(office, ORG.postIn, state.iri)
        self._add(office, ORG.role, role.iri)
        self._add(office, ORG.heldBy, person)
        return Actor(person, name, "person", Office(office, state.iri, role.iri, label))


class _SourceWriter:
    """Writes one source: its statements and the sentences of its text, then its document and anchors."""

    def __init__(self, kb: SyntheticKB, number: int) -> None:
        self.kb = kb
        self.number = number
        self.rng = random.Random(f"stancekb-synthetic:{kb.seed}:source:{number}")
        self.name = f"synthetic-{number:06d}"
        self.graph = ox.NamedNode(GRAPH[self.name])
        self.document = ox.NamedNode(RESOURCE[self.name])
        self.now = self.node("now")
        self.quads: list[ox.Quad] = []
        self.sentences: list[str] = []
        self.length = 0
        self.anchors: dict[tuple[int, int], ox.NamedNode] = {}
        self.serial = itertools.count()
        self.anonymous: list[Actor] = []

    # ---- helpers -------------------------------------------------------------------------------------

    def node(self, local: str) -> ox.NamedNode:
        """A node of this source, under the source's own namespace."""
        return ox.NamedNode(f"{RESOURCE}{self.name}/{local}")

    def new(self, kind: URIRef, local: str) -> ox.NamedNode:
        """A new typed node of this source, named ``{local}-{serial number}``."""
        node = self.node(f"{local}-{next(self.serial)}")
        self.add(node, RDF.type, _iri(kind))
        return node

    def blank(self, kind: URIRef) -> ox.BlankNode:
        """A typed blank node, labelled uniquely in the whole KB (a file of many sources keeps them apart)."""
        node = ox.BlankNode(f"s{self.number}b{next(self.serial)}")
        self.add(node, RDF.type, _iri(kind))
        return node

    def add(self, subject: Subject, predicate: URIRef, obj: Subject | ox.Literal) -> None:
        """Add a quad to this source's graph."""
        self.quads.append(ox.Quad(subject, _iri(predicate), obj, self.graph))

    def sentence(self, text: str) -> Span:
        """Append a sentence (a line, capitalised) to the text; its span in code points."""
        start = self.length
        self.sentences.append(text[0].upper() + text[1:])
        self.length += len(text) + 1
        return start, start + len(text)

    def evidence(self, subject: ox.NamedNode, *spans: Span) -> None:
        """Point a statement at the anchors of its words (one anchor per span, its selectors written at the end)."""
        for span in spans:
            anchor = self.anchors.setdefault(span, self.node(f"a-{len(self.anchors)}"))
            self.add(subject, SKB.evidence, anchor)

    def interval(self, relation: URIRef = TIME.inside) -> ox.BlankNode:
        """``[ a time:Interval ; time:inside now ]``, or ``time:before now``."""
        interval = self.blank(TIME.Interval)
        self.add(interval, relation, self.now)
        return interval

    def topics(self, count: int) -> list[Named]:
        """Distinct topics, drawn uniformly."""
        return self.rng.sample(self.kb.topics, count)

    def holder(self) -> Actor:
        """Who holds a stance: the cast (Zipf), or now and then one of this source's anonymous sources."""
        if self.anonymous and self.rng.random() < 0.15:
            return self.rng.choice(self.anonymous)
        return self.kb.actors.pick(self.rng)

    # ---- the source ----------------------------------------------------------------------------------

    def write(self) -> SyntheticSource:
        """Write the whole source: statements first (they make the text), then the document and anchors.

        The quads come out grouped by subject, the graph and the document first, then in the order subjects
        first appear, so that a TriG file states each node in one block.
        """
        rng = self.rng
        publisher = self.kb.publishers.pick(rng)
        contributor = self.kb.journalists[self.kb.outlets.index(publisher)]
        spans = [self.sentence(f"{self.kb.actors.pick(rng).label} and {self.topics(1)[0].label}")]
        for _ in range(rng.randint(0, 2)):
            self.anonymous_source()
        propositions = [self.proposition() for _ in range(rng.randint(5, 12))]
        for _ in range(rng.randint(14, 28)):
            self.stance(propositions)
        meetings = [self.meeting() for _ in range(rng.randint(2, 5))]
        if rng.random() < 0.3:
            self.bloc(meetings[0])
        for _ in range(rng.randint(2, 7)):
            self.dependency()
        for _ in range(rng.randint(1, 4)):
            self.membership()
        if rng.random() < 0.3:
            self.historical_event()
        silent = self.kb.actors.distinct(rng, rng.randint(0, 2))
        spans += [self.sentence(f"{actor.label} did not respond to a request for comment.") for actor in silent]
        credit = self.sentence(f"{contributor.label} contributed to this report for {publisher.label}")
        self.membership_of(contributor, publisher.iri, _iri(RESOURCE["role-contributor"]), TIME.inside, credit)
        text = "\n".join(self.sentences) + "\n"
        self.document_and_graph(text, publisher, contributor, silent, [*spans, credit])
        self.write_anchors(text)
        first_seen: dict[object, int] = {self.graph: 0, self.document: 1, self.now: 2}
        for quad in self.quads:
            first_seen.setdefault(quad.subject, len(first_seen))
        self.quads.sort(key=lambda quad: first_seen[quad.subject])
        return SyntheticSource(self.graph, text, self.quads)

    def document_and_graph(
        self, text: str, publisher: Actor, contributor: Actor, silent: list[Actor], spans: list[Span]
    ) -> None:
        """The graph's own metadata and the source document, which needs the finished text."""
        self.add(self.graph, DCTERMS.title, _text(f"Statements of synthetic source {self.number}"))
        self.add(self.graph, PROV.wasDerivedFrom, self.document)
        self.add(self.graph, DCTERMS.license, _iri(URIRef("https://creativecommons.org/licenses/by/4.0/")))
        self.add(self.graph, DCTERMS.created, _typed("2026-11-25", XSD.date))
        document = self.document
        self.add(document, RDF.type, _iri(SKB.SourceDocument))
        self.add(document, DCTERMS.title, _text(self.sentences[0]))
        self.add(document, DCTERMS.publisher, publisher.iri)
        self.add(document, DCTERMS.contributor, contributor.iri)
        self.add(document, DCTERMS.language, _text("en", None))
        self.add(document, SKB.sha256, _typed(hashlib.sha256(text.encode()).hexdigest(), XSD.hexBinary))
        self.add(document, SKB.characterCount, _typed(len(text), XSD.nonNegativeInteger))
        self.add(document, SKB.reportingTime, self.now)
        if self.rng.random() < 0.5:
            issued = f"2025-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
            self.add(document, DCTERMS.issued, _typed(issued, XSD.date))
        for actor in silent:
            self.add(document, SKB.noCommentFrom, actor.iri)
        self.evidence(document, *spans)
        self.add(self.now, RDF.type, _iri(TIME.Instant))
        self.add(self.now, RDFS.label, _text("the source's present (date not given)"))

    def write_anchors(self, text: str) -> None:
        """Every anchor with its quote and position selectors on the finished text (Web Annotation, §4.2)."""
        for (start, end), anchor in self.anchors.items():
            self.add(anchor, RDF.type, _iri(SKB.TextAnchor))
            self.add(anchor, OA.hasSource, self.document)
            quote = self.blank(OA.TextQuoteSelector)
            position = self.blank(OA.TextPositionSelector)
            self.add(anchor, OA.hasSelector, quote)
            self.add(anchor, OA.hasSelector, position)
            self.add(quote, OA.exact, _text(text[start:end], None))
            self.add(quote, OA.prefix, _text(text[max(0, start - 32) : start], None))
            self.add(quote, OA.suffix, _text(text[end : end + 32], None))
            self.add(position, OA.start, _typed(start, XSD.nonNegativeInteger))
            self.add(position, OA.end, _typed(end, XSD.nonNegativeInteger))

    # ---- statements ----------------------------------------------------------------------------------

    def anonymous_source(self) -> None:
        """An unnamed source known to this source only, in the words the source describes them with."""
        organisation = self.kb.organisations.pick(self.rng)
        described = self.rng.choice(DESCRIPTIONS).format(org=organisation.label)
        reason = self.rng.choice(REASONS)
        node = self.new(SKB.AnonymousSource, "anonymous")
        self.add(node, RDFS.label, _text(described))
        self.add(node, SKB.describedAs, _text(described, None))
        self.add(node, SKB.affiliation, organisation.iri)
        if self.rng.random() < 0.6:
            self.add(node, SKB.anonymityReason, _text(reason, None))
        self.evidence(node, self.sentence(f"This account comes from {described}, who asked not to be named {reason}."))
        self.anonymous.append(Actor(node, described, "person"))

    def proposition(self) -> Proposition:
        """A claim that stances can be about."""
        about = self.kb.actors.pick(self.rng)
        topics = self.topics(self.rng.randint(1, 2))
        label = f"{about.label} {self.rng.choice(CLAIMS)} {topics[0].label}"
        node = self.new(SKB.Proposition, "proposition")
        self.add(node, RDFS.label, _text(label))
        self.add(node, SKB.about, about.iri)
        for topic in topics:
            self.add(node, SKB.topic, topic.iri)
        return Proposition(node, label, topics)

    def quote(self, speaker: Actor, topic: Named, template: str) -> tuple[ox.NamedNode, Span, Span]:
        """A quote of the speaker in a new sentence: its node, the span of its words and that of the sentence."""
        words = self.rng.choice(QUOTES).format(topic=topic.label, actor=self.kb.actors.pick(self.rng).label)
        sentence = template.format(speaker=speaker.label, topic=topic.label, words="{words}")
        offset = sentence.index("{words}")
        start, end = self.sentence(sentence.replace("{words}", words))
        span = (start + offset, start + offset + len(words))
        node = self.new(SKB.Quote, "quote")
        self.add(node, SCHEMA.text, _text(words, None))
        self.add(node, PROV.wasAttributedTo, speaker.iri)
        if speaker.office is not None:
            attribution = self.blank(PROV.Attribution)
            self.add(node, PROV.qualifiedAttribution, attribution)
            self.add(attribution, PROV.agent, speaker.iri)
            self.add(attribution, PROV.hadRole, speaker.office.role)
        self.evidence(node, span)
        return node, span, (start, end)

    def stance(self, propositions: list[Proposition]) -> None:
        """A stance on a proposition (mostly), a topic or an actor, with its words and, if quoted, its quote."""
        rng = self.rng
        holder = self.holder()
        proposition = rng.choice(propositions)
        target, about, claim = proposition.node, proposition.label, True
        draw = rng.random()
        if draw < 0.1:
            target, about, claim = proposition.topics[0].iri, proposition.topics[0].label, False
        elif draw < 0.2:
            other = self.kb.actors.distinct(rng, 1, exclude=[holder])[0]
            target, about, claim = other.iri, other.label, False
        mode = rng.choices(REPORTING_MODES, (4, 1, 3, 3))[0]
        polarity = rng.choices(list(POLARITY_VERBS), (11, 5, 2, 2))[0]
        node = self.new(SKB.Stance, "stance")
        self.add(node, SKB.holder, holder.iri)
        self.add(node, SKB.target, target)
        self.add(node, SKB.polarity, _iri(polarity))
        self.add(node, SKB.reportingMode, _iri(mode))
        for topic in proposition.topics:
            self.add(node, SKB.topic, topic.iri)
        if rng.random() < 0.3:
            self.add(node, SKB.strength, _iri(rng.choice(STRENGTHS)))
        if rng.random() < 0.1:
            self.add(node, SKB.trend, _iri(rng.choice(TRENDS)))
        if rng.random() < 0.3:
            self.add(node, SKB.statedAt, self.now)
        self.add(node, SKB.holdsDuring, self.interval(TIME.before if rng.random() < 0.05 else TIME.inside))
        topic = proposition.topics[0]
        if mode == SKB.DirectQuotation:
            quote, words, _ = self.quote(holder, topic, "“{words}”, said {speaker}.")
            self.add(node, SKB.supportedBy, quote)
            self.evidence(node, words)
        elif mode == SKB.PartialQuotation:
            quote, words, sentence = self.quote(holder, topic, "{speaker} called it “{words}” in remarks on {topic}.")
            self.add(node, SKB.supportedBy, quote)
            self.evidence(node, sentence, words)
        elif mode == SKB.Paraphrase and claim:
            self.evidence(node, self.sentence(f"{holder.label} said that {about}."))
        elif mode == SKB.Paraphrase:
            self.evidence(node, self.sentence(f"{holder.label} spoke {POLARITY_ADVERBS[polarity]} of {about}."))
        else:
            verb = POLARITY_VERBS[polarity] + (" the view that" if claim else "")
            self.evidence(node, self.sentence(f"{holder.label} {verb} {about}."))

    def meeting(self) -> ox.NamedNode:
        """A meeting of two to five parties, now and then with a host, an absentee and a place."""
        rng = self.rng
        parties = self.kb.actors.distinct(rng, rng.randint(2, 5))
        topic = self.topics(1)[0]
        host = parties.pop(0) if rng.random() < 0.3 else None
        names = _listed(party.label for party in parties)
        node = self.new(SKB.Meeting, "meeting")
        self.add(node, RDFS.label, _text(f"meeting of {names} on {topic.label}"))
        for party in parties:
            self.add(node, SKB.participant, party.iri)
        words = f"{names} met"
        if host is not None:
            self.add(node, SKB.host, host.iri)
            words += f" at the invitation of {host.label}"
            parties.append(host)
        if rng.random() < 0.2:
            absentee = self.kb.actors.distinct(rng, 1, exclude=parties)[0]
            self.add(node, SKB.absentee, absentee.iri)
            words += f", without {absentee.label}"
        if rng.random() < 0.7:
            place = rng.choice(self.kb.places)
            self.add(node, SKB.place, place.iri)
            words += f", in {place.label}"
        self.add(node, SKB.time, self.meeting_time())
        self.add(node, SKB.eventType, _iri(rng.choice(EVENT_TYPES)))
        self.add(node, SKB.topic, topic.iri)
        framework = rng.random()
        if framework < 0.15:
            self.add(node, SKB.outsideFrameworkOf, self.kb.nato.iri)
        elif framework < 0.3:
            self.add(node, SKB.withinFrameworkOf, self.kb.nato.iri)
        self.evidence(node, self.sentence(f"{words}, to discuss {topic.label}."))
        return node

    def meeting_time(self) -> ox.BlankNode:
        """A day of the week without a date (docs/modelling.md, "Meetings"), the present, or 'recently'."""
        draw = self.rng.random()
        if draw < 0.5:
            day = self.rng.choice(DAYS)
            interval = self.blank(TIME.Interval)
            description = self.blank(TIME.DateTimeDescription)
            self.add(interval, RDFS.label, _text(day))
            self.add(interval, TIME.hasDateTimeDescription, description)
            self.add(description, TIME.unitType, _iri(TIME.unitDay))
            self.add(description, TIME.dayOfWeek, _iri(TIME[day]))
            return interval
        if draw < 0.8:
            return self.interval()
        interval = self.interval(TIME.before)
        self.add(interval, RDFS.label, _text("recently"))
        return interval

    def bloc(self, meeting: ox.NamedNode) -> None:
        """A bloc of states formed in a meeting of this source, leaving one state out."""
        members = self.kb.state_picker.distinct(self.rng, self.rng.randint(2, 5))
        excluded = self.kb.state_picker.distinct(self.rng, 1, exclude=members)[0]
        topic = self.topics(1)[0]
        purpose = self.rng.choice(PURPOSES).format(topic=topic.label)
        names = _listed(member.label for member in members)
        node = self.new(SKB.Bloc, "bloc")
        self.add(node, RDFS.label, _text(f"bloc of {names}"))
        for member in members:
            self.add(node, ORG.hasMember, member.iri)
        self.add(node, SKB.excludes, excluded.iri)
        self.add(node, SKB.formedIn, meeting)
        self.add(node, SKB.purpose, _text(purpose, None))
        self.add(node, SKB.topic, topic.iri)
        self.evidence(node, self.sentence(f"{names} formed a bloc that excludes {excluded.label}, {purpose}."))

    def dependency(self) -> None:
        """An actor (NATO more often) depending on another (the U.S. more often) for a resource, with details."""
        rng = self.rng
        depender = self.kb.nato if rng.random() < 0.15 else self.kb.actors.pick(rng)
        us = self.kb.united_states
        dependee = us if depender != us and rng.random() < 0.3 else self.kb.actors.distinct(rng, 1, [depender])[0]
        dependum = rng.choice(RESOURCES)
        what = dependum.rsplit("#", 1)[-1]
        words = f"{depender.label} relies on {dependee.label} for {what}"
        node = self.new(SKB.Dependency, "dependency")
        self.add(node, RDFS.label, _text(f"{depender.label} depends on {dependee.label} for {what}"))
        self.add(node, SKB.depender, depender.iri)
        self.add(node, SKB.dependee, dependee.iri)
        self.add(node, SKB.dependum, _iri(dependum))
        if dependum == SKB.CommandStructures and dependee.label == "United States":
            for command in self.kb.commands:
                self.add(node, SKB.via, command)
        if rng.random() < 0.25:
            amount, unit = rng.randint(1, 100) * 1000, rng.choice(UNITS)
            quantity = self.blank(SCHEMA.QuantitativeValue)
            self.add(node, SKB.quantity, quantity)
            self.add(quantity, SCHEMA.value, _typed(amount, XSD.integer))
            self.add(quantity, SCHEMA.unitText, _text(unit, None))
            words += f", some {amount} {unit}"
        if rng.random() < 0.15:
            self.add(node, SKB.trend, _iri(rng.choice(TRENDS)))
        if rng.random() < 0.3:
            self.add(node, SKB.strength, _iri(rng.choice(STRENGTHS)))
        if rng.random() < 0.2:
            consequence = f"without it {depender.label} could not act alone"
            self.add(node, SKB.consequence, _text(consequence, None))
            words += f"; {consequence}"
        self.add(node, SKB.holdsDuring, self.interval())
        self.add(node, SKB.reportingMode, _iri(rng.choice((SKB.OutletReporting, SKB.Paraphrase))))
        if rng.random() < 0.5:
            self.add(node, SKB.topic, self.topics(1)[0].iri)
        self.evidence(node, self.sentence(f"{words}."))

    def membership(self) -> None:
        """A person's current office, or a former role (at NATO half of the time); people drawn uniformly.

        Background of this kind is given for anyone, not mostly for the famous: drawn from the Zipf
        distribution, the first few people would have hundreds of former careers at scale.
        """
        person = self.rng.choice(self.kb.people.items)
        office = person.office
        if office is not None and self.rng.random() < 0.7:
            span = self.sentence(f"{person.label}, {office.label}, spoke to reporters.")
            membership = self.membership_of(person, office.organisation, office.role, TIME.inside, span)
            self.add(membership, SKB.tenureOf, office.iri)
            return
        organisation = self.kb.nato if self.rng.random() < 0.5 else self.kb.organisations.pick(self.rng)
        role = self.rng.choice(self.kb.roles)
        span = self.sentence(f"{person.label}, a former {role.label} at {organisation.label}, recalled the talks.")
        self.membership_of(person, organisation.iri, role.iri, TIME.before, span)

    def membership_of(
        self, person: Actor, organisation: ox.NamedNode, role: ox.NamedNode, relation: URIRef, span: Span
    ) -> ox.NamedNode:
        """An org:Membership, current (inside now) or former (before now)."""
        node = self.new(ORG.Membership, "membership")
        self.add(node, ORG.member, person.iri)
        self.add(node, ORG.organization, organisation)
        self.add(node, ORG.role, role)
        self.add(node, ORG.memberDuring, self.interval(relation))
        self.evidence(node, span)
        return node

    def historical_event(self) -> None:
        """A past event, dated by the year the source gives."""
        year = self.rng.randint(1949, 2024)
        actor = self.kb.actors.pick(self.rng)
        place = self.rng.choice(self.kb.places)
        label = f"the {year} crisis involving {actor.label} in {place.label}"
        node = self.new(SKB.HistoricalEvent, "event")
        self.add(node, RDFS.label, _text(label))
        self.add(node, SKB.participant, actor.iri)
        self.add(node, SKB.place, place.iri)
        interval = self.blank(TIME.Interval)
        description = self.blank(TIME.DateTimeDescription)
        self.add(interval, RDFS.label, _text(str(year)))
        self.add(interval, TIME.hasDateTimeDescription, description)
        self.add(description, TIME.unitType, _iri(TIME.unitYear))
        self.add(description, TIME.year, _typed(year, XSD.gYear))
        self.add(node, SKB.time, interval)
        self.add(node, SKB.topic, self.topics(1)[0].iri)
        self.evidence(node, self.sentence(f"The talks recalled {label}."))


def generate(triples: int, seed: int = 0) -> Iterator[ox.Quad]:
    """The quads of a synthetic KB of at least ``triples`` triples (it ends with a whole source), streamed."""
    return SyntheticKB(triples, seed).quads()


def write_synthetic_kb(path: Path, triples: int, seed: int = 0, progress: Callable[[int], None] | None = None) -> int:
    """Write a synthetic KB to an N-Quads (``.nq``) or TriG (``.trig``) file as it is made; return the triples written.

    ``progress`` is called with the number of triples written so far, every ``PROGRESS_STEP`` triples and at
    the end. The file appears only once complete (it is written under another name, then renamed). Raises
    ``RdfInputError`` if the file's extension names no format, or one that cannot hold named graphs.
    """
    fmt = rdf_format(path.name, str(path))
    if not fmt.supports_datasets:
        raise RdfInputError(str(path), f"{fmt.name} cannot hold named graphs: write a .nq or .trig file")
    written = 0

    def counted() -> Iterator[ox.Quad]:
        nonlocal written
        for quad in generate(triples, seed):
            written += 1
            if progress is not None and written % PROGRESS_STEP == 0:
                progress(written)
            yield quad

    partial = path.with_name(f".{path.name}.partial")  # renamed once complete: never a half-written file
    try:
        ox.serialize(counted(), partial, fmt, prefixes={**PREFIXES, "wd": "http://www.wikidata.org/entity/"})
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise OSError(f"{path}: {error}") from error
    if progress is not None:
        progress(written)
    return written
