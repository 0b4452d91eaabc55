"""The REST layer's response models, and how each is read from the RDF neighbourhood of a node.

Every model is plain JSON and, with the server's context (``/context.jsonld``), JSON-LD: each key is mapped
there to the RDF property it comes from (``holder`` is ``skb:holder``, ``offices`` the reverse of
``org:member``), so that the JSON-LD expands to triples that are in the store; keys for values the server
derives (``period``, the page's ``total``, the evidence's ``exact`` words) are mapped to null. Values of
controlled vocabularies are short names (``against``, ``direct-quotation``, ``troops``) that the context maps
to the ontology's individuals; classes are their local names (``Person``, ``Proposition``).

Each ``from_graph`` reads a model from a graph holding the node's neighbourhood (``api/queries/describe.rq``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_serializer
from pydantic.alias_generators import to_camel
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, TIME
from rdflib.term import Node

from stancekb.namespaces import OA, ORG, PREFIXES, RESOURCE, SCHEMA, SKB

SKB_NS = str(SKB._NS)
ID = str(RESOURCE)
RSA = ID + "rutte-stands-alone-new-nato/"


# ---------------------------------------------------------------------------------------------------------
# Controlled vocabularies
# ---------------------------------------------------------------------------------------------------------


class Vocabulary(StrEnum):
    """Values of a controlled vocabulary of the ontology: ``direct-quotation`` is ``skb:DirectQuotation``."""

    @property
    def iri(self) -> URIRef:
        """The ontology's IRI for this value."""
        return URIRef(SKB_NS + "".join(part[:1].upper() + part[1:] for part in self.value.split("-")))

    @classmethod
    def of(cls, iri: Node | None) -> Self | None:
        """The value whose IRI this is, if any."""
        return next((member for member in cls if member.iri == iri), None)


class Polarity(Vocabulary):
    """``skb:polarity``: whether the holder is for or against the target."""

    FAVOUR = "favour"
    AGAINST = "against"
    NEUTRAL = "neutral"
    MIXED = "mixed"


class Strength(Vocabulary):
    """``skb:strength``: how strongly a stance is held or a dependency weighs."""

    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"


class Trend(Vocabulary):
    """``skb:trend``: whether a stance or dependency grows or shrinks."""

    INCREASING = "increasing"
    DECREASING = "decreasing"


class ReportingMode(Vocabulary):
    """``skb:reportingMode``: quotation, paraphrase or the outlet's own reporting."""

    DIRECT_QUOTATION = "direct-quotation"
    PARTIAL_QUOTATION = "partial-quotation"
    PARAPHRASE = "paraphrase"
    OUTLET_REPORTING = "outlet-reporting"


class Resource(Vocabulary):
    """``skb:dependum``: what one actor depends on another for."""

    TROOPS = "troops"
    FUNDING = "funding"
    MILITARY_SUPPORT = "military-support"
    MILITARY_ASSETS = "military-assets"
    COMMAND_STRUCTURES = "command-structures"
    LOGISTICS = "logistics"
    COMMUNICATIONS = "communications"
    NUCLEAR_DETERRENCE = "nuclear-deterrence"
    DEFENCE = "defence"
    POLITICAL_SUPPORT = "political-support"


class EventType(Vocabulary):
    """``skb:eventType``: the CAMEO-style kind of a meeting."""

    CONSULT = "consult"
    MAKE_VISIT = "make-visit"
    HOST_VISIT = "host-visit"
    MEET_AT_THIRD_LOCATION = "meet-at-third-location"
    NEGOTIATE = "negotiate"


class ActorType(Vocabulary):
    """The actor classes of the ontology (``skb:Actor`` and its subclasses), by local name."""

    ACTOR = "Actor"
    PERSON = "Person"
    UNNAMED_PERSON = "UnnamedPerson"
    ANONYMOUS_SOURCE = "AnonymousSource"
    ACTOR_GROUP = "ActorGroup"
    ORGANISATION = "Organisation"
    STATE = "State"
    ALLIANCE = "Alliance"
    BLOC = "Bloc"
    GOVERNMENT_BODY = "GovernmentBody"
    LEGISLATURE = "Legislature"
    PARLIAMENTARY_COMMITTEE = "ParliamentaryCommittee"
    MILITARY_COMMAND = "MilitaryCommand"
    MEDIA_OUTLET = "MediaOutlet"
    RESEARCH_INSTITUTE = "ResearchInstitute"


VOCABULARIES: tuple[type[Vocabulary], ...] = (Polarity, Strength, Trend, ReportingMode, Resource, EventType, ActorType)
"""Every vocabulary whose values the JSON-LD context maps to the ontology."""


class Period(StrEnum):
    """When a stance, dependency, membership or meeting holds, against its document's reporting time."""

    CURRENT = "current"
    FORMER = "former"

    @property
    def relation(self) -> URIRef:
        """The OWL-Time relation of the interval to the reporting time: ``time:inside`` or ``time:before``."""
        return TIME.inside if self is Period.CURRENT else TIME.before


