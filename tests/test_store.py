from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from stancekb.load import read_graphs
from stancekb.namespaces import GRAPH
from stancekb.store import QuerySyntaxError, Store, StoreError, open_store

EX = "https://example.org/s/"
LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
ONE, TWO = GRAPH["one"], GRAPH["two"]


@pytest.fixture
def filled(store: Store) -> Store:
    one, two = Graph(), Graph()
    one.add((URIRef(f"{EX}a"), LABEL, Literal("A", lang="en")))
    one.add((URIRef(f"{EX}a"), URIRef(f"{EX}knows"), URIRef(f"{EX}b")))
    two.add((URIRef(f"{EX}b"), LABEL, Literal("B", lang="en")))
    store.replace_graphs({ONE: one, TWO: two})
    return store


def test_named_graphs_and_length(filled: Store) -> None:
    assert filled.named_graphs() == [ONE, TWO]
    assert len(filled) == 3


def test_default_graph_is_the_union(filled: Store) -> None:
    result = filled.query(f"SELECT ?x WHERE {{ ?x <{LABEL}> ?l }} ORDER BY ?x")
    assert [row["x"] for row in result.rows] == [URIRef(f"{EX}a"), URIRef(f"{EX}b")]


def test_default_graphs_restrict_the_query(filled: Store) -> None:
    result = filled.query(f"SELECT ?x WHERE {{ ?x <{LABEL}> ?l }}", default_graphs=[TWO])
    assert [row["x"] for row in result.rows] == [URIRef(f"{EX}b")]


def test_graph_keyword_sees_named_graphs(filled: Store) -> None:
    result = filled.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    assert [row["g"] for row in result.rows] == [ONE, TWO]


def test_bindings_are_values_not_text(filled: Store) -> None:
    query = f"SELECT ?x ?l WHERE {{ ?x <{LABEL}> ?l }}"
    result = filled.query(query, bindings={"x": URIRef(f"{EX}b")})
    assert result.variables == ["x", "l"]
    assert result.rows == [{"x": URIRef(f"{EX}b"), "l": Literal("B", lang="en")}]
    # A value that would break the query if it were pasted in is only a value.
    assert filled.query(query, bindings={"l": Literal('B"@en } #', lang="en")}).rows == []


def test_bindings_of_a_variable_not_selected(filled: Store) -> None:
    """pyoxigraph substitutes only projected variables; the store binds the others all the same."""
    result = filled.query(f"SELECT ?l WHERE {{ ?x <{LABEL}> ?l }}", bindings={"x": URIRef(f"{EX}b")})
    assert result.rows == [{"l": Literal("B", lang="en")}]
    hostile = Literal('B" } UNION { ?x ?p ?l } #', lang="en")
    assert filled.query(f"SELECT ?x WHERE {{ ?x <{LABEL}> ?l }}", bindings={"l": hostile}).rows == []


def test_ask(filled: Store) -> None:
    assert filled.query(f"ASK {{ <{EX}a> <{EX}knows> <{EX}b> }}").boolean is True
    assert filled.query(f"ASK {{ <{EX}b> <{EX}knows> <{EX}a> }}").boolean is False


def test_construct_returns_a_graph(filled: Store) -> None:
    result = filled.query(f"CONSTRUCT {{ ?b <{EX}knownBy> ?a }} WHERE {{ ?a <{EX}knows> ?b }}")
    expected = Graph()
    expected.add((URIRef(f"{EX}b"), URIRef(f"{EX}knownBy"), URIRef(f"{EX}a")))
    assert result.kind == "graph" and result.graph is not None
    assert isomorphic(result.graph, expected)


def test_replace_and_remove_graph(filled: Store) -> None:
    replacement = Graph()
    replacement.add((URIRef(f"{EX}c"), LABEL, Literal("C")))
    filled.replace_graphs({ONE: replacement})
    assert {t[0] for t in filled.quads(ONE)} == {URIRef(f"{EX}c")}
    filled.remove_graph(TWO)
    assert filled.named_graphs() == [ONE]


def test_blank_nodes_survive_a_round_trip(store: Store, valid: Path) -> None:
    store.replace_graphs(read_graphs([valid / "formats" / "sample.trig"]))
    [row] = store.query("SELECT ?b ?n WHERE { ?b <https://example.org/sample/near> ?n }").rows
    result = store.query(f"SELECT ?n ?l WHERE {{ ?n <{LABEL}> ?l }}", bindings={"n": row["n"]})
    assert result.rows == [{"n": row["n"], "l": Literal("Leuven", lang="en")}]


def test_syntax_error_is_a_query_syntax_error(store: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        store.query("SELECT * WHERE { ?s ?p }")


def test_unknown_location() -> None:
    with pytest.raises(StoreError, match="unknown store location"):
        open_store("postgres://x")


def test_on_disk_store_persists(tmp_path: Path) -> None:
    location = f"oxigraph:{tmp_path / 'db'}"
    store = open_store(location)
    graph = Graph()
    graph.add((URIRef(f"{EX}a"), LABEL, Literal("A")))
    store.replace_graphs({ONE: graph})
    store.close()
    assert len(open_store(location)) == 1  # close() released RocksDB's lock: no garbage collection needed


@pytest.mark.parametrize("folder", ["", "db"])
def test_a_closed_oxigraph_store_says_so(tmp_path: Path, folder: str) -> None:
    location = f"oxigraph:{tmp_path / folder}" if folder else "oxigraph:"
    store = open_store(location)
    store.close()
    store.close()  # closing again does nothing
    for call in (lambda: len(store), lambda: list(store.quads()), lambda: store.query("ASK {}")):
        with pytest.raises(StoreError, match=f"the store {location} is closed"):
            call()
    with pytest.raises(StoreError, match="is closed"):
        store.add_quads([(URIRef(f"{EX}a"), LABEL, Literal("A"), ONE)])


def test_patterns_in_a_batch_match_as_one_by_one(filled: Store) -> None:
    a, b, knows = URIRef(f"{EX}a"), URIRef(f"{EX}b"), URIRef(f"{EX}knows")
    patterns = [(a, None, None), (None, knows, b), (None, None, b), (b, LABEL, Literal("B", lang="en")), (b, knows, a)]
    found = filled.match_many([*patterns, patterns[0]])
    assert list(found) == patterns
    for pattern in patterns:
        assert sorted(found[pattern]) == sorted(filled.match(*pattern))
    assert found[b, knows, a] == []
    assert filled.match_incoming([b, a], at_most=2) == {b: [(a, knows, b, ONE)], a: []}
    assert filled.match_incoming([b], at_most=1) == {b: None}
