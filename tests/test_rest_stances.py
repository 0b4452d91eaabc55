"""/stances: every filter, alone and together, gives what the same question asked of /sparql gives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from test_rest_support import ID, RSA, column, competency, ids, items, rest_client

from stancekb.api.models import Polarity

UNNAMED = "VALUES ?class { skb:UnnamedPerson skb:AnonymousSource }"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with rest_client() as running:
        yield running


FILTERS: list[tuple[dict[str, str], str]] = [
    ({}, "?s a skb:Stance"),
    ({"polarity": "against"}, "?s a skb:Stance ; skb:polarity skb:Against"),
    ({"polarity": "favour"}, "?s a skb:Stance ; skb:polarity skb:Favour"),
    ({"holder": "giuseppe-spatafora"}, "?s a skb:Stance ; skb:holder skr:giuseppe-spatafora"),
    ({"holder": ID + "giuseppe-spatafora"}, "?s a skb:Stance ; skb:holder skr:giuseppe-spatafora"),
    ({"holder": "rutte-stands-alone-new-nato/nato-official"}, f"?s a skb:Stance ; skb:holder <{RSA}nato-official>"),
    ({"target": "ukraine"}, "?s a skb:Stance ; skb:target skr:ukraine"),
    (
        {"target": "rutte-stands-alone-new-nato/prop-trump-is-transactional"},
        f"?s a skb:Stance ; skb:target <{RSA}prop-trump-is-transactional>",
    ),
    ({"topic": "topic-nato-future"}, "?s a skb:Stance ; skb:topic/skos:broader* skr:topic-nato-future"),
    ({"topic": "topic-secretary-general-role"}, "?s a skb:Stance ; skb:topic skr:topic-secretary-general-role"),
    (
        {"source": "rutte-stands-alone-new-nato"},
        "?s a skb:Stance ; skb:evidence/oa:hasSource skr:rutte-stands-alone-new-nato",
    ),
    ({"mode": "paraphrase"}, "?s a skb:Stance ; skb:reportingMode skb:Paraphrase"),
    ({"mode": "direct-quotation"}, "?s a skb:Stance ; skb:reportingMode skb:DirectQuotation"),
    ({"mode": "partial-quotation"}, "?s a skb:Stance ; skb:reportingMode skb:PartialQuotation"),
    ({"mode": "outlet-reporting"}, "?s a skb:Stance ; skb:reportingMode skb:OutletReporting"),
    ({"anonymous": "true"}, f"?s a skb:Stance ; skb:holder ?h . ?h a ?class {UNNAMED}"),
    ({"anonymous": "false"}, f"?s a skb:Stance ; skb:holder ?h FILTER NOT EXISTS {{ ?h a ?class {UNNAMED} }}"),
    ({"period": "current"}, "?s a skb:Stance ; skb:holdsDuring/time:inside ?now . ?doc skb:reportingTime ?now"),
    ({"period": "former"}, "?s a skb:Stance ; skb:holdsDuring/time:before ?now . ?doc skb:reportingTime ?now"),
    (
        {"holder": "giuseppe-spatafora", "polarity": "favour", "mode": "direct-quotation", "period": "current"},
        "?s a skb:Stance ; skb:holder skr:giuseppe-spatafora ; skb:polarity skb:Favour ; "
        "skb:reportingMode skb:DirectQuotation ; skb:holdsDuring/time:inside ?now . ?doc skb:reportingTime ?now",
    ),
    (
        {"topic": "topic-nato-future", "anonymous": "true", "source": "rutte-stands-alone-new-nato"},
        "?s a skb:Stance ; skb:topic/skos:broader* skr:topic-nato-future ; "
        f"skb:evidence/oa:hasSource skr:rutte-stands-alone-new-nato ; skb:holder ?h . ?h a ?class {UNNAMED}",
    ),
    (
        {"holder": "european-nations", "period": "former"},
        "?s skb:holder skr:european-nations ; skb:holdsDuring/time:before ?now . ?doc skb:reportingTime ?now",
    ),
    ({"holder": "mark-rutte", "polarity": "against"}, "?s skb:holder skr:mark-rutte ; skb:polarity skb:Against"),
]


@pytest.mark.parametrize(("params", "pattern"), FILTERS, ids=lambda value: str(value)[:60])
def test_filters_agree_with_sparql(client: TestClient, params: dict[str, str], pattern: str) -> None:
    expected = column(client, f"SELECT DISTINCT ?s WHERE {{ {pattern} }}", "s")
    assert ids(client, "/stances", **params) == expected


def test_the_stance_against_is_spatafora_s_on_transatlantic_relations(client: TestClient) -> None:
    [stance] = items(client, "/stances", polarity="against")
    assert stance["holder"] == {"id": ID + "giuseppe-spatafora", "label": "Giuseppe Spatafora", "type": ["Person"]}
    assert [t["label"] for t in stance["targets"]] == ["Transatlantic relations are strong"]
    assert [t["id"] for t in stance["topics"]] == [ID + "topic-transatlantic-relations"]
    assert stance["mode"] == "direct-quotation" and stance["period"] == "current"
    [quote] = stance["quotes"]
    assert quote["text"].startswith("He needs to say that transatlantic relations are strong when they aren't")
    [evidence] = stance["evidence"]
    assert evidence["exact"] == quote["text"] and evidence["source"] == ID + "rutte-stands-alone-new-nato"


def test_paraphrases_agree_with_the_competency_question(client: TestClient) -> None:
    found = {
        (s["id"], s["holder"]["id"], t["id"])
        for s in items(client, "/stances", mode="paraphrase")
        for t in s["targets"]
    }
    assert found == {(row["stance"], row["holder"], row["target"]) for row in competency(client, "07")}


def test_stances_on_a_topic_agree_with_the_competency_question(client: TestClient) -> None:
    found = {
        (s["holder"]["id"], str(Polarity(s["polarity"]).iri), t["id"])
        for s in items(client, "/stances", topic="topic-nato-transformation")
        for t in s["targets"]
    }
    assert found == {(row["holder"], row["polarity"], row["target"]) for row in competency(client, "10")}


def test_stances_against_agree_with_the_competency_question(client: TestClient) -> None:
    found = {(s["holder"]["id"], t["id"]) for s in items(client, "/stances", polarity="against") for t in s["targets"]}
    assert found == {(row["holder"], row["target"]) for row in competency(client, "11")}


def test_anonymous_stances_agree_with_the_competency_question(client: TestClient) -> None:
    found = {(s["id"], s["holder"]["id"]) for s in items(client, "/stances", anonymous="true")}
    assert found == {(row["stance"], row["source"]) for row in competency(client, "05")}
    assert all(s["holder"]["type"] == ["AnonymousSource"] for s in items(client, "/stances", anonymous="true"))


def test_named_and_anonymous_part_the_stances(client: TestClient) -> None:
    named, anonymous = ids(client, "/stances", anonymous="false"), ids(client, "/stances", anonymous="true")
    assert named.isdisjoint(anonymous) and named | anonymous == ids(client, "/stances")


def test_current_and_former_leave_out_stances_without_a_period(client: TestClient) -> None:
    current, former = ids(client, "/stances", period="current"), ids(client, "/stances", period="former")
    undated = column(client, "SELECT ?s WHERE { ?s a skb:Stance FILTER NOT EXISTS { ?s skb:holdsDuring [] } }", "s")
    assert former == {RSA + "stance-europeans-rutte-charm-ally"}
    assert current | former | undated == ids(client, "/stances") and undated
    assert {s["period"] for s in items(client, "/stances") if s["id"] in undated} == {None}


def test_one_stance(client: TestClient) -> None:
    response = client.get("/stances/rutte-stands-alone-new-nato/stance-jeglinskas-whisperer")
    assert response.status_code == 200
    stance = response.json()
    assert stance["strength"] == "strong" and stance["polarity"] == "favour"
    assert [q["id"] for q in stance["quotes"]] == [RSA + "quote-jeglinskas-1", RSA + "quote-jeglinskas-2"]
    assert [t["id"] for t in stance["topics"]] == [
        ID + "topic-secretary-general-role",
        ID + "topic-transatlantic-relations",
    ]
    assert stance == next(s for s in items(client, "/stances") if s["id"] == stance["id"])


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("/stances/rutte-stands-alone-new-nato/stance-x", f"no stance {RSA}stance-x in the knowledge base"),
        ("/stances/mark-rutte", f"no stance {ID}mark-rutte in the knowledge base"),
        ("/stances?holder=mark-rute", f"no actor {ID}mark-rute in the knowledge base (holder)"),
        ("/stances?holder=topic-nato-future", f"no actor {ID}topic-nato-future in the knowledge base (holder)"),
        ("/stances?topic=mark-rutte", f"no topic {ID}mark-rutte in the knowledge base (topic)"),
        ("/stances?target=nothing-here", f"no resource {ID}nothing-here in the knowledge base (target)"),
        ("/stances?source=nato", f"no source document {ID}nato in the knowledge base (source)"),
    ],
)
def test_unknown_identifiers_are_not_found(client: TestClient, url: str, detail: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://w3id.org/stancekb/problem/not-found",
        "title": "Not found",
        "status": 404,
        "detail": detail,
    }


# ---- pages ------------------------------------------------------------------------------------------------


def test_pages_cover_the_list_once_with_the_total_of_sparql(client: TestClient) -> None:
    total = len(column(client, "SELECT ?s WHERE { ?s a skb:Stance }", "s"))
    seen: list[str] = []
    for offset in range(0, total + 7, 7):
        page = client.get("/stances", params={"limit": 7, "offset": offset}).json()
        assert page["total"] == total and page["limit"] == 7 and page["offset"] == offset
        assert len(page["items"]) == max(0, min(7, total - offset))
        seen += [item["id"] for item in page["items"]]
    assert len(seen) == len(set(seen)) == total


def test_pages_link_to_their_neighbours(client: TestClient) -> None:
    response = client.get("/stances", params={"polarity": "favour", "limit": 5, "offset": 5})
    page = response.json()
    assert page["prev"] == "http://testserver/stances?polarity=favour&limit=5&offset=0"
    assert page["next"] == "http://testserver/stances?polarity=favour&limit=5&offset=10"
    assert f'<{page["next"]}>; rel="next"' in response.headers["link"]
    assert f'<{page["prev"]}>; rel="prev"' in response.headers["link"]
    following = client.get(page["next"]).json()
    assert following["offset"] == 10 and following["total"] == page["total"]


def test_the_last_page_has_no_next_and_the_first_no_prev(client: TestClient) -> None:
    first = client.get("/stances", params={"limit": 100}).json()
    assert first["next"] is None and first["prev"] is None
    beyond = client.get("/stances", params={"offset": 1000}).json()
    assert beyond["items"] == [] and beyond["total"] == first["total"] and beyond["next"] is None


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "ten"}])
def test_page_bounds_are_checked(client: TestClient, params: dict[str, object]) -> None:
    response = client.get("/stances", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert next(iter(params)) in response.json()["detail"]
