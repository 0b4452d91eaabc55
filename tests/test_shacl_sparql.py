"""SHACL compiled to SPARQL (stancekb.shacl_sparql) gives pySHACL's results, result by result.

Each test validates the same data with pySHACL (``stancekb.validate.validate_shacl``, the reference) and with
the compiled queries (``validate_graph`` on a fresh Oxigraph store, ``validate_store`` on a store of each
backend), and compares every (focus node, path, value, shape, constraint component, severity) of the two
reports: the packaged KB, every invalid case of tests/data/invalid written onto the shapes baseline, the
modules' data, synthetic KBs and mutated copies of them, and shapes the compiler does not compile (they go
to pySHACL, and the results are still pySHACL's).
"""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, Namespace, URIRef
from test_shapes import INVALID_FILES, baseline, load_case

from stancekb.generate import SyntheticKB
from stancekb.load import load_graphs, read_graphs
from stancekb.modules import discover
from stancekb.namespaces import GRAPH
from stancekb.rdfio import parse_bytes
from stancekb.resources import kb_files, shapes_graph
from stancekb.shacl_sparql import compile_shapes, path_sparql, validate_graph, validate_store
from stancekb.store import OxigraphStore, Store
from stancekb.validate import SH, ValidationReport, union_graph, validate_shacl

