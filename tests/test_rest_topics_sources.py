"""/topics and /sources: the topic scheme and the source documents, checked against /sparql and the KB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from test_rest_support import ID, RSA, column, ids, items, rest_client


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with rest_client() as running:
        yield running


def test_every_topic_once_by_label(client: TestClient) -> None:
    topics = items(client, "/topics")
    assert {t["id"] for t in topics} == column(client, "SELECT ?t WHERE { ?t a skb:Topic }", "t")
    labels = [t["label"] for t in topics]
    assert labels == sorted(labels, key=str.lower) and len(labels) == len(set(labels))


def test_broader_and_narrower_agree_with_sparql(client: TestClient) -> None:
    for topic in items(client, "/topics"):
        iri = topic["id"]
        assert {t["id"] for t in topic["broader"]} == column(
            client, f"SELECT ?b WHERE {{ <{iri}> skos:broader ?b }}", "b"
        )
        assert {t["id"] for t in topic["narrower"]} == column(
            client, f"SELECT ?n WHERE {{ ?n skos:broader <{iri}> }}", "n"
        )


def test_one_topic(client: TestClient) -> None:
    response = client.get("/topics/topic-nato-future")
    assert response.status_code == 200
    topic = response.json()
    assert topic["label"] == "the future of NATO" and topic["broader"] == []
    assert {t["id"] for t in topic["narrower"]} == {
        ID + "topic-nato-relevance",
        ID + "topic-nato-transformation",
        ID + "topic-secretary-general-role",
    }


def test_topics_by_text(client: TestClient) -> None:
    assert ids(client, "/topics", q="NATO") == column(
        client, 'SELECT ?t WHERE { ?t a skb:Topic ; rdfs:label ?l FILTER(CONTAINS(LCASE(STR(?l)), "nato")) }', "t"
    )


def test_the_source_document(client: TestClient) -> None:
    [source] = items(client, "/sources")
    assert source["id"] == ID + "rutte-stands-alone-new-nato"
    assert source["title"] == "Rutte Stands Alone in the 'New NATO'"
    assert source["publisher"] == {"id": ID + "troib-news", "label": "TROIB News"}
    assert [c["id"] for c in source["contributors"]] == [ID + "lucas-dupont"]
    assert source["characterCount"] == 5798 and source["language"] == "en"
    assert source["reportingTime"]["id"] == RSA + "now"
    # the source's own graph, and the graphs of ontology modules drawn from it (ontology/modules/*/data)
    assert "https://w3id.org/stancekb/graph/rutte-stands-alone-new-nato" in source["graphs"]
    assert source["graphs"] == sorted(
        column(client, "SELECT ?g WHERE { ?g prov:wasDerivedFrom skr:rutte-stands-alone-new-nato }", "g")
    )
    assert {a["id"] for a in source["noCommentFrom"]} == column(
        client, "SELECT ?a WHERE { skr:rutte-stands-alone-new-nato skb:noCommentFrom ?a }", "a"
    )
    assert client.get("/sources/rutte-stands-alone-new-nato").json() == source


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("/topics/topic-x", f"no topic {ID}topic-x in the knowledge base"),
        ("/topics/mark-rutte", f"no topic {ID}mark-rutte in the knowledge base"),
        ("/sources/nato", f"no source document {ID}nato in the knowledge base"),
    ],
)
def test_unknown_identifiers_are_not_found(client: TestClient, url: str, detail: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == detail