# ---------------------------------------------------------------------------------------------------------
# Reading a graph
# ---------------------------------------------------------------------------------------------------------


def _text(value: Node | None) -> str | None:
    return str(value) if value is not None else None


def _sorted(nodes: Iterable[Node]) -> list[Node]:
    return sorted(set(nodes), key=str)


class Neighbourhood:
    """The triples around some nodes (``api/queries/describe.rq``), indexed both ways for the models to read.

    A set of triples with the few look-ups the models need; much cheaper to fill and read than an rdflib Graph.
    """

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]] = ()) -> None:
        self._triples: set[tuple[Node, Node, Node]] = set()
        self._forward: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
        self._backward: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
        for triple in triples:
            self.add(triple)

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        """Add a triple (once)."""
        if triple not in self._triples:
            self._triples.add(triple)
            subject, predicate, value = triple
            self._forward[subject, predicate].append(value)
            self._backward[predicate, value].append(subject)

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        """The values of a node's property."""
        return self._forward.get((subject, predicate), [])

    def subjects(self, predicate: Node, value: Node) -> list[Node]:
        """The nodes that have a property with this value."""
        return self._backward.get((predicate, value), [])

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """One value of a node's property (the least, for a stable answer), if it has any."""
        return min(self.objects(subject, predicate), key=str, default=None)

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        """The triples."""
        return iter(self._triples)

    def __len__(self) -> int:
        """How many triples."""
        return len(self._triples)


def _english(values: Iterable[Node]) -> str | None:
    """The English one of some literals (else an untagged one, else any), the least of several for stability."""
    literals = sorted((value for value in values if isinstance(value, Literal)), key=str)
    for wanted in ("en", None):
        for literal in literals:
            if literal.language == wanted:
                return str(literal)
    return str(literals[0]) if literals else None


def label(graph: Neighbourhood, node: Node) -> str | None:
    """The node's English ``rdfs:label`` (else its untagged one, else any)."""
    return _english(graph.objects(node, RDFS.label))


def type_name(iri: Node) -> str:
    """A class's name in the JSON: the local name of an ontology class, else a prefixed name, else the IRI."""
    text = str(iri)
    if text.startswith(SKB_NS):
        return text.removeprefix(SKB_NS)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace):
            return f"{prefix}:{text.removeprefix(namespace)}"
    return text


def _interval_period(graph: Neighbourhood, interval: Node) -> Period | None:
    """``current`` or ``former`` if the interval lies inside or before a document's reporting time."""
    for period in Period:
        if any(graph.subjects(SKB.reportingTime, time) for time in graph.objects(interval, period.relation)):
            return period
    return None


def _period(graph: Neighbourhood, node: Node, interval_property: URIRef) -> Period | None:
    """The period of the first of the node's intervals that has one."""
    periods = (_interval_period(graph, interval) for interval in _sorted(graph.objects(node, interval_property)))
    return next((period for period in periods if period is not None), None)


# ---------------------------------------------------------------------------------------------------------
# Examples from the first source, shown in the OpenAPI description (tests check them against the models)
# ---------------------------------------------------------------------------------------------------------

_SPATAFORA = {"id": ID + "giuseppe-spatafora", "label": "Giuseppe Spatafora", "type": ["Person"]}
_ARTICLE = ID + "rutte-stands-alone-new-nato"
_NATO = {"id": ID + "nato", "label": "NATO"}

STANCE_EXAMPLE: dict[str, Any] = {
    "id": RSA + "stance-spatafora-relations-not-strong",
    "holder": _SPATAFORA,
    "targets": [
        {
            "id": RSA + "prop-transatlantic-relations-strong",
            "label": "Transatlantic relations are strong",
            "type": ["Proposition"],
        }
    ],
    "polarity": "against",
    "strength": None,
    "mode": "direct-quotation",
    "trend": None,
    "topics": [{"id": ID + "topic-transatlantic-relations", "label": "transatlantic relations"}],
    "quotes": [
        {
            "id": RSA + "quote-spatafora-2",
            "text": "He needs to say that transatlantic relations are strong when they aren't... He probably needs to "
            "tell Trump that NATO is lost without him and keep him happy while also showing that allies are spending "
            "on defense and purchasing U.S. weapons.",
        }
    ],
    "period": "current",
    "evidence": [
        {
            "id": RSA + "a-quote-spatafora-2",
            "source": _ARTICLE,
            "exact": "He needs to say that transatlantic relations are strong when they aren't... He probably needs to "
            "tell Trump that NATO is lost without him and keep him happy while also showing that allies are spending "
            "on defense and purchasing U.S. weapons.",
            "start": 5206,
            "end": 5446,
        }
    ],
}

