"""/meetings: participants, absentees, places and frameworks, checked against /sparql and the KB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from test_rest_support import ID, RSA, column, competency, ids, items, rest_client


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with rest_client() as running:
        yield running


FILTERS: list[tuple[dict[str, str], str]] = [
    ({}, "?m a skb:Meeting"),
    ({"participant": "mark-rutte"}, "?m a skb:Meeting ; skb:participant|skb:host skr:mark-rutte"),
    ({"participant": "donald-trump"}, "?m a skb:Meeting ; skb:participant|skb:host skr:donald-trump"),
    ({"absentee": "mark-rutte"}, "?m a skb:Meeting ; skb:absentee skr:mark-rutte"),
    ({"place": "paris"}, "?m a skb:Meeting ; skb:place skr:paris"),
    ({"place": "united-states"}, "?m a skb:Meeting ; skb:place/skb:locatedIn* skr:united-states"),
    ({"outside": "nato"}, "?m a skb:Meeting ; skb:outsideFrameworkOf skr:nato"),
    ({"within": "nato"}, "?m a skb:Meeting ; skb:withinFrameworkOf skr:nato"),
    ({"topic": "topic-nato-future"}, "?m a skb:Meeting ; skb:topic/skos:broader* skr:topic-nato-future"),
    (
        {"participant": "united-states", "place": "washington"},
        "?m a skb:Meeting ; skb:participant|skb:host skr:united-states ; skb:place/skb:locatedIn* skr:washington",
    ),
]


@pytest.mark.parametrize(("params", "pattern"), FILTERS, ids=lambda value: str(value)[:60])
def test_filters_agree_with_sparql(client: TestClient, params: dict[str, str], pattern: str) -> None:
    assert ids(client, "/meetings", **params) == column(client, f"SELECT DISTINCT ?m WHERE {{ {pattern} }}", "m")


def test_the_paris_meetings(client: TestClient) -> None:
    [paris] = items(client, "/meetings", absentee="mark-rutte")
    assert paris["id"] == RSA + "meeting-paris"
    assert {p["id"] for p in paris["participants"]} == {RSA + "diplomats", RSA + "nato-generals"}
    assert [p["id"] for p in paris["places"]] == [ID + "paris"]
    assert [o["id"] for o in paris["outside"]] == [ID + "nato"] and paris["within"] == []
    assert paris["eventTypes"] == ["consult"]
    assert paris["times"] == [{"label": "while Rutte engages with Trump", "period": "current"}]


def test_a_place_includes_the_places_within_it(client: TestClient) -> None:
    assert ids(client, "/meetings", place="france") == {RSA + "meeting-paris"}
    assert ids(client, "/meetings", place="united-states") == {
        RSA + "meeting-white-house",
        RSA + "meeting-defence-official-washington",
    }


def test_the_white_house_meeting_is_on_a_thursday_of_no_known_date(client: TestClient) -> None:
    response = client.get("/meetings/rutte-stands-alone-new-nato/meeting-white-house")
    assert response.status_code == 200
    meeting = response.json()
    assert meeting["times"] == [{"id": RSA + "time-thursday", "label": "Thursday", "period": None}]
    assert [h["id"] for h in meeting["hosts"]] == [ID + "donald-trump"]
    assert [p["id"] for p in meeting["participants"]] == [ID + "mark-rutte"]
    assert meeting["eventTypes"] == ["make-visit"]


def test_meetings_outside_nato_agree_with_the_competency_question(client: TestClient) -> None:
    rows = competency(client, "08")
    found = items(client, "/meetings", outside="nato")
    assert {m["id"] for m in found} == {row["meeting"] for row in rows}
    assert {(m["id"], p["id"]) for m in found for p in m["places"]} == {
        (row["meeting"], row["place"]) for row in rows if "place" in row
    }
    assert {(m["id"], a["id"]) for m in found for a in m["absentees"]} == {
        (row["meeting"], row["absentee"]) for row in rows if "absentee" in row
    }


def test_who_met_whom_where_agrees_with_the_competency_question(client: TestClient) -> None:
    found = {(m["id"], p["id"]) for m in items(client, "/meetings") for p in m["participants"] + m["hosts"]}
    assert found == {(row["meeting"], row["party"]) for row in competency(client, "02")}


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("/meetings/rutte-stands-alone-new-nato/meeting-x", f"no meeting {RSA}meeting-x in the knowledge base"),
        ("/meetings?participant=nobody", f"no actor {ID}nobody in the knowledge base (participant)"),
        ("/meetings?place=atlantis", f"no resource {ID}atlantis in the knowledge base (place)"),
        ("/meetings?outside=paris", f"no actor {ID}paris in the knowledge base (outside)"),
    ],
)
def test_unknown_identifiers_are_not_found(client: TestClient, url: str, detail: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == detail
