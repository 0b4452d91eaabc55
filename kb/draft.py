"""The drafting assistant: quotations, their speakers and the actors a new article mentions, as a draft graph.

Rule-based and offline (no model): ``find_quotes`` takes every span between quotation marks (curly or
straight, one paragraph at most), less the comma the outlet puts before its closing mark. ``attribute`` finds
each quote's speaker in the words around it, by patterns of attribution verbs ("said", "noted", "told", ...,
"according to", "described by ... as"): a name (matched to an existing actor by label or surname, else a new
``skb:Person`` by the IRI convention), an unnamed source ("a NATO official", "a defense official from a
NATO country"), or a pronoun ("He emphasized"), which is taken to be the last named speaker; a quote with no
attribution of its own continues the previous quote of its paragraph. The role the article gives ("chair of
the ... Committee", "Foreign Minister") is matched to an ``org:Role`` by its label's words.

``draft`` writes the source's scaffold (``stancekb.sources.scaffold``) plus a ``skb:Quote`` per quotation
(with anchors), the speakers, and a Web Annotation (``oa:identifying``) for the first mention of each
known actor. The graph is marked ``bibo:status bibo-status:draft``: the shapes refuse it until a researcher
has curated it and removed the mark (docs/adding-a-source.md). ``evaluate`` scores a draft against a
curated graph of the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

from stancekb.namespaces import OA, SCHEMA, SKB
from stancekb.sources import (
    BIBO_STATUS,
    DRAFT,
    RIGHT_QUOTE,
    ActorIndex,
    NewSource,
    SourceIris,
    actor_iri,
    add_anchor,
    scaffold,
    slugify,
)

OPENING, CLOSING = '“"', '”"'
QUOTE = re.compile(rf"[{OPENING}](?P<words>[^{OPENING}{CLOSING[0]}\n]+)[{CLOSING}]")
"""A quotation: an opening mark, words on one line, a closing mark (curly and straight marks may mix)."""

VERBS = (
    r"said|says|told|noted|stated|commented|remarked|suggested|added|explained|argued|emphasi[sz]ed|warned|"
    r"insisted|asked|wrote|replied|observed|cautioned|declared|continued|concluded|acknowledged|admitted|"
    r"claimed|maintained|recalled|stressed|urged|announced|tweeted|posted"
)
NOUNS = (
    r"official|diplomat|spokesperson|spokesman|spokeswoman|source|officer|aide|adviser|advisor|analyst|"
    r"observer|minister|ambassador|general|lawmaker|person|member|expert|insider|negotiator"
)
UPPER = r"[A-ZÀ-ÖØ-Þ]"
APOSTROPHES = f"'{RIGHT_QUOTE}"
WORD = rf"{UPPER}(?:[\w{APOSTROPHES}-]|\.(?=\w))*"
"""A capitalised word; a full stop only inside it ("U.S."), never the one that ends a sentence."""
NAME = rf"{WORD}(?:\s+(?:{WORD}|de|van|von|der|da|di|la|le|bin))*"
UNNAMED = (
    rf"(?:[Aa]n?|[Oo]ne|[Aa]nother)\s+(?:[\w.{APOSTROPHES}-]+\s+){{0,4}}?(?:{NOUNS})s?"
    rf"(?:\s+(?:from|at|in|with)\s+[^,.;“”\"]+)?"
)
TITLE_WORDS = frozenset(
    [
        "president",
        "prime",
        "minister",
        "foreign",
        "defence",
        "defense",
        "secretary",
        "secretary-general",
        "general",
        "chancellor",
        "ambassador",
        "senator",
        "representative",
        "chair",
        "chairman",
        "chairwoman",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "admiral",
        "commander",
        "deputy",
        "vice",
        "former",
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "lord",
        "king",
        "queen",
        "governor",
        "mayor",
        "director",
        "chief",
        "head",
        "envoy",
        "american",
        "british",
        "french",
        "german",
        "italian",
        "dutch",
        "polish",
        "spanish",
        "russian",
        "ukrainian",
        "lithuanian",
        "european",
        "belgian",
        "chinese",
        "turkish",
        "canadian",
        "nato",
        "eu",
        "u.s.",
        "u.k.",
        "un",
    ]
)
"""Words of a title before a name, lower case: a new speaker's name is what follows the last of them."""
PRONOUN = r"[Hh]e|[Ss]he"
DEFINITE = rf"(?:[Tt]he|[Tt]his|[Tt]hat)\s+(?:[\w.{APOSTROPHES}-]+\s+)?(?P<noun>{NOUNS})"
SPEAKER = rf"(?P<speaker>{UNNAMED}|{DEFINITE}|{PRONOUN}|{NAME})"