MEETING_EXAMPLE: dict[str, Any] = {
    "id": RSA + "meeting-paris",
    "label": "emergency meetings on Ukraine in Paris",
    "eventTypes": ["consult"],
    "participants": [
        {"id": RSA + "diplomats", "label": "diplomats (at the Paris meetings)", "type": ["ActorGroup"]},
        {"id": RSA + "nato-generals", "label": "NATO generals (at the Paris meetings)", "type": ["ActorGroup"]},
    ],
    "hosts": [],
    "absentees": [{"id": ID + "mark-rutte", "label": "Mark Rutte", "type": ["Person"]}],
    "places": [{"id": ID + "paris", "label": "Paris"}],
    "times": [{"label": "while Rutte engages with Trump", "period": "current"}],
    "within": [],
    "outside": [_NATO],
    "topics": [{"id": ID + "topic-ukraine-war", "label": "the war in Ukraine"}],
    "evidence": [
        {
            "id": RSA + "a-rutte-not-attending",
            "source": _ARTICLE,
            "exact": "The subgroup meetings occurring in Paris, which Rutte is not attending",
            "start": 4211,
            "end": 4281,
        }
    ],
}

DEPENDENCY_EXAMPLE: dict[str, Any] = {
    "id": RSA + "dependency-europe-us-troops",
    "label": "Europe depends on the 84,000 U.S. troops stationed there",
    "depender": {"id": ID + "european-nations", "label": "European nations", "type": ["ActorGroup"]},
    "dependee": {"id": ID + "united-states", "label": "United States", "type": ["State"]},
    "resources": ["troops"],
    "quantities": [{"value": 84000, "unit": "troops"}],
    "via": [],
    "strength": None,
    "trend": "increasing",
    "consequences": [
        "the absence of the 84,000 U.S. troops stationed in Europe ... would impede the continent's ability to "
        "defend itself against Russian aggression"
    ],
    "mode": "outlet-reporting",
    "topics": [{"id": ID + "topic-us-troops-in-europe", "label": "U.S. troops in Europe"}],
    "period": "current",
    "evidence": [
        {
            "id": RSA + "a-us-troops",
            "source": _ARTICLE,
            "exact": "However, the absence of the 84,000 U.S. troops stationed in Europe ...",
            "start": 3988,
            "end": 4210,
        }
    ],
}

ACTOR_EXAMPLE: dict[str, Any] = {
    "id": RSA + "nato-official",
    "label": "a NATO official",
    "type": ["AnonymousSource"],
    "describedAs": "a NATO official",
    "affiliations": [_NATO],
    "sameAs": [],
}

MEMBERSHIP_EXAMPLE: dict[str, Any] = {
    "id": RSA + "membership-rutte-prime-minister",
    "office": {"id": ID + "office-prime-minister-of-the-netherlands", "label": "Prime Minister of the Netherlands"},
    "organization": {"id": ID + "netherlands", "label": "Netherlands"},
    "role": {"id": ID + "role-head-of-government", "label": "head of government"},
    "period": "former",
    "evidence": [],
}

_PROFILE_TOTALS = {
    "offices": 2,
    "memberships": 0,
    "memberOf": 0,
    "blocs": 0,
    "groups": 0,
    "stancesHeld": 3,
    "stancesAbout": 13,
    "meetingsAttended": 1,
    "meetingsHosted": 0,
    "meetingsMissed": 1,
    "dependerIn": 0,
    "dependeeIn": 0,
}


