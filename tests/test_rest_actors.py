"""/actors: search by label and type, and the profile of one actor, checked against /sparql and the KB."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import RDFS
from test_rest_support import BASE, ID, RSA, column, competency, ids, items, rest_client

from stancekb.api.models import PROFILE_LISTS, ActorType, list_path
from stancekb.api.rest import MAX_LIMIT, query
from stancekb.api.routes.actors import PROFILE_LIMIT
from stancekb.namespaces import SKB
from stancekb.resources import ontology_graph


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with rest_client() as running:
        yield running


def profile(client: TestClient, key: str, limit: int = MAX_LIMIT) -> dict:
    """An actor's profile; by default each list up to the most a page holds (all of them, in this KB)."""
    response = client.get(f"/actors/{key}", params={"limit": limit})
    assert response.status_code == 200, response.text
    return response.json()


def field_ids(body: dict, name: str) -> set[str]:
    return {entry["id"] for entry in body[name]}


# ---- search ---------------------------------------------------------------------------------------------


def test_search_by_label_ignores_case(client: TestClient) -> None:
    assert ids(client, "/actors", q="RUTTE") == {ID + "mark-rutte"}


def test_search_matches_alternative_labels_and_descriptions(client: TestClient) -> None:
    assert ID + "united-states" in ids(client, "/actors", q="America")  # skos:altLabel
    assert ids(client, "/actors", q="nato official") == {RSA + "nato-official", RSA + "former-nato-official"}


@pytest.mark.parametrize("text", ["nato", "de", "official", "'"])
def test_search_agrees_with_sparql(client: TestClient, text: str) -> None:
    named = column(
        client,
        f"""SELECT ?a WHERE {{ ?a rdfs:label|skos:altLabel|skb:describedAs ?name .
              FILTER(CONTAINS(LCASE(STR(?name)), "{text}")) }}""",
        "a",
    )
    assert ids(client, "/actors", q=text) == named & ids(client, "/actors")


@pytest.mark.parametrize(
    ("type_", "classes"),
    [
        ("Person", ["skb:Person", "skb:UnnamedPerson", "skb:AnonymousSource"]),
        ("AnonymousSource", ["skb:AnonymousSource"]),
        (
            "Organisation",
            [
                f"skb:{c}"
                for c in (
                    "Organisation",
                    "State",
                    "Alliance",
                    "Bloc",
                    "GovernmentBody",
                    "Legislature",
                    "ParliamentaryCommittee",
                    "MilitaryCommand",
                    "MediaOutlet",
                    "ResearchInstitute",
                )
            ],
        ),
        ("State", ["skb:State"]),
        ("ActorGroup", ["skb:ActorGroup"]),
    ],
)
def test_type_includes_subclasses(client: TestClient, type_: str, classes: list[str]) -> None:
    expected = column(client, f"SELECT ?a WHERE {{ VALUES ?c {{ {' '.join(classes)} }} ?a a ?c }}", "a")
    assert expected
    assert ids(client, "/actors", type=type_) == expected


def test_type_and_text_together(client: TestClient) -> None:
    assert ids(client, "/actors", type="State", q="united") == {ID + "united-states", ID + "united-kingdom"}


def test_actors_are_ordered_by_label(client: TestClient) -> None:
    labels = [item["label"] for item in items(client, "/actors")]
    assert labels == sorted(labels, key=str.lower)


def test_every_actor_is_listed_once(client: TestClient) -> None:
    every = [item["id"] for item in items(client, "/actors")]
    classes = " ".join(f"skb:{member.value}" for member in ActorType)
    assert len(every) == len(set(every))
    assert set(every) == ids(client, "/actors", type="Actor")
    assert set(every) == column(client, f"SELECT ?a WHERE {{ VALUES ?c {{ {classes} }} ?a a ?c }}", "a")


def test_the_actor_classes_are_the_ontology_s(client: TestClient) -> None:
    """actors.rq lists each actor class with its superclasses; ActorType lists the classes: both follow ontology/."""
    ontology = ontology_graph()
    classes = set(ontology.transitive_subjects(RDFS.subClassOf, SKB.Actor))
    closure = {(c, s) for c in classes for s in ontology.transitive_objects(c, RDFS.subClassOf) if s in classes}
    pairs = {(SKB[c], SKB[s]) for c, s in re.findall(r"\(skb:(\w+) skb:(\w+)\)", query("actors").text)}
    assert pairs == closure
    assert {member.iri for member in ActorType} == classes


# ---- profiles -------------------------------------------------------------------------------------------


