"""What the pictures share: the filters, the queries' rows, labels, and the registry entry of a picture."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from stancekb.resources import ontology_files
from stancekb.store import Store

TIMES: dict[str, str] = {
    "all": "everything, whatever its time",
    "now": "what holds or happens in the source's present (time:inside its reporting time)",
    "before": "what held or happened before the source's present (time:before its reporting time)",
    "dated": "what the source dates by the calendar (a year) without relating it to its present",
}
"""The values of the time filter, each with what it keeps."""


COLUMNS: dict[str, str] = {
    "topic": "the stances' topics (skb:topic)",
    "target": "the stances' targets (skb:target: propositions, actors, topics)",
}
"""What the stance map's columns can be."""


class PictureError(ValueError):
    """A picture cannot be drawn for these filters; the message names the problem."""


class UnknownSource(PictureError):
    """The source filter names no source document of the knowledge base."""


@dataclass(frozen=True)
class Filters:
    """What a picture shows: the statements of one source document (or all), at one time (or all).

    ``by`` is what the stance map's columns are (``COLUMNS``); the other pictures ignore it.
    """

    source: URIRef | None = None
    time: str = "all"
    by: str = "topic"

    def __post_init__(self) -> None:
        """Refuse a time or a kind of column the pictures do not know."""
        if self.time not in TIMES:
            raise PictureError(f"time: {self.time[:40]!r} is not one of {', '.join(TIMES)}")
        if self.by not in COLUMNS:
            raise PictureError(f"by: {self.by[:40]!r} is not one of {', '.join(COLUMNS)}")

    def keeps(self, when: str) -> bool:
        """Whether a row of this ``?when`` passes the time filter."""
        return self.time == "all" or when == self.time

    def describe(self) -> str:
        """The filters in words, for a picture's subtitle."""
        source = f"source {self.source}" if self.source is not None else "every source"
        return f"{source}; time: {self.time}"


Row = dict[str, Node]
RDFS_LABEL = ox.NamedNode(str(RDFS.label))


@cache
def query_text(name: str) -> str:
    """The picture query ``kb/pictures/{name}.rq`` (package data)."""
    return files("stancekb.pictures").joinpath(f"{name}.rq").read_text(encoding="utf-8")


def rows(store: Store, name: str, filters: Filters) -> list[Row]:
    """The rows of a picture query for the filters: the source bound, rows of other times left out."""
    bindings: dict[str, Node] = {"source": filters.source} if filters.source is not None else {}
    found = store.query(query_text(name), bindings).rows
    return [row for row in found if filters.keeps(text(row.get("when")) or "unknown")]


def check_source(store: Store, filters: Filters) -> None:
    """Raise ``UnknownSource`` if the filters name a source document the store does not hold."""
    if filters.source is not None and not store.query(query_text("sources"), {"source": filters.source}).rows:
        raise UnknownSource(f"source: no source document {filters.source} in the knowledge base")


def text(node: Node | None) -> str | None:
    """A literal's lexical form (or an IRI's text); ``None`` for nothing."""
    return None if node is None else str(node)


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#`` or ``/``)."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@dataclass
class Labels:
    """The labels and asserted classes of the store's labelled resources (``nodes.rq``), and the ontology's."""

    labels: dict[str, str] = field(default_factory=dict)
    types: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, store: Store) -> Labels:
        """Read them from a store."""
        found = cls()
        for row in store.query(query_text("nodes")).rows:
            node = str(row["node"])
            label = row["label"]
            if not isinstance(label, Literal) or label.language in (None, "en"):
                found.labels.setdefault(node, str(label))
            if "type" in row and str(row["type"]) not in found.types.setdefault(node, []):
                found.types[node].append(str(row["type"]))
        return found

    def __call__(self, iri: str) -> str:
        """The label of an IRI: the store's, the ontology's (for its terms), or the IRI's last segment."""
        return self.labels.get(iri) or _ontology_labels().get(iri) or local_name(iri).replace("-", " ")


@cache
def _ontology_labels() -> dict[str, str]:
    """The ontology's English (or untagged) ``rdfs:label`` of each term, read with Oxigraph's fast parser."""
    labels: dict[str, str] = {}
    for entry in ontology_files():
        for quad in ox.parse(entry.read_bytes(), ox.RdfFormat.TURTLE):
            label = quad.object
            if quad.predicate == RDFS_LABEL and isinstance(label, ox.Literal) and label.language in (None, "en"):
                labels.setdefault(str(quad.subject.value), label.value)
    return labels


def as_json(model: object) -> dict[str, Any]:
    """A dataclass model as JSON (its fields, recursively)."""
    return asdict(model)  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True)
class Picture:
    """A kind of picture: its name, title, and how its model is built from a store and drawn as SVG."""

    name: str
    title: str
    description: str
    build: Callable[[Store, Filters], Any]
    draw: Callable[[Any, Filters], str]