def list_path(name: str) -> str:
    """The path segment of a profile's list under ``/actors/{id}/``: ``stances-held`` for ``stancesHeld``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


PROFILE_EXAMPLE: dict[str, Any] = {
    "id": ID + "mark-rutte",
    "label": "Mark Rutte",
    "type": ["Person"],
    "describedAs": None,
    "affiliations": [],
    "sameAs": [],
    "offices": [MEMBERSHIP_EXAMPLE],
    "memberships": [],
    "memberOf": [],
    "blocs": [],
    "groups": [],
    "stancesHeld": [],
    "stancesAbout": [],
    "meetingsAttended": [],
    "meetingsHosted": [],
    "meetingsMissed": [],
    "dependerIn": [],
    "dependeeIn": [],
    "limit": 1,
    "lists": {
        name: {"total": total, "href": f"http://127.0.0.1:8000/actors/mark-rutte/{list_path(name)}"}
        for name, total in _PROFILE_TOTALS.items()
    },
}
"""``/actors/mark-rutte?limit=1``, shortened: only the first office is shown in full."""

TOPIC_EXAMPLE: dict[str, Any] = {
    "id": ID + "topic-nato-future",
    "label": "the future of NATO",
    "broader": [],
    "narrower": [{"id": ID + "topic-nato-transformation", "label": "the transformation of NATO (a 'new NATO')"}],
}

SOURCE_EXAMPLE: dict[str, Any] = {
    "id": _ARTICLE,
    "title": "Rutte Stands Alone in the 'New NATO'",
    "publisher": {"id": ID + "troib-news", "label": "TROIB News"},
    "contributors": [{"id": ID + "lucas-dupont", "label": "Lucas Dupont"}],
    "language": "en",
    "characterCount": 5798,
    "sha256": "860ea16aea1c1182d2113ee8f746de0bd9e75976cbaec00a50aaf25fab6c68b9",
    "reportingTime": {"id": RSA + "now", "label": "the article's present (date not given)"},
    "noCommentFrom": [{"id": ID + "mark-rutte", "label": "Mark Rutte"}],
    "graphs": ["https://w3id.org/stancekb/graph/rutte-stands-alone-new-nato"],
}

PROBLEM_EXAMPLE: dict[str, Any] = {
    "type": "https://w3id.org/stancekb/problem/not-found",
    "title": "Not found",
    "status": 404,
    "detail": "no actor https://w3id.org/stancekb/id/mark-rute in the knowledge base (holder)",
}


def page_example(item: dict[str, Any]) -> dict[str, Any]:
    """An example page of a list holding one item."""
    return {"total": 1, "limit": 20, "offset": 0, "next": None, "prev": None, "items": [item]}


# ---------------------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------------------


class Model(BaseModel):
    """Base of the response models: JSON keys in camelCase."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Ref(Model):
    """A node the answer points to: its IRI and English label."""

    id: str = Field(description="The node's IRI.")
    label: str | None = Field(default=None, description="Its English label (rdfs:label).")

    @classmethod
    def from_graph(cls, graph: Neighbourhood, node: Node) -> Self:
        """Read the reference from the graph."""
        return cls(id=str(node), label=label(graph, node))

    @classmethod
    def all(cls, graph: Neighbourhood, node: Node, prop: URIRef) -> list[Self]:
        """The references the node has through a property, sorted by IRI."""
        return [cls.from_graph(graph, value) for value in _sorted(graph.objects(node, prop))]


class TypedRef(Ref):
    """A reference that also says what kind of node it is."""

    type: list[str] = Field(description="Its classes (rdf:type): ontology classes by local name.")

    @classmethod
    def from_graph(cls, graph: Neighbourhood, node: Node) -> Self:
        """Read the reference and its classes from the graph."""
        return cls(id=str(node), label=label(graph, node), type=sorted(map(type_name, graph.objects(node, RDF.type))))


class Actor(TypedRef):
    """An actor: a person (named or not), an organisation or a group."""

    model_config = ConfigDict(json_schema_extra={"examples": [ACTOR_EXAMPLE]})

    described_as: str | None = Field(default=None, description="How the source describes an actor it does not name.")
    affiliations: list[Ref] = Field(description="Organisations an unnamed person or group is said to belong to.")
    same_as: list[str] = Field(description="The same actor elsewhere (Wikidata).")

    @classmethod
    def from_graph(cls, graph: Neighbourhood, node: Node) -> Self:
        """Read the actor from the graph."""
        return cls(
            **TypedRef.from_graph(graph, node).model_dump(),
            described_as=_text(graph.value(node, SKB.describedAs)),
            affiliations=Ref.all(graph, node, SKB.affiliation),
            same_as=[str(iri) for iri in _sorted(graph.objects(node, SCHEMA.sameAs))],
        )


class Evidence(Model):
    """A span of a source document that attests a statement (a ``skb:TextAnchor``)."""

    id: str = Field(description="The text anchor's IRI.")
    source: str | None = Field(default=None, description="The source document (oa:hasSource).")
    exact: str | None = Field(default=None, description="The exact words of the span.")
    start: int | None = Field(
        default=None, description="Where the span starts in the text (Unicode code points from 0)."
    )
    end: int | None = Field(default=None, description="Where it ends (exclusive).")

    @classmethod
    def all(cls, graph: Neighbourhood, node: Node) -> list[Self]:
        """The evidence of a node, sorted by position."""
        found = []
        for anchor in _sorted(graph.objects(node, SKB.evidence)):
            selected = {
                prop: value
                for selector in graph.objects(anchor, OA.hasSelector)
                for prop in (OA.exact, OA.start, OA.end)
                if (value := graph.value(selector, prop)) is not None
            }
            exact, start, end = selected.get(OA.exact), selected.get(OA.start), selected.get(OA.end)
            found.append(
                cls(
                    id=str(anchor),
                    source=_text(graph.value(anchor, OA.hasSource)),
                    exact=_text(exact),
                    start=int(start) if isinstance(start, Literal) else None,
                    end=int(end) if isinstance(end, Literal) else None,
                )
            )
        return sorted(found, key=lambda evidence: (evidence.start is None, evidence.start or 0, evidence.id))


