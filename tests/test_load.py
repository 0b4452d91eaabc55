import gc
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from stancekb.cli import app
from stancekb.load import load_files, load_graphs, load_packaged_kb, read_graphs
from stancekb.namespaces import GRAPH
from stancekb.rdfio import RdfInputError
from stancekb.remote import RemoteStore
from stancekb.resources import kb_files
from stancekb.store import Quad, Store, open_store

EX = "https://example.org/sample/"
SKB_STANCE = URIRef("https://w3id.org/stancekb/ontology#Stance")
CITY_GRAPH = GRAPH["cities"]

GOOD_CITY = f"""<{CITY_GRAPH}> {{ <{EX}antwerp> a <{EX}City> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "Antwerp" . }}"""
BAD_CITY = f"""<{CITY_GRAPH}> {{ <{EX}antwerp> a <{EX}City> . }}"""  # no label: breaks CityShape


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_valid_files_are_committed(store: Store, valid: Path, city_shapes: Graph, tmp_path: Path) -> None:
    report = load_files(
        store, [valid / "formats" / "sample.trig", write(tmp_path, "c.trig", GOOD_CITY)], shapes=city_shapes
    )
    assert report.committed and report.validation.conforms
    assert report.graphs == {GRAPH["sample"]: 7, CITY_GRAPH: 2}
    assert store.named_graphs() == sorted([GRAPH["sample"], CITY_GRAPH])
    assert len(store) == 9


def test_invalid_data_leaves_the_store_as_it_was(
    store: Store, valid: Path, city_shapes: Graph, tmp_path: Path, snapshot: Callable[[Store], set[Quad]]
) -> None:
    load_files(store, [valid / "formats" / "sample.trig", write(tmp_path, "c.trig", GOOD_CITY)], shapes=city_shapes)
    before = snapshot(store)
    report = load_files(store, [write(tmp_path, "bad.trig", BAD_CITY)], shapes=city_shapes)
    assert not report.committed
    [violation] = report.validation.violations
    assert violation.focus_node == URIRef(f"{EX}antwerp")
    assert str(violation.constraint).endswith("MinCountConstraintComponent")
    assert snapshot(store) == before