AFTER = (
    re.compile(rf"^,?\s*(?:{VERBS})\s+{SPEAKER}"),
    re.compile(rf"^,?\s*{SPEAKER}\s+(?:{VERBS})\b"),
    re.compile(rf"^,?\s*according to\s+{SPEAKER}"),
)
"""Attributions after a closing mark: '," noted NAME', '," NAME said', '," according to NAME'."""

BEFORE = (
    re.compile(rf"{SPEAKER}\s+(?:{VERBS})(?:\s+[\w{APOSTROPHES}.-]+){{0,2}}?(?:\s+that)?[,:]?\s*$"),
    re.compile(rf"(?:described|called|characteri[sz]ed)\s+by\s+{SPEAKER}\s+as\s*$"),
    re.compile(rf"according to\s+{SPEAKER},\s*$"),
)
"""Attributions before an opening mark: 'NAME said, "', 'described by NAME as "', 'according to NAME, "'."""

APPOSITIVE = re.compile(r"^,\s*(?P<words>[^“”\"]+?)(?=[.;]\s|[.;]?$|,\s*[“\"])")
"""The words after a speaker that say who they are (', chair of the ... committee', ', who recently ...')."""


@dataclass(frozen=True)
class Quotation:
    """A span of the text between quotation marks (``start``/``end`` of the words, end exclusive)."""

    start: int
    end: int
    mark_start: int
    mark_end: int


@dataclass(frozen=True)
class Speaker:
    """Who a quote is attributed to: an existing or new actor, or an unnamed source, with the words that say so."""

    iri: URIRef
    label: str
    anonymous: bool
    new: bool
    role: URIRef | None
    described_as: str
    affiliation: URIRef | None
    start: int
    end: int


def find_quotes(text: str) -> list[Quotation]:
    """Every quotation in the text, the outlet's comma before the closing mark left out."""
    found = []
    for match in QUOTE.finditer(text):
        words = match.group("words")
        stripped = words.rstrip().removesuffix(",").rstrip()
        lead = len(words) - len(words.lstrip())
        start = match.start("words") + lead
        found.append(Quotation(start, match.start("words") + len(stripped), match.start(), match.end()))
    return [quote for quote in found if quote.end > quote.start]


def _paragraph_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _sentence_after(text: str, quote: Quotation) -> tuple[str, int]:
    """The text from the closing mark to the end of its paragraph, and where it starts."""
    end = text.find("\n", quote.mark_end)
    return text[quote.mark_end : len(text) if end == -1 else end], quote.mark_end


def _sentence_before(text: str, quote: Quotation, previous: Quotation | None) -> tuple[str, int]:
    """The text from the last sentence end (or closing mark, or paragraph start) to the opening mark."""
    start = _paragraph_start(text, quote.mark_start)
    if previous is not None and previous.mark_end > start:
        start = previous.mark_end
    before = text[start : quote.mark_start]
    cut = max(before.rfind(". "), before.rfind("? "), before.rfind("! "))
    offset = start + (cut + 2 if cut != -1 else 0)
    return text[offset : quote.mark_start], offset


