import pytest
from rdflib import RDF, URIRef

from stancekb.namespaces import PREFIXES, SKB, SPARQL_PREFIXES
from stancekb.resources import ontology_graph


def ontology_terms() -> set[URIRef]:
    """Every IRI in the skb: namespace that the ontology types: classes, properties, concepts, concept schemes."""
    namespace = str(SKB._NS)
    return {s for s in ontology_graph().subjects(RDF.type) if isinstance(s, URIRef) and str(s).startswith(namespace)}


def test_skb_lists_exactly_the_ontology_terms() -> None:
    listed = {SKB[name] for name in SKB.__annotations__}
    defined = ontology_terms()
    assert sorted(defined - listed) == [], "defined in ontology/ but missing from SKB"
    assert sorted(listed - defined) == [], "in SKB but not defined in ontology/"


def test_skb_fails_on_unknown_terms() -> None:
    with pytest.raises(AttributeError):
        _ = SKB.NoSuchTerm


def test_sparql_prefixes_are_one_line_and_complete() -> None:
    assert "\n" not in SPARQL_PREFIXES
    for prefix, namespace in PREFIXES.items():
        assert f"PREFIX {prefix}: <{namespace}>" in SPARQL_PREFIXES