def test_a_violation_against_stored_data_is_caught(store: Store, city_shapes: Graph) -> None:
    """The gate validates the new data together with what is already stored."""
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    first = Graph(identifier=GRAPH["one"])
    first.add((URIRef(f"{EX}ghent"), label, Literal("Ghent")))
    assert load_graphs(store, {GRAPH["one"]: first}, shapes=city_shapes).committed
    second = Graph(identifier=GRAPH["two"])
    second.add((URIRef(f"{EX}ghent"), label, Literal("Gent")))
    second.add((URIRef(f"{EX}ghent"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(f"{EX}City")))
    report = load_graphs(store, {GRAPH["two"]: second}, shapes=city_shapes)
    assert not report.committed  # two labels once both graphs are in
    assert store.named_graphs() == [GRAPH["one"]]


def test_a_syntax_error_in_any_file_writes_nothing(
    store: Store, valid: Path, tmp_path: Path, snapshot: Callable[[Store], set[Quad]]
) -> None:
    before = snapshot(store)
    bad = write(tmp_path, "broken.ttl", "<https://e/a> <https://e/b> .\n")
    with pytest.raises(RdfInputError, match=r"broken\.ttl:1:"):
        load_files(store, [valid / "formats" / "sample.trig", bad])
    assert snapshot(store) == before


def test_loading_a_graph_again_replaces_it(store: Store, city_shapes: Graph, tmp_path: Path) -> None:
    load_files(store, [write(tmp_path, "c.trig", GOOD_CITY)], shapes=city_shapes)
    renamed = GOOD_CITY.replace('"Antwerp"', '"Antwerpen"')
    assert load_files(store, [write(tmp_path, "c.trig", renamed)], shapes=city_shapes).committed
    rows = store.query("SELECT ?l WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#label> ?l }").rows
    assert {str(row["l"]) for row in rows} == {"Antwerpen"}


def test_adding_instead_of_replacing(store: Store) -> None:
    graph = Graph()
    graph.add((URIRef(f"{EX}a"), URIRef(f"{EX}p"), Literal(1)))
    load_graphs(store, {GRAPH["g"]: graph})
    graph2 = Graph()
    graph2.add((URIRef(f"{EX}a"), URIRef(f"{EX}p"), Literal(2)))
    assert load_graphs(store, {GRAPH["g"]: graph2}, replace=False).committed
    assert len(store) == 2


def test_triples_outside_a_named_graph_go_to_the_file_stem_graph_or_the_one_given(valid: Path) -> None:
    assert list(read_graphs([valid / "formats" / "sample.ttl"])) == [GRAPH["sample"]]
    assert list(read_graphs([valid / "formats" / "sample.ttl"], GRAPH["other"])) == [GRAPH["other"]]


def test_files_contributing_to_one_graph_are_merged(valid: Path) -> None:
    graphs = read_graphs([valid / "formats" / "sample.trig", valid / "reasoning.ttl"], GRAPH["sample"])
    assert list(graphs) == [GRAPH["sample"]]
    assert len(graphs[GRAPH["sample"]]) > 7


def test_failed_load_on_disk_survives_reopening(
    valid: Path, city_shapes: Graph, tmp_path: Path, snapshot: Callable[[Store], set[Quad]]
) -> None:
    location = f"oxigraph:{tmp_path / 'store'}"
    store = open_store(location)
    assert load_files(store, [valid / "formats" / "sample.trig"], shapes=city_shapes).committed
    before = snapshot(store)
    assert not load_files(store, [write(tmp_path, "bad.trig", BAD_CITY)], shapes=city_shapes).committed
    store.close()
    del store
    gc.collect()  # RocksDB's lock goes with the native store, which a reference cycle can keep past `del`
    reopened = open_store(location)
    assert snapshot(reopened) == before
    assert len(before) == 7


INTEGERS = {XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.nonPositiveInteger, XSD.negativeInteger}


def signature(graph: Graph, numbers_by_value: bool = False) -> Counter:
    """The graph's triples with every blank node as "_" (a cheap stand-in for isomorphism), literals in one form:
    rdflib writes a simple literal without datatype and Oxigraph types it xsd:string, and Oxigraph stores
    integers of derived types as xsd:integer; ``numbers_by_value`` compares numbers by value only."""

    def term(node: object) -> object:
        if isinstance(node, BNode):
            return "_"
        if numbers_by_value and isinstance(node, Literal) and type(node.value) in {int, float, Decimal}:
            return ("number", Decimal(str(node.value)).normalize())
        if isinstance(node, Literal):
            datatype = XSD.integer if node.datatype in INTEGERS else node.datatype
            return (str(node), node.language, None if datatype == XSD.string else datatype)
        return node

    return Counter(tuple(map(term, triple)) for triple in graph)


def test_packaged_kb_loads(store: Store) -> None:
    """Its SHACL conformance is checked once, by test_cli's validate test."""
    report = load_packaged_kb(store)
    assert report.committed and report.validation is None
    expected = read_graphs(kb_files())
    assert expected, "the package ships no KB files"
    assert store.named_graphs() == sorted(expected)
    assert report.graphs == {name: len(graph) for name, graph in expected.items()}
    by_value = isinstance(store, RemoteStore)  # Virtuoso writes numbers canonically, "2"^^xsd:decimal as an integer
    for name, graph in expected.items():
        assert signature(store.to_dataset(name).graph(name), by_value) == signature(graph, by_value), name


@pytest.mark.parametrize("backend", ["memory:", "oxigraph:"])
def test_loading_a_source_again_through_the_gate_changes_nothing(backend: str) -> None:
    """Oxigraph stores ``xsd:nonNegativeInteger`` as ``xsd:integer``: the same file again is still no violation."""
    store = open_store(backend)
    load_packaged_kb(store)
    name = GRAPH["rutte-stands-alone-new-nato"]
    before, size = store.to_dataset(name).graph(name), len(store)
    source = next(entry for entry in kb_files() if entry.name == "rutte-stands-alone-new-nato.trig")
    report = load_files(store, [source])
    assert report.committed, report.validation.text() if report.validation else "not committed"
    assert len(store) == size
    assert isomorphic(store.to_dataset(name).graph(name), before)


def test_packaged_kb_can_be_validated_on_load(store: Store, use_city_shapes: None) -> None:
    report = load_packaged_kb(store, validate=True)
    assert report.committed and report.validation is not None and report.validation.conforms


def test_validate_checks_a_store_in_full(tmp_path: Path) -> None:
    """``stancekb --store oxigraph:PATH validate`` validates what the store holds, all of it (not the packaged KB)."""
    location = f"oxigraph:{tmp_path / 'store'}"
    store = open_store(location)
    stance = URIRef("https://example.org/sample/stance-without-holder")
    graph = Graph()
    graph.add((stance, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SKB_STANCE))
    assert load_graphs(store, {GRAPH["unchecked"]: graph}, validate=False).committed  # past the gate
    store.close()
    del store  # RocksDB's lock goes with the last reference
    result = CliRunner().invoke(app, ["--store", location, "validate", "--no-reason"])
    assert result.exit_code == 1
    assert "syntax: 1 graph(s), 1 triples" in result.output
    assert "stance-without-holder" in result.output and "Stance-holder" in result.output