class Quote(Model):
    """A span the source presents in quotation marks as someone's words."""

    id: str = Field(description="The quote's IRI.")
    text: str | None = Field(default=None, description="The exact words (schema:text).")

    @classmethod
    def all(cls, graph: Neighbourhood, node: Node, prop: URIRef) -> list[Self]:
        """The quotes a node has through a property."""
        return [cls(id=str(q), text=_text(graph.value(q, SCHEMA.text))) for q in _sorted(graph.objects(node, prop))]


class Stance(Model):
    """A position an actor takes towards a target, as the source reports it."""

    model_config = ConfigDict(json_schema_extra={"examples": [STANCE_EXAMPLE]})

    id: str = Field(description="The stance's IRI.")
    holder: TypedRef | None = Field(default=None, description="Who holds the stance (skb:holder).")
    targets: list[TypedRef] = Field(description="What it is about: a proposition, topic, actor or event.")
    polarity: Polarity | None = Field(default=None, description="For or against the target.")
    strength: Strength | None = Field(default=None, description="How strongly, where the source's wording says so.")
    mode: ReportingMode | None = Field(default=None, description="Quotation, paraphrase or the outlet's reporting.")
    trend: Trend | None = Field(default=None, description="Whether the source says it grows or shrinks.")
    topics: list[Ref] = Field(description="Its topics (skb:topic).")
    quotes: list[Quote] = Field(description="The quotes that support it (skb:supportedBy).")
    period: Period | None = Field(
        default=None, description="Whether it holds at the document's reporting time or held before."
    )
    evidence: list[Evidence] = Field(description="The spans of the source that attest it.")

    @classmethod
    def from_graph(cls, graph: Neighbourhood, node: Node) -> Self:
        """Read the stance from the graph."""
        holder = graph.value(node, SKB.holder)
        return cls(
            id=str(node),
            holder=TypedRef.from_graph(graph, holder) if holder is not None else None,
            targets=TypedRef.all(graph, node, SKB.target),
            polarity=Polarity.of(graph.value(node, SKB.polarity)),
            strength=Strength.of(graph.value(node, SKB.strength)),
            mode=ReportingMode.of(graph.value(node, SKB.reportingMode)),
            trend=Trend.of(graph.value(node, SKB.trend)),
            topics=Ref.all(graph, node, SKB.topic),
            quotes=Quote.all(graph, node, SKB.supportedBy),
            period=_period(graph, node, SKB.holdsDuring),
            evidence=Evidence.all(graph, node),
        )


class Time(Model):
    """When a meeting takes place, as far as the source says (a day of the week, "recently", or no more)."""

    id: str | None = Field(default=None, description="The time's IRI; absent for a time the KB does not name.")
    label: str | None = Field(default=None, description='How the source puts it ("Thursday", "recently").')
    period: Period | None = Field(default=None, description="Whether it is at the document's reporting time or before.")

    @model_serializer(mode="wrap")
    def _without_blank_id(self, handler: Any) -> dict[str, Any]:
        """Leave ``id`` out for a blank node, so that the JSON-LD makes one (``"@id": null`` is not allowed)."""
        data: dict[str, Any] = handler(self)
        if data.get("id") is None:
            data.pop("id", None)
        return data

    @classmethod
    def all(cls, graph: Neighbourhood, node: Node, prop: URIRef) -> list[Self]:
        """The times a node has through a property."""
        return [
            cls(
                id=str(time) if isinstance(time, URIRef) else None,
                label=label(graph, time),
                period=_interval_period(graph, time),
            )
            for time in _sorted(graph.objects(node, prop))
        ]


class Meeting(Model):
    """A meeting the source reports: who took part, who stayed away, where, within which framework."""

    model_config = ConfigDict(json_schema_extra={"examples": [MEETING_EXAMPLE]})

    id: str = Field(description="The meeting's IRI.")
    label: str | None = Field(default=None, description="Its English label.")
    event_types: list[EventType] = Field(description="Its CAMEO-style kind (skb:eventType).")
    participants: list[TypedRef] = Field(description="Who takes part (skb:participant), the host aside.")
    hosts: list[TypedRef] = Field(description="Who hosts it (skb:host).")
    absentees: list[TypedRef] = Field(description="Whom the source names as absent (skb:absentee).")
    places: list[Ref] = Field(description="Where it takes place (skb:place).")
    times: list[Time] = Field(description="When (skb:time).")
    within: list[Ref] = Field(description="Organisations it is held within the framework of.")
    outside: list[Ref] = Field(description="Organisations it is held outside the framework of.")
    topics: list[Ref] = Field(description="Its topics (skb:topic).")
    evidence: list[Evidence] = Field(description="The spans of the source that attest it.")

    @classmethod
    def from_graph(cls, graph: Neighbourhood, node: Node) -> Self:
        """Read the meeting from the graph."""
        return cls(
            id=str(node),
            label=label(graph, node),
            event_types=[t for t in map(EventType.of, _sorted(graph.objects(node, SKB.eventType))) if t is not None],
            participants=TypedRef.all(graph, node, SKB.participant),
            hosts=TypedRef.all(graph, node, SKB.host),
            absentees=TypedRef.all(graph, node, SKB.absentee),
            places=Ref.all(graph, node, SKB.place),
            times=Time.all(graph, node, SKB.time),
            within=Ref.all(graph, node, SKB.withinFrameworkOf),
            outside=Ref.all(graph, node, SKB.outsideFrameworkOf),
            topics=Ref.all(graph, node, SKB.topic),
            evidence=Evidence.all(graph, node),
        )


