"""The REST queries' scale fixes (docs/performance.md, "REST at scale"): alternatives in ``#if`` conditions, and
list queries that project only the item (and what is bound) still filter by every variable bound."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from stancekb.api.rest import STANCE, QueryTemplate
from stancekb.load import load_packaged_kb
from stancekb.namespaces import RESOURCE, SKB
from stancekb.store import Store, open_store


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


def test_an_unfiltered_list_projects_the_item_alone() -> None:
    assert STANCE.select().sparql.split("WHERE {")[0].rstrip().endswith("SELECT DISTINCT ?stance")


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