class Attributor:
    """Finds the speakers of a text's quotes, matching names to the actors of an index."""

    def __init__(self, text: str, iris: SourceIris, actors: ActorIndex) -> None:
        self.text, self.iris, self.actors = text, iris, actors
        self.last_named: Speaker | None = None

    def speakers(self, quotes: list[Quotation]) -> Iterator[Speaker | None]:
        """The speaker of each quote, in order (None where none is found)."""
        previous: Quotation | None = None
        previous_speaker: Speaker | None = None
        for quote in quotes:
            speaker = self._own(quote, previous)
            same_paragraph = previous is not None and _paragraph_start(self.text, quote.start) == _paragraph_start(
                self.text, previous.start
            )
            if speaker is None and same_paragraph:
                speaker = previous_speaker
            if speaker is not None and not speaker.anonymous:
                self.last_named = speaker
            yield speaker
            previous, previous_speaker = quote, speaker

    def _own(self, quote: Quotation, previous: Quotation | None) -> Speaker | None:
        """The speaker the words right after or before the quote name."""
        after, offset = _sentence_after(self.text, quote)
        ended = self.text[quote.end - 1] in ".?!" and after.lstrip()[:1].isupper()  # the next sentence begins
        for pattern in () if ended else AFTER:
            if match := pattern.search(after):
                return self._speaker(match, offset)
        before, offset = _sentence_before(self.text, quote, previous)
        for pattern in BEFORE:
            if match := pattern.search(before):
                return self._speaker(match, offset)
        return None

    def _speaker(self, match: re.Match[str], offset: int) -> Speaker | None:
        words = match.group("speaker").strip()
        start = offset + match.start("speaker")
        end = start + len(words)
        appositive = APPOSITIVE.match(self.text[end : self.text.find("\n", end) % (len(self.text) + 1)])
        extra = appositive.group("words") if appositive else ""
        if re.fullmatch(PRONOUN, words):
            return self.last_named
        if definite := re.fullmatch(DEFINITE, words):
            return self._antecedent(definite.group("noun"), start) or self._unnamed(words, extra, start, end)
        if re.fullmatch(UNNAMED, words):
            return self._unnamed(words, extra, start, end)
        return self._named(words, extra, start, end)

    def _antecedent(self, noun: str, before: int) -> Speaker | None:
        """The unnamed source "the diplomat" refers to: the last "a ... diplomat" before it."""
        found = [m for m in re.finditer(rf"\b{UNNAMED}", self.text[:before]) if re.search(rf"\b{noun}s?\b", m.group())]
        if not found:
            return None
        words = found[-1].group().strip()
        return self._unnamed(words[0].lower() + words[1:], "", found[-1].start(), found[-1].start() + len(words))

    def _unnamed(self, words: str, extra: str, start: int, end: int) -> Speaker:
        """An unnamed source of this article: a node of its own, affiliated to an actor named just before the noun."""
        described = f"{words}, {extra}" if extra.startswith("who ") else words
        noun = re.search(
            rf"(?P<by>[\w.{APOSTROPHES}-]+)\s+(?:{NOUNS})s?\b(?:\s+(?:from|at|in|with)\s+(?P<of>[^,.;“”\"]+))?", words
        )
        affiliation = None
        if noun is not None:
            candidates = (noun.group("of") or "", noun.group("by"))
            affiliation = next(filter(None, map(self.actors.match, candidates)), None)
        return Speaker(self.iris.ns[_local(words)], words, True, True, None, described, affiliation, start, end)

    def _named(self, words: str, extra: str, start: int, end: int) -> Speaker:
        """A named speaker: the longest tail of the capitalised words that names a known actor, else a new one."""
        tokens = words.split()
        for cut in range(len(tokens)):
            name = " ".join(tokens[cut:])
            actor = self.actors.match(name)
            if actor is not None:
                title = " ".join(tokens[:cut])
                role = self.actors.role(f"{title} {extra}")
                return Speaker(actor, name, False, False, role, words, None, start, end)
        cut = len(tokens) - 1  # a new name: the words after the last title word ("Foreign Minister Ana Gil")
        while cut > 0 and tokens[cut - 1].casefold() not in TITLE_WORDS and self.actors.match(tokens[cut - 1]) is None:
            cut -= 1
        name, title = " ".join(tokens[cut:]), " ".join(tokens[:cut])
        role = self.actors.role(f"{title} {extra}")
        return Speaker(actor_iri(name), name, False, True, role, words, None, start, end)


def _local(words: str) -> str:
    """The local name of an unnamed source: its description less the article ("nato-official")."""
    return slugify(re.sub(r"^(?:an?|one|another)\s+", "", words, flags=re.IGNORECASE))