class Quantity(Model):
    """An amount the source gives (a ``schema:QuantitativeValue``)."""

    value: int | float | str | None = Field(default=None, description="The number (schema:value).")
    unit: str | None = Field(default=None, description="Its unit, in the source's words (schema:unitText).")

    @classmethod
    def all(cls, graph: Neighbourhood, node: Node, prop: URIRef) -> list[Self]:
        """The quantities a node has through a property."""
        found = []
        for quantity in _sorted(graph.objects(node, prop)):
            value = graph.value(quantity, SCHEMA.value)
            number = value.toPython() if isinstance(value, Literal) else None
            found.append(
                cls(
                    value=number if isinstance(number, int | float) else _text(value),
                    unit=_text(graph.value(quantity, SCHEMA.unitText)),
                )
            )
        return found


class Dependency(Model):
    """A depender relying on a dependee for a resource (iStar's dependum)."""

    model_config = ConfigDict(json_schema_extra={"examples": [DEPENDENCY_EXAMPLE]})

    id: str = Field(description="The dependency's IRI.")
    label: str | None = Field(default=None, description="Its English label.")
    depender: TypedRef | None = Field(default=None, description="Who depends (skb:depender).")
    dependee: TypedRef | None = Field(default=None, description="On whom (skb:dependee).")
    resources: list[Resource] = Field(description="For what (skb:dependum).")
    quantities: list[Quantity] = Field(description="How much, where the source says (skb:quantity).")
    via: list[Ref] = Field(description="Through what the dependee provides it (skb:via).")
    strength: Strength | None = Field(default=None, description="How heavily, where the source's wording says so.")
    trend: Trend | None = Field(default=None, description="Whether the source says it grows or shrinks.")
    consequences: list[str] = Field(description="What follows from it, in the source's words (skb:consequence).")
    mode: ReportingMode | None = Field(default=None, description="Quotation, paraphrase or the outlet's reporting.")
    topics: list[Ref] = Field(description="Its topics (skb:topic).")
    period: Period | None = Field(
        default=None, description="Whether it holds at the document's reporting time or held before."
    )
    evidence: list[Evidence] = Field(description="The spans of the source that attest it.")

    @classmethod
    def from_graph(cls, graph: Neighbourhood, node: Node) -> Self:
        """Read the dependency from the graph."""
        depender, dependee = graph.value(node, SKB.depender), graph.value(node, SKB.dependee)
        return cls(
            id=str(node),
            label=label(graph, node),
            depender=TypedRef.from_graph(graph, depender) if depender is not None else None,
            dependee=TypedRef.from_graph(graph, dependee) if dependee is not None else None,
            resources=[r for r in map(Resource.of, _sorted(graph.objects(node, SKB.dependum))) if r is not None],
            quantities=Quantity.all(graph, node, SKB.quantity),
            via=Ref.all(graph, node, SKB.via),
            strength=Strength.of(graph.value(node, SKB.strength)),
            trend=Trend.of(graph.value(node, SKB.trend)),
            consequences=sorted(map(str, graph.objects(node, SKB.consequence))),
            mode=ReportingMode.of(graph.value(node, SKB.reportingMode)),
            topics=Ref.all(graph, node, SKB.topic),
            period=_period(graph, node, SKB.holdsDuring),
            evidence=Evidence.all(graph, node),
        )


