"""The VoID and DCAT description: its counts are the store's (counted here in Python), its links are the
server's, and it conforms to shapes for what VoID and DCAT consumers rely on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from importlib.metadata import metadata

import pytest
from conftest import BACKENDS
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, VOID
from rdflib.term import Node

from stancekb.describe import DATASET, DCAT, EXAMPLE_CLASSES, LICENSE, describe
from stancekb.export import FORMATS, dump_path, dump_target
from stancekb.load import load_packaged_kb
from stancekb.namespaces import ONTOLOGY_IRI, PREFIXES, RESOURCE, SKB
from stancekb.resources import ontology_graph
from stancekb.store import Store, open_store
from stancekb.validate import validate_shacl

BASE = "https://stancekb.example.org"

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix void: <http://rdfs.org/ns/void#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix : <https://example.org/shapes/> .

:Dataset a sh:NodeShape ; sh:targetClass void:Dataset ;
    sh:property [ sh:path void:triples ; sh:datatype xsd:integer ; sh:minCount 1 ; sh:maxCount 1 ; sh:minInclusive 1 ] ,
        [ sh:path void:entities ; sh:datatype xsd:integer ; sh:minCount 1 ; sh:maxCount 1 ] ,
        [ sh:path void:dataDump ; sh:nodeKind sh:IRI ; sh:minCount 6 ] .
:Catalogued a sh:NodeShape ; sh:targetClass dcat:Dataset ;
    sh:property [ sh:path dct:title ; sh:minCount 1 ] , [ sh:path dct:description ; sh:minCount 1 ] ,
        [ sh:path dct:license ; sh:nodeKind sh:IRI ; sh:minCount 1 ; sh:maxCount 1 ] ,
        [ sh:path dcat:version ; sh:datatype xsd:string ; sh:minCount 1 ; sh:maxCount 1 ] ,
        [ sh:path dct:publisher ; sh:minCount 1 ; sh:node [ sh:property [ sh:path foaf:name ; sh:minCount 1 ] ] ] ,
        [ sh:path dcat:distribution ; sh:class dcat:Distribution ; sh:minCount 6 ] ,
        [ sh:path void:sparqlEndpoint ; sh:nodeKind sh:IRI ; sh:minCount 1 ; sh:maxCount 1 ] .
:Distribution a sh:NodeShape ; sh:targetClass dcat:Distribution ;
    sh:property [ sh:path dcat:downloadURL ; sh:nodeKind sh:IRI ; sh:minCount 1 ; sh:maxCount 1 ] ,
        [ sh:path dcat:accessURL ; sh:nodeKind sh:IRI ; sh:minCount 1 ] ,
        [ sh:path dcat:mediaType ; sh:nodeKind sh:IRI ; sh:minCount 1 ; sh:maxCount 1 ] ,
        [ sh:path dct:license ; sh:nodeKind sh:IRI ; sh:minCount 1 ] .
:Service a sh:NodeShape ; sh:targetClass dcat:DataService ;
    sh:property [ sh:path dcat:endpointURL ; sh:nodeKind sh:IRI ; sh:minCount 1 ] ,
        [ sh:path dcat:servesDataset ; sh:class dcat:Dataset ; sh:minCount 1 ] .
:ClassPartition a sh:NodeShape ; sh:targetObjectsOf void:classPartition ;
    sh:property [ sh:path void:class ; sh:nodeKind sh:IRI ; sh:minCount 1 ; sh:maxCount 1 ] ,
        [ sh:path void:entities ; sh:datatype xsd:integer ; sh:minCount 1 ; sh:maxCount 1 ] .
:PropertyPartition a sh:NodeShape ; sh:targetObjectsOf void:propertyPartition ;
    sh:property [ sh:path void:property ; sh:nodeKind sh:IRI ; sh:minCount 1 ; sh:maxCount 1 ] ,
        [ sh:path void:triples ; sh:datatype xsd:integer ; sh:minCount 1 ; sh:maxCount 1 ; sh:minInclusive 1 ] .
"""
"""What a consumer of the description relies on (VoID https://www.w3.org/TR/void/, DCAT 3)."""


