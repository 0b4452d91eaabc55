"""The IRIs StanceKB uses: its own vocabulary as a checked DefinedNamespace, and the reused ones."""

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace


class SKB(DefinedNamespace):
    """The StanceKB ontology, https://w3id.org/stancekb/ontology# (a test checks it against ontology/)."""

    _NS = Namespace("https://w3id.org/stancekb/ontology#")
    _fail = True

    Actor: URIRef
    ActorGroup: URIRef
    Against: URIRef
    Alliance: URIRef
    AnonymousSource: URIRef
    Bloc: URIRef
    CommandStructures: URIRef
    Communications: URIRef
    Consult: URIRef
    Decreasing: URIRef
    Defence: URIRef
    Dependency: URIRef
    DirectQuotation: URIRef
    Event: URIRef
    EventType: URIRef
    Favour: URIRef
    Funding: URIRef
    GovernmentBody: URIRef
    HistoricalEvent: URIRef
    HostVisit: URIRef
    Increasing: URIRef
    Legislature: URIRef
    Logistics: URIRef
    MakeVisit: URIRef
    MediaOutlet: URIRef
    MeetAtThirdLocation: URIRef
    Meeting: URIRef
    MilitaryAssets: URIRef
    MilitaryCommand: URIRef
    MilitaryOperation: URIRef
    MilitarySupport: URIRef
    Mixed: URIRef
    Moderate: URIRef
    Negotiate: URIRef
    Neutral: URIRef
    NuclearDeterrence: URIRef
    Office: URIRef
    Organisation: URIRef
    OutletReporting: URIRef
    Paraphrase: URIRef
    ParliamentaryCommittee: URIRef
    PartialQuotation: URIRef
    Person: URIRef
    Place: URIRef
    Polarity: URIRef
    Policy: URIRef
    PoliticalSupport: URIRef
    Proposition: URIRef
    Quote: URIRef
    ReportingMode: URIRef
    ResearchInstitute: URIRef
    Resource: URIRef
    SourceDocument: URIRef
    Stance: URIRef
    State: URIRef
    Strength: URIRef
    Strong: URIRef
    TextAnchor: URIRef
    Topic: URIRef
    Trend: URIRef
    Troops: URIRef
    UnnamedPerson: URIRef
    Weak: URIRef
    about: URIRef
    absentFrom: URIRef
    absentee: URIRef
    affiliation: URIRef
    anonymityReason: URIRef
    appliesTo: URIRef
    basedIn: URIRef
    capital: URIRef
    capitalOf: URIRef
    characterCount: URIRef
    consequence: URIRef
    convenor: URIRef
    dependee: URIRef
    depender: URIRef
    dependerIn: URIRef
    dependsOn: URIRef
    dependum: URIRef
    describedAs: URIRef
    eventType: URIRef
    eventTypes: URIRef
    evidence: URIRef
    excludes: URIRef
    formedIn: URIRef
    hasSubEvent: URIRef
    holder: URIRef
    holds: URIRef
    holdsDuring: URIRef
    host: URIRef
    inResponseTo: URIRef
    issuedBy: URIRef
    ledBy: URIRef
    locatedIn: URIRef
    noCommentFrom: URIRef
    outsideFrameworkOf: URIRef
    participant: URIRef
    participatedIn: URIRef
    place: URIRef
    polarities: URIRef
    polarity: URIRef
    purpose: URIRef
    quantity: URIRef
    reportingMode: URIRef
    reportingModes: URIRef
    reportingTime: URIRef
    resources: URIRef
    sha256: URIRef
    standsFor: URIRef
    statedAt: URIRef
    stationedIn: URIRef
    strength: URIRef
    strengths: URIRef
    subEventOf: URIRef
    supportedBy: URIRef
    target: URIRef
    tenureOf: URIRef
    time: URIRef
    topic: URIRef
    trend: URIRef
    trends: URIRef
    via: URIRef
    withinFrameworkOf: URIRef


ONTOLOGY_IRI = URIRef("https://w3id.org/stancekb/ontology")
RESOURCE = Namespace("https://w3id.org/stancekb/id/")
GRAPH = Namespace("https://w3id.org/stancekb/graph/")
REFERENCE_GRAPH = GRAPH["reference"]
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
MARL = Namespace("http://www.gsi.upm.es/ontologies/marl/ns#")
IBIS = Namespace("https://vocab.methodandstructure.com/ibis#")

PREFIXES: dict[str, str] = {
    "skb": str(SKB._NS),
    "skr": str(RESOURCE),
    "org": str(ORG),
    "sem": str(SEM),
    "oa": str(OA),
    "schema": str(SCHEMA),
    "marl": str(MARL),
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dct": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""Prefixes known to every query the project runs and every file it writes."""

SPARQL_PREFIXES = " ".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in PREFIXES.items())
"""``PREFIXES`` as a SPARQL prologue on one line, to put before a query without moving its line numbers."""