def test_rutte_s_offices_now_and_before(client: TestClient) -> None:
    body = profile(client, "mark-rutte")
    offices = {entry["office"]["label"]: entry["period"] for entry in body["offices"]}
    assert offices == {"Secretary General of NATO": "current", "Prime Minister of the Netherlands": "former"}
    assert {entry["organization"]["id"] for entry in body["offices"]} == {ID + "nato", ID + "netherlands"}


def test_rutte_s_meetings_attended_and_missed(client: TestClient) -> None:
    body = profile(client, "mark-rutte")
    assert field_ids(body, "meetingsAttended") == {RSA + "meeting-white-house"}
    assert field_ids(body, "meetingsMissed") == {RSA + "meeting-paris"}
    assert body["meetingsHosted"] == []
    [paris] = body["meetingsMissed"]
    assert {a["id"] for a in paris["absentees"]} == {ID + "mark-rutte"}


def test_meetings_agree_with_the_competency_question(client: TestClient) -> None:
    body = profile(client, "mark-rutte")
    rows = competency(client, "01")
    attends = {row["meeting"] for row in rows if row["attendance"] == "attends"}
    absent = {row["meeting"] for row in rows if row["attendance"] == "absent"}
    assert field_ids(body, "meetingsAttended") | field_ids(body, "meetingsHosted") == attends
    assert field_ids(body, "meetingsMissed") == absent


def test_offices_agree_with_the_competency_question(client: TestClient) -> None:
    rows = competency(client, "09")
    for person in {row["person"] for row in rows}:
        body = profile(client, person.removeprefix(ID))
        assert {(o["office"]["id"], o["period"]) for o in body["offices"]} == {
            (row["office"], row["tenure"]) for row in rows if row["person"] == person
        }


def test_memberships_that_are_no_office(client: TestClient) -> None:
    body = profile(client, "giuseppe-spatafora")
    assert body["offices"] == []
    assert {(m["organization"]["id"], m["role"]["label"], m["period"]) for m in body["memberships"]} == {
        (ID + "nato", "official", "former"),
        (ID + "eu-institute-for-security-studies", "research analyst", "current"),
    }


def test_stances_held_and_about(client: TestClient) -> None:
    body = profile(client, "mark-rutte")
    held = column(client, "SELECT ?s WHERE { ?s a skb:Stance ; skb:holder skr:mark-rutte }", "s")
    about = column(client, "SELECT ?s WHERE { ?s a skb:Stance ; skb:target|skb:target/skb:about skr:mark-rutte }", "s")
    assert field_ids(body, "stancesHeld") == held and held
    assert field_ids(body, "stancesAbout") == about and about
    assert {
        (s["holder"]["id"], s["targets"][0]["id"])
        for s in body["stancesAbout"]
        if s["holder"]["id"] != ID + "mark-rutte"
    } == {(row["holder"], row["target"]) for row in competency(client, "15")}


def test_a_host_is_not_a_participant(client: TestClient) -> None:
    body = profile(client, "donald-trump")
    assert field_ids(body, "meetingsHosted") == {RSA + "meeting-white-house"}
    assert field_ids(body, "meetingsAttended") == {RSA + "meeting-france-uk-trump"}
    assert [o["office"]["label"] for o in body["offices"]] == ["President of the United States"]


def test_a_state_s_blocs_groups_and_organisations(client: TestClient) -> None:
    body = profile(client, "france")
    assert field_ids(body, "blocs") == {RSA + "bloc-european-five"}
    assert field_ids(body, "memberOf") == {ID + "nato"}
    assert field_ids(body, "groups") == {ID + "nato-member-states"}
    assert body["sameAs"] == ["http://www.wikidata.org/entity/Q142"]


def test_dependencies_both_ways(client: TestClient) -> None:
    us, nato = profile(client, "united-states"), profile(client, "nato")
    assert field_ids(us, "dependeeIn") == column(client, "SELECT ?d WHERE { ?d skb:dependee skr:united-states }", "d")
    assert field_ids(nato, "dependerIn") == column(client, "SELECT ?d WHERE { ?d skb:depender skr:nato }", "d")
    assert us["dependerIn"] == [] and len(us["dependeeIn"]) == 7


def test_an_unnamed_actor_by_its_source_scoped_identifier(client: TestClient) -> None:
    body = profile(client, "rutte-stands-alone-new-nato/nato-official")
    assert body["type"] == ["AnonymousSource"]
    assert body["describedAs"] == "a NATO official"
    assert field_ids(body, "affiliations") == {ID + "nato"}
    assert field_ids(body, "stancesHeld") == {RSA + "stance-nato-official-morph"}