SKB = Namespace("https://w3id.org/stancekb/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
T = Namespace("https://w3id.org/stancekb/id/test/")
EX = Namespace("https://example.org/shapes/")
CASE_GRAPH = GRAPH["shacl-sparql-case"]


def results(report: ValidationReport) -> set[tuple[object, ...]]:
    """What each result says (messages aside); a complex path as its SPARQL form, read from the report graph."""
    found: set[tuple[object, ...]] = set()
    for v in report.violations:
        path: object = v.result_path
        if isinstance(path, BNode):
            path = path_sparql(report.report_graph, path)
        found.add((v.focus_node, path, v.value, v.source_shape, v.constraint, v.severity))
    return found


def assert_same(expected: ValidationReport, actual: ValidationReport) -> None:
    assert actual.conforms == expected.conforms
    missing, extra = results(expected) - results(actual), results(actual) - results(expected)
    assert not missing and not extra, f"pySHACL only: {missing}\ncompiled only: {extra}"


def store_holding(location: str, graphs: dict[URIRef, Graph]) -> Store:
    store = OxigraphStore(location)
    assert load_graphs(store, graphs, validate=False).committed
    return store


# ---------------------------------------------------------------------------------------------
# The packaged KB, the invalid cases, the modules
# ---------------------------------------------------------------------------------------------


def test_the_packaged_kb_conforms_as_pyshacl_says() -> None:
    graphs = read_graphs(kb_files())
    expected = validate_shacl(list(graphs.values()))
    assert expected.conforms
    assert_same(expected, validate_graph(list(graphs.values())))
    store = store_holding("oxigraph:", graphs)
    assert_same(expected, validate_store(store))


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_every_invalid_case_gives_pyshacls_results(path: Path) -> None:
    data = [baseline(), load_case(path).data]
    expected = validate_shacl(data)
    assert not expected.conforms
    assert_same(expected, validate_graph(data))


def test_an_invalid_case_in_a_store_gives_pyshacls_results() -> None:
    """The ontology is not in the store: its triples are added to the queries (skos and label shapes read them)."""
    case = load_case(INVALID_FILES[0].parent / "Concept-broader.trig")
    store = store_holding("oxigraph:", {GRAPH["baseline"]: baseline(), CASE_GRAPH: case.data})
    assert_same(validate_shacl([baseline(), case.data]), validate_store(store))


def test_the_modules_data_alone_gives_pyshacls_results() -> None:
    """A module's data without the core KB leaves many nodes incomplete: the same violations on both sides."""
    for module in discover():
        graphs = list(read_graphs(module.data).values())
        expected = validate_shacl(graphs)
        assert not expected.conforms
        assert_same(expected, validate_graph(graphs))


# ---------------------------------------------------------------------------------------------
# Synthetic KBs and mutated copies
# ---------------------------------------------------------------------------------------------

REQUIRED = [SKB.holder, SKB.evidence, OA.exact, OA.hasSource, SKB.polarity, RDFS.label, OA.start, SKB.dependee]


def synthetic(triples: int, seed: int) -> Dataset:
    quads = list(SyntheticKB(triples, seed).quads())
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert data is not None
    return parse_bytes(data, ox.RdfFormat.N_QUADS)


def mutated(data: Graph, kind: str, rng: random.Random) -> Graph:
    """A copy with one mistake: a required triple deleted, a value retyped, or bad literals added."""
    copy = Graph() + data
    if kind == "delete-required":
        triples = sorted(t for p in REQUIRED for t in copy.triples((None, p, None)))
        for triple in rng.sample(triples, 3):
            copy.remove(triple)
    elif kind == "retype-values":
        typed = sorted(copy.triples((None, RDF.type, None)))
        for s, p, o in rng.sample(typed, 3):
            copy.remove((s, p, o))
            copy.add((s, p, SKB.Topic))
    elif kind == "bad-literals":
        quantities = sorted(copy.subjects(SCHEMA.value, None), key=str)
        counts = sorted(copy.subjects(SKB.characterCount, None), key=str)
        labelled = sorted(copy.subjects(RDFS.label, None), key=str)
        copy.set((rng.choice(quantities), SCHEMA.value, Literal("many", datatype=XSD.integer)))  # ill-typed
        copy.set((rng.choice(counts), SKB.characterCount, Literal(-5)))
        copy.add((rng.choice(labelled), RDFS.label, Literal("", lang="en")))
        copy.add((rng.choice(labelled), SKB.describedAs, Literal(12)))
    return copy


@pytest.mark.parametrize("seed", [0, 1])
def test_a_synthetic_kb_conforms_as_pyshacl_says(seed: int) -> None:
    data = union_graph(synthetic(2_000, seed))
    expected = validate_shacl(data)
    assert expected.conforms
    assert_same(expected, validate_graph(data))


@pytest.mark.parametrize("kind", ["delete-required", "retype-values", "bad-literals"])
def test_a_mutated_synthetic_kb_gives_pyshacls_results(kind: str) -> None:
    data = mutated(union_graph(synthetic(2_000, 3)), kind, random.Random(f"shacl-sparql:{kind}"))
    expected = validate_shacl(data)
    assert not expected.conforms
    assert_same(expected, validate_graph(data))
    store = store_holding("oxigraph:", {CASE_GRAPH: data})  # Oxigraph's own forms of the literals: pySHACL on them
    assert_same(validate_shacl(union_graph(store.to_dataset())), validate_store(store))


# ---------------------------------------------------------------------------------------------
# Every backend
# ---------------------------------------------------------------------------------------------

STORE_CASES = ["Stance-holder", "Meeting-parties--one-participant", "TextAnchorSpanShape", "Any-label"]


def validate_case_in(store: Store, name: str) -> None:
    case = load_case(INVALID_FILES[0].parent / f"{name}.trig")
    assert load_graphs(store, {GRAPH["baseline"]: baseline(), CASE_GRAPH: case.data}, validate=False).committed
    expected = validate_shacl(union_graph(store.to_dataset()))  # what the store holds, in its own forms
    assert not expected.conforms
    assert_same(expected, validate_store(store))


def test_validate_store_gives_pyshacls_results_on_every_backend(store: Store) -> None:
    """On Virtuoso, a query its compiler refuses (one node shape's sh:or) sends that shape to pySHACL."""
    validate_case_in(store, "Stance-holder")


@pytest.mark.parametrize("name", STORE_CASES)
def test_validate_store_gives_pyshacls_results_on_oxigraph(name: str) -> None:
    validate_case_in(OxigraphStore("oxigraph:"), name)


# ---------------------------------------------------------------------------------------------
# What is not compiled goes to pySHACL
# ---------------------------------------------------------------------------------------------

PATTERN_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/shapes/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skb: <https://w3id.org/stancekb/ontology#> .
ex:CapitalisedLabel a sh:NodeShape ; sh:targetClass skb:Actor ;
    sh:property [ sh:path rdfs:label ; sh:pattern "^[A-Z]" ; sh:message "labels start with a capital" ] .
"""

BROADER_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/shapes/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:BroaderChain a sh:NodeShape ; sh:targetSubjectsOf skos:broader ;
    sh:property [ sh:path [ sh:zeroOrMorePath skos:broader ] ; sh:nodeKind sh:IRI ; sh:maxCount 2 ] .
"""


IMPLICIT_TARGET_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/shapes/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:City a sh:NodeShape , rdfs:Class ; sh:property [ sh:path ex:mayor ; sh:class ex:Person ; sh:minCount 1 ] .
"""
IMPLICIT_TARGET_DATA = """
@prefix ex: <https://example.org/shapes/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Port rdfs:subClassOf ex:City .
ex:ghent a ex:City ; ex:mayor ex:mathias .
ex:bruges a ex:Port .
ex:leuven a ex:City ; ex:mayor ex:mohamed . ex:mohamed a ex:Person .
"""


def with_shape(turtle: str) -> Graph:
    return Graph().parse(data=turtle, format="turtle") + shapes_graph()


def test_a_component_not_compiled_is_validated_by_pyshacl(caplog: pytest.LogCaptureFixture) -> None:
    shapes = with_shape(PATTERN_SHAPE)
    with caplog.at_level(logging.INFO, logger="stancekb.shacl_sparql"):
        compiled = compile_shapes(shapes)
    assert "shacl#pattern" in compiled.fallback[EX.CapitalisedLabel]
    assert "CapitalisedLabel is validated by pySHACL" in caplog.text
    lower = Graph()
    lower.add((T["lower-case-actor"], RDF.type, SKB.Person))
    lower.add((T["lower-case-actor"], RDFS.label, Literal("someone")))
    expected = validate_shacl([baseline(), lower], shapes=shapes)
    assert {v.source_shape for v in expected.violations} & set(shapes.objects(EX.CapitalisedLabel, SH.property))
    assert_same(expected, validate_graph([baseline(), lower], shapes=shapes))


def test_an_unbounded_path_is_compiled_and_falls_back_where_the_ontology_is_read() -> None:
    """``sh:zeroOrMorePath`` is a SPARQL path on one store; over the store and the ontology's triples it is not."""
    shapes = with_shape(BROADER_SHAPE)
    assert EX.BroaderChain not in compile_shapes(shapes).fallback
    chain = Graph()
    for narrower, broader in (("a", "b"), ("b", "c"), ("c", "d")):
        chain.add((T[f"topic-{narrower}"], SKOS.broader, T[f"topic-{broader}"]))
    expected = validate_shacl([baseline(), chain], shapes=shapes)
    assert not expected.conforms
    assert_same(expected, validate_graph([baseline(), chain], shapes=shapes))
    store = store_holding("oxigraph:", {GRAPH["baseline"]: baseline(), CASE_GRAPH: chain})
    assert_same(expected, validate_store(store, shapes=shapes))


def test_a_shape_that_is_a_class_targets_its_instances() -> None:
    """SHACL 2.1.3.1: a shape that is an rdfs:Class targets its instances (and its subclasses')."""
    shapes = Graph().parse(data=IMPLICIT_TARGET_SHAPES, format="turtle")
    data = Graph().parse(data=IMPLICIT_TARGET_DATA, format="turtle")
    expected = validate_shacl(data, shapes=shapes, ontology=Graph())
    assert {v.focus_node for v in expected.violations} == {EX.ghent, EX.bruges}
    assert not compile_shapes(shapes).fallback
    assert_same(expected, validate_graph(data, shapes=shapes, ontology=Graph()))
    assert_same(expected, validate_store(store_holding("oxigraph:", {CASE_GRAPH: data}), shapes, Graph()))


def test_a_literal_oxigraph_would_rewrite_sends_the_data_to_pyshacl(caplog: pytest.LogCaptureFixture) -> None:
    """Oxigraph stores "007"^^xsd:integer as "7": the compiled checks would see another value, so pySHACL decides."""
    odd = Graph()
    odd.add((T["article"], SKB.characterCount, Literal("007", datatype=XSD.integer, normalize=False)))
    with caplog.at_level(logging.INFO, logger="stancekb.shacl_sparql"):
        report = validate_graph([baseline(), odd])
    assert "validated by pySHACL" in caplog.text
    assert_same(validate_shacl([baseline(), odd]), report)


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def test_the_report_graph_is_a_standard_shacl_report() -> None:
    case = load_case(INVALID_FILES[0].parent / "Meeting-parties--one-participant.trig")
    report = validate_graph([baseline(), case.data])
    graph = report.report_graph
    (root,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(root, SH.conforms) == Literal(False)
    (result,) = graph.objects(root, SH.result)
    assert graph.value(result, SH.sourceShape) == URIRef("https://w3id.org/stancekb/shapes#Meeting-parties")
    assert graph.value(result, SH.sourceConstraintComponent) == SH.MinCountConstraintComponent
    assert graph.value(result, SH.resultSeverity) == SH.Violation
    assert "at least two parties" in str(graph.value(result, SH.resultMessage))
    path = graph.value(result, SH.resultPath)
    assert isinstance(path, BNode)
    assert path_sparql(graph, path) == f"(<{SKB.participant}>|<{SKB.host}>)"


def test_a_shape_without_message_gets_one_naming_its_constraint(city_shapes: Graph) -> None:
    city = Graph()
    city.add((URIRef("https://example.org/sample/paris"), RDF.type, URIRef("https://example.org/sample/City")))
    report = validate_graph(city, shapes=city_shapes, ontology=Graph())
    assert_same(validate_shacl(city, shapes=city_shapes, ontology=Graph()), report)
    (violation,) = report.violations
    assert "sh:minCount 1" in violation.message


def test_progress_counts_the_shapes() -> None:
    calls: list[tuple[int, int]] = []
    validate_store(store_holding("oxigraph:", {GRAPH["baseline"]: baseline()}), progress=lambda *c: calls.append(c))
    total = len(compile_shapes(shapes_graph()).units)
    assert calls == [(done, total) for done in range(1, total + 1)]