class Membership(Model):
    """An actor's holding of an office or membership of an organisation (``org:Membership``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [MEMBERSHIP_EXAMPLE]})

    id: str = Field(description="The membership's IRI.")
    office: Ref | None = Field(default=None, description="The office held, if it is one (skb:tenureOf).")
    organization: Ref | None = Field(default=None, description="The organisation (org:organization).")
    role: Ref | None = Field(default=None, description="The role (org:role).")
    period: Period | None = Field(default=None, description="Current (at the document's reporting time) or former.")
    evidence: list[Evidence] = Field(description="The spans of the source that attest it.")

    @classmethod
    def from_graph(cls, graph: Neighbourhood, node: Node) -> Self:
        """Read the membership from the graph."""
        office, organization = graph.value(node, SKB.tenureOf), graph.value(node, ORG.organization)
        role = graph.value(node, ORG.role)
        return cls(
            id=str(node),
            office=Ref.from_graph(graph, office) if office is not None else None,
            organization=Ref.from_graph(graph, organization) if organization is not None else None,
            role=Ref.from_graph(graph, role) if role is not None else None,
            period=_period(graph, node, ORG.memberDuring),
            evidence=Evidence.all(graph, node),
        )


class ListLink(Model):
    """How long one list of a profile is in all, and where to read all of it a page at a time."""

    total: int = Field(description="How many items the list has in all (the profile shows the first `limit`).")
    href: str = Field(description="The complete list, paged like every list (`limit`, `offset`, `next`).")


class ProfileLists(Model):
    """The total and the complete list of each list of a profile, by the list's name."""

    offices: ListLink
    memberships: ListLink
    member_of: ListLink
    blocs: ListLink
    groups: ListLink
    stances_held: ListLink
    stances_about: ListLink
    meetings_attended: ListLink
    meetings_hosted: ListLink
    meetings_missed: ListLink
    depender_in: ListLink
    dependee_in: ListLink


class ActorProfile(Actor):
    """One actor and what the knowledge base says about them: each list bounded, with its total and a link."""

    model_config = ConfigDict(json_schema_extra={"examples": [PROFILE_EXAMPLE]})

    offices: list[Membership] = Field(description="Offices held now or before (memberships with skb:tenureOf).")
    memberships: list[Membership] = Field(description="Other memberships, now or before.")
    member_of: list[Ref] = Field(description="Organisations the actor is a member of (org:memberOf).")
    blocs: list[Ref] = Field(description="Blocs that count the actor among their members (org:hasMember).")
    groups: list[Ref] = Field(description="Groups of actors the source counts the actor in (foaf:member).")
    stances_held: list[Stance] = Field(description="Stances the actor holds.")
    stances_about: list[Stance] = Field(
        description="Stances whose target is the actor or a proposition about the actor (skb:about)."
    )
    meetings_attended: list[Meeting] = Field(description="Meetings the actor takes part in (skb:participant).")
    meetings_hosted: list[Meeting] = Field(description="Meetings the actor hosts (skb:host).")
    meetings_missed: list[Meeting] = Field(description="Meetings the source names the actor as absent from.")
    depender_in: list[Dependency] = Field(description="Dependencies in which the actor depends on another.")
    dependee_in: list[Dependency] = Field(description="Dependencies in which another depends on the actor.")
    limit: int = Field(description="The most items each list above shows: its first ones, ordered by IRI.")
    lists: ProfileLists = Field(description="Each list's total and the link to all of it.")


class Topic(Model):
    """A topic of the SKOS topic scheme."""

    model_config = ConfigDict(json_schema_extra={"examples": [TOPIC_EXAMPLE]})

    id: str = Field(description="The topic's IRI.")
    label: str | None = Field(default=None, description="Its English label.")
    broader: list[Ref] = Field(description="Broader topics (skos:broader).")
    narrower: list[Ref] = Field(description="Narrower topics (those whose skos:broader it is).")

    @classmethod
    def from_graph(cls, graph: Neighbourhood, node: Node) -> Self:
        """Read the topic from the graph."""
        narrower = _sorted(graph.subjects(SKOS.broader, node))
        return cls(
            id=str(node),
            label=label(graph, node),
            broader=Ref.all(graph, node, SKOS.broader),
            narrower=[Ref.from_graph(graph, item) for item in narrower],
        )


class Source(Model):
    """A source document: the article a named graph of the knowledge base is built from."""

    model_config = ConfigDict(json_schema_extra={"examples": [SOURCE_EXAMPLE]})

    id: str = Field(description="The document's IRI.")
    title: str | None = Field(default=None, description="Its title (dct:title).")
    publisher: Ref | None = Field(default=None, description="Its publisher (dct:publisher).")
    contributors: list[Ref] = Field(description="Its contributors (dct:contributor).")
    language: str | None = Field(default=None, description="Its language (dct:language).")
    character_count: int | None = Field(default=None, description="Its length in Unicode code points.")
    sha256: str | None = Field(default=None, description="The SHA-256 of its text, against which anchors are checked.")
    reporting_time: Ref | None = Field(default=None, description="The instant it speaks from (skb:reportingTime).")
    no_comment_from: list[Ref] = Field(description="Who, as it reports, did not comment.")
    graphs: list[str] = Field(description="The named graphs derived from it (prov:wasDerivedFrom).")

    @classmethod
    def from_graph(cls, graph: Neighbourhood, node: Node) -> Self:
        """Read the source document from the graph."""
        publisher, reporting_time = graph.value(node, DCTERMS.publisher), graph.value(node, SKB.reportingTime)
        count = graph.value(node, SKB.characterCount)
        return cls(
            id=str(node),
            title=_english(graph.objects(node, DCTERMS.title)),
            publisher=Ref.from_graph(graph, publisher) if publisher is not None else None,
            contributors=Ref.all(graph, node, DCTERMS.contributor),
            language=_text(graph.value(node, DCTERMS.language)),
            character_count=int(count) if isinstance(count, Literal) else None,
            sha256=_text(graph.value(node, SKB.sha256)),
            reporting_time=Ref.from_graph(graph, reporting_time) if reporting_time is not None else None,
            no_comment_from=Ref.all(graph, node, SKB.noCommentFrom),
            graphs=[str(g) for g in _sorted(graph.subjects(PROV.wasDerivedFrom, node))],
        )