@pytest.mark.parametrize("key", ["nobody", "paris", "topic-nato-future", "rutte-stands-alone-new-nato/quote-01"])
def test_what_is_no_actor_is_not_found(client: TestClient, key: str) -> None:
    response = client.get(f"/actors/{key}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"no actor {ID}{key} in the knowledge base (path)"


# ---- bounded profiles: limits, totals and the complete lists ----------------------------------------------


def test_each_list_shows_its_first_items_up_to_the_limit(client: TestClient) -> None:
    complete = profile(client, "mark-rutte")
    for limit in (0, 1, 2, PROFILE_LIMIT):
        body = profile(client, "mark-rutte", limit)
        assert body["limit"] == limit
        for name in PROFILE_LISTS:
            assert body[name] == complete[name][:limit], (name, limit)
            assert body["lists"][name]["total"] == len(complete[name])
    assert len(complete["stancesAbout"]) > PROFILE_LIMIT  # the default bound is reached in this KB
    assert client.get("/actors/mark-rutte").json() == profile(client, "mark-rutte", PROFILE_LIMIT)


@pytest.mark.parametrize("key", ["mark-rutte", "united-states", "france", "nato", "giuseppe-spatafora"])
def test_totals_are_the_numbers_sparql_counts(client: TestClient, key: str) -> None:
    body = profile(client, key, 1)
    patterns = {
        "offices": "?i org:member skr:{0} ; skb:tenureOf ?o",
        "memberships": "?i org:member skr:{0} FILTER NOT EXISTS {{ ?i skb:tenureOf ?o }}",
        "memberOf": "skr:{0} org:memberOf ?i",
        "blocs": "?i a skb:Bloc ; org:hasMember skr:{0}",
        "groups": "?i foaf:member skr:{0}",
        "stancesHeld": "?i a skb:Stance ; skb:holder skr:{0}",
        "stancesAbout": "?i a skb:Stance ; skb:target|skb:target/skb:about skr:{0}",
        "meetingsAttended": "?i a skb:Meeting ; skb:participant skr:{0}",
        "meetingsHosted": "?i a skb:Meeting ; skb:host skr:{0}",
        "meetingsMissed": "?i a skb:Meeting ; skb:absentee skr:{0}",
        "dependerIn": "?i a skb:Dependency ; skb:depender skr:{0}",
        "dependeeIn": "?i a skb:Dependency ; skb:dependee skr:{0}",
    }
    assert set(patterns) == set(PROFILE_LISTS)
    for name, pattern in patterns.items():
        expected = column(client, f"SELECT DISTINCT ?i WHERE {{ {pattern.format(key)} }}", "i")
        assert body["lists"][name]["total"] == len(expected), name
    assert sum(entry["total"] for entry in body["lists"].values()) > 0


@pytest.mark.parametrize("key", ["mark-rutte", "united-states", "rutte-stands-alone-new-nato/nato-official"])
def test_each_link_pages_through_exactly_the_list(client: TestClient, key: str) -> None:
    """Following a list's link page by page (two items a page) gives its items once each, in the profile's order."""
    body, complete = profile(client, key, 1), profile(client, key)
    for name in PROFILE_LISTS:
        link = body["lists"][name]
        assert link["href"] == f"{BASE}/actors/{key}/{list_path(name)}"
        found: list[dict] = []
        url: str | None = link["href"] + "?limit=2"
        while url is not None:
            response = client.get(url)
            assert response.status_code == 200, response.text
            page = response.json()
            assert page["total"] == link["total"] and len(page["items"]) <= 2
            found += page["items"]
            url = page["next"]
        assert found == complete[name], name
        assert len({item["id"] for item in found}) == len(found) == link["total"]
        assert found[:1] == body[name]


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("/actors/mark-rutte?limit=-1", "limit"),
        ("/actors/mark-rutte?limit=101", "limit"),
        ("/actors/mark-rutte?limit=ten", "limit"),
        ("/actors/mark-rutte?limit=1&limit=2", "limit"),
        ("/actors/mark-rutte?offset=3", "offset"),
        ("/actors/mark-rutte/stances-about?limit=0", "limit"),
        ("/actors/mark-rutte/stances-about?offset=-2", "offset"),
        ("/actors/mark-rutte/stances-about?holder=nato", "holder"),
    ],
)
def test_a_bad_limit_is_a_bad_request(client: TestClient, url: str, named: str) -> None:
    response = client.get(url)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert named in response.json()["detail"]


def test_a_list_of_no_actor_is_not_found(client: TestClient) -> None:
    response = client.get("/actors/nobody/stances-held")
    assert response.status_code == 404
    assert response.json()["detail"] == f"no actor {ID}nobody in the knowledge base (path)"
    assert client.get("/actors/paris/offices").status_code == 404
