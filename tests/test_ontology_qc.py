"""Ontology quality rules (ontology/qc/*-violation.rq) return nothing over the ontology, the shapes and the KB."""

from __future__ import annotations

from importlib.resources.abc import Traversable

import pytest
from rdflib import Graph

from stancekb.load import read_graphs
from stancekb.resources import kb_files, ontology_graph, qc_files, shapes_graph

RULES = qc_files()


@pytest.fixture(scope="module")
def everything() -> Graph:
    """The ontology, the shapes and every KB graph, merged."""
    merged = Graph()
    merged += ontology_graph()
    merged += shapes_graph()
    for graph in read_graphs(kb_files()).values():
        merged += graph
    return merged


def test_rules_are_found() -> None:
    assert len(RULES) >= 7


@pytest.mark.parametrize("rule", RULES, ids=lambda entry: entry.name.removesuffix("-violation.rq"))
def test_rule_finds_no_violation(everything: Graph, rule: Traversable) -> None:
    rows = list(everything.query(rule.read_text(encoding="utf-8")))
    assert rows == [], f"{rule.name}: {[tuple(str(term) for term in row) for row in rows]}"


@pytest.mark.parametrize(
    ("rule_name", "bad_turtle"),
    [
        ("term-without-label", "skb:Orphan a owl:Class ; skos:definition 'x' ."),
        ("term-without-definition", "skb:Orphan a owl:Class ; rdfs:label 'orphan'@en ."),
        ("undeclared-term", "<https://w3id.org/stancekb/id/x> skb:notAProperty 1 ."),
        ("builtin-vocabulary-redefined", "rdfs:label rdfs:label 'mine' ."),
        (
            "dangling-resource",
            "<https://w3id.org/stancekb/id/x> a skb:Person ; skb:affiliation <https://w3id.org/stancekb/id/nowhere> .",
        ),
        ("ontology-header", "<https://example.org/o> a owl:Ontology ."),
        ("class-without-shape", "<https://w3id.org/stancekb/id/x> a skb:Unshaped . skb:Unshaped a owl:Class ."),
    ],
)
def test_rule_catches_its_violation(rule_name: str, bad_turtle: str) -> None:
    prefixes = """
        @prefix skb: <https://w3id.org/stancekb/ontology#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    """
    graph = Graph().parse(data=prefixes + bad_turtle, format="turtle")
    (rule,) = [entry for entry in RULES if entry.name == f"{rule_name}-violation.rq"]
    assert list(graph.query(rule.read_text(encoding="utf-8"))), f"{rule_name} missed a violation"
