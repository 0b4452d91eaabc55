"""The REST queries' scale fixes (docs/performance.md, "REST at scale"): alternatives in ``#if`` conditions,
list queries that project only the item (and what is bound) still filter by every variable bound, and on a
generated KB, bounded profiles and totals counted by the store (never stale after a write)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef
from test_rest_support import BASE, ids, sparql

from stancekb.api.main import create_app
from stancekb.api.rest import STANCE, QueryTemplate
from stancekb.api.routes.actors import PROFILE_LIMIT
from stancekb.generate import generate
from stancekb.load import load_packaged_kb
from stancekb.namespaces import RESOURCE, SKB
from stancekb.settings import Settings
from stancekb.store import OxigraphStore, Store, open_store


@pytest.fixture(scope="module")
def store() -> Store:
    kb = open_store("oxigraph:")
    load_packaged_kb(kb)
    return kb


def test_a_condition_may_list_alternatives() -> None:
    template = QueryTemplate("a\nb  #if x|y\nc  #if x|y !z\n")
    assert template.render([]) == "a\n"
    assert template.render(["y"]) == "a\nb  #if x|y\nc  #if x|y !z\n"
    assert template.render(["x", "z"]) == "a\nb  #if x|y\n"


def clause(sparql: str, keyword: str) -> str:
    """The lines of a query from the one starting with ``keyword`` to ``WHERE``, without their comments."""
    head = sparql[sparql.index(keyword) :].split("WHERE {")[0]
    return " ".join(line.split("#")[0].strip() for line in head.splitlines()).strip()


def test_an_unfiltered_list_projects_the_item_alone() -> None:
    assert clause(STANCE.select().sparql, "SELECT") == "SELECT DISTINCT ?stance"
    assert clause(STANCE.count().sparql, "SELECT") == "SELECT (COUNT(DISTINCT ?stance) AS ?total)"


@pytest.mark.parametrize(
    ("name", "value"),
    [("target", RESOURCE + "ukraine"), ("polarity", SKB.Against), ("holder", RESOURCE + "mark-rutte")],
)
def test_one_bound_variable_filters_the_stances(store: Store, name: str, value: str) -> None:
    """With one of holder/target/polarity/mode bound, the stances are those a direct query finds."""
    select = STANCE.select({name: URIRef(value)})
    found = {row["stance"] for row in store.query(select.sparql, select.bindings).rows}
    expected = {
        row["stance"]
        for row in store.query(
            "PREFIX skb: <https://w3id.org/stancekb/ontology#> SELECT DISTINCT ?stance WHERE { ?stance a skb:Stance ;"
            " skb:holder ?holder ; skb:target ?target ; skb:polarity ?polarity ; skb:reportingMode ?mode ."
            f" ?stance skb:{name} <{value}> }}"
        ).rows
    }
    every = {row["stance"] for row in store.query(STANCE.select().sparql).rows}
    assert found == expected
    assert 0 < len(found) < len(every)


# ---- a generated KB: big profiles are bounded, totals are counted and never stale ------------------------

GENERATED_TRIPLES = 50_000


@pytest.fixture(scope="module")
def generated() -> Iterator[tuple[Store, TestClient]]:
    """A generated KB of 50k triples in Oxigraph, served by the app (worker pool and all)."""
    kb = open_store("oxigraph:")
    assert isinstance(kb, OxigraphStore)
    kb.native.extend(generate(GENERATED_TRIPLES))
    app = create_app(Settings(load_kb=False, base_url=BASE), store=kb)  # type: ignore[call-arg]
    with TestClient(app, base_url=BASE) as client:
        yield kb, client


def count(client: TestClient, pattern: str) -> int:
    """How many distinct ?i match a pattern, through /sparql."""
    [row] = sparql(client, f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ {pattern} }}")
    return int(row["n"])


def test_a_big_actor_s_profile_is_bounded(generated: tuple[Store, TestClient]) -> None:
    _, client = generated
    response = client.get("/actors/mark-rutte")
    assert response.status_code == 200, response.text
    body = response.json()
    totals = {name: link["total"] for name, link in body["lists"].items()}
    assert all(len(body[name]) == min(total, PROFILE_LIMIT) for name, total in totals.items())
    assert totals["stancesHeld"] == count(client, "?i a skb:Stance ; skb:holder skr:mark-rutte") > PROFILE_LIMIT
    assert totals["stancesAbout"] == count(client, "?i a skb:Stance ; skb:target|skb:target/skb:about skr:mark-rutte")
    assert totals["meetingsAttended"] == count(client, "?i a skb:Meeting ; skb:participant skr:mark-rutte") > 0
    held = ids(client, "/actors/mark-rutte/stances-held")  # every page of 100, totals checked on the way
    assert len(held) == totals["stancesHeld"]
    assert {stance["id"] for stance in body["stancesHeld"]} == set(sorted(held)[:PROFILE_LIMIT])


def test_the_stances_total_is_counted(generated: tuple[Store, TestClient]) -> None:
    _, client = generated
    page = client.get("/stances", params={"limit": 3, "offset": 7}).json()
    assert page["total"] == count(client, "?i a skb:Stance") > 100
    every = sparql(client, "SELECT ?s WHERE { ?s a skb:Stance } ORDER BY ?s")
    assert [stance["id"] for stance in page["items"]] == [row["s"] for row in every[7:10]]
    named = client.get("/stances", params={"holder": "mark-rutte", "limit": 1}).json()
    assert named["total"] == count(client, "?i a skb:Stance ; skb:holder skr:mark-rutte")


def test_a_write_changes_the_totals_at_once(generated: tuple[Store, TestClient]) -> None:
    """The totals are counted per request on the worker's snapshot, which a write replaces: never stale."""
    store, client = generated
    before = client.get("/stances", params={"limit": 1}).json()["total"]
    profile = client.get("/actors/mark-rutte", params={"limit": 0}).json()["lists"]["stancesHeld"]["total"]
    [row] = sparql(client, "SELECT ?s ?g WHERE { GRAPH ?g { ?s a skb:Stance ; skb:holder skr:mark-rutte } } LIMIT 1")
    stance, graph = URIRef(row["s"]), URIRef(row["g"])
    copy = URIRef(stance + "-copy")
    store.add_quads((copy if s == stance else s, p, o, graph) for s, p, o, _ in store.match(stance, None, None))
    try:
        assert client.get("/stances", params={"limit": 1}).json()["total"] == before + 1
        after = client.get("/actors/mark-rutte", params={"limit": 0}).json()["lists"]["stancesHeld"]["total"]
        assert after == profile + 1
    finally:
        store.change_quads(list(store.match(copy, None, None)), [])
    assert client.get("/stances", params={"limit": 1}).json()["total"] == before