@pytest.fixture(scope="module", params=BACKENDS)
def kb(request: pytest.FixtureRequest) -> Iterator[Store]:
    store = open_store(request.param)
    load_packaged_kb(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def description(kb: Store) -> Graph:
    return describe(kb, BASE + "/")  # a trailing slash on the base URL is not doubled in the links


def union(store: Store) -> set[tuple[Node, Node, Node]]:
    return {(s, p, o) for s, p, o, _ in store.quads()}


def is_entity(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(RESOURCE))


def value(graph: Graph, subject: Node, predicate: URIRef) -> int:
    found = graph.value(subject, predicate)
    assert isinstance(found, Literal), f"no {predicate} on {subject}"
    assert found.datatype == XSD.integer
    return int(found)


def test_dataset_counts_are_the_stores(kb: Store, description: Graph) -> None:
    triples = union(kb)
    expected = {
        VOID.triples: len(triples),
        VOID.entities: len({s for s, _, _ in triples if is_entity(s)}),
        VOID.distinctSubjects: len({s for s, _, _ in triples}),
        VOID.distinctObjects: len({o for _, _, o in triples}),
        VOID.classes: len({o for _, p, o in triples if p == RDF.type}),
        VOID.properties: len({p for _, p, _ in triples}),
    }
    assert {key: value(description, DATASET, key) for key in expected} == expected
    counted = kb.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
    assert int(str(counted.rows[0]["n"])) == expected[VOID.triples]


def test_class_partitions_count_the_instances(kb: Store, description: Graph) -> None:
    instances: dict[Node, set[Node]] = {}
    for s, p, o in union(kb):
        if p == RDF.type:
            instances.setdefault(o, set()).add(s)
    partitions = {
        description.value(partition, VOID["class"]): (
            value(description, partition, VOID.entities),
            value(description, partition, VOID.distinctSubjects),
        )
        for partition in description.objects(DATASET, VOID.classPartition)
    }
    assert partitions == {cls: (sum(map(is_entity, members)), len(members)) for cls, members in instances.items()}
    assert partitions[SKB.Stance][0] > 0


def test_property_partitions_count_the_triples(kb: Store, description: Graph) -> None:
    partitions = {
        description.value(partition, VOID.property): value(description, partition, VOID.triples)
        for partition in description.objects(DATASET, VOID.propertyPartition)
    }
    assert partitions == Counter(p for _, p, _ in union(kb))


def test_one_subset_per_named_graph_with_its_counts_and_dumps(kb: Store, description: Graph) -> None:
    subsets = set(description.objects(DATASET, VOID.subset))
    assert subsets == set(kb.named_graphs())
    for graph in kb.named_graphs():
        triples = [(s, p, o) for s, p, o, _ in kb.quads(graph)]
        assert (graph, RDF.type, VOID.Dataset) in description
        assert value(description, graph, VOID.triples) == len(triples)
        assert value(description, graph, VOID.entities) == len({s for s, _, _ in triples if is_entity(s)})
        dumps = {dump_target(str(url).removeprefix(BASE)) for url in description.objects(graph, VOID.dataDump)}
        assert {(fmt.name, target) for fmt, target in dumps} == {(name, graph) for name in FORMATS}


def test_sparql_endpoint_and_dumps_are_under_the_base_url(description: Graph) -> None:
    endpoint = URIRef(BASE + "/sparql")
    assert set(description.objects(DATASET, VOID.sparqlEndpoint)) == {endpoint}
    assert set(description.subjects(DCAT.endpointURL, endpoint)) == set(
        description.subjects(RDF.type, DCAT.DataService)
    )
    dumps = {URIRef(BASE + dump_path(name)) for name in FORMATS}
    assert set(description.objects(DATASET, VOID.dataDump)) == dumps
    assert set(description.objects(DATASET, VOID.feature)) == {fmt.w3c_format for fmt in FORMATS.values()}
    for distribution in description.objects(DATASET, DCAT.distribution):
        url = description.value(distribution, DCAT.downloadURL)
        fmt, graph = dump_target(str(url).removeprefix(BASE))
        assert graph is None
        media_type = URIRef("https://www.iana.org/assignments/media-types/" + fmt.media_type)
        assert description.value(distribution, DCAT.mediaType) == media_type
        assert description.value(distribution, DCTERMS.format) == fmt.w3c_format


def test_catalogue_metadata(description: Graph) -> None:
    assert {DCAT.Dataset, VOID.Dataset} <= set(description.objects(DATASET, RDF.type))
    assert description.value(DATASET, DCTERMS.title) == Literal("StanceKB", lang="en")
    assert str(description.value(DATASET, DCTERMS.description)) == metadata("stancekb")["Summary"]
    assert description.value(DATASET, DCTERMS.license) == LICENSE
    assert str(LICENSE) == "https://creativecommons.org/licenses/by/4.0/"
    version = ontology_graph().value(ONTOLOGY_IRI, OWL.versionInfo)
    assert description.value(DATASET, DCAT.version) == Literal(str(version)) == Literal("0.1.0")
    publisher = description.value(DATASET, DCTERMS.publisher)
    assert description.value(publisher, FOAF.name) == Literal("The StanceKB developers")
    assert description.value(DATASET, DCTERMS.conformsTo) == ONTOLOGY_IRI


def test_example_resources_are_instances_of_the_example_classes(kb: Store, description: Graph) -> None:
    examples = set(description.objects(DATASET, VOID.exampleResource))
    types = {(s, o) for s, p, o in union(kb) if p == RDF.type}
    assert {cls for cls in EXAMPLE_CLASSES for example in examples if (example, cls) in types} == set(EXAMPLE_CLASSES)
    assert len(examples) == len(EXAMPLE_CLASSES)


def test_vocabularies_are_the_namespaces_in_use(description: Graph) -> None:
    vocabularies = {str(ns) for ns in description.objects(DATASET, VOID.vocabulary)}
    assert vocabularies <= set(PREFIXES.values())
    assert {PREFIXES["skb"], PREFIXES["oa"], PREFIXES["rdfs"]} <= vocabularies


def test_description_conforms_to_the_void_and_dcat_shapes(description: Graph) -> None:
    report = validate_shacl(description, shapes=Graph().parse(data=SHAPES, format="turtle"), ontology=Graph())
    assert report.conforms, report.text(description)


def test_an_empty_store_is_described_with_zero_counts() -> None:
    description = describe(open_store("oxigraph:"), BASE)
    assert value(description, DATASET, VOID.triples) == 0
    assert not set(description.objects(DATASET, VOID.subset))
