"""The service description (https://www.w3.org/TR/sparql11-service-description/) with VoID statistics.

Answered at the SPARQL endpoint on a GET without a query (SPARQL 1.1 Service Description §2), in the
negotiated RDF format. (``/.well-known/void`` answers the fuller VoID and DCAT description: ``routes.dumps``.)
The statistics (``void:triples`` and the distinct counts, per graph and for the whole store) are computed on
a worker and kept until the store changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request, Response
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import VOID

from stancekb.api.conneg import (
    JSON_LD,
    N_QUADS,
    N_TRIPLES,
    RDF_FORMATS,
    RDF_XML,
    SPARQL_CSV,
    SPARQL_JSON,
    SPARQL_TSV,
    SPARQL_XML,
    TRIG,
    TURTLE,
    Format,
    negotiate,
)
from stancekb.settings import Settings
from stancekb.store import Store, WorkerPool

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

FORMAT_IRIS: dict[Format, URIRef] = {
    SPARQL_JSON: FORMATS.SPARQL_Results_JSON,
    SPARQL_XML: FORMATS.SPARQL_Results_XML,
    SPARQL_CSV: FORMATS.SPARQL_Results_CSV,
    SPARQL_TSV: FORMATS.SPARQL_Results_TSV,
    TURTLE: FORMATS.Turtle,
    N_TRIPLES: FORMATS["N-Triples"],
    N_QUADS: FORMATS["N-Quads"],
    TRIG: FORMATS.TriG,
    JSON_LD: FORMATS["JSON-LD"],
    RDF_XML: FORMATS.RDF_XML,
}
"""The W3C format IRIs (https://www.w3.org/ns/formats/) of the formats the endpoint answers in."""

router = APIRouter(tags=["service description"])


@dataclass(frozen=True)
class Statistics:
    """VoID counts of the whole store (its union graph) and the number of triples in each named graph."""

    triples: int
    subjects: int
    properties: int
    objects: int
    classes: int
    graphs: dict[URIRef, int] = field(default_factory=dict)


_TOTALS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"""
_CLASSES = "SELECT (COUNT(DISTINCT ?c) AS ?classes) WHERE { ?s a ?c }"
_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def statistics(store: Store) -> Statistics:
    """Count the store's content (run on a worker)."""
    [totals] = store.query(_TOTALS).rows
    [classes] = store.query(_CLASSES).rows
    per_graph = store.query(_PER_GRAPH).rows
    return Statistics(
        **{name: int(value) for name, value in totals.items()},  # type: ignore[call-overload]
        classes=int(classes["classes"]),  # type: ignore[call-overload]
        graphs={row["g"]: int(row["triples"]) for row in per_graph},  # type: ignore[misc, call-overload]
    )


def describe(settings: Settings, stats: Statistics) -> Graph:
    """The service description graph."""
    endpoint = URIRef(f"{settings.base_url.rstrip('/')}/sparql")
    dataset, default_graph = URIRef(f"{endpoint}#dataset"), URIRef(f"{endpoint}#default-graph")
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("formats", FORMATS)
    graph.add((endpoint, RDF.type, SD.Service))
    graph.add((endpoint, SD.endpoint, endpoint))
    graph.add((endpoint, SD.supportedLanguage, SD.SPARQL11Query))
    if settings.update_token is not None:
        graph.add((endpoint, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((endpoint, SD.feature, SD.UnionDefaultGraph))
    if settings.allow_service:
        graph.add((endpoint, SD.feature, SD.BasicFederatedQuery))
    graph.add((endpoint, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple")))
    for iri in FORMAT_IRIS.values():
        graph.add((endpoint, SD.resultFormat, iri))
    graph.add((endpoint, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, VOID.sparqlEndpoint, endpoint))
    for predicate, count in (
        (VOID.triples, stats.triples),
        (VOID.distinctSubjects, stats.subjects),
        (VOID.properties, stats.properties),
        (VOID.distinctObjects, stats.objects),
        (VOID.classes, stats.classes),
    ):
        graph.add((dataset, predicate, Literal(count, datatype=XSD.integer)))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    for name, count in sorted(stats.graphs.items()):
        named, content = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, name))
        graph.add((named, SD.graph, content))
        graph.add((content, RDF.type, SD.Graph))
        graph.add((content, RDF.type, VOID.Dataset))
        graph.add((content, VOID.triples, Literal(count, datatype=XSD.integer)))
        graph.add((dataset, VOID.subset, content))
    return graph


async def description_response(request: Request, settings: Settings, pool: WorkerPool) -> Response:
    """The service description in the negotiated RDF format."""
    fmt = negotiate(RDF_FORMATS, request.headers.get("accept"), request.query_params.get("format"))
    cached: tuple[int, Statistics] | None = getattr(request.app.state, "statistics", None)
    if cached is None or cached[0] != pool.store.version:
        cached = (pool.store.version, await pool.run(statistics))
        request.app.state.statistics = cached
    body = describe(settings, cached[1]).serialize(format=fmt.media_type, encoding="utf-8")
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})
