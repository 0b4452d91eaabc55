"""Content negotiation as a pure function over format tables.

The ``Accept`` header is read as RFC 9110 §12.5.1 says: media ranges with q-values, where the most specific
range that matches a format gives that format's quality (``type/subtype`` over ``type/*`` over ``*/*``).
The format with the highest quality wins; a tie goes to the format the client named more specifically, then
to the server's order. A ``format`` parameter (a token such as ``json`` or a media type) overrides the
header, as many SPARQL endpoints allow.

Formats: SPARQL 1.1 Query Results JSON, XML, CSV and TSV for SELECT; JSON and XML for ASK (the CSV/TSV
format defines no boolean); Turtle, N-Triples, N-Quads, TriG, JSON-LD and RDF/XML for CONSTRUCT and
DESCRIBE (https://www.w3.org/TR/sparql11-protocol/#query-success).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """A representation the server can produce: its media type, ``format`` tokens and media-type aliases."""

    media_type: str
    tokens: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The Content-Type header value: text types carry their charset (always UTF-8)."""
        return f"{self.media_type}; charset=utf-8" if self.media_type.startswith("text/") else self.media_type

    def names(self) -> tuple[str, ...]:
        """Every media type this format answers to."""
        return (self.media_type, *self.aliases)


SPARQL_JSON = Format("application/sparql-results+json", ("json", "srj"), ("application/json",))
SPARQL_XML = Format("application/sparql-results+xml", ("xml", "srx"), ("application/xml", "text/xml"))
SPARQL_CSV = Format("text/csv", ("csv",))
SPARQL_TSV = Format("text/tab-separated-values", ("tsv",))

TURTLE = Format("text/turtle", ("turtle", "ttl"), ("application/x-turtle",))
N_TRIPLES = Format("application/n-triples", ("ntriples", "nt", "n-triples"), ("text/plain",))
N_QUADS = Format("application/n-quads", ("nquads", "nq", "n-quads"))
TRIG = Format("application/trig", ("trig",))
JSON_LD = Format("application/ld+json", ("jsonld", "json-ld", "json"), ("application/json",))
RDF_XML = Format("application/rdf+xml", ("rdfxml", "rdf", "xml"), ("application/xml", "text/xml"))

SELECT_FORMATS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)
"""Formats for SELECT results, in the server's order of preference."""
ASK_FORMATS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML)
"""Formats for ASK results."""
RDF_FORMATS: tuple[Format, ...] = (TURTLE, N_TRIPLES, N_QUADS, TRIG, JSON_LD, RDF_XML)
"""Formats for RDF graphs: CONSTRUCT and DESCRIBE results, graph store reads, the service description."""


class NotAcceptable(ValueError):
    """No offered format satisfies the request; the message lists what is offered."""

    def __init__(self, offered: Sequence[Format], asked: str) -> None:
        self.offered = tuple(offered)
        available = ", ".join(f.media_type for f in offered)
        super().__init__(f"cannot produce {asked}; available: {available}")


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header."""

    type: str
    subtype: str
    quality: float

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        """Whether this range covers the media type."""
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed elements are skipped, as a lenient server may."""
    ranges = []
    for element in header.split(","):
        media, *params = (part.strip() for part in element.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not (slash and kind and sub) or (kind == "*" and sub != "*"):
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = -1.0
        if 0.0 <= quality <= 1.0:
            ranges.append(MediaRange(kind, sub, quality))
    return ranges


def _score(fmt: Format, ranges: Sequence[MediaRange]) -> tuple[float, int]:
    """The quality the most specific matching range gives a format, and that range's specificity."""
    best: tuple[float, int] = (0.0, -1)
    for media_range in ranges:
        for name in fmt.names():
            if media_range.matches(name) and media_range.specificity > best[1]:
                best = (media_range.quality, media_range.specificity)
    return best


def negotiate(offered: Sequence[Format], accept: str | None = None, format_param: str | None = None) -> Format:
    """Choose the format to answer with; raise ``NotAcceptable`` if none fits.

    ``format_param`` (a token or a media type, case-insensitive) wins over ``accept``. A missing or empty
    Accept header means ``*/*``: the first offered format.
    """
    if format_param:
        wanted = format_param.strip().lower()
        for fmt in offered:
            if wanted in fmt.tokens or wanted in fmt.names():
                return fmt
        raise NotAcceptable(offered, f"format={format_param!r}")
    if not accept or not accept.strip():
        return offered[0]
    ranges = parse_accept(accept)
    scored = [(*_score(fmt, ranges), -index, fmt) for index, fmt in enumerate(offered)]
    quality, _, _, best = max(scored, key=lambda entry: entry[:3])
    if quality <= 0.0:
        raise NotAcceptable(offered, f"Accept: {accept}")
    return best


OFFERED: dict[str, tuple[Format, ...]] = {"select": SELECT_FORMATS, "ask": ASK_FORMATS, "graph": RDF_FORMATS}
"""The formats for each kind of query result (``QueryKind``)."""


def negotiate_each(accept: str | None = None, format_param: str | None = None) -> dict[str, Format | None]:
    """The format for each kind of query result, ``None`` for a kind the request accepts no format for.

    The kind of a query's result is known only once it is parsed, so every kind is negotiated up front.
    """
    chosen: dict[str, Format | None] = {}
    for kind, offered in OFFERED.items():
        try:
            chosen[kind] = negotiate(offered, accept, format_param)
        except NotAcceptable:
            chosen[kind] = None
    return chosen