def draft(source: NewSource, actors: ActorIndex) -> Dataset:
    """The draft named graph of a new article: the scaffold, its quotes and speakers, the actors it mentions."""
    dataset = scaffold(source, actors)
    iris = source.iris
    graph = dataset.graph(iris.graph)
    graph.add((iris.graph, BIBO_STATUS, DRAFT))
    graph.add(
        (
            iris.graph,
            RDFS.comment,
            Literal(
                "Unreviewed draft by `stancekb source draft`: check every quote, speaker and actor, add the "
                "stances, then remove the bibo:status triple (docs/adding-a-source.md).",
                lang="en",
            ),
        )
    )
    text = source.text
    quotes = find_quotes(text)
    seen: set[URIRef] = set()
    for number, (quote, speaker) in enumerate(
        zip(quotes, Attributor(text, iris, actors).speakers(quotes), strict=True), 1
    ):
        node = iris.ns[f"quote-{number:02d}"]
        graph.add((node, RDF.type, SKB.Quote))
        graph.add((node, SCHEMA.text, Literal(text[quote.start : quote.end])))
        graph.add((node, SKB.evidence, add_anchor(graph, iris, f"a-quote-{number:02d}", text, quote.start, quote.end)))
        if speaker is None:
            graph.add((node, RDFS.comment, Literal("No speaker found: add prov:wasAttributedTo.", lang="en")))
            continue
        graph.add((node, PROV.wasAttributedTo, speaker.iri))
        if speaker.role is not None:
            attribution = BNode()
            graph.add((node, PROV.qualifiedAttribution, attribution))
            graph.add((attribution, RDF.type, PROV.Attribution))
            graph.add((attribution, PROV.agent, speaker.iri))
            graph.add((attribution, PROV.hadRole, speaker.role))
        if speaker.new and speaker.iri not in seen:
            _describe_speaker(graph, iris, speaker, text)
        seen.add(speaker.iri)
    _annotate_mentions(graph, iris, text, actors)
    return dataset


def _describe_speaker(graph: Graph, iris: SourceIris, speaker: Speaker, text: str) -> None:
    """Type and label a speaker the store does not know, with the words that name them as evidence."""
    graph.add((speaker.iri, RDF.type, SKB.AnonymousSource if speaker.anonymous else SKB.Person))
    graph.add((speaker.iri, RDFS.label, Literal(speaker.label, lang="en")))
    if speaker.anonymous:
        graph.add((speaker.iri, SKB.describedAs, Literal(speaker.described_as)))
    if speaker.affiliation is not None:
        graph.add((speaker.iri, SKB.affiliation, speaker.affiliation))
    local = str(speaker.iri).rsplit("/", 1)[-1]
    graph.add(
        (speaker.iri, SKB.evidence, add_anchor(graph, iris, f"a-speaker-{local}", text, speaker.start, speaker.end))
    )


def _annotate_mentions(graph: Graph, iris: SourceIris, text: str, actors: ActorIndex) -> None:
    """A Web Annotation (motivation ``oa:identifying``) on the first mention of each known actor."""
    first: dict[URIRef, tuple[int, int]] = {}
    for mention in actors.mentions(text):
        first.setdefault(mention.actor, (mention.start, mention.end))
    for actor, (start, end) in first.items():
        local = str(actor).rsplit("/", 1)[-1]
        annotation = iris.ns[f"mention-{local}"]
        graph.add((annotation, RDF.type, OA.Annotation))
        graph.add((annotation, OA.motivatedBy, OA.identifying))
        graph.add((annotation, OA.hasBody, actor))
        graph.add((annotation, OA.hasTarget, add_anchor(graph, iris, f"a-mention-{local}", text, start, end)))
        graph.add((iris.document, SCHEMA.mentions, actor))


# ---------------------------------------------------------------------------------------------------------
# Evaluation against a curated graph
# ---------------------------------------------------------------------------------------------------------

UNNAMED_CLASSES = (SKB.AnonymousSource, SKB.UnnamedPerson)


@dataclass(frozen=True)
class Score:
    """Proposals against the truth: how many were proposed, how many are true, and how many of each match."""

    proposed: int
    actual: int
    right: int

    @property
    def wrong(self) -> int:
        """Proposals that match nothing true."""
        return self.proposed - self.right

    @property
    def precision(self) -> float:
        """Right proposals over proposals."""
        return self.right / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        """True items found over true items."""
        return self.right / self.actual if self.actual else 1.0

    def line(self, name: str) -> str:
        """One readable line."""
        return (
            f"{name}: {self.right} right of {self.proposed} proposed, {self.actual} in the curated graph "
            f"(precision {self.precision:.2f}, recall {self.recall:.2f}; {self.wrong} wrong)"
        )


