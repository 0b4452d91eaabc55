from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from stancekb.anchors import AnchorError, check_anchors, sha256_hex
from stancekb.load import read_graphs
from stancekb.namespaces import OA, SKB
from stancekb.resources import kb_files
from stancekb.validate import union_graph

VALID = Path(__file__).parent / "data" / "valid"
SOURCES = Path(__file__).parents[2] / "shared" / "sources"  # ../shared/sources beside the project
MS = "https://w3id.org/stancekb/id/mini-source/"
TEXT = (VALID / "mini-source.txt").read_text(encoding="utf-8")


@pytest.fixture
def graph() -> Graph:
    return union_graph(read_graphs([VALID / "mini-source.trig"]).values())


def selector(graph: Graph, anchor: str, kind: URIRef) -> object:
    [found] = [s for s in graph.objects(URIRef(MS + anchor), OA.hasSelector) if (s, RDF.type, kind) in graph]
    return found


def test_the_fixture_text_has_offsets_that_differ_by_unit() -> None:
    """The point of the fixture: code points, UTF-16 units and bytes give different offsets."""
    index = TEXT.index("we are ready")
    assert index == 99
    assert len(TEXT[:index].encode("utf-16-le")) // 2 != index
    assert len(TEXT[:index].encode("utf-8")) != index


def test_valid_anchors_pass(graph: Graph) -> None:
    report = check_anchors(graph, TEXT)
    assert report.document == URIRef("https://w3id.org/stancekb/id/mini-source")
    assert report.failures == []
    assert report.checked == 5  # two position selectors, three quote selectors


@pytest.mark.parametrize(
    ("anchor", "kind", "prop", "value", "check"),
    [
        ("anchor-1", OA.TextQuoteSelector, OA.exact, "NATO is Strong", "oa:exact"),
        ("anchor-1", OA.TextQuoteSelector, OA.prefix, "Rutte says “", "oa:prefix"),
        ("anchor-2", OA.TextQuoteSelector, OA.suffix, "” - twice", "oa:suffix"),
        ("anchor-2", OA.TextPositionSelector, OA.start, Literal(100), "oa:exact"),  # a UTF-16 offset
        ("anchor-2", OA.TextPositionSelector, OA.end, Literal(999), "oa:TextPositionSelector"),
        ("anchor-3", OA.TextQuoteSelector, OA.prefix, "said “", "oa:exact with"),  # now matches neither quote
    ],
)
def test_each_mismatch_is_reported(
    graph: Graph, anchor: str, kind: URIRef, prop: URIRef, value: str | Literal, check: str
) -> None:
    node = selector(graph, anchor, kind)
    graph.set((node, prop, value if isinstance(value, Literal) else Literal(value)))
    report = check_anchors(graph, TEXT)
    assert report.failures, "the change went unnoticed"
    assert {failure.anchor for failure in report.failures} == {URIRef(MS + anchor)}
    assert any(check in failure.check for failure in report.failures)
    assert MS + anchor in report.failures[0].describe()


def test_failure_names_expected_and_found(graph: Graph) -> None:
    graph.set((selector(graph, "anchor-1", OA.TextQuoteSelector), OA.exact, Literal("NATO is weak")))
    [failure] = check_anchors(graph, TEXT).failures
    assert (failure.expected, failure.found) == ("NATO is weak", "NATO is strong")


def test_character_count_is_checked(graph: Graph) -> None:
    graph.set((URIRef("https://w3id.org/stancekb/id/mini-source"), SKB.characterCount, Literal(137)))
    [failure] = check_anchors(graph, TEXT).failures
    assert failure.check == "skb:characterCount"


def test_a_text_of_no_document_is_an_error(graph: Graph) -> None:
    with pytest.raises(AnchorError, match=sha256_hex(TEXT + "!")):
        check_anchors(graph, TEXT + "!")


@pytest.mark.parametrize("path", sorted(SOURCES.glob("*.txt")), ids=lambda path: path.stem)
def test_packaged_kb_anchors_match_the_source_texts(path: Path) -> None:
    """Every quote and offset of the packaged KB against the source texts in ../shared/sources."""
    report = check_anchors(read_graphs(kb_files()).values(), path.read_text(encoding="utf-8"))
    assert report.checked > 0
    assert [failure.describe() for failure in report.failures] == []


def test_there_are_source_texts() -> None:
    assert sorted(SOURCES.glob("*.txt")), f"no source texts in {SOURCES}"


def test_a_quote_selector_alone_must_be_unambiguous(graph: Graph) -> None:
    node = selector(graph, "anchor-3", OA.TextQuoteSelector)
    graph.remove((node, OA.prefix, None))
    graph.remove((node, OA.suffix, None))
    [failure] = check_anchors(graph, TEXT).failures
    assert (failure.expected, failure.found) == ("one occurrence", "2")
