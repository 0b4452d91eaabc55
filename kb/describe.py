"""A VoID and DCAT description of the knowledge base, generated from what the store holds.

VoID (https://www.w3.org/TR/void/): the dataset with its statistics (``void:triples``, ``void:entities``,
``void:classes``, ``void:properties``, ``void:distinctSubjects``, ``void:distinctObjects``), class and
property partitions, example resources, URI space and vocabularies, SPARQL endpoint and data dumps, and one
``void:subset`` per named graph, each with its own counts and dumps. The server publishes it at
``/.well-known/void`` (VoID, "Discovery via /.well-known/void"); the dumps carry it in ``VOID_GRAPH``.

DCAT 3 (https://www.w3.org/TR/vocab-dcat-3/): the same resource is a ``dcat:Dataset`` with title,
description, licence, publisher and version (the ontology's ``owl:versionInfo``), one ``dcat:Distribution``
per dump format and the SPARQL endpoint as a ``dcat:DataService``.

Counts are over the union of the named graphs, the default graph SPARQL queries see: a triple that two
graphs hold counts once for the dataset and once in each graph's subset. An entity is an IRI in the
dataset's ``void:uriSpace`` (``RESOURCE``) that is the subject of a triple, as VoID defines entities.
"""

from __future__ import annotations

from importlib.metadata import metadata

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, VOID
from rdflib.term import Node

from stancekb.export import FORMATS, VOID_GRAPH, dump_path, has_dump_path
from stancekb.namespaces import ONTOLOGY_IRI, PREFIXES, RESOURCE, SKB, SPARQL_PREFIXES
from stancekb.resources import ontology_graph
from stancekb.store import Store

DCAT = Namespace("http://www.w3.org/ns/dcat#")  # DCAT 3: rdflib's DCAT namespace lacks dcat:version
DATASET = URIRef("https://w3id.org/stancekb/dataset")
"""The IRI of the knowledge base as a dataset, the same wherever it is served."""
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
EXAMPLE_CLASSES = (SKB.SourceDocument, SKB.Stance, SKB.Meeting, SKB.Dependency, SKB.Quote)
"""The classes whose first instance (by IRI) is given as a ``void:exampleResource``."""


def _entity(var: str) -> str:
    """Bind ?entity to ``var`` if it is an entity: an IRI in the URI space (``?unbound`` is never bound)."""
    return f'BIND(IF(isIRI({var}) && STRSTARTS(STR({var}), "{RESOURCE}"), {var}, ?unbound) AS ?entity)'


_EXAMPLE_VALUES = " ".join(f"<{cls}>" for cls in EXAMPLE_CLASSES)

QUERIES: dict[str, str] = {
    "dataset": f"""
        SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?entity) AS ?entities)
               (COUNT(DISTINCT ?s) AS ?distinctSubjects) (COUNT(DISTINCT ?o) AS ?distinctObjects)
        WHERE {{ {{ SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} }} {_entity("?s")} }}""",
    "graphs": f"""
        SELECT ?graph (COUNT(*) AS ?triples) (COUNT(DISTINCT ?entity) AS ?entities)
        WHERE {{ GRAPH ?graph {{ ?s ?p ?o }} {_entity("?s")} }}
        GROUP BY ?graph ORDER BY ?graph""",
    "classes": f"""
        SELECT ?class (COUNT(DISTINCT ?entity) AS ?entities) (COUNT(DISTINCT ?instance) AS ?distinctSubjects)
        WHERE {{ GRAPH ?g {{ ?instance a ?class }} {_entity("?instance")} }}
        GROUP BY ?class ORDER BY ?class""",
    "properties": """
        SELECT ?property (COUNT(*) AS ?triples)
        WHERE { { SELECT DISTINCT ?s ?property ?o WHERE { GRAPH ?g { ?s ?property ?o } } } }
        GROUP BY ?property ORDER BY ?property""",
    "examples": f"""
        SELECT ?class (MIN(STR(?instance)) AS ?example)
        WHERE {{ VALUES ?class {{ {_EXAMPLE_VALUES} }} GRAPH ?g {{ ?instance a ?class }} FILTER(isIRI(?instance)) }}
        GROUP BY ?class ORDER BY ?class""",
}
"""Name -> SELECT query behind the description."""