def quote_spans(graph: Graph) -> dict[tuple[int, int], tuple[Node, Node | None]]:
    """Each quote's span (from its anchor's position selector) -> the quote and its speaker."""
    spans = {}
    for quote in graph.subjects(RDF.type, SKB.Quote):
        speaker = graph.value(quote, PROV.wasAttributedTo)
        for anchor in graph.objects(quote, SKB.evidence):
            for selector in graph.objects(anchor, OA.hasSelector):
                start, end = graph.value(selector, OA.start), graph.value(selector, OA.end)
                if isinstance(start, Literal) and isinstance(end, Literal):
                    spans[int(start), int(end)] = (quote, speaker)
    return spans


def _descriptions(graph: Graph, node: Node) -> set[str]:
    return {" ".join(str(v).casefold().split()) for p in (SKB.describedAs, RDFS.label) for v in graph.objects(node, p)}


def _same_speaker(draft_graph: Graph, mine: Node | None, curated: Graph, theirs: Node | None) -> bool:
    """The same actor, or unnamed sources described alike (one description begins the other)."""
    if mine is None or theirs is None:
        return False
    if mine == theirs:
        return True
    if not any((theirs, RDF.type, cls) in curated for cls in UNNAMED_CLASSES):
        return False
    return any(
        a.startswith(b) or b.startswith(a)
        for a in _descriptions(draft_graph, mine)
        for b in _descriptions(curated, theirs)
    )


def _attributions(graph: Graph) -> set[tuple[Node, Node]]:
    """The (agent, role) pairs of the quotes' qualified attributions."""
    return {
        (agent, role)
        for attribution in graph.objects(None, PROV.qualifiedAttribution)
        if (agent := graph.value(attribution, PROV.agent)) is not None
        and (role := graph.value(attribution, PROV.hadRole)) is not None
    }


def _roles(draft_graph: Graph, curated: Graph) -> Score:
    """Roles proposed for speakers: right if the curated graph gives that speaker that role on some quote."""
    mine, theirs = _attributions(draft_graph), _attributions(curated)
    return Score(len(mine), len(theirs), len(mine & theirs))


def evaluate(draft_graph: Graph, curated: Graph, actors: ActorIndex) -> dict[str, Score]:
    """Score a draft against the curated graph of the same text: quotes (exact span, overlap), speakers, mentions.

    Speakers are scored on the quotes whose spans overlap; a speaker is right if it is the curated actor,
    or both are unnamed sources described alike. Roles are (speaker, role) pairs of qualified attributions.
    A mentioned actor is right if the curated graph uses it; the
    actors to find are the known actors (of ``actors``) the curated graph uses.
    """
    mine, theirs = quote_spans(draft_graph), quote_spans(curated)
    exact = sum(span in theirs for span in mine)
    pairs = [(m, t) for m in mine for t in theirs if m[0] < t[1] and t[0] < m[1]]
    overlap_mine, overlap_theirs = {m for m, _ in pairs}, {t for _, t in pairs}
    speakers_right = {
        t for m, t in pairs if mine[m][1] is not None and _same_speaker(draft_graph, mine[m][1], curated, theirs[t][1])
    }
    proposed_speakers = {m for m, _ in pairs if mine[m][1] is not None}
    mentioned = set(draft_graph.objects(None, SCHEMA.mentions))
    known = set().union(*actors.labels.values())
    used = {node for triple in curated for node in triple} & known
    return {
        "quotes (exact span)": Score(len(mine), len(theirs), exact),
        "quotes (overlap)": Score(len(mine), len(theirs), min(len(overlap_mine), len(overlap_theirs))),
        "speakers (of overlapping quotes)": Score(len(proposed_speakers), len(theirs), len(speakers_right)),
        "speakers' roles": _roles(draft_graph, curated),
        "actors mentioned": Score(len(mentioned), len(used), len(mentioned & used)),
    }
