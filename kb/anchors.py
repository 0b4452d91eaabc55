"""Check the text anchors of a source document against its text.

The text is matched to its ``skb:SourceDocument`` by the SHA-256 of its UTF-8 bytes (``skb:sha256``). Then
every selector of every anchor on that document (``oa:hasSource``) is checked, counting Unicode code points
from 0 with the end exclusive (Web Annotation Data Model, https://www.w3.org/TR/annotation-model/#text-quote-selector
and #text-position-selector):

- ``oa:TextPositionSelector``: 0 <= start <= end <= length of the text;
- ``oa:TextQuoteSelector``: ``oa:exact`` equals ``text[start:end]`` of the anchor's position selector (or,
  without one, occurs in the text exactly once with its prefix and suffix), ``oa:prefix`` equals the
  characters just before it and ``oa:suffix`` those just after it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from stancekb.namespaces import OA, SKB
from stancekb.validate import union_graph


class AnchorError(LookupError):
    """The text belongs to no source document of the data."""


@dataclass(frozen=True)
class AnchorFailure:
    """One selector value that does not match the text."""

    anchor: Node
    check: str
    expected: str
    found: str

    def describe(self) -> str:
        """One line: the anchor, what was checked, and what was expected and found."""
        return f"{self.anchor.n3()}: {self.check}: expected {self.expected!r}, found {self.found!r}"


@dataclass
class AnchorReport:
    """The selectors checked for one document, and the failures among them."""

    document: URIRef
    checked: int = 0
    failures: list[AnchorFailure] = field(default_factory=list)


def sha256_hex(text: str) -> str:
    """The SHA-256 digest of the text's UTF-8 bytes, in lower-case hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_document(graph: Graph, text: str) -> URIRef:
    """The source document whose ``skb:sha256`` is the text's digest (hexBinary compares without case)."""
    digest = sha256_hex(text)
    for document, value in graph.subject_objects(SKB.sha256):
        if isinstance(document, URIRef) and str(value).lower() == digest:
            return document
    raise AnchorError(f"no skb:SourceDocument has skb:sha256 {digest} (the SHA-256 of the text's UTF-8 bytes)")


def check_anchors(data: Graph | Dataset | Iterable[Graph], text: str) -> AnchorReport:
    """Check every selector of the anchors on the text's source document (all graphs of the data merged)."""
    graph = union_graph(data)
    report = AnchorReport(document=find_document(graph, text))
    count = graph.value(report.document, SKB.characterCount)
    if isinstance(count, Literal) and int(count) != len(text):
        report.failures.append(AnchorFailure(report.document, "skb:characterCount", str(count), str(len(text))))
    for anchor in sorted(graph.subjects(OA.hasSource, report.document), key=str):
        selectors = list(graph.objects(anchor, OA.hasSelector))
        positions = [s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in graph]
        quotes = [s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in graph]
        spans: list[tuple[int, int] | None] = [
            span for s in positions if (span := _position(graph, anchor, s, text, report)) is not None
        ]
        for quote in quotes:
            for span in spans or [None]:  # without a valid position, the quote is looked for in the text
                _check_quote(graph, anchor, quote, text, span, report)
    return report


def _position(graph: Graph, anchor: Node, selector: Node, text: str, report: AnchorReport) -> tuple[int, int] | None:
    """The (start, end) of a position selector, or None after reporting why it is not a span of the text."""
    report.checked += 1
    start, end = (graph.value(selector, OA[name]) for name in ("start", "end"))
    if not (isinstance(start, Literal) and isinstance(end, Literal)):
        report.failures.append(AnchorFailure(anchor, "oa:start and oa:end", "both present", f"{start}, {end}"))
        return None
    span = int(start), int(end)
    if not 0 <= span[0] <= span[1] <= len(text):
        expected = f"0 <= start <= end <= {len(text)}"
        report.failures.append(AnchorFailure(anchor, "oa:TextPositionSelector", expected, f"{span[0]}, {span[1]}"))
        return None
    return span


def _check_quote(
    graph: Graph, anchor: Node, selector: Node, text: str, span: tuple[int, int] | None, report: AnchorReport
) -> None:
    """Check exact, prefix and suffix of a quote selector at the span (or wherever the quote occurs)."""
    report.checked += 1
    exact, prefix, suffix = (str(graph.value(selector, OA[name]) or "") for name in ("exact", "prefix", "suffix"))
    if span is None:
        found = _occurrences(text, prefix + exact + suffix)
        if len(found) != 1:
            report.failures.append(
                AnchorFailure(anchor, "oa:exact with oa:prefix and oa:suffix", "one occurrence", f"{len(found)}")
            )
            return
        start = found[0] + len(prefix)
        span = start, start + len(exact)
    start, end = span
    checks = (
        ("oa:exact", exact, text[start:end]),
        ("oa:prefix", prefix, text[max(0, start - len(prefix)) : start]),
        ("oa:suffix", suffix, text[end : end + len(suffix)]),
    )
    for check, expected, found_text in checks:
        if expected != found_text:
            report.failures.append(AnchorFailure(anchor, f"{check} at {start}-{end}", expected, found_text))


def _occurrences(text: str, needle: str) -> list[int]:
    """Every index at which the needle starts in the text, overlapping ones included."""
    found, index = [], text.find(needle)
    while index != -1:
        found.append(index)
        index = text.find(needle, index + 1)
    return found
