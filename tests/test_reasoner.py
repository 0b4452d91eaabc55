"""The real HermiT reasoner through owlready2; each reasoner run is shared by the tests that read it."""

from pathlib import Path

import owlready2
import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from stancekb.namespaces import ORG, SKB
from stancekb.reason import ReasonerError, ReasoningResult, reason

EX = Namespace("https://example.org/reasoning/")
DATA = Path(__file__).parent / "data" / "valid" / "reasoning.ttl"


@pytest.fixture(scope="module")
def data() -> Graph:
    return Graph().parse(DATA)


@pytest.fixture(scope="module")
def result(data: Graph) -> ReasoningResult:
    return reason(data)


def test_ontology_with_data_is_consistent(result: ReasoningResult) -> None:
    assert result.consistent


def test_depends_on_through_the_property_chain(result: ReasoningResult) -> None:
    assert (EX["state-a"], SKB.dependsOn, EX["state-b"]) in result.inferred
    assert (EX["state-b"], SKB.dependsOn, EX["alliance-c"]) in result.inferred


def test_depends_on_is_transitive(result: ReasoningResult) -> None:
    assert (EX["state-a"], SKB.dependsOn, EX["alliance-c"]) in result.inferred
    assert (EX["alliance-c"], SKB.dependsOn, EX["state-a"]) not in result.inferred


@pytest.mark.parametrize(
    ("subject", "predicate", "obj"),
    [
        (EX["person-p"], ORG.holds, EX["secretary-general"]),  # org:holds owl:inverseOf org:heldBy
        (EX["alliance-c"], ORG.hasPost, EX["secretary-general"]),  # org:hasPost owl:inverseOf org:postIn
        (EX["person-p"], SKB.holds, EX["stance-1"]),  # skb:holds owl:inverseOf skb:holder
        (EX["state-a"], SKB.dependerIn, EX["dep-ab"]),  # skb:dependerIn owl:inverseOf skb:depender
        (EX["state-b"], SKB.absentFrom, EX["meeting-1"]),  # skb:absentFrom owl:inverseOf skb:absentee
    ],
)
def test_inverse_properties(result: ReasoningResult, subject: URIRef, predicate: URIRef, obj: URIRef) -> None:
    assert (subject, predicate, obj) in result.inferred


def test_host_is_a_participant_and_participated_in(result: ReasoningResult) -> None:
    assert (EX["meeting-1"], SKB.participant, EX["state-a"]) in result.inferred
    assert (EX["state-a"], SKB.participatedIn, EX["meeting-1"]) in result.inferred


def test_located_in_is_transitive(result: ReasoningResult) -> None:
    assert (EX["norfolk"], SKB.locatedIn, EX["state-b"]) in result.inferred
    assert (EX["norfolk"], RDF.type, SKB.Place) in result.inferred  # from the domain of skb:locatedIn


def test_inferred_holds_nothing_asserted(result: ReasoningResult, data: Graph) -> None:
    assert len(result.inferred) > 0
    assert not set(result.inferred) & set(data)


def test_literals_outside_the_owl2_datatype_map_are_left_out(result: ReasoningResult) -> None:
    # "2014"^^xsd:gYear and "2025-03-13"^^xsd:date in the data, "..."^^xsd:date in the ontology.
    assert result.dropped >= 3
    assert not any(isinstance(o, Literal) for o in result.inferred.objects())


def test_inferences_about_blank_nodes_name_the_same_blank_nodes(result: ReasoningResult, data: Graph) -> None:
    official = data.value(EX["dep-anon"], SKB.depender)
    assert isinstance(official, BNode)
    assert (official, SKB.dependsOn, EX["alliance-c"]) in result.inferred


def test_participant_and_absentee_at_once_is_inconsistent(data: Graph) -> None:
    contradiction = Graph()
    contradiction += data
    contradiction.add((EX["meeting-1"], SKB.absentee, EX["person-p"]))  # also a participant: propertyDisjointWith
    outcome = reason(contradiction)
    assert not outcome.consistent
    assert len(outcome.inferred) == 0


def test_missing_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(owlready2, "JAVA_EXE", "no-such-java-executable")
    with pytest.raises(ReasonerError, match="Java was not found"):
        reason(Graph())
