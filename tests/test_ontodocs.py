"""The ontology's documentation lists every term the ontology graph defines, with its label, definition, domain,
range and alignments, escapes what it shows, and draws an SVG diagram of the classes its properties link."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from test_query_page import references

from stancekb.namespaces import ONTOLOGY_IRI, SKB
from stancekb.ontodocs import diagram_svg, local_name, ontology_docs, relations, terms
from stancekb.resources import ontology_graph

SVG = "{http://www.w3.org/2000/svg}"


class Entries(HTMLParser):
    """The term entries of the docs: id -> the text inside the entry."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, str] = {}
        self.ids: list[str] = []
        self.current: str | None = None
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag == "section" and attributes.get("class") == "term":
            self.current, self.depth = str(attributes["id"]), 0
            self.entries[self.current] = ""
        if self.current is not None:
            self.depth += 1
            self.entries[self.current] += " ".join(str(v) for k, v in attrs if k in ("href", "title")) + " "

    def handle_endtag(self, tag: str) -> None:
        if self.current is not None:
            self.depth -= 1
            if self.depth == 0:
                self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.entries[self.current] += data


def entries(html: str) -> Entries:
    parser = Entries()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def docs() -> Entries:
    return entries(ontology_docs())


def defined_terms(graph: Graph) -> set[URIRef]:
    """Independently of the generator: every IRI in the ontology's namespace that the graph types."""
    namespace = str(SKB._NS)
    return {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(namespace)}


def test_every_term_of_the_ontology_graph_has_an_entry(docs: Entries) -> None:
    graph = ontology_graph()
    expected = defined_terms(graph)
    assert len(expected) > 100
    assert {str(t) for t in expected} <= {str(t) for t in terms(graph)}
    assert {local_name(str(t)) for t in expected} <= set(docs.entries)
    assert len(docs.ids) == len(set(docs.ids)), "no id twice"


def test_each_entry_has_its_label_iri_definition_domain_range_and_alignments(docs: Entries) -> None:
    graph = ontology_graph()
    for term in defined_terms(graph):
        text = docs.entries[local_name(str(term))]
        assert str(term) in text
        for predicate in (RDFS.label, SKOS.definition):
            for value in graph.objects(term, predicate):
                assert str(value) in text, (term, predicate)
        for predicate in (RDFS.domain, RDFS.range, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass):
            for value in graph.objects(term, predicate):
                if isinstance(value, URIRef):
                    assert str(value) in text, (term, predicate, value)  # linked: href or title
    stance = docs.entries["holder"]
    assert "#Stance" in stance and "#Actor" in stance, "domain and range link to their entries"
    assert "alignments" in docs.entries["Person"] and "http://xmlns.com/foaf/0.1/Person" in docs.entries["Person"]


def test_the_docs_load_nothing_and_show_the_ontology_header() -> None:
    html = ontology_docs()
    assert not references(html).loaded
    assert "StanceKB ontology" in html and f"{ONTOLOGY_IRI}/0.1.0" in html


def test_a_module_term_shows_up_and_text_is_escaped() -> None:
    graph = Graph()
    graph += ontology_graph()
    term = URIRef(f"{ONTOLOGY_IRI}/modules/test#Thing")
    graph.add((term, RDF.type, OWL.Class))
    graph.add((term, RDFS.label, Literal("<script>alert(1)</script> & co")))
    graph.add((term, RDFS.subClassOf, SKB.Actor))
    page = entries(ontology_docs(graph))
    assert "<script>alert(1)</script> & co" in page.entries["Thing"]
    assert "<script>" not in ontology_docs(graph)


def test_the_diagram_is_svg_with_a_box_per_linked_class_and_a_label_per_property() -> None:
    graph = ontology_graph()
    svg = ET.fromstring(diagram_svg(graph))
    assert svg.tag == f"{SVG}svg"
    names = {t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "name"}
    labels = " ".join(t.text or "" for t in svg.iter(f"{SVG}text") if t.get("class") == "label")
    linked = relations(graph)
    assert {str(graph.value(c, RDFS.label)) for pair in linked for c in pair} == names
    assert "holder" in labels and "supported by" in labels
    assert (SKB.Stance, SKB.Actor) in linked
    links = {a.get("href") for a in svg.iter(f"{SVG}a")}
    assert "#Stance" in links


def test_stancekb_docs_writes_the_page_and_the_diagram(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "stancekb"), "docs", "--output", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "ontology.html").read_text(encoding="utf-8") == ontology_docs()
    ET.parse(tmp_path / "out" / "ontology.svg")