def describe(store: Store, base_url: str, version: str | None = None) -> Graph:
    """The VoID and DCAT description of the store's content, as graph ``VOID_GRAPH``.

    ``base_url`` is the server's public URL: the SPARQL endpoint is ``BASE/sparql`` and the dumps are under
    ``BASE/dumps`` (see ``stancekb.export.dump_path``). ``version`` is the dataset's ``dcat:version`` (default:
    the ontology's ``owl:versionInfo``; a release gives its own).
    """
    base = base_url.rstrip("/")
    results = {name: store.query(SPARQL_PREFIXES + query).rows for name, query in QUERIES.items()}
    graph = Graph(identifier=VOID_GRAPH)
    _add_catalogue(graph, version)
    _add_statistics(graph, results)
    _add_access(graph, base)
    for row in results["graphs"]:
        subset = URIRef(str(row["graph"]))
        graph.add((DATASET, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, VOID.triples, _count(row["triples"])))
        graph.add((subset, VOID.entities, _count(row["entities"])))
        if has_dump_path(subset):
            for name in FORMATS:
                graph.add((subset, VOID.dataDump, URIRef(base + dump_path(name, subset))))
    return graph


def _count(node: Node) -> Literal:
    """A count from a query result, as an ``xsd:integer``."""
    return Literal(int(str(node)))


def _add_catalogue(graph: Graph, version: str | None) -> None:
    """DCAT's title, description, licence, publisher and version; the ontology the data conforms to."""
    add = graph.add
    package = metadata("stancekb")
    add((DATASET, RDF.type, VOID.Dataset))
    add((DATASET, RDF.type, DCAT.Dataset))
    add((DATASET, DCTERMS.title, Literal("StanceKB", lang="en")))
    add((DATASET, DCTERMS.description, Literal(package["Summary"], lang="en")))
    add((DATASET, DCTERMS.license, LICENSE))
    publisher = BNode()
    add((DATASET, DCTERMS.publisher, publisher))
    add((publisher, RDF.type, FOAF.Organization))
    add((publisher, FOAF.name, Literal(package["Author"])))
    shown = version if version is not None else ontology_graph().value(ONTOLOGY_IRI, OWL.versionInfo)
    if shown is not None:
        add((DATASET, DCAT.version, Literal(str(shown))))
    add((DATASET, DCTERMS.conformsTo, ONTOLOGY_IRI))


def _add_statistics(graph: Graph, results: dict[str, list[dict[str, Node]]]) -> None:
    """VoID's statistics, class and property partitions, vocabularies and example resources."""
    add = graph.add
    add((DATASET, VOID.uriSpace, Literal(str(RESOURCE))))
    counts = results["dataset"][0]
    for key in ("triples", "entities", "distinctSubjects", "distinctObjects"):
        add((DATASET, VOID[key], _count(counts[key])))
    add((DATASET, VOID.classes, Literal(len(results["classes"]))))
    add((DATASET, VOID.properties, Literal(len(results["properties"]))))
    for row in results["classes"]:
        partition = BNode()
        add((DATASET, VOID.classPartition, partition))
        add((partition, VOID["class"], row["class"]))
        add((partition, VOID.entities, _count(row["entities"])))
        add((partition, VOID.distinctSubjects, _count(row["distinctSubjects"])))
    for row in results["properties"]:
        partition = BNode()
        add((DATASET, VOID.propertyPartition, partition))
        add((partition, VOID.property, row["property"]))
        add((partition, VOID.triples, _count(row["triples"])))
    terms = [str(row["class"]) for row in results["classes"]] + [str(row["property"]) for row in results["properties"]]
    for namespace in sorted({ns for ns in PREFIXES.values() if any(term.startswith(ns) for term in terms)}):
        add((DATASET, VOID.vocabulary, URIRef(namespace)))
    for row in results["examples"]:
        add((DATASET, VOID.exampleResource, URIRef(str(row["example"]))))


def _add_access(graph: Graph, base: str) -> None:
    """The SPARQL endpoint (VoID and a DCAT data service), and the whole-dataset dumps (VoID and DCAT)."""
    add = graph.add
    endpoint = URIRef(f"{base}/sparql")
    add((DATASET, VOID.sparqlEndpoint, endpoint))
    service = URIRef(f"{DATASET}/sparql")
    add((service, RDF.type, DCAT.DataService))
    add((service, DCTERMS.title, Literal("StanceKB SPARQL endpoint", lang="en")))
    add((service, DCAT.endpointURL, endpoint))
    add((service, DCAT.servesDataset, DATASET))
    add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    for name, fmt in FORMATS.items():
        url = URIRef(base + dump_path(name))
        add((DATASET, VOID.dataDump, url))
        add((DATASET, VOID.feature, fmt.w3c_format))
        distribution = URIRef(f"{DATASET}/distribution/{name}")
        add((DATASET, DCAT.distribution, distribution))
        add((distribution, RDF.type, DCAT.Distribution))
        add((distribution, DCAT.accessURL, url))
        add((distribution, DCAT.downloadURL, url))
        add((distribution, DCAT.mediaType, URIRef(MEDIA_TYPES + fmt.media_type)))
        add((distribution, DCTERMS.format, fmt.w3c_format))
        add((distribution, DCTERMS.license, LICENSE))
