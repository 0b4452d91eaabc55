"""JSON-LD answers: the JSON with the server's context, which expands (pyld, nothing fetched from elsewhere) to
triples that the store holds; the context itself; and the vocabularies it maps, against the ontology.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyld import jsonld
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from test_rest_support import BASE, ID, RSA, ask, ask_pattern, expand_to_graph, local_loader, rest_client

from stancekb.api.models import VOCABULARIES, ActorType, Vocabulary
from stancekb.export import load_context
from stancekb.namespaces import SKB
from stancekb.resources import ontology_graph

LD = {"accept": "application/ld+json"}

URLS = [
    "/actors?limit=100",
    "/actors?type=Person&q=official",
    "/actors/mark-rutte",
    "/actors/france",
    "/actors/donald-trump",
    "/actors/united-states",
    "/actors/giuseppe-spatafora",
    "/actors/rutte-stands-alone-new-nato/nato-official",
    "/stances?limit=100",
    "/stances/rutte-stands-alone-new-nato/stance-jeglinskas-whisperer",
    "/meetings?limit=100",
    "/meetings/rutte-stands-alone-new-nato/meeting-white-house",
    "/dependencies?limit=100",
    "/dependencies/rutte-stands-alone-new-nato/dependency-europe-us-troops",
    "/topics?limit=100",
    "/topics/topic-european-defence",
    "/sources",
    "/sources/rutte-stands-alone-new-nato",
]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with rest_client() as running:
        yield running


def keys(value: Any) -> set[str]:
    """Every key of every object in a JSON value."""
    if isinstance(value, dict):
        return set(value).union(*(keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys(v) for v in value))
    return set()


@pytest.mark.parametrize("url", URLS)
def test_json_ld_is_the_json_with_the_server_s_context(client: TestClient, url: str) -> None:
    plain, linked = client.get(url), client.get(url, headers=LD)
    assert linked.status_code == 200 and linked.headers["content-type"] == "application/ld+json"
    assert plain.headers["content-type"] == "application/json"
    body = linked.json()
    assert body.pop("@context") == BASE + "/context.jsonld"
    assert body == plain.json()
    assert client.get(url + ("&" if "?" in url else "?") + "format=jsonld").json() == linked.json()
    assert f'<{BASE}/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"' in plain.headers["link"]


@pytest.mark.parametrize("url", URLS)
def test_json_ld_expands_to_triples_the_store_holds(client: TestClient, url: str) -> None:
    document = client.get(url, headers=LD).json()
    graph = expand_to_graph(document, local_loader(client, BASE))
    assert len(graph) >= 5
    assert ask(client, ask_pattern(graph)), f"{url} says something the store does not hold"


@pytest.mark.parametrize("url", URLS)
def test_every_key_is_a_term_of_the_context(client: TestClient, url: str) -> None:
    terms = client.get("/context.jsonld").json()["@context"]
    assert keys(client.get(url).json()) <= set(terms)


def test_the_expansion_says_what_the_json_says(client: TestClient) -> None:
    document = client.get("/stances", params={"polarity": "against"}, headers=LD).json()
    graph = expand_to_graph(document, local_loader(client, BASE))
    stance = URIRef(RSA + "stance-spatafora-relations-not-strong")
    assert (stance, SKB.polarity, SKB.Against) in graph
    assert (stance, SKB.reportingMode, SKB.DirectQuotation) in graph
    assert (stance, SKB.holder, URIRef(ID + "giuseppe-spatafora")) in graph
    assert (URIRef(ID + "giuseppe-spatafora"), RDFS.label, Literal("Giuseppe Spatafora", lang="en")) in graph


def test_a_profile_s_reverse_properties_point_at_the_actor(client: TestClient) -> None:
    graph = expand_to_graph(client.get("/actors/mark-rutte", headers=LD).json(), local_loader(client, BASE))
    rutte = URIRef(ID + "mark-rutte")
    assert (URIRef(RSA + "meeting-paris"), SKB.absentee, rutte) in graph
    assert (URIRef(RSA + "meeting-white-house"), SKB.participant, rutte) in graph
    assert (URIRef(RSA + "membership-rutte-prime-minister"), URIRef("http://www.w3.org/ns/org#member"), rutte) in graph


def test_a_changed_answer_is_caught(client: TestClient) -> None:
    """The check has teeth: a JSON-LD answer with one value changed no longer agrees with the store."""
    document = client.get("/stances", params={"polarity": "against"}, headers=LD).json()
    changed = copy.deepcopy(document)
    changed["items"][0]["polarity"] = "favour"
    assert not ask(client, ask_pattern(expand_to_graph(changed, local_loader(client, BASE))))


def test_only_the_server_s_context_is_loaded(client: TestClient) -> None:
    document = {"@context": "https://example.org/remote.jsonld", "@id": "https://example.org/s", "x": 1}
    with pytest.raises(jsonld.JsonLdError):
        expand_to_graph(document, local_loader(client, BASE))


def test_the_context_extends_the_package_context(client: TestClient) -> None:
    response = client.get("/context.jsonld")
    assert response.status_code == 200 and response.headers["content-type"] == "application/ld+json"
    terms = response.json()["@context"]
    assert {name: terms[name] for name in load_context()["@context"]} == load_context()["@context"]
    assert terms["holder"] == {"@id": "skb:holder", "@type": "@id"}
    assert terms["against"] == "skb:Against" and terms["Person"] == "skb:Person"


def test_representations_other_than_json_are_not_acceptable(client: TestClient) -> None:
    for response in (
        client.get("/stances", headers={"accept": "text/turtle"}),
        client.get("/stances", params={"format": "xml"}),
    ):
        assert response.status_code == 406
        assert response.headers["content-type"] == "application/problem+json"
        assert "application/ld+json" in response.json()["detail"]


@pytest.mark.parametrize("vocabulary", [v for v in VOCABULARIES if v is not ActorType])
def test_vocabularies_are_the_ontology_s_schemes(vocabulary: type[Vocabulary]) -> None:
    """Each vocabulary lists every concept of one of the ontology's schemes, and nothing else."""
    ontology = ontology_graph()
    iris = {member.iri for member in vocabulary}
    [scheme] = {ontology.value(iri, SKOS.inScheme) for iri in iris}
    assert scheme is not None
    assert iris == set(ontology.subjects(SKOS.inScheme, scheme))
