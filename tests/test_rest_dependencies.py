"""/dependencies: depender, dependee and resource filters, and chains followed transitively."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from test_rest_support import ID, RSA, column, competency, ids, items, kb_store, rest_client

from stancekb.api.main import create_app
from stancekb.api.models import Resource
from stancekb.namespaces import GRAPH, SKB
from stancekb.settings import Settings


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with rest_client() as running:
        yield running


FILTERS: list[tuple[dict[str, str], str]] = [
    ({}, "?d a skb:Dependency"),
    ({"depender": "nato"}, "?d a skb:Dependency ; skb:depender skr:nato"),
    ({"dependee": "united-states"}, "?d a skb:Dependency ; skb:dependee skr:united-states"),
    ({"resource": "troops"}, "?d a skb:Dependency ; skb:dependum skb:Troops"),
    (
        {"dependee": "united-states", "resource": "logistics"},
        "?d a skb:Dependency ; skb:dependee skr:united-states ; skb:dependum skb:Logistics",
    ),
    (
        {"depender": "nato", "transitive": "true"},
        "?d a skb:Dependency ; skb:depender ?x . skr:nato (^skb:depender/skb:dependee)* ?x",
    ),
    (
        {"dependee": "united-states", "transitive": "true"},
        "?d a skb:Dependency ; skb:dependee ?x . ?x (^skb:depender/skb:dependee)* skr:united-states",
    ),
]


@pytest.mark.parametrize(("params", "pattern"), FILTERS, ids=lambda value: str(value)[:60])
def test_filters_agree_with_sparql(client: TestClient, params: dict[str, str], pattern: str) -> None:
    assert ids(client, "/dependencies", **params) == column(client, f"SELECT DISTINCT ?d WHERE {{ {pattern} }}", "d")


def test_europe_depends_on_84000_us_troops(client: TestClient) -> None:
    [troops] = items(client, "/dependencies", dependee="united-states", resource="troops")
    assert troops["id"] == RSA + "dependency-europe-us-troops"
    assert troops["quantities"] == [{"value": 84000, "unit": "troops"}]
    assert troops["depender"]["id"] == ID + "european-nations" and troops["resources"] == ["troops"]
    assert troops["trend"] == "increasing" and troops["period"] == "current"


def test_dependence_on_the_us_agrees_with_the_competency_question(client: TestClient) -> None:
    found = {
        (d["depender"]["id"], str(Resource(r).iri), q["value"], q["unit"])
        for d in items(client, "/dependencies", dependee="united-states")
        for r in d["resources"]
        for q in d["quantities"] or [{"value": None, "unit": None}]
    }
    assert found == {
        (row["depender"], row["dependum"], int(row["amount"]) if "amount" in row else None, row.get("unit"))
        for row in competency(client, "04")
    }


def test_nato_s_transitive_dependees_agree_with_the_competency_question(client: TestClient) -> None:
    found = {d["dependee"]["id"] for d in items(client, "/dependencies", depender="nato", transitive="true")}
    assert found == {row["dependee"] for row in competency(client, "16")}


def test_us_led_commands_carry_nato_s_command_structures(client: TestClient) -> None:
    [commands] = items(client, "/dependencies", depender="nato", resource="command-structures")
    assert {v["id"] for v in commands["via"]} == {
        ID + "command-mons",
        ID + "command-naples",
        ID + "command-norfolk",
    }
    assert {row["command"] for row in competency(client, "14")} == {v["id"] for v in commands["via"]}


def test_transitive_dependencies_follow_chains() -> None:
    """With a chain NATO -> member states -> United States added, NATO reaches the United States' dependencies."""
    store = kb_store().scratch_copy()
    chain, graph = URIRef(ID + "test/dependency-members-us"), GRAPH["test"]
    store.add_quads(
        [
            (chain, RDF.type, SKB.Dependency, graph),
            (chain, SKB.depender, URIRef(ID + "nato-member-states"), graph),
            (chain, SKB.dependee, URIRef(ID + "united-states"), graph),
            (chain, SKB.dependum, SKB.NuclearDeterrence, graph),
            (chain, SKB.consequence, Literal("a test chain"), graph),
        ]
    )
    with TestClient(create_app(Settings(load_kb=False), store=store)) as client:
        direct = ids(client, "/dependencies", depender="nato")
        transitive = ids(client, "/dependencies", depender="nato", transitive="true")
        assert transitive == direct | {str(chain)}
        assert ids(client, "/dependencies", depender="nato", transitive="true", resource="nuclear-deterrence") == {
            str(chain)
        }
        upstream = ids(client, "/dependencies", dependee="united-states", transitive="true")
        members = ids(client, "/dependencies", dependee="nato-member-states")
        assert upstream == ids(client, "/dependencies", dependee="united-states") | members
        assert str(chain) not in ids(client, "/dependencies", depender="nato")


def test_one_dependency(client: TestClient) -> None:
    response = client.get("/dependencies/rutte-stands-alone-new-nato/dependency-nato-us-logistics")
    assert response.status_code == 200
    dependency = response.json()
    assert dependency["strength"] == "strong" and dependency["resources"] == ["logistics"]
    assert dependency["consequences"] == ["critical to the alliance's large-scale exercises and deployments"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/dependencies/rutte-stands-alone-new-nato/dependency-x", 404),
        ("/dependencies?depender=nobody", 404),
        ("/dependencies?resource=oil", 400),
        ("/dependencies?transitive=maybe", 400),
    ],
)
def test_bad_requests(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