# ---------------------------------------------------------------------------------------------------------
# Pages and problems
# ---------------------------------------------------------------------------------------------------------

ItemT = TypeVar("ItemT", bound=Model)


class Page(Model, Generic[ItemT]):
    """One page of a list: the items, how many there are in all, and links to the pages around it."""

    total: int = Field(description="How many items match, over all pages.")
    limit: int = Field(description="The most items a page holds.")
    offset: int = Field(description="How many matching items come before this page.")
    next: str | None = Field(default=None, description="The next page's URL, if there is one.")
    prev: str | None = Field(default=None, description="The previous page's URL, if there is one.")
    items: list[ItemT] = Field(description="The items of this page.")


class ActorPage(Page[Actor]):
    """A page of actors."""

    model_config = ConfigDict(json_schema_extra={"examples": [page_example(ACTOR_EXAMPLE)]})


class StancePage(Page[Stance]):
    """A page of stances."""

    model_config = ConfigDict(json_schema_extra={"examples": [page_example(STANCE_EXAMPLE)]})


class MeetingPage(Page[Meeting]):
    """A page of meetings."""

    model_config = ConfigDict(json_schema_extra={"examples": [page_example(MEETING_EXAMPLE)]})


class DependencyPage(Page[Dependency]):
    """A page of dependencies."""

    model_config = ConfigDict(json_schema_extra={"examples": [page_example(DEPENDENCY_EXAMPLE)]})


class TopicPage(Page[Topic]):
    """A page of topics."""

    model_config = ConfigDict(json_schema_extra={"examples": [page_example(TOPIC_EXAMPLE)]})


class SourcePage(Page[Source]):
    """A page of source documents."""

    model_config = ConfigDict(json_schema_extra={"examples": [page_example(SOURCE_EXAMPLE)]})


class MembershipPage(Page[Membership]):
    """A page of memberships (an actor's offices or other memberships)."""

    model_config = ConfigDict(json_schema_extra={"examples": [page_example(MEMBERSHIP_EXAMPLE)]})


class RefPage(Page[Ref]):
    """A page of references (an actor's organisations, blocs or groups)."""

    model_config = ConfigDict(json_schema_extra={"examples": [page_example(_NATO)]})


@dataclass(frozen=True)
class ProfileList:
    """One list of a profile: how its items are read, and its complete list's page model and an item's example."""

    read: Callable[[Neighbourhood, Node], Model]
    page: type[Page[Any]]
    example: dict[str, Any]


PROFILE_LISTS: dict[str, ProfileList] = {
    "offices": ProfileList(Membership.from_graph, MembershipPage, MEMBERSHIP_EXAMPLE),
    "memberships": ProfileList(Membership.from_graph, MembershipPage, MEMBERSHIP_EXAMPLE),
    "memberOf": ProfileList(Ref.from_graph, RefPage, _NATO),
    "blocs": ProfileList(Ref.from_graph, RefPage, _NATO),
    "groups": ProfileList(Ref.from_graph, RefPage, _NATO),
    "stancesHeld": ProfileList(Stance.from_graph, StancePage, STANCE_EXAMPLE),
    "stancesAbout": ProfileList(Stance.from_graph, StancePage, STANCE_EXAMPLE),
    "meetingsAttended": ProfileList(Meeting.from_graph, MeetingPage, MEETING_EXAMPLE),
    "meetingsHosted": ProfileList(Meeting.from_graph, MeetingPage, MEETING_EXAMPLE),
    "meetingsMissed": ProfileList(Meeting.from_graph, MeetingPage, MEETING_EXAMPLE),
    "dependerIn": ProfileList(Dependency.from_graph, DependencyPage, DEPENDENCY_EXAMPLE),
    "dependeeIn": ProfileList(Dependency.from_graph, DependencyPage, DEPENDENCY_EXAMPLE),
}
"""The lists of an actor's profile by JSON name, in the profile's order (``api/queries/actor-profile.rq``)."""


class ProblemDetails(BaseModel):
    """A problem details document (RFC 9457, https://www.rfc-editor.org/rfc/rfc9457)."""

    model_config = ConfigDict(json_schema_extra={"examples": [PROBLEM_EXAMPLE]})

    type: str = Field(description="The problem type's IRI.")
    title: str = Field(description="Its short title.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request.")
